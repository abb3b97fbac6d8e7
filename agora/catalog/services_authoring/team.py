"""The course team, changed by its course admins: people join by their account's e-mail with no share,
leave once their share is given to others, and the shares add up to 100 % (course_team_set)."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from agora.accounts.models import User, UserStatus
from agora.accounts.services import absolute_url
from agora.catalog import services
from agora.catalog.models import Course, CourseMember, CourseRevision, MemberRole
from agora.catalog.services import TeamMember
from agora.catalog.services_authoring.drafts import admin_check
from agora.core.audit import audit_record
from agora.core.errors import NotFound, ServiceError
from agora.core.mail import email_enqueue_template


def course_member_add(*, course: Course, actor: User, email: str, role: str = MemberRole.CO_AUTHOR) -> CourseMember:
    """Add the person with an active account at `email` to the team, with no share yet, and tell them."""
    if role not in MemberRole.values:
        raise ServiceError(_("Choose one of the offered roles."), code="invalid_choice", field="role")
    with transaction.atomic():
        admin_check(course.pk, actor)
        course = Course.objects.select_for_update().get(pk=course.pk)
        user = User.objects.filter(email__iexact=email.strip(), status=UserStatus.ACTIVE, is_suspended=False).first()
        if user is None:
            message = _("No active Agora account uses this e-mail address.")
            raise ServiceError(message, code="user_not_found", field="email")
        if CourseMember.objects.filter(course=course, user=user).exists():
            raise ServiceError(_("This person is already on the team."), code="member_exists", field="email")
        last = CourseMember.objects.filter(course=course).aggregate(last=Max("position"))["last"]
        member = CourseMember.objects.create(
            course=course, user=user, role=role, revenue_share_bp=0, position=(last or 0) + 1
        )
        audit_record(actor=actor, action="catalog.course_member_added", target=course, user=user.pk, role=role)
        _team_welcome_send(course, member, actor)
    return member


def course_member_remove(*, course: Course, actor: User, user_id: int) -> None:
    """Take someone off the team. Their share must have gone to others first, and one course admin stays."""
    with transaction.atomic():
        admin_check(course.pk, actor)
        course = Course.objects.select_for_update().get(pk=course.pk)
        team = list(CourseMember.objects.filter(course=course))
        member = next((member for member in team if member.user_id == user_id), None)
        if member is None:
            raise NotFound(_("This person is not on the team."), code="not_found")
        if member.revenue_share_bp:
            message = _("Give their share of the revenue to others first.")
            raise ServiceError(message, code="member_has_share", field="members")
        if not any(other.role == MemberRole.ADMIN for other in team if other.pk != member.pk):
            raise ServiceError(_("A course needs at least one course admin."), code="team_no_admin", field="members")
        member.delete()
        audit_record(actor=actor, action="catalog.course_member_removed", target=course, user=user_id)


def course_team_update(*, course: Course, actor: User, members: Sequence[TeamMember]) -> list[CourseMember]:
    """New roles and shares for the people on the team (all of them, nobody else): shares add up to
    100 % and one course admin at least stays."""
    with transaction.atomic():
        admin_check(course.pk, actor)
        course = Course.objects.select_for_update().get(pk=course.pk)
        current = list(CourseMember.objects.filter(course=course).order_by("position", "id"))
        if sorted(member.user.pk for member in members) != sorted(member.user_id for member in current):
            message = _("The team changed meanwhile. Check it and try again.")
            raise ServiceError(message, code="team_changed", field="members")
        order = {member.user_id: position for position, member in enumerate(current)}
        members = sorted(members, key=lambda member: order[member.user.pk])
        return services.course_team_set(course=course, members=members, actor=actor)


def _team_welcome_send(course: Course, member: CourseMember, actor: User) -> None:
    revision = CourseRevision.objects.filter(course=course).order_by("-number").first()
    email_enqueue_template(
        to=member.user.email,
        template="catalog/studio/email/team_added",
        context={
            "course_title": revision.title if revision else course.title,
            "added_by": actor.name,
            "is_admin": member.role == MemberRole.ADMIN,
            "studio_url": absolute_url(reverse("catalog:studio-course-edit", args=[course.pk])),
        },
        language=member.user.locale,
    )
