"""JSON Web Tokens for API clients: a short-lived access token and a single-use refresh token.

Both are HS256 tokens signed with a key derived from ``SECRET_KEY`` (tokens signed with a key in
``SECRET_KEY_FALLBACKS`` still verify, so rotating the secret logs nobody out at once). Claims:
``sub`` (the user id), ``typ`` (``access`` or ``refresh``), ``iat``, ``exp``, ``jti`` and ``pwd``,
a fingerprint of the user's password hash: setting a new password, a reset, or closing the account
(which wipes the password) kills every token the user holds. Every use of a token reads the user
again and refuses one who is not active (pending, closed or suspended).

Refresh tokens rotate without a table. Each belongs to a family (``fam``, fixed at login). Using one
records its ``jti`` in the shared cache until the token would have expired (``cache.add`` is atomic
in the database and Redis caches), so a second use is refused; and since a second use means two
holders, one of them a thief, it also revokes the whole family (OAuth 2.0 Security BCP, refresh
token rotation). The cache must therefore be shared by every process and must not evict these
entries early (see ``MAX_ENTRIES`` of the database cache).
"""

import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from agora.core.errors import ServiceError

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"
KEY_SALT = "agora.core.jwt.signing-key"
FINGERPRINT_SALT = "agora.core.jwt.password"
REQUIRED_CLAIMS = ["sub", "typ", "iat", "exp", "jti", "pwd"]


class TokenRefused(ServiceError):
    status = 401


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int
    token_type: str = "Bearer"


def token_pair_issue(user: AbstractBaseUser, *, family: str = "") -> TokenPair:
    """A new access token and refresh token for `user` (a new family unless one is given)."""
    now = int(timezone.now().timestamp())
    base = {"sub": str(user.pk), "iat": now, "pwd": _fingerprint(user, settings.SECRET_KEY)}
    access = {**base, "typ": ACCESS, "exp": now + settings.JWT_ACCESS_LIFETIME_SECONDS, "jti": _new_id()}
    refresh = {
        **base,
        "typ": REFRESH,
        "exp": now + settings.JWT_REFRESH_LIFETIME_SECONDS,
        "jti": _new_id(),
        "fam": family or _new_id(),
    }
    return TokenPair(access=_encode(access), refresh=_encode(refresh), expires_in=settings.JWT_ACCESS_LIFETIME_SECONDS)


def access_token_user(token: str) -> AbstractBaseUser | None:
    """The active user an access token was issued to, or None for any token that is not good."""
    claims = _decode(token, kind=ACCESS)
    return None if claims is None else _claims_user(claims)


def refresh_token_rotate(token: str) -> TokenPair:
    """Spend a refresh token and issue the next pair of its family; refuse a token used before."""
    claims = _decode(token, kind=REFRESH)
    user = None if claims is None else _claims_user(claims)
    if claims is None or user is None or "fam" not in claims:
        raise _refused()
    family = str(claims["fam"])
    if cache.get(_family_revoked_key(family)):
        raise _refused()
    lifetime_left = max(1, int(claims["exp"]) - int(timezone.now().timestamp()))
    if not cache.add(f"jwt:refresh-used:{claims['jti']}", True, timeout=lifetime_left + 1):
        cache.set(_family_revoked_key(family), True, timeout=settings.JWT_REFRESH_LIFETIME_SECONDS)
        raise _refused()
    return token_pair_issue(user, family=family)


def _claims_user(claims: dict[str, Any]) -> AbstractBaseUser | None:
    user_id = str(claims["sub"])
    if not user_id.isdigit():
        return None
    user = get_user_model()._default_manager.filter(pk=int(user_id), is_active=True).first()
    if user is None:
        return None
    fingerprints = [_fingerprint(user, secret) for secret in _secrets()]
    if not any(constant_time_compare(str(claims["pwd"]), fingerprint) for fingerprint in fingerprints):
        return None
    return user


def _encode(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, _signing_key(settings.SECRET_KEY), algorithm=ALGORITHM)


def _decode(token: str, *, kind: str) -> dict[str, Any] | None:
    """The claims of a well-signed, unexpired token of this kind; None otherwise."""
    for secret in _secrets():
        try:
            claims: dict[str, Any] = jwt.decode(
                token, _signing_key(secret), algorithms=[ALGORITHM], options={"require": REQUIRED_CLAIMS}
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidTokenError:
            return None
        return claims if claims["typ"] == kind else None
    return None


def _signing_key(secret: str | bytes) -> bytes:
    return salted_hmac(KEY_SALT, "jwt", secret=secret, algorithm="sha256").digest()


def _fingerprint(user: AbstractBaseUser, secret: str | bytes) -> str:
    return salted_hmac(FINGERPRINT_SALT, user.password, secret=secret, algorithm="sha256").hexdigest()[:24]


def _secrets() -> list[str | bytes]:
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


def _family_revoked_key(family: str) -> str:
    return f"jwt:family-revoked:{family}"


def _new_id() -> str:
    return secrets.token_urlsafe(16)


def _refused() -> TokenRefused:
    return TokenRefused(
        _("This refresh token is invalid, expired or already used. Log in again."), code="invalid_token"
    )
