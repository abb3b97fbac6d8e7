"""A gift recipient's account: waiting → claim link → pending → activation → active."""

import pytest
from django.core import signing
from django.urls import reverse

from agora.accounts import services
from agora.accounts.models import User, UserStatus
from agora.accounts.tests.factories import PASSWORD, UserFactory
from agora.accounts.tokens import CLAIM_SALT, claim_token_make
from conftest import link_in

pytestmark = pytest.mark.django_db

CLAIM = {"display_name": "Gift Receiver", "password1": PASSWORD, "password2": PASSWORD}


def test_unknown_email_gets_a_waiting_account_without_password():
    user, created = services.waiting_user_get_or_create(email=" Friend@Example.com ")

    assert created
    assert (user.email, user.status, user.is_active) == ("friend@example.com", UserStatus.WAITING, False)
    assert not user.has_usable_password()


def test_known_email_returns_the_existing_user():
    existing = UserFactory(email="friend@example.com")

    user, created = services.waiting_user_get_or_create(email="FRIEND@example.com")

    assert (user.pk, created) == (existing.pk, False)
    assert User.objects.count() == 1


def test_claim_journey_ends_active(client, mail_outbox_flush):
    user, _ = services.waiting_user_get_or_create(email="friend@example.com")
    services.claim_invitation_send(user=user)
    claim_link = link_in(mail_outbox_flush()[-1].text, "/accounts/claim/")

    page = client.get(claim_link)
    assert page.status_code == 200
    assert 'value="friend@example.com"' in page.content.decode()
    assert client.post(claim_link, CLAIM).status_code == 302
    user.refresh_from_db()
    assert (user.status, user.display_name) == (UserStatus.PENDING, "Gift Receiver")

    client.post(link_in(mail_outbox_flush()[-1].text, "/accounts/confirm-email/"))
    user.refresh_from_db()
    assert user.status == UserStatus.ACTIVE
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}).status_code == 302


def test_claim_link_works_once(client):
    user, _ = services.waiting_user_get_or_create(email="friend@example.com")
    link = reverse("accounts:claim", args=[claim_token_make(user)])
    client.post(link, CLAIM)

    response = client.post(link, {**CLAIM, "password1": "another-password-9", "password2": "another-password-9"})

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_forged_or_expired_claim_link_is_refused(client, settings):
    user, _ = services.waiting_user_get_or_create(email="friend@example.com")
    forged = signing.dumps({"user": user.pk, "email": user.email}, salt="another-salt")
    settings.ACCOUNT_CLAIM_LINK_MAX_AGE_SECONDS = -1
    expired = signing.dumps({"user": user.pk, "email": user.email}, salt=CLAIM_SALT, compress=True)

    for token in [forged, expired, "garbage"]:
        assert client.get(reverse("accounts:claim", args=[token])).status_code == 400
    assert User.objects.get(pk=user.pk).status == UserStatus.WAITING


def test_claim_with_weak_password_changes_nothing(client):
    user, _ = services.waiting_user_get_or_create(email="friend@example.com")

    response = client.post(
        reverse("accounts:claim", args=[claim_token_make(user)]),
        {"display_name": "X", "password1": "12345", "password2": "12345"},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.status, user.display_name, user.has_usable_password()) == (UserStatus.WAITING, "", False)


def test_signing_up_with_a_waiting_address_sends_the_claim_link_again(client, mail_outbox_flush):
    services.waiting_user_get_or_create(email="friend@example.com")

    client.post(reverse("account_signup"), {"email": "friend@example.com", **CLAIM})

    assert User.objects.get(email="friend@example.com").status == UserStatus.WAITING
    assert "/accounts/claim/" in mail_outbox_flush()[-1].text


def test_dev_trigger_creates_waiting_account_and_sends_claim_link(client, mail_outbox_flush):
    response = client.post(reverse("accounts:dev-waiting"), {"email": "friend@example.com"})

    assert response.status_code == 302
    assert User.objects.get(email="friend@example.com").status == UserStatus.WAITING
    assert "/accounts/claim/" in mail_outbox_flush()[-1].text
