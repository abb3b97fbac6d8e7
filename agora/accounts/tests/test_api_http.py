"""The account API over real HTTP: a client signs up, activates from the e-mail, logs in and reads itself."""

import json
import urllib.error
import urllib.request

import pytest

from agora.accounts.models import User, UserStatus
from agora.accounts.tests.factories import PASSWORD
from conftest import link_in

pytestmark = pytest.mark.django_db(transaction=True)


def call(live_server, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict, dict]:
    """One request as an outside client makes it: no cookies, no CSRF token."""
    request = urllib.request.Request(
        f"{live_server.url}/api/v1{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def test_register_activate_log_in_and_read_me_over_http(live_server, mail_outbox_flush):
    status, body, _headers = call(
        live_server,
        "POST",
        "/auth/register",
        {"email": "ada@example.com", "password": PASSWORD, "display_name": "Ada"},
    )
    assert (status, body) == (202, {"detail": "Check your e-mail: we sent you a message to finish signing up."})

    # Not active yet: the password is right, so the client learns why.
    status, body, _headers = call(
        live_server, "POST", "/auth/token", {"email": "ada@example.com", "password": PASSWORD}
    )
    assert (status, body["code"]) == (403, "account_pending")

    link = link_in(mail_outbox_flush()[-1].text, "/accounts/confirm-email/")
    key = link.rstrip("/").rsplit("/", 1)[-1]
    status, body, _headers = call(live_server, "POST", "/auth/activate", {"key": key})
    assert (status, body["email"], body["status"]) == (200, "ada@example.com", "active")

    status, tokens, _headers = call(
        live_server, "POST", "/auth/token", {"email": "ada@example.com", "password": PASSWORD}
    )
    assert (status, tokens["token_type"]) == (200, "Bearer")

    status, me, headers = call(live_server, "GET", "/me", token=tokens["access"])
    user = User.objects.get(email="ada@example.com")
    assert (status, me["id"], me["display_name"], me["status"]) == (200, user.pk, "Ada", UserStatus.ACTIVE)
    assert headers["Content-Type"] == "application/json; charset=utf-8"

    status, renewed, _headers = call(live_server, "POST", "/auth/token/refresh", {"refresh": tokens["refresh"]})
    assert status == 200
    status, me, _headers = call(live_server, "PATCH", "/me", {"headline": "Mathematician"}, token=renewed["access"])
    assert (status, me["profile"]["headline"]) == (200, "Mathematician")


def test_refusals_over_http_are_json_with_their_status(live_server):
    status, body, headers = call(live_server, "GET", "/me")
    assert (status, body["code"]) == (401, "not_authenticated")
    assert headers["WWW-Authenticate"] == 'Bearer realm="api"'

    status, body, _headers = call(live_server, "POST", "/auth/register", {"email": "nope"})
    assert (status, body["code"]) == (422, "invalid")
    assert [error["loc"][-1] for error in body["errors"]] == ["email", "password", "display_name"]

    status, body, _headers = call(live_server, "GET", "/no/such/operation")
    assert (status, body) == (404, {"detail": "Not found.", "code": "not_found"})
