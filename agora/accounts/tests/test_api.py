"""The account API: every operation, its refusals, and that a refusal changed nothing."""

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import connection
from django.test import Client

from agora.accounts import services, services_password
from agora.accounts.models import Expertise, Profile, SocialLink, SocialNetwork, User, UserStatus
from agora.accounts.tests.factories import PASSWORD, UserFactory
from agora.core import jwt as jwt_module
from agora.core.models import AuditEntry, OutgoingEmail
from conftest import link_in

pytestmark = pytest.mark.django_db

API = "/api/v1"
NEW_PASSWORD = "a-brand-new-passphrase-42"
REGISTER = {"email": "new@example.com", "password": PASSWORD, "display_name": "New Person"}
REGISTERED = {"detail": "Check your e-mail: we sent you a message to finish signing up."}
RESENT = {"detail": "If this address has an account waiting for activation, a new link is on its way."}
RESET_SENT = {"detail": "If this address has an account, a password reset link is on its way."}
INVALID_CREDENTIALS = {"detail": "The e-mail address or the password is not correct.", "code": "invalid_credentials"}
NOT_AUTHENTICATED = {
    "detail": "Send a valid access token: Authorization: Bearer <token>.",
    "code": "not_authenticated",
}
RATE_LIMITED = {"detail": "Too many attempts. Try again later.", "code": "rate_limited"}
REFRESH_REFUSED = {
    "detail": "This refresh token is invalid, expired or already used. Log in again.",
    "code": "invalid_token",
}
ACTIVATION_REFUSED = {"detail": "This activation link is invalid, used or expired.", "code": "invalid_token"}
RESET_REFUSED = {"detail": "This password reset link is invalid, used or expired.", "code": "invalid_token"}
WEAK_PASSWORD = {
    "detail": "This password is too short. It must contain at least 10 characters. This password is too common.",
    "code": "weak_password",
    "field": "password",
}


def post(client, path, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(API + path, body, content_type="application/json", headers=headers)


def patch(client, path, body, token):
    return client.patch(API + path, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"})


def get(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(API + path, headers=headers)


def login(client, email, password=PASSWORD):
    response = post(client, "/auth/token", {"email": email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def activation_key(messages) -> str:
    return link_in(messages[-1].text, "/accounts/confirm-email/").rstrip("/").rsplit("/", 1)[-1]


def reset_uid_and_key(messages) -> tuple[str, str]:
    link = link_in(messages[-1].text, "/accounts/password/reset/key/")
    uid, key = link.rstrip("/").rsplit("/", 1)[-1].split("-", 1)
    return uid, key


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def user_json(user: User) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "avatar": None,
        "locale": user.locale,
        "status": user.status,
        "date_joined": user.date_joined.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "profile": {
            "headline": "",
            "specialisation": None,
            "expertise": [],
            "about": "",
            "degree": "",
            "years_of_teaching": None,
            "awards_and_education": "",
            "work_experience": "",
            "working_hours": "",
            "social_links": [],
        },
    }


# Registration


def test_register_creates_a_pending_account_and_mails_the_activation_link(client, mail_outbox_flush):
    response = post(client, "/auth/register", {**REGISTER, "locale": "ru"})

    assert (response.status_code, response.json()) == (202, REGISTERED)
    user = User.objects.get(email="new@example.com")
    assert (user.status, user.is_active, user.display_name, user.locale) == (
        UserStatus.PENDING,
        False,
        "New Person",
        "ru",
    )
    assert user.check_password(PASSWORD)
    assert Profile.objects.filter(user=user).exists()
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["new@example.com"]
    assert EmailConfirmation.objects.get().key == activation_key(sent)


def test_register_without_a_locale_takes_the_language_of_the_request(client):
    response = client.post(f"{API}/auth/register", REGISTER, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 202
    assert User.objects.get(email="new@example.com").locale == "ru"


def test_register_with_a_taken_address_answers_the_same_and_creates_nothing(client, mail_outbox_flush):
    owner = UserFactory(email="new@example.com")

    response = post(client, "/auth/register", {**REGISTER, "email": "NEW@example.com", "display_name": "Intruder"})

    assert (response.status_code, response.json()) == (202, REGISTERED)
    assert list(User.objects.values_list("pk", flat=True)) == [owner.pk]
    owner.refresh_from_db()
    assert (owner.display_name, owner.status) == (owner.display_name, UserStatus.ACTIVE)
    assert owner.check_password(PASSWORD)
    assert not EmailConfirmation.objects.exists()
    # The owner of the address is told, not the caller.
    assert [message.to for message in mail_outbox_flush()] == ["new@example.com"]


@pytest.mark.parametrize("taken", [False, True])
def test_register_refuses_a_weak_password_alike_for_free_and_taken_addresses(client, taken):
    if taken:
        UserFactory(email="new@example.com")
    users_before = User.objects.count()

    response = post(client, "/auth/register", {**REGISTER, "password": "password"})

    assert (response.status_code, response.json()) == (400, WEAK_PASSWORD)
    assert User.objects.count() == users_before
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {**REGISTER, "email": "not-an-address"},
            [
                {
                    "loc": ["body", "payload", "email"],
                    "msg": "Value error, Enter a valid e-mail address.",
                    "type": "value_error",
                }
            ],
        ),
        (
            {**REGISTER, "locale": "xx"},
            [
                {
                    "loc": ["body", "payload", "locale"],
                    "msg": "Value error, Choose one of: en, ru",
                    "type": "value_error",
                }
            ],
        ),
        (
            {"email": "new@example.com", "password": PASSWORD},
            [{"loc": ["body", "payload", "display_name"], "msg": "Field required", "type": "missing"}],
        ),
        (
            {**REGISTER, "display_name": "   "},
            [
                {
                    "loc": ["body", "payload", "display_name"],
                    "msg": "String should have at least 1 character",
                    "type": "string_too_short",
                }
            ],
        ),
        (
            {**REGISTER, "display_name": "x" * 81},
            [
                {
                    "loc": ["body", "payload", "display_name"],
                    "msg": "String should have at most 80 characters",
                    "type": "string_too_long",
                }
            ],
        ),
    ],
)
def test_register_refuses_invalid_input_with_the_fields_at_fault(client, body, errors):
    response = post(client, "/auth/register", body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == errors
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/register", {**REGISTER, "display_name": "New\x00Person"}),
        ("/auth/activate", {"key": "abc\x00"}),
        ("/auth/activation/resend", {"email": "new@example.com\x00"}),
        ("/auth/token", {"email": "new@example.com", "password": "pass\x00word"}),
        ("/auth/password/reset/confirm", {"uid": "1", "key": "k\x00", "password": NEW_PASSWORD}),
    ],
)
def test_a_nul_character_anywhere_is_refused_as_invalid_input_not_a_server_error(client, path, body):
    response = post(client, path, body)

    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert not User.objects.exists()


def test_register_is_rate_limited_per_address_like_the_web_sign_up(client, quality_figure):
    for number in range(10):
        assert post(client, "/auth/register", {**REGISTER, "email": f"n{number}@example.com"}).status_code == 202

    response = post(client, "/auth/register", {**REGISTER, "email": "eleventh@example.com"})
    quality_figure("rate_limit", refused=int(response.status_code == 429))

    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not User.objects.filter(email="eleventh@example.com").exists()


# Activation


def test_activate_with_the_mailed_key_activates_once(client, mail_outbox_flush):
    post(client, "/auth/register", REGISTER)
    key = activation_key(mail_outbox_flush())

    response = post(client, "/auth/activate", {"key": key})

    user = User.objects.get(email="new@example.com")
    assert (user.status, user.is_active) == (UserStatus.ACTIVE, True)
    assert (response.status_code, response.json()) == (200, user_json(user))
    assert EmailAddress.objects.get(user=user).verified
    # The key is spent.
    again = post(client, "/auth/activate", {"key": key})
    assert (again.status_code, again.json()) == (400, ACTIVATION_REFUSED)


def test_activate_refuses_an_unknown_key_and_changes_nothing(client, mail_outbox_flush):
    post(client, "/auth/register", REGISTER)
    key = activation_key(mail_outbox_flush())

    response = post(client, "/auth/activate", {"key": "x" + key[1:]})

    assert (response.status_code, response.json()) == (400, ACTIVATION_REFUSED)
    assert User.objects.get(email="new@example.com").status == UserStatus.PENDING
    assert EmailConfirmation.objects.filter(key=key).exists()


def test_activate_refuses_an_expired_key(client, mail_outbox_flush):
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        post(client, "/auth/register", REGISTER)
        key = activation_key(mail_outbox_flush())
    with time_machine.travel("2026-01-05 12:00Z", tick=False):
        response = post(client, "/auth/activate", {"key": key})

    assert (response.status_code, response.json()) == (400, ACTIVATION_REFUSED)
    assert User.objects.get(email="new@example.com").status == UserStatus.PENDING


def test_resend_mails_a_new_key_to_a_pending_account(client, mail_outbox_flush):
    post(client, "/auth/register", REGISTER)
    first_key = activation_key(mail_outbox_flush())

    response = post(client, "/auth/activation/resend", {"email": "New@Example.com"})

    assert (response.status_code, response.json()) == (202, RESENT)
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["new@example.com", "new@example.com"]
    second_key = activation_key(sent)
    assert second_key != first_key
    assert post(client, "/auth/activate", {"key": second_key}).status_code == 200


@pytest.mark.parametrize("status", [None, UserStatus.ACTIVE, UserStatus.CLOSED])
def test_resend_answers_the_same_for_other_addresses_and_sends_nothing(client, mail_outbox_flush, status):
    if status is not None:
        UserFactory(email="someone@example.com", status=status)

    response = post(client, "/auth/activation/resend", {"email": "someone@example.com"})

    assert (response.status_code, response.json()) == (202, RESENT)
    assert mail_outbox_flush() == []


def test_resend_is_rate_limited_per_address(client, mail_outbox_flush, quality_figure):
    UserFactory(email="pending@example.com", status=UserStatus.PENDING)
    for _attempt in range(3):
        assert post(client, "/auth/activation/resend", {"email": "pending@example.com"}).status_code == 202

    response = post(client, "/auth/activation/resend", {"email": "pending@example.com"})
    quality_figure("rate_limit", refused=int(response.status_code == 429))

    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert len(mail_outbox_flush()) == 3


# Tokens


def test_token_returns_an_access_and_a_refresh_token(client):
    user = UserFactory(email="ada@example.com")

    response = post(client, "/auth/token", {"email": "Ada@Example.com", "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", settings.JWT_ACCESS_LIFETIME_SECONDS)
    assert get(client, "/me", body["access"]).json()["id"] == user.pk
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
def test_token_refuses_wrong_credentials_alike_for_known_and_unknown_addresses(client, email):
    UserFactory(email="ada@example.com")

    response = post(client, "/auth/token", {"email": email, "password": "not-the-password"})

    assert (response.status_code, response.json()) == (401, INVALID_CREDENTIALS)


@pytest.mark.parametrize(
    ("fields", "body"),
    [
        (
            {"status": UserStatus.PENDING},
            {
                "detail": "Activate your account first: follow the link we e-mailed you, or ask for a new one.",
                "code": "account_pending",
            },
        ),
        ({"status": UserStatus.CLOSED}, {"detail": "This account is closed.", "code": "account_closed"}),
        (
            {"is_suspended": True, "suspension_reason": "Spam"},
            {"detail": "This account is suspended; write to support to learn why.", "code": "account_suspended"},
        ),
    ],
)
def test_token_names_the_account_status_only_after_a_correct_password(client, fields, body):
    UserFactory(email="ada@example.com", **fields)

    wrong = post(client, "/auth/token", {"email": "ada@example.com", "password": "not-the-password"})
    right = post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD})

    assert (wrong.status_code, wrong.json()) == (401, INVALID_CREDENTIALS)
    assert (right.status_code, right.json()) == (403, body)
    assert User.objects.get(email="ada@example.com").last_login is None


def test_token_for_an_account_closed_by_its_owner_says_it_is_closed(client):
    """Only the right password learns the status; a wrong one gets the generic answer."""
    user = UserFactory(email="ada@example.com")
    services.user_close(user=user, password=PASSWORD)

    wrong = post(client, "/auth/token", {"email": "ada@example.com", "password": "not-the-password"})
    right = post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD})

    assert (wrong.status_code, wrong.json()) == (401, INVALID_CREDENTIALS)
    assert (right.status_code, right.json()) == (403, {"detail": "This account is closed.", "code": "account_closed"})


def test_token_locks_an_address_out_after_five_wrong_passwords_even_for_the_right_one(client, quality_figure):
    UserFactory(email="ada@example.com")
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        for _attempt in range(5):
            wrong = post(client, "/auth/token", {"email": "ada@example.com", "password": "guess"})
            assert (wrong.status_code, wrong.json()) == (401, INVALID_CREDENTIALS)

        locked = post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD})
        quality_figure("lockout", refused=int(locked.status_code == 429))

        assert (locked.status_code, locked.json()) == (429, RATE_LIMITED)
        assert locked["Retry-After"] == "300"
        assert User.objects.get(email="ada@example.com").last_login is None
        # Another address from the same client is not locked.
        UserFactory(email="bob@example.com")
        assert post(client, "/auth/token", {"email": "bob@example.com", "password": PASSWORD}).status_code == 200
    with time_machine.travel("2026-03-01 10:05:01Z", tick=False):
        assert post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD}).status_code == 200


def test_token_correct_logins_do_not_count_towards_the_lockout(client):
    UserFactory(email="ada@example.com")
    for _attempt in range(4):
        post(client, "/auth/token", {"email": "ada@example.com", "password": "guess"})
    for _login in range(3):
        login(client, "ada@example.com")

    assert post(client, "/auth/token", {"email": "ada@example.com", "password": "guess"}).status_code == 401
    assert post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD}).status_code == 429


def test_token_locks_a_client_address_out_after_twenty_wrong_passwords_a_minute(client, quality_figure):
    UserFactory(email="ada@example.com")
    for number in range(20):
        assert post(client, "/auth/token", {"email": f"n{number}@example.com", "password": "guess"}).status_code == 401

    response = post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD})
    quality_figure("lockout", refused=int(response.status_code == 429))

    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    # From another address the right password works.
    assert (
        client.post(
            f"{API}/auth/token",
            {"email": "ada@example.com", "password": PASSWORD},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.2",
        ).status_code
        == 200
    )


def test_web_and_api_logins_share_one_lockout(client, quality_figure):
    UserFactory(email="ada@example.com")
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": "ada@example.com", "password": "guess"})

    response = post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD})
    quality_figure("lockout", refused=int(response.status_code == 429))

    assert (response.status_code, response.json()) == (429, RATE_LIMITED)


def test_refresh_returns_a_new_pair_and_the_old_refresh_token_is_spent(client):
    user = UserFactory(email="ada@example.com")
    first = login(client, "ada@example.com")

    response = post(client, "/auth/token/refresh", {"refresh": first["refresh"]})

    assert response.status_code == 200
    second = response.json()
    assert second["refresh"] != first["refresh"] and second["access"] != first["access"]
    assert get(client, "/me", second["access"]).json()["id"] == user.pk
    reused = post(client, "/auth/token/refresh", {"refresh": first["refresh"]})
    assert (reused.status_code, reused.json()) == (401, REFRESH_REFUSED)


def test_refresh_token_reuse_ends_the_whole_login(client):
    """A refresh token used twice has two holders, one a thief: every later token of the login dies."""
    UserFactory(email="ada@example.com")
    first = login(client, "ada@example.com")
    second = post(client, "/auth/token/refresh", {"refresh": first["refresh"]}).json()

    assert post(client, "/auth/token/refresh", {"refresh": first["refresh"]}).status_code == 401

    response = post(client, "/auth/token/refresh", {"refresh": second["refresh"]})
    assert (response.status_code, response.json()) == (401, REFRESH_REFUSED)
    # Another login of the same user is not affected.
    other = login(client, "ada@example.com")
    assert post(client, "/auth/token/refresh", {"refresh": other["refresh"]}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_sent_twice_at_once_is_spent_once(client, monkeypatch):
    UserFactory(email="ada@example.com")
    refresh = login(client, "ada@example.com")["refresh"]
    # Both requests have checked the token before either marks it used.
    both_checked = threading.Barrier(2, timeout=10)
    claims_user = jwt_module._claims_user

    def check_then_wait(claims):
        user = claims_user(claims)
        both_checked.wait()
        return user

    monkeypatch.setattr(jwt_module, "_claims_user", check_then_wait)
    statuses: list[int] = []

    def spend() -> None:
        try:
            statuses.append(post(Client(), "/auth/token/refresh", {"refresh": refresh}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 401]


def test_refresh_refuses_an_access_token_and_garbage(client):
    UserFactory(email="ada@example.com")
    tokens = login(client, "ada@example.com")

    for refresh in [tokens["access"], "garbage", tokens["refresh"][:-2]]:
        response = post(client, "/auth/token/refresh", {"refresh": refresh})
        assert (response.status_code, response.json()) == (401, REFRESH_REFUSED)


def test_refresh_refuses_an_expired_refresh_token(client):
    UserFactory(email="ada@example.com")
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        tokens = login(client, "ada@example.com")
    later = at("2026-03-01 10:00Z") + timedelta(seconds=settings.JWT_REFRESH_LIFETIME_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        response = post(client, "/auth/token/refresh", {"refresh": tokens["refresh"]})

    assert (response.status_code, response.json()) == (401, REFRESH_REFUSED)


@pytest.mark.parametrize("change", ["suspend", "password"])
def test_refresh_refuses_a_suspended_user_or_one_whose_password_changed(client, change):
    user = UserFactory(email="ada@example.com")
    tokens = login(client, "ada@example.com")
    if change == "suspend":
        User.objects.filter(pk=user.pk).update(is_suspended=True)
    else:
        user.set_password(NEW_PASSWORD)
        user.save()

    response = post(client, "/auth/token/refresh", {"refresh": tokens["refresh"]})

    assert (response.status_code, response.json()) == (401, REFRESH_REFUSED)
    assert get(client, "/me", tokens["access"]).status_code == 401


# Access tokens


def test_me_without_a_token_is_refused(client):
    response = get(client, "/me")

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_expired_access_token_is_refused(client):
    UserFactory(email="ada@example.com")
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        tokens = login(client, "ada@example.com")
    with time_machine.travel("2026-03-01 10:14:59Z", tick=False):
        assert get(client, "/me", tokens["access"]).status_code == 200
    with time_machine.travel("2026-03-01 10:15:01Z", tick=False):
        response = get(client, "/me", tokens["access"])

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


def test_a_refresh_token_or_a_forged_token_is_no_access_token(client, settings):
    UserFactory(email="ada@example.com")
    tokens = login(client, "ada@example.com")
    real_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-of-enough-length-0123456789"
    forged = login(client, "ada@example.com")["access"]
    settings.SECRET_KEY = real_secret

    for token in [tokens["refresh"], forged, tokens["access"] + "x", "not.a.token"]:
        response = get(client, "/me", token)
        assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert get(client, "/me", tokens["access"]).status_code == 200


def test_tokens_survive_a_secret_key_rotation_with_the_old_key_in_fallbacks(client, settings):
    user = UserFactory(email="ada@example.com")
    tokens = login(client, "ada@example.com")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-key-of-enough-length-0123456789"

    assert get(client, "/me", tokens["access"]).json()["id"] == user.pk
    assert post(client, "/auth/token/refresh", {"refresh": tokens["refresh"]}).status_code == 200


def test_a_suspended_users_access_token_is_refused(client):
    user = UserFactory(email="ada@example.com")
    tokens = login(client, "ada@example.com")
    staff = UserFactory()

    services.user_suspend(actor=staff, user=user, reason="Spam")

    assert get(client, "/me", tokens["access"]).status_code == 401


# Me


def test_me_returns_the_user_with_the_profile_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    user = UserFactory(email="ada@example.com", display_name="Ada")
    token = login(client, "ada@example.com")["access"]
    # The user (token check), the profile with the user and specialisation, expertise, social links.
    with django_assert_num_queries(4):
        response = get(client, "/me", token)
    assert (response.status_code, response.json()) == (200, user_json(user))

    profile = user.profile
    profile.expertise.set([Expertise.objects.create(name=f"Area {number}") for number in range(5)])
    for number in range(5):
        network = SocialNetwork.objects.create(name=f"Net {number}", url_prefix=f"https://net{number}.example/")
        SocialLink.objects.create(profile=profile, network=network, url=f"https://net{number}.example/ada")
    with django_assert_num_queries(4):
        response = get(client, "/me", token)
    assert response.json()["profile"]["expertise"] == [f"Area {number}" for number in range(5)]
    assert len(response.json()["profile"]["social_links"]) == 5


def test_me_update_changes_only_the_fields_sent(client):
    user = UserFactory(email="ada@example.com", display_name="Ada")
    Profile.objects.filter(user=user).update(headline="Teacher", about="Kept")
    token = login(client, "ada@example.com")["access"]

    response = patch(
        client,
        "/me",
        {"display_name": "Ada L.", "locale": "ru", "headline": "", "degree": "PhD", "years_of_teaching": 7},
        token,
    )

    assert response.status_code == 200
    user.refresh_from_db()
    profile = Profile.objects.get(user=user)
    assert (user.display_name, user.locale) == ("Ada L.", "ru")
    assert (profile.headline, profile.about, profile.degree, profile.years_of_teaching) == ("", "Kept", "PhD", 7)
    expected = user_json(user)
    expected["profile"].update(about="Kept", degree="PhD", years_of_teaching=7)
    assert response.json() == expected
    cleared = patch(client, "/me", {"years_of_teaching": None}, token)
    assert cleared.json()["profile"]["years_of_teaching"] is None


def test_me_update_null_clears_a_text_field(client):
    user = UserFactory(email="ada@example.com", display_name="Ada")
    Profile.objects.filter(user=user).update(headline="Teacher", about="Kept")
    token = login(client, "ada@example.com")["access"]

    response = patch(client, "/me", {"headline": None}, token)

    assert response.status_code == 200
    user.refresh_from_db()
    profile = Profile.objects.get(user=user)
    assert (user.display_name, profile.headline, profile.about) == ("Ada", "", "Kept")


@pytest.mark.parametrize("name", [None, "", "   "])
def test_me_update_keeps_a_display_name(client, name):
    user = UserFactory(email="ada@example.com", display_name="Ada")
    token = login(client, "ada@example.com")["access"]

    response = patch(client, "/me", {"display_name": name, "headline": "Changed"}, token)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("required", "display_name")
    user.refresh_from_db()
    assert (user.display_name, Profile.objects.get(user=user).headline) == ("Ada", "")


@pytest.mark.parametrize(
    ("body", "loc", "type_"),
    [
        ({"locale": None}, ["body", "payload", "locale"], "value_error"),
        ({"display_name": 5}, ["body", "payload", "display_name"], "string_type"),
        ({"locale": "xx"}, ["body", "payload", "locale"], "value_error"),
        ({"email": "other@example.com"}, ["body", "payload", "email"], "extra_forbidden"),
        ({"about": "x" * 5001}, ["body", "payload", "about"], "string_too_long"),
        ({"years_of_teaching": -1}, ["body", "payload", "years_of_teaching"], "greater_than_equal"),
    ],
)
def test_me_update_refuses_invalid_fields_and_changes_nothing(client, body, loc, type_):
    user = UserFactory(email="ada@example.com", display_name="Ada")
    token = login(client, "ada@example.com")["access"]

    response = patch(client, "/me", {"display_name": "Changed", **body}, token)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert [(error["loc"], error["type"]) for error in response.json()["errors"]] == [(loc, type_)]
    user.refresh_from_db()
    assert (user.display_name, user.email, user.locale) == ("Ada", "ada@example.com", "en")
    assert Profile.objects.get(user=user).about == ""


def test_me_close_with_the_password_closes_the_account_and_kills_its_tokens(client):
    user = UserFactory(email="ada@example.com")
    tokens = login(client, "ada@example.com")

    response = post(client, "/me/close", {"password": PASSWORD}, tokens["access"])

    assert (response.status_code, response.json()) == (200, {"detail": "Your account is closed."})
    user.refresh_from_db()
    assert (user.status, user.is_active, user.display_name) == (UserStatus.CLOSED, False, "")
    assert AuditEntry.objects.filter(action="user.closed", target_id=str(user.pk)).exists()
    assert (get(client, "/me", tokens["access"]).status_code, get(client, "/me", tokens["access"]).json()) == (
        401,
        NOT_AUTHENTICATED,
    )
    assert post(client, "/auth/token/refresh", {"refresh": tokens["refresh"]}).status_code == 401


def test_me_close_with_a_wrong_password_changes_nothing_and_is_rate_limited(client, quality_figure):
    user = UserFactory(email="ada@example.com", display_name="Ada")
    token = login(client, "ada@example.com")["access"]
    wrong = {"detail": "The password is not correct.", "code": "wrong_password", "field": "password"}

    for _attempt in range(5):
        response = post(client, "/me/close", {"password": "guess"}, token)
        assert (response.status_code, response.json()) == (400, wrong)
    limited = post(client, "/me/close", {"password": PASSWORD}, token)
    quality_figure("rate_limit", refused=int(limited.status_code == 429))

    assert (limited.status_code, limited.json()) == (429, RATE_LIMITED)
    user.refresh_from_db()
    assert (user.status, user.display_name) == (UserStatus.ACTIVE, "Ada")
    assert user.check_password(PASSWORD)


# Password reset


def test_password_reset_sets_a_new_password_once_and_ends_every_login(client, mail_outbox_flush):
    user = UserFactory(email="ada@example.com")
    tokens = login(client, "ada@example.com")

    response = post(client, "/auth/password/reset", {"email": "Ada@Example.com"})

    assert (response.status_code, response.json()) == (202, RESET_SENT)
    uid, key = reset_uid_and_key(mail_outbox_flush())
    confirm = post(client, "/auth/password/reset/confirm", {"uid": uid, "key": key, "password": NEW_PASSWORD})
    assert (confirm.status_code, confirm.json()) == (
        200,
        {"detail": "Your password is changed. Log in with the new one."},
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="user.password_reset", target_id=str(user.pk)).exists()
    assert get(client, "/me", tokens["access"]).status_code == 401
    assert post(client, "/auth/token/refresh", {"refresh": tokens["refresh"]}).status_code == 401
    assert post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD}).status_code == 401
    assert login(client, "ada@example.com", NEW_PASSWORD)["token_type"] == "Bearer"
    # The key is spent.
    again = post(client, "/auth/password/reset/confirm", {"uid": uid, "key": key, "password": "yet-another-passphrase"})
    assert (again.status_code, again.json()) == (400, RESET_REFUSED)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_answers_the_same_for_an_unknown_address_and_mails_no_link(client, mail_outbox_flush):
    response = post(client, "/auth/password/reset", {"email": "nobody@example.com"})

    assert (response.status_code, response.json()) == (202, RESET_SENT)
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["nobody@example.com"]
    assert "/accounts/password/reset/key/" not in sent[0].text


def test_password_reset_confirm_refuses_a_weak_password_and_keeps_the_key_valid(client, mail_outbox_flush):
    user = UserFactory(email="ada@example.com")
    post(client, "/auth/password/reset", {"email": "ada@example.com"})
    uid, key = reset_uid_and_key(mail_outbox_flush())

    response = post(client, "/auth/password/reset/confirm", {"uid": uid, "key": key, "password": "password"})

    assert (response.status_code, response.json()) == (400, WEAK_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert (
        post(client, "/auth/password/reset/confirm", {"uid": uid, "key": key, "password": NEW_PASSWORD}).status_code
        == 200
    )


@pytest.mark.parametrize("uid", ["", "!!", "zzzzzzzzzzzzz", "zzzzzzzzzzzzzz", "other"])
def test_password_reset_confirm_refuses_a_wrong_uid_or_key(client, mail_outbox_flush, uid):
    user = UserFactory(email="ada@example.com")
    other = UserFactory(email="bob@example.com")
    post(client, "/auth/password/reset", {"email": "ada@example.com"})
    real_uid, key = reset_uid_and_key(mail_outbox_flush())
    if uid == "other":
        uid = user_pk_to_url_str(other)

    for wrong_uid, wrong_key in [(uid, key), (real_uid, key[:-1] + ("a" if key[-1] != "a" else "b"))]:
        response = post(
            client, "/auth/password/reset/confirm", {"uid": wrong_uid, "key": wrong_key, "password": NEW_PASSWORD}
        )
        assert (response.status_code, response.json()) == (400, RESET_REFUSED)
    user.refresh_from_db()
    other.refresh_from_db()
    assert user.check_password(PASSWORD) and other.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_confirms_with_one_key_change_the_password_once(client, mail_outbox_flush, monkeypatch):
    user = UserFactory(email="ada@example.com")
    post(client, "/auth/password/reset", {"email": "ada@example.com"})
    uid, key = reset_uid_and_key(mail_outbox_flush())
    # Both requests pass the first key check before either takes the row lock.
    both_checked = threading.Barrier(2, timeout=10)
    password_check = services_password.password_check

    def check_then_wait(password, *, user):
        password_check(password, user=user)
        both_checked.wait()

    monkeypatch.setattr(services_password, "password_check", check_then_wait)
    results: dict[str, int] = {}

    def confirm(password: str) -> None:
        try:
            body = {"uid": uid, "key": key, "password": password}
            results[password] = post(Client(), "/auth/password/reset/confirm", body).status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=(password,)) for password in (NEW_PASSWORD, "another-new-passphrase")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results.values()) == [200, 400]
    winner = next(password for password, status in results.items() if status == 200)
    user.refresh_from_db()
    assert user.check_password(winner)
    assert AuditEntry.objects.filter(action="user.password_reset").count() == 1


def test_password_reset_key_expires(client, mail_outbox_flush):
    user = UserFactory(email="ada@example.com")
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        post(client, "/auth/password/reset", {"email": "ada@example.com"})
        uid, key = reset_uid_and_key(mail_outbox_flush())
    later = at("2026-03-01 10:00Z") + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    with time_machine.travel(later, tick=False):
        response = post(client, "/auth/password/reset/confirm", {"uid": uid, "key": key, "password": NEW_PASSWORD})

    assert (response.status_code, response.json()) == (400, RESET_REFUSED)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_lifts_the_login_lockout(client, mail_outbox_flush, django_capture_on_commit_callbacks):
    UserFactory(email="ada@example.com")
    for _attempt in range(5):
        post(client, "/auth/token", {"email": "ada@example.com", "password": "guess"})
    assert post(client, "/auth/token", {"email": "ada@example.com", "password": PASSWORD}).status_code == 429
    post(client, "/auth/password/reset", {"email": "ada@example.com"})
    uid, key = reset_uid_and_key(mail_outbox_flush())

    with django_capture_on_commit_callbacks(execute=True):
        post(client, "/auth/password/reset/confirm", {"uid": uid, "key": key, "password": NEW_PASSWORD})

    assert login(client, "ada@example.com", NEW_PASSWORD)["token_type"] == "Bearer"


def test_password_reset_is_rate_limited_per_address(client, mail_outbox_flush, quality_figure):
    UserFactory(email="ada@example.com")
    for _attempt in range(5):
        assert post(client, "/auth/password/reset", {"email": "ada@example.com"}).status_code == 202

    response = post(client, "/auth/password/reset", {"email": "ADA@example.com"})
    quality_figure("rate_limit", refused=int(response.status_code == 429))

    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert len(mail_outbox_flush()) == 5
