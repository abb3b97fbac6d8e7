"""Who may submit, review and block. Every view and API operation goes through these.

The studio pages belong to the course team: anyone else finds nothing there (404). Reviewing and
blocking take the moderator's permissions (the moderator and admin roles of agora/accounts/roles.py).
"""

from typing import Any

from django.http import Http404

from agora.catalog.models import Course, CourseMember, CourseRevision

REVIEW_PERMISSION = "publishing.review_revision"
BLOCK_PERMISSION = "catalog.block_course"


def _staff_with(user: Any, permission: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    return bool(user.has_perm(permission))


def access_moderation(user: Any) -> bool:
    """Moderators and admins see the queue and approve or reject revisions."""
    return _staff_with(user, REVIEW_PERMISSION)


def access_course_blocking(user: Any) -> bool:
    """Moderators and admins block and unblock published courses."""
    return _staff_with(user, BLOCK_PERMISSION)


def access_course_for_team(user: Any, course_id: int) -> Course:
    """A course of the user's team; any other course, or none, is not found."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    course = Course.objects.filter(pk=course_id, members__user_id=user.pk).first()
    if course is None:
        raise Http404
    return course


def access_revision_for_review(user: Any, revision: CourseRevision | None) -> CourseRevision:
    """Moderators see any revision on the review page; for anyone else it does not exist."""
    if not access_moderation(user):
        raise Http404
    if revision is None:
        raise Http404
    return revision


def is_team_member(user: Any, course: Course) -> bool:
    if getattr(user, "pk", None) is None:
        return False
    return CourseMember.objects.filter(course=course, user_id=user.pk).exists()
