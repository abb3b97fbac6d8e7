"""Password change on the web (allauth's page, storing through the same service as the API): refusals
change nothing; success keeps this session, ends the others and every API token."""

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts.models import User
from agora.accounts.tests.factories import PASSWORD, UserFactory, logs_in
from agora.core.jwt import TokenRefused, refresh_token_rotate, token_pair_issue
from agora.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"
CHANGE = reverse("account_change_password")


def _change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(CHANGE, {"oldpassword": old, "password1": new, "password2": new if again is None else again})


@pytest.fixture
def ada(client):
    user = UserFactory(email="ada@example.com")
    client.force_login(user)
    return user


def _assert_unchanged(user) -> None:
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_changed").exists()


def test_a_wrong_current_password_is_refused(client, ada):
    response = _change(client, old="not-my-password")

    assert response.status_code == 200
    assert "Please type your current password." in response.content.decode()
    _assert_unchanged(ada)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("password12", "This password is too common."),
        ("short-pw", "This password is too short. It must contain at least 10 characters."),
        ("4815162342", "This password is entirely numeric."),
        ("ada@example.com", "The password is too similar to the e-mail."),
    ],
)
def test_a_weak_new_password_is_refused(client, ada, new, message):
    response = _change(client, new=new)

    assert response.status_code == 200
    assert message in response.content.decode()
    _assert_unchanged(ada)


def test_two_different_new_passwords_are_refused(client, ada):
    response = _change(client, again=NEW_PASSWORD + "x")

    assert response.status_code == 200
    assert "You must type the same password each time." in response.content.decode()
    _assert_unchanged(ada)


def test_the_new_password_replaces_the_old_one_for_logging_in(client, ada):
    response = _change(client)

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    assert list(AuditEntry.objects.filter(target_id=str(ada.pk)).values_list("action", flat=True)) == [
        "user.password_changed"
    ]
    assert logs_in("ada@example.com", NEW_PASSWORD)
    assert not logs_in("ada@example.com", PASSWORD)


def test_this_session_stays_and_every_other_login_ends(client, ada):
    other_browser = Client()
    other_browser.force_login(ada)
    tokens = token_pair_issue(ada)
    profile = reverse("accounts:profile")
    assert other_browser.get(profile).status_code == 200

    _change(client)

    assert client.get(profile).status_code == 200
    assert other_browser.get(profile).status_code == 302
    api = Client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens.access}"}).status_code == 401
    assert (
        api.post("/api/v1/auth/token/refresh", {"refresh": tokens.refresh}, content_type="application/json").status_code
        == 401
    )
    with pytest.raises(TokenRefused):
        refresh_token_rotate(tokens.refresh)


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(CHANGE)

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_changes_are_rate_limited_per_user(client, ada):
    for _attempt in range(5):
        assert _change(client, old="guess").status_code == 200

    response = _change(client)

    assert response.status_code == 429
    assert User.objects.get(pk=ada.pk).check_password(PASSWORD)
