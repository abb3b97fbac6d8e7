"""Login: refused with a clear reason for pending, closed and suspended accounts; lockout; sessions end."""

import pytest
from django.urls import reverse

from agora.accounts import services
from agora.accounts.models import UserStatus
from agora.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_active_user_logs_in(client):
    user = UserFactory()

    response = _login(client, user.email)

    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_pending_user_is_told_to_activate_and_offered_a_new_link(client):
    user = UserFactory(status=UserStatus.PENDING)

    response = _login(client, user.email)

    assert response.status_code == 403
    page = response.content.decode()
    assert "not activated" in page
    assert reverse("accounts:activation-resend") in page
    assert "_auth_user_id" not in client.session


def test_closed_user_is_refused(client):
    user = UserFactory()
    services.user_close(user=user, password=PASSWORD)

    response = _login(client, user.email)

    assert response.status_code == 403
    assert "closed" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_suspended_user_is_told_why(client):
    staff = UserFactory(is_staff=True)
    user = UserFactory()
    services.user_suspend(actor=staff, user=user, reason="Spam in the course chat")

    response = _login(client, user.email)

    assert response.status_code == 403
    page = response.content.decode()
    assert "suspended" in page and "Spam in the course chat" in page
    assert "_auth_user_id" not in client.session


def test_wrong_password_does_not_reveal_the_account_status(client):
    pending = UserFactory(status=UserStatus.PENDING)

    wrong = _login(client, pending.email, "not-the-password")
    unknown = _login(client, "nobody@example.com", "not-the-password")

    assert wrong.status_code == unknown.status_code == 200
    assert "not activated" not in wrong.content.decode()


def test_lockout_after_five_wrong_passwords_even_with_the_right_one(client, quality_figure):
    user = UserFactory()
    for _ in range(5):
        _login(client, user.email, "wrong-password")

    response = _login(client, user.email)
    quality_figure("lockout", refused=int("_auth_user_id" not in client.session))

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_suspension_ends_the_users_session_at_once(client):
    staff = UserFactory(is_staff=True)
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200

    services.user_suspend(actor=staff, user=user, reason="Chargeback fraud")

    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
