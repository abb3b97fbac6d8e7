"""The API's password change and e-mail change: the web pages' services, refusals that change nothing."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation

from agora.accounts.models import User
from agora.accounts.tests.factories import PASSWORD, UserFactory
from agora.accounts.tests.test_api import (
    NEW_PASSWORD,
    NOT_AUTHENTICATED,
    RATE_LIMITED,
    WEAK_PASSWORD,
    activation_key,
    get,
    login,
    post,
)
from agora.core.models import AuditEntry, OutgoingEmail

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = {"detail": "The password is not correct.", "code": "wrong_password", "field": "current_password"}
ACTIVATION_REFUSED = {"detail": "This activation link is invalid, used or expired.", "code": "invalid_token"}


def change_sent(email: str) -> dict:
    return {"detail": f"We sent a confirmation link to {email}. Your address changes when you follow it."}


@pytest.fixture
def ada():
    return UserFactory(email="ada@example.com")


@pytest.fixture
def tokens(client, ada):
    return login(client, "ada@example.com")


# Password change


def test_password_change_sets_the_new_password_and_ends_every_other_token(client, ada, tokens):
    other_device = login(client, "ada@example.com")

    response = post(client, "/me/password", {"current_password": PASSWORD, "password": NEW_PASSWORD}, tokens["access"])

    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access", "refresh", "token_type", "expires_in"}
    assert get(client, "/me", fresh["access"]).json()["id"] == ada.pk
    for old in (tokens, other_device):
        assert get(client, "/me", old["access"]).status_code == 401
        assert post(client, "/auth/token/refresh", {"refresh": old["refresh"]}).status_code == 401
    assert post(client, "/auth/token/refresh", {"refresh": fresh["refresh"]}).status_code == 200
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="user.password_changed", target_id=str(ada.pk)).count() == 1
    assert post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD}).status_code == 401
    assert login(client, "ada@example.com", NEW_PASSWORD)["token_type"] == "Bearer"


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ({"current_password": "not-my-password", "password": NEW_PASSWORD}, WRONG_PASSWORD),
        ({"current_password": "not-my-password", "password": "password"}, WRONG_PASSWORD),
        ({"current_password": PASSWORD, "password": "password"}, WEAK_PASSWORD),
        (
            {"current_password": PASSWORD, "password": "ada@example.com"},
            {"detail": "The password is too similar to the e-mail.", "code": "weak_password", "field": "password"},
        ),
    ],
)
def test_password_change_refusals_change_nothing(client, ada, tokens, body, refusal):
    response = post(client, "/me/password", body, tokens["access"])

    assert (response.status_code, response.json()) == (400, refusal)
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_changed").exists()
    assert get(client, "/me", tokens["access"]).status_code == 200


def test_password_change_needs_a_token(client, ada):
    response = post(client, "/me/password", {"current_password": PASSWORD, "password": NEW_PASSWORD})

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert User.objects.get(pk=ada.pk).check_password(PASSWORD)


def test_password_change_shares_the_web_pages_rate_limit(client, ada, tokens):
    client.force_login(ada)
    for _attempt in range(4):
        client.post("/accounts/password/change/", {"oldpassword": "guess", "password1": "x", "password2": "x"})
    assert (
        post(client, "/me/password", {"current_password": "guess", "password": NEW_PASSWORD}, tokens["access"]).json()[
            "code"
        ]
        == "wrong_password"
    )

    response = post(client, "/me/password", {"current_password": PASSWORD, "password": NEW_PASSWORD}, tokens["access"])

    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert User.objects.get(pk=ada.pk).check_password(PASSWORD)


# E-mail change


def test_email_change_needs_the_current_password(client, ada, tokens, mail_outbox_flush):
    body = {"email": "thief@example.com", "current_password": "not-the-password"}

    response = post(client, "/me/email", body, tokens["access"])

    assert (response.status_code, response.json()) == (400, WRONG_PASSWORD)
    assert mail_outbox_flush() == []
    assert not EmailAddress.objects.filter(email="thief@example.com").exists()


def test_email_change_mails_a_link_and_the_address_changes_only_when_it_is_used(client, ada, tokens, mail_outbox_flush):
    response = post(
        client, "/me/email", {"email": "Ada.New@Example.com", "current_password": PASSWORD}, tokens["access"]
    )

    assert (response.status_code, response.json()) == (202, change_sent("ada.new@example.com"))
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["ada.new@example.com"]
    assert get(client, "/me", tokens["access"]).json()["email"] == "ada@example.com"
    # Not a login address yet.
    refused = post(client, "/auth/token", {"email": "ada.new@example.com", "password": PASSWORD})
    assert refused.status_code == 401

    # The link works on the web page, or its key through the API.
    activated = post(client, "/auth/activate", {"key": activation_key(sent)})

    assert activated.status_code == 200 and activated.json()["email"] == "ada.new@example.com"
    ada.refresh_from_db()
    assert ada.email == "ada.new@example.com"
    assert list(EmailAddress.objects.filter(user=ada).values_list("email", "primary", "verified")) == [
        ("ada.new@example.com", True, True)
    ]
    assert get(client, "/me", tokens["access"]).json()["email"] == "ada.new@example.com"
    assert login(client, "ada.new@example.com")["token_type"] == "Bearer"
    assert post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD}).status_code == 401
    # The key is spent; the old address was not told (the project sends no such notice).
    again = post(client, "/auth/activate", {"key": activation_key(sent)})
    assert (again.status_code, again.json()) == (400, ACTIVATION_REFUSED)
    assert [message.to for message in mail_outbox_flush()] == ["ada.new@example.com"]


def test_email_change_link_works_on_the_web_page_too(client, ada, tokens, mail_outbox_flush):
    post(client, "/me/email", {"email": "ada.new@example.com", "current_password": PASSWORD}, tokens["access"])

    response = client.post(f"/accounts/confirm-email/{activation_key(mail_outbox_flush())}/")

    assert response.status_code == 302
    assert User.objects.get(pk=ada.pk).email == "ada.new@example.com"


def test_email_change_refuses_ones_own_address_and_sends_nothing(client, ada, tokens):
    response = post(client, "/me/email", {"email": "ADA@example.com", "current_password": PASSWORD}, tokens["access"])

    assert (response.status_code, response.json()) == (
        400,
        {
            "detail": "This email address is already associated with this account.",
            "code": "invalid_email",
            "field": "email",
        },
    )
    assert not OutgoingEmail.objects.exists()
    assert EmailAddress.objects.filter(user=ada).count() == 1


def test_email_change_to_another_accounts_address_answers_alike_and_its_link_is_refused(
    client, ada, tokens, mail_outbox_flush
):
    bob = UserFactory(email="bob@example.com", status="pending")

    response = post(client, "/me/email", {"email": "bob@example.com", "current_password": PASSWORD}, tokens["access"])

    assert (response.status_code, response.json()) == (202, change_sent("bob@example.com"))
    sent = mail_outbox_flush()
    refused = post(client, "/auth/activate", {"key": activation_key(sent)})
    assert (refused.status_code, refused.json()) == (400, ACTIVATION_REFUSED)
    ada.refresh_from_db()
    bob.refresh_from_db()
    assert (ada.email, bob.email) == ("ada@example.com", "bob@example.com")
    assert EmailConfirmation.objects.filter(key=activation_key(sent)).exists()


def test_email_change_refuses_an_invalid_address(client, ada, tokens):
    response = post(client, "/me/email", {"email": "not-an-address", "current_password": PASSWORD}, tokens["access"])

    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert not OutgoingEmail.objects.exists()


def test_email_change_needs_a_token(client):
    response = post(client, "/me/email", {"email": "someone@example.com", "current_password": PASSWORD})

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert not EmailAddress.objects.exists()


def test_email_change_shares_the_web_pages_rate_limit(client, ada, tokens):
    for number in range(10):
        body = {"email": f"n{number}@example.com", "current_password": PASSWORD}
        assert post(client, "/me/email", body, tokens["access"]).status_code == 202

    response = post(
        client, "/me/email", {"email": "eleventh@example.com", "current_password": PASSWORD}, tokens["access"]
    )

    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert not EmailAddress.objects.filter(email="eleventh@example.com").exists()
