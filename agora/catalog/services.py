"""Writes of the catalog: create a course and its team, apply an approved revision, open a draft,
end lapsed discounts, keep a wishlist. Each service owns its transaction."""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Model, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.catalog import events
from agora.catalog.models import (
    BASIS_POINTS,
    Category,
    Course,
    CourseKind,
    CourseListing,
    CourseMember,
    CourseRevision,
    CourseStatus,
    Lecture,
    MemberRole,
    Module,
    Option,
    Question,
    Resource,
    RevisionStatus,
    WishlistItem,
)
from agora.catalog.page_cache import catalog_pages_expire
from agora.core.audit import audit_record
from agora.core.errors import NotFound, ServiceError
from agora.core.events import send_on_commit

# The listing fields a revision hands to its course on approval (the course's own columns).
LISTING_FIELDS = [field.attname for field in CourseListing._meta.local_fields]
READING_WORDS_PER_MINUTE = 200
SLUG_MAX_LENGTH = 80
CYRILLIC_TO_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdezijklmnoprstufye", strict=True)),
        **{"ё": "yo", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch"},
        **{"ъ": "", "ь": "", "ю": "yu", "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g"},
    }
)


@dataclass(frozen=True)
class TeamMember:
    user: User
    role: str
    revenue_share_bp: int


@dataclass(frozen=True)
class RevisionFigures:
    """What the catalog shows about a revision's content, derived from its modules and lectures."""

    content_seconds: int
    module_count: int
    lecture_count: int
    has_downloadable_resources: bool
    module_seconds: dict[int, int]  # module id → the sum of its lectures


def text_duration_estimate(text: str) -> int:
    """Reading time of a text lecture in seconds, in whole minutes at 200 words a minute."""
    words = len(text.split())
    return math.ceil(words / READING_WORDS_PER_MINUTE) * 60


def course_slug_for(title: str) -> str:
    """A free slug for a title; Cyrillic is transliterated, since course addresses are ASCII."""
    base = slugify(title.lower().translate(CYRILLIC_TO_LATIN))[:SLUG_MAX_LENGTH].strip("-") or "course"
    taken = set(Course.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def course_create(
    *,
    actor: User,
    title: str,
    kind: str = CourseKind.SELF_PACED,
    category: Category | None = None,
    language: str = "en",
) -> Course:
    """A draft course with its first draft revision; the creator is its admin with the whole revenue."""
    title = title.strip()
    if not title:
        raise ServiceError(_("A course needs a title."), code="title_required", field="title")
    listing = {"title": title, "kind": kind, "category": category, "language": language}
    course = Course.objects.create(slug=course_slug_for(title), created_by=actor, **listing)
    CourseMember.objects.create(course=course, user=actor, role=MemberRole.ADMIN, revenue_share_bp=BASIS_POINTS)
    CourseRevision.objects.create(course=course, number=1, created_by=actor, **listing)
    audit_record(actor=actor, action="catalog.course_created", target=course)
    return course


@transaction.atomic
def course_team_set(*, course: Course, members: Sequence[TeamMember], actor: User) -> list[CourseMember]:
    """Replace the course's team. Shares add up to 10,000 basis points; at least one course admin."""
    _team_check(members)
    Course.objects.select_for_update().filter(pk=course.pk).first()
    CourseMember.objects.filter(course=course).delete()
    team = CourseMember.objects.bulk_create(
        CourseMember(
            course=course, user=member.user, role=member.role, revenue_share_bp=member.revenue_share_bp, position=index
        )
        for index, member in enumerate(members)
    )
    shares = {str(member.user.pk): member.revenue_share_bp for member in members}
    audit_record(actor=actor, action="catalog.course_team_set", target=course, shares=shares)
    return team


def _team_check(members: Sequence[TeamMember]) -> None:
    if not members:
        raise ServiceError(_("A course needs at least one course admin."), code="team_no_admin", field="members")
    if len({member.user.pk for member in members}) != len(members):
        raise ServiceError(_("Each person can be on the team once."), code="team_duplicate", field="members")
    if any(not 0 <= member.revenue_share_bp <= BASIS_POINTS for member in members):
        raise ServiceError(_("A share is between 0 and 100 %."), code="team_share_range", field="members")
    if sum(member.revenue_share_bp for member in members) != BASIS_POINTS:
        raise ServiceError(_("The revenue shares must add up to 100 %."), code="team_shares_total", field="members")
    if not any(member.role == MemberRole.ADMIN for member in members):
        raise ServiceError(_("A course needs at least one course admin."), code="team_no_admin", field="members")


def revision_figures_compute(revision: CourseRevision) -> RevisionFigures:
    """Length, module and lecture counts and resources of a revision, in three queries."""
    per_module = {
        row["id"]: row
        for row in Module.objects.filter(revision=revision)
        .values("id")
        .annotate(seconds=Sum("lectures__duration_seconds", default=0), lecture_total=Count("lectures"))
    }
    has_resources = Resource.objects.filter(lecture__module__revision=revision).exists()
    return RevisionFigures(
        content_seconds=sum(row["seconds"] for row in per_module.values()),
        module_count=len(per_module),
        lecture_count=sum(row["lecture_total"] for row in per_module.values()),
        has_downloadable_resources=has_resources,
        module_seconds={module_id: row["seconds"] for module_id, row in per_module.items()},
    )


def course_listing_apply(course: Course, revision: CourseRevision, figures: RevisionFigures, now: datetime.datetime):
    """Copy a revision's listing fields and derived figures onto its course (in memory; the caller saves)."""
    for name in LISTING_FIELDS:
        setattr(course, name, getattr(revision, name))
    course.current_price = revision.price_at(now)
    course.content_seconds = figures.content_seconds
    course.module_count = figures.module_count
    course.lecture_count = figures.lecture_count
    course.has_downloadable_resources = figures.has_downloadable_resources
    course.published_revision = revision
    course.published_at = course.published_at or now
    course.status = CourseStatus.PUBLISHED


@transaction.atomic
def revision_approve_apply(*, revision: CourseRevision, actor: User | None = None) -> Course:
    """Make a revision in review the one learners see: approve it, supersede the one before, copy its
    listing and figures onto the course and publish the course. Publishing decides *whether*; this
    only does it."""
    course = Course.objects.select_for_update().get(pk=revision.course_id)
    revision = CourseRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.IN_REVIEW:
        raise ServiceError(_("Only a revision in review can be approved."), code="revision_not_in_review")
    if course.status == CourseStatus.BLOCKED:
        raise ServiceError(_("The course is blocked."), code="course_blocked")
    now = timezone.now()
    previous_id = course.published_revision_id
    CourseRevision.objects.filter(course=course, status=RevisionStatus.APPROVED).update(
        status=RevisionStatus.SUPERSEDED, updated_at=now
    )
    figures = revision_figures_compute(revision)
    modules = list(Module.objects.filter(revision=revision))
    for module in modules:
        module.duration_seconds = figures.module_seconds[module.pk]
    Module.objects.bulk_update(modules, ["duration_seconds"])
    revision.status, revision.approved_at = RevisionStatus.APPROVED, now
    revision.save(update_fields=["status", "approved_at", "updated_at"])
    first_time = course.published_at is None
    course_listing_apply(course, revision, figures, now)
    course.save()
    audit_record(actor=actor, action="catalog.revision_approved", target=course, revision=revision.number)
    transaction.on_commit(catalog_pages_expire)
    if first_time:
        send_on_commit(events.course_published, course_id=course.pk, revision_id=revision.pk)
    else:
        send_on_commit(
            events.course_revision_approved,
            course_id=course.pk,
            revision_id=revision.pk,
            previous_revision_id=previous_id,
        )
    return course


@transaction.atomic
def revision_draft_open(*, course: Course, actor: User) -> CourseRevision:
    """The course's draft revision: the open draft if there is one, else a new draft copied from the
    latest revision (approved or rejected) with the same module, lecture, question and resource keys.
    Refused while a revision is in review. Who may edit is the caller's check."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    # Revisions are numbered in order and at most one is open, so the open one is always the latest.
    source = CourseRevision.objects.filter(course=course).order_by("-number").first()
    if source is None:
        raise ServiceError(_("The course has no revision."), code="revision_missing")
    if source.status == RevisionStatus.DRAFT:
        return source
    if source.status == RevisionStatus.IN_REVIEW:
        raise ServiceError(_("A revision of this course is in review."), code="revision_in_review")
    draft = _copy(
        source,
        number=source.number + 1,
        status=RevisionStatus.DRAFT,
        created_by=actor,
        created_at=timezone.now(),
        changelog="",
        approved_at=None,
    )
    draft.requirements, draft.learning_outcomes = list(source.requirements), list(source.learning_outcomes)
    draft.save()
    draft.skills.set(source.skills.all())
    _content_copy(source, draft)
    audit_record(actor=actor, action="catalog.revision_drafted", target=course, revision=draft.number)
    return draft


def _content_copy(source: CourseRevision, target: CourseRevision) -> None:
    """Copy modules, lectures, resources, questions and options, keys included, in a fixed number of queries."""
    modules = list(Module.objects.filter(revision=source))
    new_modules = Module.objects.bulk_create(_copy(module, revision=target) for module in modules)
    module_map = {old.pk: new for old, new in zip(modules, new_modules, strict=True)}
    lectures = list(Lecture.objects.filter(module__revision=source))
    new_lectures = Lecture.objects.bulk_create(
        _copy(lecture, module=module_map[lecture.module_id]) for lecture in lectures
    )
    lecture_map = {old.pk: new for old, new in zip(lectures, new_lectures, strict=True)}
    Resource.objects.bulk_create(
        _copy(resource, lecture=lecture_map[resource.lecture_id])
        for resource in Resource.objects.filter(lecture__module__revision=source)
    )
    questions = list(Question.objects.filter(lecture__module__revision=source))
    new_questions = Question.objects.bulk_create(
        _copy(question, lecture=lecture_map[question.lecture_id]) for question in questions
    )
    question_map = {old.pk: new for old, new in zip(questions, new_questions, strict=True)}
    Option.objects.bulk_create(
        _copy(option, question=question_map[option.question_id])
        for option in Option.objects.filter(question__lecture__module__revision=source)
    )


def _copy[M: Model](instance: M, **changes: object) -> M:
    """An unsaved copy of a row (every concrete field but the primary key), with `changes` applied."""
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
    values.pop(instance._meta.pk.attname)  # type: ignore[union-attr]
    copy = type(instance)(**values)
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


def course_discounts_end(*, now: datetime.datetime) -> int:
    """Put the list price back as the current price of courses whose discount has ended."""
    changed = (
        Course.objects.filter(discount_ends_at__lte=now)
        .exclude(current_price=F("price"))
        .update(current_price=F("price"), updated_at=now)
    )
    if changed:
        transaction.on_commit(catalog_pages_expire)
    return changed


def wishlist_add(*, user: User, course: Course) -> tuple[WishlistItem, bool]:
    """Add a published course to the user's wishlist (and whether it was added now); adding it again
    changes nothing."""
    if course.status != CourseStatus.PUBLISHED:
        raise NotFound(_("No such course."), code="not_found")
    try:
        with transaction.atomic():
            return WishlistItem.objects.get_or_create(user=user, course=course)
    except IntegrityError:  # the same user adding the same course twice at once
        return WishlistItem.objects.get(user=user, course=course), False


def wishlist_remove(*, user: User, course_id: int) -> bool:
    """Take a course off the user's own wishlist; False if it was not there."""
    deleted, _by_model = WishlistItem.objects.filter(user=user, course_id=course_id).delete()
    return deleted > 0
