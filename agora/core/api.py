"""Pieces every JSON API operation shares: bearer-token auth, throttles, and one error shape.

Every refusal is ``{"detail": "<for people>", "code": "<for programs>"}`` with a 4xx status; a refused
field adds ``"field"``, invalid input adds ``"errors"`` (one entry per field).
"""

import math
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.schema import DjangoGetter
from ninja.security import HttpBearer
from ninja.throttling import AnonRateThrottle, BaseThrottle, SimpleRateThrottle
from pydantic import AfterValidator, ConfigDict, field_validator, model_validator

from agora.core.errors import ServiceError
from agora.core.jwt import access_token_user
from agora.core.ratelimit import RateLimited, client_ip

HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
}


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


class DetailOut(Schema):
    detail: str


class InputSchema(Schema):
    """Base of every request body: a text with a NUL character is refused here, as Django's form
    fields do, since PostgreSQL cannot store one (it would be a server error further down)."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not silently ignored

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # Ninja's schemas also read attributes of objects: a JSON string body would be read as one
        # (its `.title()` method answering `title`), so anything but an object is refused first.
        if not isinstance(data._obj if isinstance(data, DjangoGetter) else data, dict):
            raise ValueError("The body must be a JSON object.")
        return data

    @field_validator("*")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Null characters are not allowed.")
        return value


def _email_check(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("Enter a valid e-mail address.") from None
    return value


def _locale_check(value: str) -> str:
    if value not in dict(settings.LANGUAGES):
        raise ValueError("Choose one of: " + ", ".join(code for code, _name in settings.LANGUAGES))
    return value


EmailAddress = Annotated[str, Field(max_length=254, examples=["ada@example.com"]), AfterValidator(_email_check)]
Locale = Annotated[str, Field(max_length=8, examples=["en"]), AfterValidator(_locale_check)]
Password = Annotated[str, Field(max_length=4096)]


class JWTAuth(HttpBearer):
    """``Authorization: Bearer <access token>``; the user becomes ``request.auth`` and ``request.user``."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        user = access_token_user(token)
        if user is not None:
            request.user = user  # type: ignore[assignment]  # the project's user model, not just any
        return user


class AnonymousThrottle(AnonRateThrottle):
    """Requests without a token, per client address (never a spoofable forwarded header)."""

    def get_ident(self, request: HttpRequest) -> str:
        return client_ip(request)


class AuthenticatedThrottle(SimpleRateThrottle):
    """Requests with a token, per user."""

    scope = "auth"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "auth", None)
        if user is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


def api_throttles() -> list[BaseThrottle]:
    return [AnonymousThrottle(settings.API_THROTTLE_ANONYMOUS), AuthenticatedThrottle(settings.API_THROTTLE_AUTH)]


def error_response(
    api: NinjaAPI, request: HttpRequest, *, status: int, detail: str, code: str, **extra: Any
) -> HttpResponse:
    body = {"detail": detail, "code": code, **{name: value for name, value in extra.items() if value is not None}}
    return api.create_response(request, body, status=status)


def api_errors_install(api: NinjaAPI) -> None:
    """Answer every refusal in the shared shape. Unexpected exceptions stay server errors."""

    def service_error(request: HttpRequest, error: ServiceError) -> HttpResponse:
        return error_response(
            api, request, status=error.status, detail=error.message, code=error.code, field=error.field
        )

    def rate_limited(request: HttpRequest, error: RateLimited) -> HttpResponse:
        response = error_response(
            api, request, status=429, detail=_("Too many attempts. Try again later."), code="rate_limited"
        )
        response["Retry-After"] = str(error.retry_after)
        return response

    def throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
        response = error_response(
            api, request, status=429, detail=_("Too many requests. Slow down."), code="rate_limited"
        )
        if error.wait is not None:
            response["Retry-After"] = str(math.ceil(error.wait))
        return response

    def not_authenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        detail = _("Send a valid access token: Authorization: Bearer <token>.")
        response = error_response(api, request, status=401, detail=detail, code="not_authenticated")
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        code = HTTP_ERROR_CODES.get(error.status_code, "error")
        return error_response(api, request, status=error.status_code, detail=str(error), code=code)

    def invalid_input(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
        errors = [{"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]} for item in error.errors]
        detail = _("Some fields are not valid: %s") % "; ".join(_error_text(item) for item in errors)
        return error_response(api, request, status=422, detail=detail, code="invalid", errors=errors)

    def invalid_model(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
        errors = [
            {"loc": ["body", name], "msg": " ".join(messages), "type": "invalid"} for name, messages in _messages(error)
        ]
        detail = _("Some fields are not valid: %s") % "; ".join(_error_text(item) for item in errors)
        return error_response(api, request, status=422, detail=detail, code="invalid", errors=errors)

    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return error_response(api, request, status=404, detail=_("Not found."), code="not_found")

    def permission_denied(request: HttpRequest, error: DjangoPermissionDenied) -> HttpResponse:
        detail = _("You are not allowed to do this.")
        return error_response(api, request, status=403, detail=detail, code="permission_denied")

    def bad_request(request: HttpRequest, error: Exception) -> HttpResponse:
        return error_response(api, request, status=400, detail=_("The request is malformed."), code="bad_request")

    handlers: list[tuple[type[Any], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ServiceError, service_error),
        (RateLimited, rate_limited),
        (Throttled, throttled),
        (AuthenticationError, not_authenticated),
        (HttpError, http_error),
        (NinjaValidationError, invalid_input),
        (DjangoValidationError, invalid_model),
        (Http404, not_found),
        (DjangoPermissionDenied, permission_denied),
        (SuspiciousOperation, bad_request),
        (BadRequest, bad_request),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)


def _error_text(item: dict[str, Any]) -> str:
    """``email: Field required`` for ``loc`` ``["body", "payload", "email"]`` (source and parameter dropped)."""
    where = item["loc"][2:] or item["loc"][1:]
    return f"{'.'.join(str(part) for part in where)}: {item['msg']}" if where else str(item["msg"])


def _messages(error: DjangoValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return list(error.message_dict.items())
    return [("__all__", error.messages)]
