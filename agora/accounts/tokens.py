"""The claim link of a `waiting` account: signed, expiring, and dead once the account is claimed."""

from django.conf import settings
from django.core import signing

from agora.accounts.models import User, UserStatus

CLAIM_SALT = "agora.accounts.claim"


def claim_token_make(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=CLAIM_SALT, compress=True)


def claim_token_user(token: str) -> User | None:
    """The waiting user the token was made for, or None if it is forged, expired or already used."""
    try:
        data = signing.loads(token, salt=CLAIM_SALT, max_age=settings.ACCOUNT_CLAIM_LINK_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data["user"], email=data["email"], status=UserStatus.WAITING).first()
