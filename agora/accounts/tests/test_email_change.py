"""E-mail change on the web (allauth's page with ACCOUNT_CHANGE_EMAIL): the new address is confirmed by
a link mailed to it, and only then becomes the login and primary address (`User.email`)."""

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmation
from django.urls import reverse

from agora.accounts.models import UserStatus
from agora.accounts.tests.factories import UserFactory, logs_in
from agora.core.models import OutgoingEmail
from conftest import link_in

pytestmark = pytest.mark.django_db

CONFIRM_PATH = "/accounts/confirm-email/"


def _request_change(client, email):
    return client.post(reverse("account_email"), {"email": email, "action_add": ""})


def _confirm_link(messages) -> str:
    return link_in(messages[-1].text, CONFIRM_PATH)


def _addresses(user) -> list[tuple[str, bool, bool]]:
    return list(EmailAddress.objects.filter(user=user).order_by("email").values_list("email", "primary", "verified"))


@pytest.fixture
def ada(client):
    user = UserFactory(email="ada@example.com")
    client.force_login(user)
    return user


def test_asking_for_a_new_address_mails_a_link_to_it_and_changes_nothing_yet(client, ada, mail_outbox_flush):
    response = _request_change(client, "Ada.New@Example.com")

    assert response.status_code == 302 and response["Location"] == reverse("account_email")
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["ada.new@example.com"]
    assert sent[0].subject == "[Agora] Confirm your e-mail address"
    assert CONFIRM_PATH in sent[0].text and sent[0].html
    ada.refresh_from_db()
    assert ada.email == "ada@example.com"
    assert _addresses(ada) == [("ada.new@example.com", False, False), ("ada@example.com", True, True)]
    page = client.get(reverse("account_email")).content.decode()
    assert "ada.new@example.com" in page and "pending verification" in page


def test_the_unconfirmed_address_is_not_a_login_address(client, ada, mail_outbox_flush):
    _request_change(client, "ada.new@example.com")

    assert not logs_in("ada.new@example.com")
    assert logs_in("ada@example.com")


def test_following_the_link_makes_the_new_address_the_only_login_address(client, ada, mail_outbox_flush):
    _request_change(client, "ada.new@example.com")
    link = _confirm_link(mail_outbox_flush())

    page = client.get(link)
    response = client.post(link)

    assert page.status_code == 200 and "Confirm" in page.content.decode()
    assert response.status_code == 302
    ada.refresh_from_db()
    assert (ada.email, ada.status) == ("ada.new@example.com", UserStatus.ACTIVE)
    assert _addresses(ada) == [("ada.new@example.com", True, True)]
    assert not EmailConfirmation.objects.exists()
    # The project does not tell the old address (ACCOUNT_EMAIL_NOTIFICATIONS is off): nothing more was sent.
    assert [message.to for message in mail_outbox_flush()] == ["ada.new@example.com"]
    assert logs_in("ada.new@example.com")
    assert not logs_in("ada@example.com")


def test_a_used_link_is_refused(client, ada, mail_outbox_flush):
    _request_change(client, "ada.new@example.com")
    link = _confirm_link(mail_outbox_flush())
    client.post(link)

    page = client.get(link)
    again = client.post(link)

    assert page.status_code == 200 and "This link doesn’t work" in page.content.decode()
    assert again.status_code == 404
    ada.refresh_from_db()
    assert ada.email == "ada.new@example.com"


def test_a_forged_link_is_refused_and_changes_nothing(client, ada, mail_outbox_flush):
    _request_change(client, "ada.new@example.com")
    key = _confirm_link(mail_outbox_flush()).rstrip("/").rsplit("/", 1)[-1]
    forged = f"{CONFIRM_PATH}{'x' if key[0] != 'x' else 'y'}{key[1:]}/"

    page = client.get(forged)
    response = client.post(forged)

    assert "This link doesn’t work" in page.content.decode()
    assert response.status_code == 404
    ada.refresh_from_db()
    assert ada.email == "ada@example.com"
    assert _addresses(ada) == [("ada.new@example.com", False, False), ("ada@example.com", True, True)]


def test_an_expired_link_is_refused(client, ada, mail_outbox_flush):
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        _request_change(client, "ada.new@example.com")
        link = _confirm_link(mail_outbox_flush())
    with time_machine.travel("2026-01-04 12:01Z", tick=False):
        response = client.post(link)

    assert response.status_code == 404
    ada.refresh_from_db()
    assert ada.email == "ada@example.com"


def test_a_second_request_replaces_the_first_and_kills_its_link(client, ada, mail_outbox_flush):
    _request_change(client, "first@example.com")
    first_link = _confirm_link(mail_outbox_flush())

    _request_change(client, "second@example.com")
    sent = mail_outbox_flush()

    assert [message.to for message in sent] == ["first@example.com", "second@example.com"]
    assert client.post(first_link).status_code == 404
    assert client.post(_confirm_link(sent)).status_code == 302
    ada.refresh_from_db()
    assert ada.email == "second@example.com"
    assert _addresses(ada) == [("second@example.com", True, True)]


def test_ones_own_address_is_refused(client, ada):
    response = _request_change(client, "ADA@example.com")

    assert response.status_code == 200
    assert "This email address is already associated with this account." in response.content.decode()
    assert not OutgoingEmail.objects.exists()
    assert _addresses(ada) == [("ada@example.com", True, True)]


@pytest.mark.parametrize("status", [UserStatus.ACTIVE, UserStatus.PENDING, UserStatus.WAITING])
def test_an_address_of_another_account_is_refused_when_its_link_is_followed(client, ada, mail_outbox_flush, status):
    """Asking answers as for any address (no account enumeration, as at sign-up); the link, which
    went to the other account's mailbox, is refused with a clear message and changes nothing."""
    other = UserFactory(email="bob@example.com", status=status)
    _request_change(client, "Bob@example.com")
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["bob@example.com"]

    response = client.post(_confirm_link(sent), follow=True)

    assert response.status_code == 200
    assert "Unable to confirm bob@example.com because it is already confirmed by a different account." in (
        response.content.decode()
    )
    ada.refresh_from_db()
    other.refresh_from_db()
    assert (ada.email, other.email, other.status) == ("ada@example.com", "bob@example.com", status)
    assert EmailAddress.objects.get(user=other).email == "bob@example.com"
    assert _addresses(ada) == [("ada@example.com", True, True), ("bob@example.com", False, False)]


def test_a_pending_change_gets_no_password_reset_link(client, ada, mail_outbox_flush):
    """Until confirmed, the new address may be a stranger's mailbox (a typo): it must not be able to
    reset the account's password. It gets what an unknown address gets."""
    _request_change(client, "typo@example.com")
    mail_outbox_flush()
    client.logout()

    client.post(reverse("account_reset_password"), {"email": "typo@example.com"})

    sent = mail_outbox_flush()[1:]
    assert [message.to for message in sent] == ["typo@example.com"]
    assert "/accounts/password/reset/key/" not in sent[0].text
    assert "/accounts/signup/" in sent[0].text


def test_a_change_needs_a_signed_in_user(client):
    response = _request_change(client, "someone@example.com")

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not EmailAddress.objects.exists()
