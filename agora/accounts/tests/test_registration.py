"""Sign-up → pending → activation link → active, and every refusal on the way."""

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmation
from django.urls import reverse

from agora.accounts.models import User, UserStatus
from agora.accounts.tests.factories import PASSWORD, UserFactory
from conftest import link_in

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "new@example.com", "display_name": "New Person", "password1": PASSWORD, "password2": PASSWORD}


def _activation_link(messages: list) -> str:
    return link_in(messages[-1].text, "/accounts/confirm-email/")


def test_signup_creates_pending_account_and_sends_activation_link(client, mail_outbox_flush):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup-done")
    user = User.objects.get(email="new@example.com")
    assert (user.status, user.is_active, user.display_name) == (UserStatus.PENDING, False, "New Person")
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["new@example.com"]
    assert "/accounts/confirm-email/" in sent[0].text and sent[0].html


def test_activation_link_activates_once(client, mail_outbox_flush):
    client.post(reverse("account_signup"), SIGNUP)
    link = _activation_link(mail_outbox_flush())

    assert client.get(link).status_code == 200
    response = client.post(link)

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert (user.status, user.is_active) == (UserStatus.ACTIVE, True)
    assert EmailAddress.objects.get(user=user).verified
    assert not EmailConfirmation.objects.exists()
    # A used link is dead.
    assert client.post(link).status_code == 404


def test_expired_activation_link_is_refused(client, mail_outbox_flush):
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        client.post(reverse("account_signup"), SIGNUP)
        link = _activation_link(mail_outbox_flush())
    with time_machine.travel("2026-01-05 12:00Z", tick=False):
        response = client.post(link)

    assert response.status_code == 404
    assert User.objects.get(email="new@example.com").status == UserStatus.PENDING


def test_duplicate_email_gets_the_same_answer_and_no_second_account(client, mail_outbox_flush):
    existing = UserFactory(email="taken@example.com")

    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "Taken@Example.com"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup-done")
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["taken@example.com"]
    assert "/accounts/password/reset/" in sent[0].text


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "too short"), ("password123", "too common"), ("81726354918273", "entirely numeric")],
)
def test_weak_password_is_refused(client, password, message):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password1": password, "password2": password})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_signup_is_rate_limited_per_ip(client, quality_figure):
    for number in range(10):
        client.post(reverse("account_signup"), {**SIGNUP, "email": f"p{number}@example.com"})

    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "one-more@example.com"})
    quality_figure("rate_limit", refused=int(response.status_code == 429))

    assert response.status_code == 429
    assert not User.objects.filter(email="one-more@example.com").exists()


def test_resend_sends_a_fresh_link_to_pending_accounts_only(client, mail_outbox_flush):
    client.post(reverse("account_signup"), SIGNUP)
    UserFactory(email="active@example.com")
    mail_outbox_flush()

    for email in ["new@example.com", "active@example.com", "nobody@example.com"]:
        response = client.post(reverse("accounts:activation-resend"), {"email": email})
        assert response.status_code == 302

    sent = mail_outbox_flush()
    assert [message.to for message in sent[1:]] == ["new@example.com"]
    client.post(_activation_link(sent))
    assert User.objects.get(email="new@example.com").status == UserStatus.ACTIVE


def test_resend_is_rate_limited_per_address(client, quality_figure):
    for _ in range(3):
        client.post(reverse("accounts:activation-resend"), {"email": "someone@example.com"})

    response = client.post(reverse("accounts:activation-resend"), {"email": "someone@example.com"})
    quality_figure("rate_limit", refused=int(response.status_code == 429))

    assert response.status_code == 429
