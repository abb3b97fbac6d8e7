"""Who may see or change an account. Every view and API operation goes through these."""

from django.http import Http404

from agora.accounts.models import User, UserStatus
from agora.core.errors import PermissionDenied

SUSPEND_PERMISSION = "accounts.suspend_user"


def access_author_for_view(user_id: int) -> User:
    """A public author page exists for active, unsuspended accounts only."""
    user = User.objects.filter(pk=user_id, status=UserStatus.ACTIVE, is_suspended=False).first()
    if user is None:
        raise Http404
    return user


def access_user_for_suspension(actor: User, user_id: int) -> User:
    if not actor.is_authenticated:
        raise PermissionDenied("Staff only.", code="forbidden")
    if not actor.has_perm(SUSPEND_PERMISSION):
        raise PermissionDenied("Staff only.", code="forbidden")
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    return user
