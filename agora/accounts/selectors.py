from django.db.models import Prefetch, QuerySet

from agora.accounts.models import Profile, SocialLink, User
from agora.core.models import AuditEntry


def profile_get(user: User) -> Profile:
    """A user's profile with everything its page shows, in a fixed number of queries."""
    return (
        Profile.objects.select_related("user", "specialisation")
        .prefetch_related("expertise", Prefetch("social_links", SocialLink.objects.select_related("network")))
        .get(user=user)
    )


def user_list_for_staff(query: str = "") -> QuerySet[User]:
    users = User.objects.order_by("-date_joined")
    if query:
        users = users.filter(email__icontains=query) | users.filter(display_name__icontains=query)
    return users


def audit_list_for_user(user: User, limit: int = 50) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.select_related("actor")
        .filter(target_type=user._meta.label_lower, target_id=str(user.pk))
        .order_by("-created_at")[:limit]
    )
