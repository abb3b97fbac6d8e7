"""Every refusal of the JSON API is `{"detail", "code"}` with a 4xx status; bugs stay server errors."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import Client
from django.urls import path
from ninja import Field, NinjaAPI
from ninja.errors import HttpError

from agora.core.api import InputSchema, JWTAuth, api_errors_install, api_throttles
from agora.core.errors import NotFound, PermissionDenied, ServiceError
from agora.core.jwt import token_pair_issue
from agora.core.ratelimit import RateLimited

pytestmark = pytest.mark.django_db

api = NinjaAPI(urls_namespace="errors-test", docs_url=None, throttle=api_throttles())
api_errors_install(api)


class EchoIn(InputSchema):
    name: str = Field(max_length=3)
    count: int


@api.get("/service-error")
def service_error(request):
    raise ServiceError("Pick another name.", code="name_taken", field="name")


@api.get("/service-forbidden")
def service_forbidden(request):
    raise PermissionDenied("Course team only.", code="forbidden")


@api.get("/service-not-found")
def service_not_found(request):
    raise NotFound("No such course.", code="course_not_found")


@api.get("/http404")
def http404(request):
    raise Http404("secret detail")


@api.get("/django-forbidden")
def django_forbidden(request):
    raise DjangoPermissionDenied("secret detail")


@api.get("/django-invalid")
def django_invalid(request):
    raise DjangoValidationError({"about": ["Too long."], "degree": ["Too short.", "Odd."]})


@api.get("/suspicious")
def suspicious(request):
    raise SuspiciousOperation("secret detail")


@api.get("/rate-limited")
def rate_limited(request):
    raise RateLimited(retry_after=42)


@api.get("/teapot")
def teapot(request):
    raise HttpError(409, "Already done.")


@api.get("/bug")
def bug(request):
    raise RuntimeError("a bug")


@api.post("/echo")
def echo(request, payload: EchoIn):
    return {"name": payload.name}


@api.get("/private", auth=JWTAuth())
def private(request):
    return {"user": request.auth.pk}


urlpatterns = [path("errors/", api.urls)]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("url", "status", "body"),
    [
        ("service-error", 400, {"detail": "Pick another name.", "code": "name_taken", "field": "name"}),
        ("service-forbidden", 403, {"detail": "Course team only.", "code": "forbidden"}),
        ("service-not-found", 404, {"detail": "No such course.", "code": "course_not_found"}),
        ("http404", 404, {"detail": "Not found.", "code": "not_found"}),
        ("django-forbidden", 403, {"detail": "You are not allowed to do this.", "code": "permission_denied"}),
        ("suspicious", 400, {"detail": "The request is malformed.", "code": "bad_request"}),
        ("teapot", 409, {"detail": "Already done.", "code": "error"}),
        ("rate-limited", 429, {"detail": "Too many attempts. Try again later.", "code": "rate_limited"}),
        (
            "private",
            401,
            {"detail": "Send a valid access token: Authorization: Bearer <token>.", "code": "not_authenticated"},
        ),
    ],
)
def test_refusals_have_one_shape(client, url, status, body):
    response = client.get(f"/errors/{url}")

    assert (response.status_code, response.json()) == (status, body)
    assert response["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.urls(__name__)
def test_rate_limited_says_when_to_retry(client):
    assert client.get("/errors/rate-limited")["Retry-After"] == "42"


@pytest.mark.urls(__name__)
def test_model_validation_errors_list_each_field(client):
    response = client.get("/errors/django-invalid")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Some fields are not valid: about: Too long.; degree: Too short. Odd.",
        "code": "invalid",
        "errors": [
            {"loc": ["body", "about"], "msg": "Too long.", "type": "invalid"},
            {"loc": ["body", "degree"], "msg": "Too short. Odd.", "type": "invalid"},
        ],
    }


@pytest.mark.urls(__name__)
def test_invalid_input_lists_each_field_without_echoing_it(client):
    response = client.post("/errors/echo", {"name": "secret-value", "count": "many"}, content_type="application/json")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Some fields are not valid: name: String should have at most 3 characters; "
        "count: Input should be a valid integer, unable to parse string as an integer",
        "code": "invalid",
        "errors": [
            {
                "loc": ["body", "payload", "name"],
                "msg": "String should have at most 3 characters",
                "type": "string_too_long",
            },
            {
                "loc": ["body", "payload", "count"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "type": "int_parsing",
            },
        ],
    }
    assert b"secret-value" not in response.content


@pytest.mark.urls(__name__)
def test_a_text_with_a_nul_character_is_refused_before_it_reaches_the_database(client):
    response = client.post("/errors/echo", {"name": "a\x00", "count": 1}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body", "payload", "name"],
            "msg": "Value error, Null characters are not allowed.",
            "type": "value_error",
        }
    ]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("body", ["{not json", '"a string"', "[1, 2]", "\udcff".encode("utf-8", "surrogatepass")])
def test_a_body_that_is_not_a_json_object_is_refused(client, body):
    response = client.post("/errors/echo", body, content_type="application/json")

    assert response.status_code in {400, 422}
    assert response.json()["code"] in {"bad_request", "invalid"}


@pytest.mark.urls(__name__)
def test_a_bug_is_still_a_server_error(client):
    with pytest.raises(RuntimeError, match="a bug"):
        client.get("/errors/bug")


# The real API root


def test_paths_without_an_operation_answer_json_404(client):
    for url in ["/api/v1/", "/api/v1/nothing/here"]:
        response = client.get(url)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found.", "code": "not_found"})


def test_an_address_with_a_trailing_slash_names_the_one_without():
    response = Client().get("/api/v1/me/")

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "Not found. API addresses end without a slash: /api/v1/me", "code": "not_found"},
    )


def test_a_post_to_a_wrong_path_is_a_json_404_that_names_the_right_one():
    browser_like = Client(enforce_csrf_checks=True)  # a POST without a CSRF token, as an API client sends

    slash = browser_like.post("/api/v1/studio/courses/", "{}", content_type="application/json")
    nowhere = browser_like.post("/api/v1/nothing/here", "{}", content_type="application/json")

    assert (slash.status_code, slash.json()) == (
        404,
        {"detail": "Not found. API addresses end without a slash: /api/v1/studio/courses", "code": "not_found"},
    )
    assert (nowhere.status_code, nowhere.json()["code"]) == (404, "not_found")


def test_a_method_without_an_operation_answers_json_405(client):
    response = client.get("/api/v1/auth/token")

    assert response.status_code == 405
    assert response.json() == {"detail": "This address does not take GET requests.", "code": "method_not_allowed"}
    assert response["Allow"] == "POST"


def test_anonymous_requests_are_throttled_per_client_address_whatever_it_claims(client):
    for number in range(30):
        response = client.post(
            "/api/v1/auth/token/refresh",
            {"refresh": "x"},
            content_type="application/json",
            headers={"X-Forwarded-For": f"10.0.0.{number}"},
        )
        assert response.status_code == 401

    response = client.post("/api/v1/auth/token/refresh", {"refresh": "x"}, content_type="application/json")

    assert (response.status_code, response.json()) == (
        429,
        {"detail": "Too many requests. Slow down.", "code": "rate_limited"},
    )
    assert 0 < int(response["Retry-After"]) <= 60
    other_address = client.post(
        "/api/v1/auth/token/refresh", {"refresh": "x"}, content_type="application/json", REMOTE_ADDR="10.9.9.9"
    )
    assert other_address.status_code == 401


@pytest.mark.urls(__name__)
def test_requests_with_a_token_are_throttled_per_user_not_per_address(client):
    users = [
        get_user_model().objects.create_user(f"u{number}@example.com", "x", status="active") for number in range(2)
    ]
    first, second = (token_pair_issue(user).access for user in users)
    for _request in range(120):
        assert client.get("/errors/private", headers={"Authorization": f"Bearer {first}"}).status_code == 200

    response = client.get("/errors/private", headers={"Authorization": f"Bearer {first}"})

    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert client.get("/errors/private", headers={"Authorization": f"Bearer {second}"}).json() == {"user": users[1].pk}


def test_the_openapi_document_lists_operations_security_and_refusals(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["components"]["securitySchemes"] == {"JWTAuth": {"type": "http", "scheme": "bearer"}}
    assert set(document["paths"]) >= {"/api/v1/auth/register", "/api/v1/auth/token", "/api/v1/me"}
    token_responses = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert set(token_responses) == {"200", "400", "401", "403", "422", "429"}
    assert token_responses["429"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


def test_the_docs_page_loads_only_local_assets_under_the_site_policy(client, settings):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    for asset in assets:
        # Without "ninja" in INSTALLED_APPS, ninja's docs page loads Swagger UI from a CDN.
        assert asset.startswith(settings.STATIC_URL), f"{asset}: is 'ninja' in INSTALLED_APPS?"
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
    assert "<script>" not in html  # no inline script: the settings come as JSON data
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
