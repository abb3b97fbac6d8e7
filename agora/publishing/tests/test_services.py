"""Submit, withdraw, approve, reject, block and unblock: each transition, its audit row and mail, and
each refusal leaving everything as it was."""

import pytest
from django.core.cache import cache

from agora.accounts.roles import ACCOUNTANT
from agora.accounts.tests.factories import UserFactory
from agora.catalog.models import BASIS_POINTS, Course, CourseMember, CourseRevision, CourseStatus, MemberRole
from agora.catalog.page_cache import GENERATION_KEY
from agora.catalog.services_authoring import revision_for_edit
from agora.core.errors import PermissionDenied, ServiceError
from agora.core.models import AuditEntry
from agora.publishing import events, services
from agora.publishing.models import CheckResult, CourseBlock, ReviewDecision, Submission
from agora.publishing.selectors import course_is_open_to_enrolled, course_is_sellable
from agora.publishing.tests.factories import (
    admin,
    course_in_review,
    course_live,
    course_ready,
    draft_of,
    moderator,
    staff,
)

pytestmark = pytest.mark.django_db


def in_review(course: Course) -> CourseRevision:
    return CourseRevision.objects.get(course=course, status="in_review")


def statuses(course: Course) -> tuple[str, list[tuple[int, str]]]:
    course.refresh_from_db()
    return course.status, list(course.revisions.order_by("number").values_list("number", "status"))


def audit_actions(course: Course) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type="catalog.course", target_id=str(course.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# Submit -------------------------------------------------------------------------------------------


def test_a_passing_draft_goes_to_review():
    course = course_ready()

    submission = services.revision_submit(revision=draft_of(course), actor=course.created_by)

    assert submission.passed and (submission.check_count, submission.failed_count) == (11, 0)
    assert statuses(course) == ("in_review", [(1, "in_review")])
    assert CheckResult.objects.filter(submission=submission, passed=True).count() == 11
    assert course.revisions.get().changelog == "v1: first version, 2 modules, 3 lectures"
    assert audit_actions(course)[-1] == "publishing.revision_submitted"


def test_a_failing_draft_stays_a_draft_with_the_reasons_kept():
    course = course_ready()
    revision = draft_of(course)
    revision.cover = ""
    revision.save()

    submission = services.revision_submit(revision=revision, actor=course.created_by)

    assert not submission.passed and submission.failed_count == 1
    assert statuses(course) == ("draft", [(1, "draft")])
    failed = CheckResult.objects.get(submission=submission, passed=False)
    assert (failed.check_name, failed.reason) == (
        "cover",
        "Upload a cover image: it is the first thing people see in the catalog.",
    )
    entry = AuditEntry.objects.filter(action="publishing.revision_checks_failed").get()
    assert entry.data == {"revision": 1, "failed": ["cover"]}


def test_a_co_author_may_submit():
    course = course_ready()
    co_author = UserFactory()
    CourseMember.objects.filter(course=course).update(revenue_share_bp=BASIS_POINTS // 2)
    CourseMember.objects.create(
        course=course, user=co_author, role=MemberRole.CO_AUTHOR, revenue_share_bp=BASIS_POINTS // 2, position=1
    )

    assert services.revision_submit(revision=draft_of(course), actor=co_author).passed


@pytest.mark.parametrize("who", ["stranger", "moderator"])
def test_only_the_team_submits(who):
    course = course_ready()
    actor = UserFactory() if who == "stranger" else moderator()

    with pytest.raises(PermissionDenied) as refused:
        services.revision_submit(revision=draft_of(course), actor=actor)

    assert refused.value.code == "not_team"
    assert statuses(course) == ("draft", [(1, "draft")])
    assert not Submission.objects.exists()


def test_only_a_draft_is_submitted():
    course = course_in_review()

    with pytest.raises(ServiceError) as refused:
        services.revision_submit(revision=in_review(course), actor=course.created_by)

    assert refused.value.code == "revision_not_draft"
    assert Submission.objects.count() == 1


def test_an_update_of_a_published_course_keeps_the_course_published():
    course = course_live()
    draft = revision_for_edit(course=course, actor=course.created_by)
    draft.price = 2999
    draft.save()

    services.revision_submit(revision=draft, actor=course.created_by)

    assert statuses(course) == ("published", [(1, "approved"), (2, "in_review")])
    assert CourseRevision.objects.get(pk=draft.pk).changelog == "v2: price changed"


# Withdraw -----------------------------------------------------------------------------------------


def test_withdrawing_makes_it_a_draft_again():
    course = course_in_review()

    services.revision_withdraw(revision=in_review(course), actor=course.created_by)

    assert statuses(course) == ("draft", [(1, "draft")])
    assert audit_actions(course)[-1] == "publishing.revision_withdrawn"


def test_withdrawing_an_update_leaves_the_course_published():
    course = course_live()
    draft = revision_for_edit(course=course, actor=course.created_by)
    services.revision_submit(revision=draft, actor=course.created_by)

    services.revision_withdraw(revision=in_review(course), actor=course.created_by)

    assert statuses(course) == ("published", [(1, "approved"), (2, "draft")])


def test_withdraw_refusals():
    course = course_in_review()
    with pytest.raises(PermissionDenied):
        services.revision_withdraw(revision=in_review(course), actor=UserFactory())
    revision = in_review(course)
    services.revision_withdraw(revision=revision, actor=course.created_by)

    with pytest.raises(ServiceError) as refused:
        services.revision_withdraw(revision=revision, actor=course.created_by)

    assert refused.value.code == "revision_not_in_review"
    assert statuses(course) == ("draft", [(1, "draft")])


# Approve and reject --------------------------------------------------------------------------------


def test_approving_publishes_and_tells_each_member_in_their_language(mail_outbox_flush):
    course = course_in_review()
    russian = UserFactory(locale="ru")
    CourseMember.objects.filter(course=course).update(revenue_share_bp=7000)
    CourseMember.objects.create(course=course, user=russian, role=MemberRole.CO_AUTHOR, revenue_share_bp=3000)
    reviewer = moderator()

    revision = services.review_approve(revision=in_review(course), moderator=reviewer)

    assert revision.status == "approved"
    assert statuses(course) == ("published", [(1, "approved")])
    decision = ReviewDecision.objects.get(revision=revision)
    assert (decision.moderator, decision.decision, decision.reason) == (reviewer, "approve", "")
    assert "catalog.revision_approved" in audit_actions(course)
    mail = {message.to: message for message in mail_outbox_flush()}
    assert set(mail) == {course.created_by.email, russian.email}
    assert mail[course.created_by.email].subject == "“Python for Beginners” is approved"
    assert f"/studio/courses/{course.pk}/" in mail[course.created_by.email].text
    assert '<html lang="ru">' in mail[russian.email].html
    assert '<html lang="en">' in mail[course.created_by.email].html


def test_an_admin_approves_too():
    course = course_in_review()

    assert services.review_approve(revision=in_review(course), moderator=admin()).status == "approved"


@pytest.mark.parametrize("who", ["learner", "author", "accountant"])
def test_only_moderators_decide(who):
    course = course_in_review()
    actor = {"learner": UserFactory, "author": lambda: course.created_by, "accountant": lambda: staff(ACCOUNTANT)}[
        who
    ]()

    with pytest.raises(PermissionDenied):
        services.review_approve(revision=in_review(course), moderator=actor)
    with pytest.raises(PermissionDenied):
        services.review_reject(revision=in_review(course), moderator=actor, reason="No.")

    assert statuses(course) == ("in_review", [(1, "in_review")])
    assert not ReviewDecision.objects.exists()


def test_a_moderator_does_not_review_their_own_course():
    reviewer = moderator()
    course = course_in_review(author=reviewer)

    with pytest.raises(PermissionDenied) as refused:
        services.review_approve(revision=in_review(course), moderator=reviewer)

    assert refused.value.code == "own_course"
    assert statuses(course) == ("in_review", [(1, "in_review")])


def test_a_decided_revision_is_not_decided_again():
    course = course_in_review()
    revision = in_review(course)
    services.review_approve(revision=revision, moderator=moderator())

    for decide in (
        lambda: services.review_approve(revision=revision, moderator=moderator()),
        lambda: services.review_reject(revision=revision, moderator=moderator(), reason="Late."),
    ):
        with pytest.raises(ServiceError) as refused:
            decide()
        assert refused.value.code == "revision_not_in_review"

    assert ReviewDecision.objects.count() == 1
    assert statuses(course) == ("published", [(1, "approved")])


def test_rejecting_needs_a_reason_and_tells_the_team(mail_outbox_flush):
    course = course_in_review()
    revision = in_review(course)
    for blank in ("", "   \n"):
        with pytest.raises(ServiceError) as refused:
            services.review_reject(revision=revision, moderator=moderator(), reason=blank)
        assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    assert statuses(course) == ("in_review", [(1, "in_review")])

    services.review_reject(revision=revision, moderator=moderator(), reason="  The videos have no sound.  ")

    assert statuses(course) == ("rejected", [(1, "rejected")])
    assert ReviewDecision.objects.get(revision=revision).reason == "The videos have no sound."
    entry = AuditEntry.objects.get(action="publishing.revision_rejected")
    assert (entry.reason, entry.data) == ("The videos have no sound.", {"revision": 1})
    [message] = mail_outbox_flush()
    assert message.subject == "“Python for Beginners” needs changes before it can be published"
    assert "The videos have no sound." in message.text and "The videos have no sound." in message.html


def test_a_reason_too_long_is_refused():
    course = course_in_review()

    with pytest.raises(ServiceError) as refused:
        services.review_reject(revision=in_review(course), moderator=moderator(), reason="x" * 5001)

    assert refused.value.code == "reason_too_long"


def test_a_rejected_course_is_fixed_and_resubmitted():
    course = course_in_review()
    services.review_reject(revision=in_review(course), moderator=moderator(), reason="Add a summary lecture.")

    draft = revision_for_edit(course=course, actor=course.created_by)
    submission = services.revision_submit(revision=draft, actor=course.created_by)

    assert submission.passed
    assert statuses(course) == ("in_review", [(1, "rejected"), (2, "in_review")])
    assert CourseRevision.objects.get(pk=draft.pk).changelog == "v2: no changes"  # against the rejected one


def test_rejecting_an_update_leaves_the_published_course_as_it_was():
    course = course_live()
    draft = revision_for_edit(course=course, actor=course.created_by)
    draft.title = "A new title"
    draft.save()
    services.revision_submit(revision=draft, actor=course.created_by)

    services.review_reject(revision=in_review(course), moderator=moderator(), reason="Keep the old title.")

    assert statuses(course) == ("published", [(1, "approved"), (2, "rejected")])
    assert course.title == "Python for Beginners"


def test_an_update_of_a_blocked_course_waits_for_the_unblock():
    course = course_live()
    draft = revision_for_edit(course=course, actor=course.created_by)
    services.revision_submit(revision=draft, actor=course.created_by)
    services.course_block(course=course, moderator=moderator(), reason="Copied videos.")

    with pytest.raises(ServiceError) as refused:
        services.review_approve(revision=in_review(course), moderator=moderator())

    assert refused.value.code == "course_blocked"
    assert statuses(course) == ("blocked", [(1, "approved"), (2, "in_review")])


# Block and unblock ---------------------------------------------------------------------------------


def test_blocking_takes_the_course_out_and_unblocking_puts_it_back(
    mail_outbox_flush, django_capture_on_commit_callbacks
):
    course = course_live()
    approval_mail = len(mail_outbox_flush())
    cache.set(GENERATION_KEY, 5, timeout=None)
    received = []

    def receiver(signal, **payload):
        received.append((signal, payload["course_id"]))

    events.course_blocked.connect(receiver)
    events.course_unblocked.connect(receiver)
    reviewer = moderator()

    with django_capture_on_commit_callbacks(execute=True):
        services.course_block(course=course, moderator=reviewer, reason="Copied videos.")

    assert statuses(course) == ("blocked", [(1, "approved")])
    assert (course_is_sellable(course), course_is_open_to_enrolled(course)) == (False, True)
    assert cache.get(GENERATION_KEY) == 6  # every cached catalog page is forgotten
    block = CourseBlock.objects.get(course=course)
    assert (block.blocked_by, block.reason, block.unblocked_at) == (reviewer, "Copied videos.", None)

    with django_capture_on_commit_callbacks(execute=True):
        services.course_unblock(course=course, moderator=reviewer, reason="Replaced with their own.")

    assert statuses(course) == ("published", [(1, "approved")])
    assert (course_is_sellable(course), course_is_open_to_enrolled(course)) == (True, True)
    assert cache.get(GENERATION_KEY) == 7
    block.refresh_from_db()
    assert (block.unblocked_by, block.unblock_reason) == (reviewer, "Replaced with their own.")
    events.course_blocked.disconnect(receiver)
    events.course_unblocked.disconnect(receiver)
    assert received == [(events.course_blocked, course.pk), (events.course_unblocked, course.pk)]
    assert audit_actions(course)[-2:] == ["publishing.course_blocked", "publishing.course_unblocked"]
    subjects = [message.subject for message in mail_outbox_flush()[approval_mail:]]
    assert subjects == ["“Python for Beginners” is blocked", "“Python for Beginners” is back in the catalog"]


def test_block_refusals():
    course = course_live()
    for actor in (UserFactory(), course.created_by, staff(ACCOUNTANT)):
        with pytest.raises(PermissionDenied):
            services.course_block(course=course, moderator=actor, reason="Spam.")
    with pytest.raises(ServiceError) as refused:
        services.course_block(course=course, moderator=moderator(), reason=" ")
    assert refused.value.code == "reason_required"
    with pytest.raises(ServiceError) as refused:
        services.course_unblock(course=course, moderator=moderator(), reason="Fine.")
    assert refused.value.code == "course_not_blocked"

    services.course_block(course=course, moderator=moderator(), reason="Spam.")
    with pytest.raises(ServiceError) as refused:
        services.course_block(course=course, moderator=moderator(), reason="Spam again.")

    assert refused.value.code == "course_not_published"
    assert CourseBlock.objects.filter(course=course).count() == 1


@pytest.mark.parametrize("status", [CourseStatus.DRAFT, CourseStatus.IN_REVIEW, CourseStatus.REJECTED])
def test_only_a_published_course_is_blocked(status):
    course = course_ready() if status == "draft" else course_in_review()
    if status == "rejected":
        services.review_reject(revision=in_review(course), moderator=moderator(), reason="No.")

    with pytest.raises(ServiceError) as refused:
        services.course_block(course=course, moderator=moderator(), reason="Spam.")

    assert refused.value.code == "course_not_published"
    assert statuses(course)[0] == status


def test_the_sales_rule_for_each_status():
    course = course_ready()
    assert (course_is_sellable(course), course_is_open_to_enrolled(course)) == (False, False)
    course = course_in_review()
    assert (course_is_sellable(course), course_is_open_to_enrolled(course)) == (False, False)
