"""The publishing API: a course team submits and withdraws and reads its revision history (tag
"studio"); moderators read the queue and a revision's checks and diff, approve, reject, block and
unblock (tag "moderation"). Bearer tokens; the same services as the pages.

A course that is not the caller's team's answers 404; moderation operations answer 403 to anyone
without the moderator's permissions. Submitting answers 200 with the checks' results whether they
passed (`passed`, and the revision is `in_review`) or not (the revision stays a `draft`).
"""

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from agora.accounts.models import User
from agora.catalog.models import Course, CourseRevision, RevisionStatus
from agora.core.api import ErrorOut, InputSchema, JWTAuth
from agora.core.errors import PermissionDenied, ServiceError
from agora.publishing import access, selectors, services
from agora.publishing.diff import ItemChange, RevisionDiff
from agora.publishing.models import Submission

studio_router = Router(tags=["studio"], auth=JWTAuth())
moderation_router = Router(tags=["moderation"], auth=JWTAuth())

REFUSED = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
MAX_LIMIT = 100


class ListIn(Schema):
    limit: int = Field(default=25, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=100_000)


class CheckOut(Schema):
    name: str = Field(description="A stable name: modules, lecture_count, title, description, cover, price, …")
    label: str
    passed: bool
    reason: str = Field(description="What to do about a failed check, in the request's language; empty if passed.")


class SubmissionOut(Schema):
    id: int
    revision_id: int
    revision_number: int
    revision_status: str = Field(description="in_review when every check passed, draft otherwise.")
    submitted_at: datetime
    passed: bool
    failed_count: int
    check_count: int
    changelog: str
    checks: list[CheckOut]


class DecisionOut(Schema):
    decision: str = Field(description="approve or reject")
    reason: str
    decided_at: datetime


class RevisionOut(Schema):
    id: int
    number: int
    status: str = Field(description="draft, in_review, approved, rejected or superseded")
    title: str
    changelog: str
    created_at: datetime
    approved_at: datetime | None
    decision: DecisionOut | None


class RevisionPageOut(Schema):
    items: list[RevisionOut]
    count: int


class CourseRefOut(Schema):
    id: int
    slug: str
    title: str
    status: str = Field(description="draft, in_review, published, rejected or blocked")
    is_update: bool = Field(description="True when the course was published before (this revision updates it).")


class QueueItemOut(Schema):
    revision_id: int
    number: int
    title: str
    changelog: str
    course: CourseRefOut
    team: list[str]
    submitted_at: datetime
    check_count: int | None
    failed_count: int | None


class QueuePageOut(Schema):
    items: list[QueueItemOut]
    count: int


class FieldChangeOut(Schema):
    name: str
    label: str
    old: str
    new: str


class ItemChangeOut(Schema):
    key: UUID
    change: str = Field(description="added, removed, changed or moved")
    title: str
    parent: str = Field(description="The module of a lecture, the quiz of a question.")
    kind: str = Field(description="A lecture's kind; empty for modules and questions.")
    fields: list[str]
    moved: bool


class DiffOut(Schema):
    compared_with: int = Field(description="The number of the revision compared with.")
    fields: list[FieldChangeOut]
    modules: list[ItemChangeOut]
    lectures: list[ItemChangeOut]
    questions: list[ItemChangeOut]


class LectureContentOut(Schema):
    key: UUID
    title: str
    kind: str
    duration_seconds: int
    is_free_preview: bool
    has_file: bool
    question_count: int


class ModuleContentOut(Schema):
    key: UUID
    title: str
    lectures: list[LectureContentOut]


class ReviewOut(Schema):
    revision: RevisionOut
    course: CourseRefOut
    team: list[str]
    checks: SubmissionOut | None = Field(description="The submission that sent it to review; null if none.")
    diff: DiffOut | None = Field(description="Against the approved (or last rejected) revision; null when new.")
    modules: list[ModuleContentOut]


class ReasonIn(InputSchema):
    reason: str = Field(min_length=1, max_length=services.REASON_MAX_LENGTH)


class CourseStatusOut(Schema):
    id: int
    slug: str
    title: str
    status: str


# The course team ---------------------------------------------------------------------------------------


@studio_router.post("/courses/{course_id}/submit", response={200: SubmissionOut, **REFUSED})
def course_submit(request: HttpRequest, course_id: int) -> dict[str, Any]:
    """Submit the course's draft: the automatic checks run; if all pass it goes to the moderators."""
    course = access.access_course_for_team(_user(request), course_id)
    draft = selectors.revision_open_for_course(course)
    if draft is None or draft.status != RevisionStatus.DRAFT:
        raise ServiceError(_("There is no draft to submit."), code="no_draft")
    submission = services.revision_submit(revision=draft, actor=_user(request))
    return _submission(submission, results=list(submission.results.all()), revision=submission.revision)


@studio_router.post("/courses/{course_id}/withdraw", response={200: RevisionOut, **REFUSED})
def course_withdraw(request: HttpRequest, course_id: int) -> dict[str, Any]:
    """Take the course's revision out of review, back to a draft."""
    course = access.access_course_for_team(_user(request), course_id)
    revision = selectors.revision_open_for_course(course)
    if revision is None or revision.status != RevisionStatus.IN_REVIEW:
        raise ServiceError(_("Nothing of this course is in review."), code="revision_not_in_review")
    return _revision(services.revision_withdraw(revision=revision, actor=_user(request)))


@studio_router.get("/courses/{course_id}/revisions", response={200: RevisionPageOut, **REFUSED})
def course_revisions(request: HttpRequest, course_id: int, page: Query[ListIn]) -> dict[str, Any]:
    """The course's revisions, newest first, with their changelog and review decision."""
    course = access.access_course_for_team(_user(request), course_id)
    history = selectors.revision_list_for_course(course, limit=page.limit, offset=page.offset)
    return {"items": [_revision(revision) for revision in history], "count": selectors.revision_count(course)}


# Moderators -----------------------------------------------------------------------------------------------


@moderation_router.get("/queue", response={200: QueuePageOut, **REFUSED})
def moderation_queue(request: HttpRequest, page: Query[ListIn]) -> dict[str, Any]:
    """Revisions in review, the longest waiting first."""
    _moderator_check(access.access_moderation(_user(request)))
    waiting = selectors.revision_list_in_review()
    items = [_queue_item(revision) for revision in waiting[page.offset : page.offset + page.limit]]
    return {"items": items, "count": waiting.count()}


@moderation_router.get("/revisions/{revision_id}", response={200: ReviewOut, **REFUSED})
def revision_review(request: HttpRequest, revision_id: int) -> dict[str, Any]:
    """A revision's check results, its diff against the approved (or last rejected) one, and its content."""
    _moderator_check(access.access_moderation(_user(request)))
    revision = access.access_revision_for_review(_user(request), selectors.revision_get_for_review(revision_id))
    review = selectors.revision_review_load(revision)
    submission = review.submission
    return {
        "revision": _revision(revision),
        "course": _course_ref(revision.course),
        "team": _team(revision.course),
        "checks": _submission(submission, results=list(submission.results.all()), revision=revision)
        if submission
        else None,
        "diff": _diff(review.diff) if review.diff else None,
        "modules": _content(review.content),
    }


@moderation_router.post("/revisions/{revision_id}/approve", response={200: RevisionOut, **REFUSED})
def revision_approve(request: HttpRequest, revision_id: int) -> dict[str, Any]:
    """Approve a revision in review: it is published and the team is told."""
    _moderator_check(access.access_moderation(_user(request)))
    revision = access.access_revision_for_review(_user(request), selectors.revision_get_for_review(revision_id))
    return _revision(services.review_approve(revision=revision, moderator=_user(request)), fresh=True)


@moderation_router.post("/revisions/{revision_id}/reject", response={200: RevisionOut, **REFUSED})
def revision_reject(request: HttpRequest, revision_id: int, payload: ReasonIn) -> dict[str, Any]:
    """Reject a revision in review with a reason the team reads."""
    _moderator_check(access.access_moderation(_user(request)))
    revision = access.access_revision_for_review(_user(request), selectors.revision_get_for_review(revision_id))
    rejected = services.review_reject(revision=revision, moderator=_user(request), reason=payload.reason)
    return _revision(rejected, fresh=True)


@moderation_router.post("/courses/{course_id}/block", response={200: CourseStatusOut, **REFUSED})
def course_block(request: HttpRequest, course_id: int, payload: ReasonIn) -> Course:
    """Take a published course out of the catalog, with a reason; those enrolled keep their access."""
    _moderator_check(access.access_course_blocking(_user(request)))
    return services.course_block(course=_course(course_id), moderator=_user(request), reason=payload.reason)


@moderation_router.post("/courses/{course_id}/unblock", response={200: CourseStatusOut, **REFUSED})
def course_unblock(request: HttpRequest, course_id: int, payload: ReasonIn) -> Course:
    """Put a blocked course back in the catalog."""
    _moderator_check(access.access_course_blocking(_user(request)))
    return services.course_unblock(course=_course(course_id), moderator=_user(request), reason=payload.reason)


# Helpers ----------------------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]  # set by JWTAuth


def _moderator_check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Only moderators can do this."), code="permission_denied")


def _course(course_id: int) -> Course:
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def _revision(revision: CourseRevision, *, fresh: bool = False) -> dict[str, Any]:
    if fresh:  # the decision was just written
        revision = CourseRevision.objects.select_related("review_decision").get(pk=revision.pk)
    decision = getattr(revision, "review_decision", None)
    return {
        "id": revision.pk,
        "number": revision.number,
        "status": revision.status,
        "title": revision.title,
        "changelog": revision.changelog,
        "created_at": revision.created_at,
        "approved_at": revision.approved_at,
        "decision": {"decision": decision.decision, "reason": decision.reason, "decided_at": decision.decided_at}
        if decision
        else None,
    }


def _submission(submission: Submission, *, results: list[Any], revision: CourseRevision) -> dict[str, Any]:
    return {
        "id": submission.pk,
        "revision_id": revision.pk,
        "revision_number": revision.number,
        "revision_status": revision.status,
        "submitted_at": submission.submitted_at,
        "passed": submission.passed,
        "failed_count": submission.failed_count,
        "check_count": submission.check_count,
        "changelog": revision.changelog,
        "checks": [
            {"name": result.check_name, "label": result.label, "passed": result.passed, "reason": result.reason}
            for result in results
        ],
    }


def _course_ref(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "slug": course.slug,
        "title": course.title,
        "status": course.status,
        "is_update": course.published_at is not None,
    }


def _team(course: Course) -> list[str]:
    return [member.user.name for member in course.members.all()]  # type: ignore[attr-defined]


def _queue_item(revision: CourseRevision) -> dict[str, Any]:
    return {
        "revision_id": revision.pk,
        "number": revision.number,
        "title": revision.title,
        "changelog": revision.changelog,
        "course": _course_ref(revision.course),
        "team": _team(revision.course),
        "submitted_at": revision.submitted_at,  # type: ignore[attr-defined]
        "check_count": revision.check_count,  # type: ignore[attr-defined]
        "failed_count": revision.failed_count,  # type: ignore[attr-defined]
    }


def _items(changes: list[ItemChange]) -> list[dict[str, Any]]:
    return [
        {
            "key": item.key,
            "change": item.change,
            "title": item.title,
            "parent": item.parent,
            "kind": item.kind,
            "fields": list(item.fields),
            "moved": item.moved,
        }
        for item in changes
    ]


def _diff(diff: RevisionDiff) -> dict[str, Any]:
    return {
        "compared_with": diff.old_number,
        "fields": [vars(change) for change in diff.fields],
        "modules": _items(diff.modules),
        "lectures": _items(diff.lectures),
        "questions": _items(diff.questions),
    }


def _content(revision: CourseRevision) -> list[dict[str, Any]]:
    return [
        {
            "key": module.key,
            "title": module.title,
            "lectures": [
                {
                    "key": lecture.key,
                    "title": lecture.title,
                    "kind": lecture.kind,
                    "duration_seconds": lecture.duration_seconds,
                    "is_free_preview": lecture.is_free_preview,
                    "has_file": bool(lecture.media),
                    "question_count": len(lecture.questions.all()),
                }
                for lecture in module.lectures.all()
            ],
        }
        for module in revision.modules.all()
    ]
