"""Writes of publishing: submit a draft (running the automatic checks), withdraw it, approve or reject
it, block and unblock a published course. Each service owns its transaction, locks the course and then
the revision (the order the catalog's `revision_approve_apply` uses), checks the state, writes an audit
row and enqueues the team's e-mails in the same transaction.

Course statuses (decision 0005, DESIGN.md §5): a course never published goes draft → in_review →
published or rejected; a published one stays published while an update is reviewed, and moderators
can block and unblock it.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.accounts.services import absolute_url
from agora.catalog.models import Course, CourseMember, CourseRevision, CourseStatus, RevisionStatus
from agora.catalog.page_cache import catalog_pages_expire
from agora.catalog.services import revision_approve_apply
from agora.core.audit import audit_record
from agora.core.errors import PermissionDenied, ServiceError
from agora.core.events import send_on_commit
from agora.core.mail import email_enqueue_template
from agora.publishing import events, selectors
from agora.publishing.access import access_course_blocking, access_moderation, is_team_member
from agora.publishing.checks import CheckOutcome, checks_run
from agora.publishing.diff import changelog_text, revision_diff
from agora.publishing.models import CheckResult, CourseBlock, Decision, ReviewDecision, Submission

REASON_MAX_LENGTH = 5000


# The team: submit and withdraw -----------------------------------------------------------------------


def revision_submit(*, revision: CourseRevision, actor: User) -> Submission:
    """Run the automatic checks on a draft and keep what they found. All passed: the revision goes to
    review (and a course never published with it); any failed: it stays a draft. Either way the
    revision's changelog is computed against the last approved (or rejected) revision."""
    with transaction.atomic():
        course, revision = _lock(revision)
        _team_check(course, actor)
        if revision.status != RevisionStatus.DRAFT:
            raise ServiceError(_("Only a draft can be submitted for review."), code="revision_not_draft")
        with translation.override(actor.locale or settings.LANGUAGE_CODE):
            outcomes, revision.changelog = _checks_and_changelog(revision)
        submission = _submission_record(course, revision, actor, outcomes)
        if submission.passed:
            revision.status = RevisionStatus.IN_REVIEW
            if course.status in (CourseStatus.DRAFT, CourseStatus.REJECTED):
                _course_status_set(course, CourseStatus.IN_REVIEW)
        revision.save(update_fields=["status", "changelog", "updated_at"])
        failed = [outcome.check_name for outcome in outcomes if not outcome.passed]
        action = "publishing.revision_submitted" if submission.passed else "publishing.revision_checks_failed"
        audit_record(actor=actor, action=action, target=course, revision=revision.number, failed=failed)
    return submission


def _checks_and_changelog(revision: CourseRevision) -> tuple[list[CheckOutcome], str]:
    base = selectors.revision_compared_with(revision)
    loaded = selectors.revision_content_load(revision.pk, *([base.pk] if base else []))
    new = loaded[revision.pk]
    diff = revision_diff(loaded[base.pk], new) if base else None
    return checks_run(new), changelog_text(new, diff)


def _submission_record(
    course: Course, revision: CourseRevision, actor: User, outcomes: list[CheckOutcome]
) -> Submission:
    failed = sum(1 for outcome in outcomes if not outcome.passed)
    submission = Submission.objects.create(
        course=course,
        revision=revision,
        submitted_by=actor,
        passed=failed == 0,
        failed_count=failed,
        check_count=len(outcomes),
    )
    CheckResult.objects.bulk_create(
        CheckResult(
            submission=submission,
            check_name=outcome.check_name,
            passed=outcome.passed,
            problems=[{"message": problem.message, "params": problem.params} for problem in outcome.problems],
            position=position,
        )
        for position, outcome in enumerate(outcomes)
    )
    return submission


def revision_withdraw(*, revision: CourseRevision, actor: User) -> CourseRevision:
    """Take a revision out of review, back to a draft the team can edit."""
    with transaction.atomic():
        course, revision = _lock(revision)
        _team_check(course, actor)
        if revision.status != RevisionStatus.IN_REVIEW:
            raise ServiceError(_("Only a revision in review can be withdrawn."), code="revision_not_in_review")
        revision.status = RevisionStatus.DRAFT
        revision.save(update_fields=["status", "updated_at"])
        if course.status == CourseStatus.IN_REVIEW:
            _course_status_set(course, CourseStatus.DRAFT)
        audit_record(actor=actor, action="publishing.revision_withdrawn", target=course, revision=revision.number)
    return revision


# Moderators: approve and reject ---------------------------------------------------------------------


def review_approve(*, revision: CourseRevision, moderator: User) -> CourseRevision:
    """Approve a revision in review: the catalog publishes it (`revision_approve_apply` writes the
    audit row) and the team is told. A second approval finds the revision decided."""
    _permission_check(access_moderation(moderator))
    with transaction.atomic():
        course, revision = _lock(revision)
        _review_check(course, revision, moderator)
        if course.status == CourseStatus.BLOCKED:
            raise ServiceError(_("The course is blocked: unblock it before approving."), code="course_blocked")
        ReviewDecision.objects.create(revision=revision, moderator=moderator, decision=Decision.APPROVE)
        revision_approve_apply(revision=revision, actor=moderator)
        revision.refresh_from_db()
        _team_notify(course, kind="approved", title=revision.title)
    return revision


def review_reject(*, revision: CourseRevision, moderator: User, reason: str) -> CourseRevision:
    """Reject a revision in review with a reason the team reads on the course page and in their mail.
    A course never published becomes rejected; a published one keeps showing its approved revision."""
    _permission_check(access_moderation(moderator))
    reason = _reason_clean(reason)
    with transaction.atomic():
        course, revision = _lock(revision)
        _review_check(course, revision, moderator)
        ReviewDecision.objects.create(revision=revision, moderator=moderator, decision=Decision.REJECT, reason=reason)
        revision.status = RevisionStatus.REJECTED
        revision.save(update_fields=["status", "updated_at"])
        if course.status == CourseStatus.IN_REVIEW:
            _course_status_set(course, CourseStatus.REJECTED)
        action, number = "publishing.revision_rejected", revision.number
        audit_record(actor=moderator, action=action, target=course, reason=reason, revision=number)
        _team_notify(course, kind="rejected", title=revision.title, reason=reason)
    return revision


def _review_check(course: Course, revision: CourseRevision, moderator: User) -> None:
    if revision.status != RevisionStatus.IN_REVIEW:
        raise ServiceError(_("This revision is not in review (any more)."), code="revision_not_in_review")
    if is_team_member(moderator, course):
        raise PermissionDenied(_("You cannot review a course you are on the team of."), code="own_course")


# Moderators: block and unblock ----------------------------------------------------------------------


def course_block(*, course: Course, moderator: User, reason: str) -> Course:
    """Take a published course out of the catalog with a reason. Enrolled learners keep their access
    (selectors.course_is_open_to_enrolled); nobody can buy, give or join it (course_is_sellable)."""
    _permission_check(access_course_blocking(moderator))
    reason = _reason_clean(reason)
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.status != CourseStatus.PUBLISHED:
            raise ServiceError(_("Only a published course can be blocked."), code="course_not_published")
        block = CourseBlock.objects.create(course=course, blocked_by=moderator, reason=reason)
        _course_status_set(course, CourseStatus.BLOCKED)
        audit_record(actor=moderator, action="publishing.course_blocked", target=course, reason=reason)
        _team_notify(course, kind="blocked", title=course.title, reason=reason)
        transaction.on_commit(catalog_pages_expire)
        send_on_commit(events.course_blocked, course_id=course.pk, block_id=block.pk)
    return course


def course_unblock(*, course: Course, moderator: User, reason: str) -> Course:
    """Put a blocked course back in the catalog, with the approved revision it had."""
    _permission_check(access_course_blocking(moderator))
    reason = _reason_clean(reason)
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.status != CourseStatus.BLOCKED:
            raise ServiceError(_("Only a blocked course can be unblocked."), code="course_not_blocked")
        block = CourseBlock.objects.select_for_update().get(course=course, unblocked_at=None)
        block.unblocked_by, block.unblock_reason, block.unblocked_at = moderator, reason, timezone.now()
        block.save(update_fields=["unblocked_by", "unblock_reason", "unblocked_at"])
        _course_status_set(course, CourseStatus.PUBLISHED)
        audit_record(actor=moderator, action="publishing.course_unblocked", target=course, reason=reason)
        _team_notify(course, kind="unblocked", title=course.title, reason=reason)
        transaction.on_commit(catalog_pages_expire)
        send_on_commit(events.course_unblocked, course_id=course.pk, block_id=block.pk)
    return course


# Shared steps ----------------------------------------------------------------------------------------


def _lock(revision: CourseRevision) -> tuple[Course, CourseRevision]:
    course = Course.objects.select_for_update().get(pk=revision.course_id)
    return course, CourseRevision.objects.select_for_update().get(pk=revision.pk)


def _team_check(course: Course, actor: User) -> None:
    if not is_team_member(actor, course):
        raise PermissionDenied(_("Only the course team can do this."), code="not_team")


def _permission_check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Only moderators can do this."), code="permission_denied")


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason: the course team reads it."), code="reason_required", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        message = _("Keep the reason under %(count)d characters.") % {"count": REASON_MAX_LENGTH}
        raise ServiceError(message, code="reason_too_long", field="reason")
    return reason


def _course_status_set(course: Course, status: str) -> None:
    course.status = status
    course.save(update_fields=["status", "updated_at"])


def _team_notify(course: Course, *, kind: str, title: str, reason: str = "") -> None:
    """E-mail each active member of the team, in their language, what happened and why."""
    members = CourseMember.objects.filter(course=course, user__is_active=True).select_related("user")
    course_url = absolute_url(reverse("publishing:studio-course", args=[course.pk]))
    for member in members:
        email_enqueue_template(
            to=member.user.email,
            template="publishing/email/course_decision",
            context={"user": member.user, "kind": kind, "title": title, "reason": reason, "course_url": course_url},
            language=member.user.locale,
        )
