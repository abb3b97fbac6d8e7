"""Reads of publishing, each shaped for its page or API list and costing a fixed number of queries;
and the rule later apps follow for blocked courses (`course_is_sellable`, `course_is_open_to_enrolled`)."""

from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from agora.accounts.models import User
from agora.catalog.models import (
    Course,
    CourseMember,
    CourseRevision,
    CourseStatus,
    Lecture,
    Module,
    Question,
    RevisionStatus,
    Skill,
)
from agora.publishing.diff import RevisionDiff, revision_diff
from agora.publishing.models import CheckResult, CourseBlock, Submission

# Enrolled learners keep their access while a course is blocked; nobody may buy, gift or join it.
SELLABLE_STATUSES = frozenset({CourseStatus.PUBLISHED})
OPEN_TO_ENROLLED_STATUSES = frozenset({CourseStatus.PUBLISHED, CourseStatus.BLOCKED})
MODERATED_STATUSES = (CourseStatus.PUBLISHED, CourseStatus.BLOCKED)  # what moderators can block or unblock
PUBLISHED_REVISION_STATUSES = (RevisionStatus.APPROVED, RevisionStatus.SUPERSEDED)  # learners saw it once


def course_is_sellable(course: Course) -> bool:
    """May the course be bought, given, or joined for free now? Commerce and learning ask this before
    every new enrollment; the catalog shows only these courses."""
    return course.status in SELLABLE_STATUSES


def course_is_open_to_enrolled(course: Course) -> bool:
    """May those already enrolled keep learning? Yes while the course is blocked: they keep what they
    got, in the last approved revision."""
    return course.status in OPEN_TO_ENROLLED_STATUSES and course.published_revision_id is not None


def revision_content_load(*revision_ids: int) -> dict[int, CourseRevision]:
    """Revisions with their category, skills, modules → lectures → resources and questions → options,
    in seven queries however many revisions and however big they are."""
    questions = Question.objects.order_by("position").prefetch_related("options")
    lectures = Lecture.objects.order_by("position").prefetch_related("resources", Prefetch("questions", questions))
    modules = Module.objects.order_by("position").prefetch_related(Prefetch("lectures", lectures))
    revisions = CourseRevision.objects.select_related("category").prefetch_related(
        Prefetch("skills", Skill.objects.order_by("name")), Prefetch("modules", modules)
    )
    return {revision.pk: revision for revision in revisions.filter(pk__in=revision_ids)}


def revision_compared_with(
    revision: CourseRevision, *, history: list[CourseRevision] | None = None
) -> CourseRevision | None:
    """What a revision is compared with: the last revision published before it (the approved one, for
    a revision in review), or before the first approval the last rejected one, so the moderator sees
    what changed since they rejected it. One query, or none with the course's `history` at hand
    (revision_list_for_course)."""
    if history is not None:
        earlier = [other for other in history if other.number < revision.number]
        published = [other for other in earlier if other.status in PUBLISHED_REVISION_STATUSES]
        rejected = [other for other in earlier if other.status == RevisionStatus.REJECTED]
        return max(published or rejected, key=lambda other: other.number, default=None)
    candidates = CourseRevision.objects.filter(
        course_id=revision.course_id,
        number__lt=revision.number,
        status__in=[*PUBLISHED_REVISION_STATUSES, RevisionStatus.REJECTED],
    )
    published_first = Case(When(status__in=PUBLISHED_REVISION_STATUSES, then=Value(0)), default=Value(1))
    return candidates.order_by(published_first, "-number").first()


def revision_open_for_course(course: Course) -> CourseRevision | None:
    """The course's draft or revision in review (at most one, PostgreSQL makes sure)."""
    return CourseRevision.objects.filter(
        course=course, status__in=[RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW]
    ).first()


def _latest_submissions() -> QuerySet[Submission]:
    return Submission.objects.filter(course_id=OuterRef("pk")).order_by("-submitted_at", "-id")


def course_list_for_studio(user: User) -> QuerySet[Course]:
    """The courses of the user's teams, last edited first, each with the title and cover of its newest
    revision, its open revision's status and what the last submission's checks found: one query."""
    revisions = CourseRevision.objects.filter(course_id=OuterRef("pk")).order_by("-number")
    open_revisions = revisions.filter(status__in=[RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW])
    return (
        Course.objects.filter(Exists(CourseMember.objects.filter(course_id=OuterRef("pk"), user_id=user.pk)))
        .annotate(
            latest_title=Subquery(revisions.values("title")[:1]),
            latest_cover=Subquery(revisions.values("cover")[:1]),
            latest_number=Subquery(revisions.values("number")[:1]),
            edited_at=Subquery(revisions.values("updated_at")[:1]),
            open_status=Subquery(open_revisions.values("status")[:1]),
            last_passed=Subquery(_latest_submissions().values("passed")[:1]),
            last_failed_count=Subquery(_latest_submissions().values("failed_count")[:1]),
            last_check_count=Subquery(_latest_submissions().values("check_count")[:1]),
            last_submitted_at=Subquery(_latest_submissions().values("submitted_at")[:1]),
        )
        .order_by(Coalesce("edited_at", "created_at").desc(), "-id")
    )


def revision_list_for_course(course: Course, *, limit: int | None = None, offset: int = 0) -> list[CourseRevision]:
    """The course's revision history, newest first, with each one's review decision: one query."""
    revisions = (
        CourseRevision.objects.filter(course=course)
        .select_related("review_decision__moderator")
        .defer("description")
        .order_by("-number")
    )
    return list(revisions[offset : offset + limit] if limit is not None else revisions)


def revision_count(course: Course) -> int:
    return CourseRevision.objects.filter(course=course).count()


def submission_latest(*, course: Course | None = None, revision: CourseRevision | None = None) -> Submission | None:
    """The last submission of a course (or of one revision) with its check results: two queries."""
    submissions = Submission.objects.filter(course=course) if course is not None else Submission.objects.all()
    if revision is not None:
        submissions = submissions.filter(revision=revision)
    results = Prefetch("results", CheckResult.objects.order_by("position", "id"))
    return submissions.select_related("revision").prefetch_related(results).order_by("-submitted_at", "-id").first()


def block_open_for_course(course: Course) -> CourseBlock | None:
    return CourseBlock.objects.filter(course=course, unblocked_at=None).first()


def revision_list_in_review() -> QuerySet[CourseRevision]:
    """The moderation queue: revisions in review, the longest waiting first, with their course, team and
    the figures of the submission that sent them (one query, and one for the teams)."""
    latest = Submission.objects.filter(revision_id=OuterRef("pk")).order_by("-submitted_at", "-id")
    team = Prefetch("course__members", CourseMember.objects.select_related("user").order_by("position", "id"))
    return (
        CourseRevision.objects.filter(status=RevisionStatus.IN_REVIEW)
        .select_related("course")
        .defer("description")
        .prefetch_related(team)
        .annotate(
            submitted_at=Coalesce(Subquery(latest.values("submitted_at")[:1]), "updated_at"),
            check_count=Subquery(latest.values("check_count")[:1], output_field=IntegerField()),
            failed_count=Subquery(latest.values("failed_count")[:1], output_field=IntegerField()),
        )
        .order_by("submitted_at", "id")
    )


def revision_get_for_review(revision_id: int) -> CourseRevision | None:
    """A revision with its course and the course's team (two queries)."""
    team = Prefetch("course__members", CourseMember.objects.select_related("user").order_by("position", "id"))
    return (
        CourseRevision.objects.select_related("course", "created_by", "review_decision__moderator")
        .prefetch_related(team)
        .filter(pk=revision_id)
        .first()
    )


def course_list_for_moderation(*, query: str = "", status: str = "") -> QuerySet[Course]:
    """Published and blocked courses for moderators to find one (by title or address), the most recently
    changed first, each with its open block: one query, and one for the blocks."""
    statuses = [status] if status in MODERATED_STATUSES else list(MODERATED_STATUSES)
    courses = Course.objects.filter(status__in=statuses)
    if query:
        courses = courses.filter(Q(title__icontains=query) | Q(slug__icontains=query))
    blocks = Prefetch("blocks", CourseBlock.objects.filter(unblocked_at=None), to_attr="open_blocks")
    return courses.prefetch_related(blocks).order_by("-updated_at", "-id")


@dataclass(frozen=True)
class RevisionReview:
    """What a moderator looks at: the revision's whole content, the last submission's check results,
    the revision it is compared with and the diff, and the course's history."""

    content: CourseRevision
    submission: Submission | None
    base: CourseRevision | None
    diff: RevisionDiff | None
    history: list[CourseRevision]


def revision_review_load(revision: CourseRevision) -> RevisionReview:
    """Ten queries: history, both revisions' content (seven), the submission and its results."""
    history = revision_list_for_course(revision.course)
    base = revision_compared_with(revision, history=history)
    loaded = revision_content_load(revision.pk, *([base.pk] if base else []))
    return RevisionReview(
        content=loaded[revision.pk],
        submission=submission_latest(revision=revision),
        base=base,
        diff=revision_diff(loaded[base.pk], loaded[revision.pk]) if base else None,
        history=history,
    )
