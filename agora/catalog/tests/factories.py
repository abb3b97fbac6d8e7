"""Courses for tests, built through the services (create → content → review → approve), and a bulk
builder for catalogs of thousands."""

import datetime
import uuid
from collections.abc import Sequence

import factory
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.catalog import services
from agora.catalog.models import (
    Category,
    Course,
    CourseMember,
    CourseRevision,
    CourseStatus,
    Lecture,
    LectureKind,
    MemberRole,
    Module,
    RevisionStatus,
)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


# A curriculum: modules, each a list of (kind, seconds, free preview).
DEFAULT_CURRICULUM = [
    [(LectureKind.VIDEO, 600, True), (LectureKind.VIDEO, 300, False)],
    [(LectureKind.QUIZ, 180, False)],
]


def course_draft(
    *,
    author: User | None = None,
    title: str = "Python for Beginners",
    curriculum: Sequence[Sequence[tuple[str, int, bool]]] = DEFAULT_CURRICULUM,
    **listing: object,
) -> Course:
    """A draft course whose first revision has `listing` and `curriculum`."""
    author = author or UserFactory()
    course = services.course_create(actor=author, title=title)
    revision = course.revisions.get()
    for name, value in listing.items():
        setattr(revision, name, value)
    revision.save()
    for module_position, lectures in enumerate(curriculum):
        module = Module.objects.create(
            revision=revision, title=f"Module {module_position + 1}", position=module_position
        )
        for position, (kind, seconds, preview) in enumerate(lectures):
            Lecture.objects.create(
                module=module,
                title=f"Lecture {module_position + 1}.{position + 1}",
                position=position,
                kind=kind,
                duration_seconds=seconds,
                is_free_preview=preview,
            )
    return course


def course_published(**kwargs: object) -> Course:
    """A published course, through the same services publishing uses."""
    course = course_draft(**kwargs)  # type: ignore[arg-type]
    revision = course.revisions.get()
    revision_submit(revision)
    return services.revision_approve_apply(revision=revision)


def revision_submit(revision: CourseRevision) -> None:
    """What publishing's submit will do (part 2): the revision goes to review."""
    CourseRevision.objects.filter(pk=revision.pk).update(status=RevisionStatus.IN_REVIEW)
    revision.status = RevisionStatus.IN_REVIEW


def courses_bulk(
    count: int, *, author: User, category: Category | None = None, now: datetime.datetime | None = None
) -> None:
    """`count` published courses (no curriculum) in a handful of statements: for pinning query counts
    against big catalogs. Figures vary, with many ties, so that every sort and filter has work to do."""
    now = now or timezone.now()
    batch = uuid.uuid4().hex[:8]
    courses = Course.objects.bulk_create(
        Course(
            slug=f"bulk-{batch}-{number}",
            title=f"Bulk course {number}",
            created_by=author,
            category=category,
            price=(number % 6) * 500,
            current_price=(number % 6) * 500,
            level=["beginner", "intermediate", "advanced", "all"][number % 4],
            language=["en", "ru"][number % 2],
            content_seconds=(number % 30) * 1800,
            student_count=(number * 7) % 13,
            rating_average=300 + (number % 5) * 50,
            rating_count=number % 3,
            gives_certificate=number % 3 == 0,
        )
        for number in range(count)
    )
    CourseRevision.objects.bulk_create(
        CourseRevision(
            course=course,
            number=1,
            status=RevisionStatus.APPROVED,
            title=course.title,
            created_by=author,
            approved_at=now,
        )
        for course in courses
    )
    CourseMember.objects.bulk_create(
        CourseMember(course=course, user=author, role=MemberRole.ADMIN, revenue_share_bp=10_000) for course in courses
    )
    first_revision = CourseRevision.objects.filter(course=OuterRef("pk")).values("pk")[:1]
    Course.objects.filter(pk__in=[course.pk for course in courses]).update(
        status=CourseStatus.PUBLISHED, published_revision_id=Subquery(first_revision), published_at=now
    )
