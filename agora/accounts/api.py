"""The account API: sign-up, activation, tokens, password reset (tag "auth") and one's own account
("me": profile, password change, e-mail change, closing).

Each operation calls the same service as the web page, and spends the same rate limits.
"""

from datetime import datetime
from typing import Annotated, Any, Literal, cast

from allauth.core import ratelimit as allauth_ratelimit
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints, field_validator

from agora.accounts import selectors, services, services_email, services_password
from agora.accounts.models import Profile, User
from agora.accounts.views import RESEND_RATE_PER_EMAIL, RESEND_RATE_PER_IP, SIGNUP_RATE
from agora.core.api import DetailOut, EmailAddress, ErrorOut, InputSchema, JWTAuth, Locale, Password
from agora.core.jwt import TokenPair, refresh_token_rotate, token_pair_issue
from agora.core.ratelimit import RateLimited, ratelimit_request

auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"], auth=JWTAuth())

CLOSE_RATE_PER_IP = "20/m"
CLOSE_RATE_PER_USER = "5/5m"
RESET_RETRY_AFTER_SECONDS = 60  # ACCOUNT_RATE_LIMITS["reset_password"] and ["reset_password_from_key"] are per minute
CHANGE_RETRY_AFTER_SECONDS = 60  # ACCOUNT_RATE_LIMITS["change_password"] and ["manage_email"] are per minute
TEXT_FIELDS = (
    "display_name",
    "headline",
    "about",
    "degree",
    "awards_and_education",
    "work_experience",
    "working_hours",
)
REFUSED = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class RegisterIn(InputSchema):
    email: EmailAddress
    password: Password
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    locale: Locale | None = Field(default=None, description="Defaults to the request's language.")


class KeyIn(InputSchema):
    key: str = Field(max_length=128)


class EmailIn(InputSchema):
    email: EmailAddress


class EmailChangeIn(InputSchema):
    email: EmailAddress = Field(description="The new address.")
    current_password: Password


class TokenIn(InputSchema):
    email: EmailAddress
    password: Password


class RefreshIn(InputSchema):
    refresh: str = Field(max_length=4096)


class PasswordResetConfirmIn(InputSchema):
    uid: str = Field(max_length=32)
    key: str = Field(max_length=128)
    password: Password


class PasswordIn(InputSchema):
    password: Password


class PasswordChangeIn(InputSchema):
    current_password: Password
    password: Password = Field(description="The new password.")


class MeUpdateIn(InputSchema):
    """A merge patch of one's own account: only the fields sent change, and null clears a text (but a
    display name is required)."""

    display_name: str | None = Field(default=None, max_length=80)
    locale: Locale | None = None
    headline: str | None = Field(default=None, max_length=120)
    about: str | None = Field(default=None, max_length=5000)
    degree: str | None = Field(default=None, max_length=80)
    years_of_teaching: int | None = Field(default=None, ge=0, le=100)
    awards_and_education: str | None = Field(default=None, max_length=3000)
    work_experience: str | None = Field(default=None, max_length=3000)
    working_hours: str | None = Field(default=None, max_length=120)

    @field_validator(*TEXT_FIELDS)
    @classmethod
    def _null_clears(cls, value: str | None) -> str:
        return value or ""

    @field_validator("locale")
    @classmethod
    def _locale_required(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("A language is required.")
        return value


class TokenPairOut(Schema):
    access: str
    refresh: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until the access token expires.")


class SocialLinkOut(Schema):
    network: str
    url: str


class ProfileOut(Schema):
    headline: str
    specialisation: str | None
    expertise: list[str]
    about: str
    degree: str
    years_of_teaching: int | None
    awards_and_education: str
    work_experience: str
    working_hours: str
    social_links: list[SocialLinkOut]


class UserOut(Schema):
    id: int
    email: str
    display_name: str
    avatar: str | None
    locale: str
    status: str
    date_joined: datetime
    profile: ProfileOut


@auth_router.post("/register", response={202: DetailOut, **REFUSED})
def register(request: HttpRequest, payload: RegisterIn) -> Status:
    """Create a pending account and e-mail its activation link. A taken address gets the same answer."""
    ratelimit_request(request, action="signup", rate_per_ip=SIGNUP_RATE)
    services.user_register(
        request=request,
        email=payload.email,
        password=payload.password,
        display_name=payload.display_name,
        locale=payload.locale or get_language(),
    )
    return Status(202, {"detail": _("Check your e-mail: we sent you a message to finish signing up.")})


@auth_router.post("/activate", response={200: UserOut, **REFUSED})
def activate(request: HttpRequest, payload: KeyIn) -> dict[str, Any]:
    """Activate an account with the key of its activation link (…/accounts/confirm-email/<key>/)."""
    user = services.user_activate_from_key(request=request, key=payload.key)
    return _user_out(selectors.profile_get(user))


@auth_router.post("/activation/resend", response={202: DetailOut, **REFUSED})
def activation_resend(request: HttpRequest, payload: EmailIn) -> Status:
    """Send a new activation link if the address has an account waiting for it; the same answer always."""
    ratelimit_request(
        request,
        action="resend",
        rate_per_ip=RESEND_RATE_PER_IP,
        rate_per_key=RESEND_RATE_PER_EMAIL,
        key=payload.email,
    )
    services.activation_resend(request=request, email=payload.email)
    return Status(
        202, {"detail": _("If this address has an account waiting for activation, a new link is on its way.")}
    )


@auth_router.post("/token", response={200: TokenPairOut, **REFUSED})
def token_obtain(request: HttpRequest, payload: TokenIn) -> TokenPair:
    """Log in: an access token (send it as `Authorization: Bearer <access>`) and a refresh token.
    After 5 wrong passwords for an e-mail address in 5 minutes (or 20 from one client IP in a minute),
    every attempt is refused with 429 for a while, even with the right password."""
    user = services_password.user_authenticate(request=request, email=payload.email, password=payload.password)
    return token_pair_issue(user)


@auth_router.post("/token/refresh", response={200: TokenPairOut, **REFUSED})
def token_refresh(request: HttpRequest, payload: RefreshIn) -> TokenPair:
    """Swap a refresh token for a new pair. Each refresh token works once; using one twice
    ends the whole login (every token issued from it)."""
    return refresh_token_rotate(payload.refresh)


@auth_router.post("/password/reset", response={202: DetailOut, **REFUSED})
def password_reset(request: HttpRequest, payload: EmailIn) -> Status:
    """E-mail a password reset link; the same answer whether or not the address has an account."""
    if not allauth_ratelimit.consume(request, action="reset_password", key=payload.email.lower()):
        raise RateLimited(retry_after=RESET_RETRY_AFTER_SECONDS)
    services_password.password_reset_request(request=request, email=payload.email)
    return Status(202, {"detail": _("If this address has an account, a password reset link is on its way.")})


@auth_router.post("/password/reset/confirm", response={200: DetailOut, **REFUSED})
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn) -> dict[str, str]:
    """Set a new password with the link's `uid` and `key` (…/accounts/password/reset/key/<uid>-<key>/).
    Every token issued before stops working."""
    if not allauth_ratelimit.consume(request, action="reset_password_from_key"):
        raise RateLimited(retry_after=RESET_RETRY_AFTER_SECONDS)
    services_password.password_reset_confirm(
        request=request, uid=payload.uid, key=payload.key, password=payload.password
    )
    return {"detail": _("Your password is changed. Log in with the new one.")}


@me_router.get("", response={200: UserOut, 401: ErrorOut, 429: ErrorOut})
def me(request: HttpRequest) -> dict[str, Any]:
    return _user_out(selectors.profile_get(_current_user(request)))


@me_router.patch("", response={200: UserOut, **REFUSED})
def me_update(request: HttpRequest, payload: MeUpdateIn) -> dict[str, Any]:
    user = services.user_update(user=_current_user(request), data=payload.model_dump(exclude_unset=True))
    return _user_out(selectors.profile_get(user))


@me_router.post("/password", response={200: TokenPairOut, **REFUSED})
def me_password_change(request: HttpRequest, payload: PasswordChangeIn) -> TokenPair:
    """Change one's password, giving the current one. Every token issued before stops working
    (other devices must log in again); the answer is a new pair for this client."""
    if not allauth_ratelimit.consume(request, action="change_password"):
        raise RateLimited(retry_after=CHANGE_RETRY_AFTER_SECONDS)
    user = services_password.password_change(
        request=request,
        user=_current_user(request),
        current_password=payload.current_password,
        new_password=payload.password,
    )
    return token_pair_issue(user)


@me_router.post("/email", response={202: DetailOut, **REFUSED})
def me_email_change(request: HttpRequest, payload: EmailChangeIn) -> Status:
    """Ask to change one's e-mail address: a confirmation link goes to the new address, which becomes
    the login address once the link is followed (on the web, or its key sent to `POST /auth/activate`).
    Until then the current address stays; a new request replaces the pending one. The current password
    is required, as for a password change. The answer is the
    same whether or not another account uses the address (its link is refused when followed)."""
    if not allauth_ratelimit.consume(request, action="manage_email"):
        raise RateLimited(retry_after=CHANGE_RETRY_AFTER_SECONDS)
    services_email.email_change_request(
        request=request, user=_current_user(request), email=payload.email, current_password=payload.current_password
    )
    detail = _("We sent a confirmation link to %(email)s. Your address changes when you follow it.")
    return Status(202, {"detail": detail % {"email": payload.email.lower()}})


@me_router.post("/close", response={200: DetailOut, **REFUSED})
def me_close(request: HttpRequest, payload: PasswordIn) -> dict[str, str]:
    """Close one's own account. Personal details are wiped and every token stops working."""
    user = _current_user(request)
    ratelimit_request(
        request, action="api-close", rate_per_ip=CLOSE_RATE_PER_IP, rate_per_key=CLOSE_RATE_PER_USER, key=str(user.pk)
    )
    services.user_close(user=user, password=payload.password)
    return {"detail": _("Your account is closed.")}


def _current_user(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]  # set by JWTAuth


def _user_out(profile: Profile) -> dict[str, Any]:
    user = profile.user
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "avatar": user.avatar.url if user.avatar else None,
        "locale": user.locale,
        "status": user.status,
        "date_joined": user.date_joined,
        "profile": {
            "headline": profile.headline,
            "specialisation": profile.specialisation.name if profile.specialisation else None,
            "expertise": [expertise.name for expertise in profile.expertise.all()],
            "about": profile.about,
            "degree": profile.degree,
            "years_of_teaching": profile.years_of_teaching,
            "awards_and_education": profile.awards_and_education,
            "work_experience": profile.work_experience,
            "working_hours": profile.working_hours,
            "social_links": [{"network": link.network.name, "url": link.url} for link in profile.social_links.all()],
        },
    }
