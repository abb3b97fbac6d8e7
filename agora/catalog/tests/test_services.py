import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agora.accounts.tests.factories import UserFactory
from agora.catalog import events, services
from agora.catalog.models import (
    Course,
    CourseMember,
    CourseRevision,
    CourseStatus,
    Lecture,
    LectureKind,
    MemberRole,
    Module,
    Option,
    Question,
    Resource,
    RevisionStatus,
)
from agora.catalog.services import TeamMember
from agora.catalog.tests.factories import CategoryFactory, course_draft, course_published, revision_submit
from agora.core.errors import ServiceError
from agora.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _received(signal):
    calls = []

    def receiver(sender, signal, **payload):
        calls.append(payload)

    signal.connect(receiver, weak=False)
    return calls, lambda: signal.disconnect(receiver)


@pytest.mark.parametrize(("words", "seconds"), [(0, 0), (1, 60), (200, 60), (201, 120), (1000, 300)])
def test_text_lecture_length_is_estimated_from_its_words(words, seconds):
    assert services.text_duration_estimate(" ".join(["word"] * words)) == seconds


def test_course_create_makes_a_draft_with_its_first_revision_and_the_creator_as_admin():
    author = UserFactory()

    course = services.course_create(actor=author, title="  Django с нуля  ")

    assert (course.status, course.slug, course.title, course.created_by) == (
        "draft",
        "django-s-nulya",
        "Django с нуля",
        author,
    )
    assert list(course.members.values_list("user_id", "role", "revenue_share_bp")) == [(author.pk, "admin", 10_000)]
    assert list(course.revisions.values_list("number", "status", "title")) == [(1, "draft", "Django с нуля")]
    assert AuditEntry.objects.filter(action="catalog.course_created", target_id=str(course.pk)).count() == 1


def test_course_slugs_stay_unique():
    first = services.course_create(actor=UserFactory(), title="Rust")
    second = services.course_create(actor=UserFactory(), title="Rust!")
    third = services.course_create(actor=UserFactory(), title="rust")

    assert [first.slug, second.slug, third.slug] == ["rust", "rust-2", "rust-3"]


def test_a_course_needs_a_title():
    with pytest.raises(ServiceError) as refusal:
        services.course_create(actor=UserFactory(), title="   ")

    assert refusal.value.code == "title_required"
    assert not Course.objects.exists()


def test_team_shares_are_set_when_they_add_up_to_the_whole():
    course = course_draft()
    admin = course.created_by
    co_author = UserFactory()

    services.course_team_set(
        course=course,
        members=[TeamMember(admin, MemberRole.ADMIN, 7_000), TeamMember(co_author, MemberRole.CO_AUTHOR, 3_000)],
        actor=admin,
    )

    team = list(course.members.values_list("user_id", "role", "revenue_share_bp", "position"))
    assert team == [(admin.pk, "admin", 7_000, 0), (co_author.pk, "co_author", 3_000, 1)]


@pytest.mark.parametrize(
    ("shares", "roles", "code"),
    [
        ((7_000, 2_000), ("admin", "co_author"), "team_shares_total"),
        ((7_000, 4_000), ("admin", "co_author"), "team_shares_total"),
        ((5_000, 5_000), ("co_author", "co_author"), "team_no_admin"),
        ((11_000, -1_000), ("admin", "co_author"), "team_share_range"),
    ],
)
def test_a_team_whose_shares_do_not_add_up_is_refused_and_nothing_changes(shares, roles, code):
    course = course_draft()
    admin, other = course.created_by, UserFactory()

    with pytest.raises(ServiceError) as refusal:
        services.course_team_set(
            course=course,
            members=[TeamMember(admin, roles[0], shares[0]), TeamMember(other, roles[1], shares[1])],
            actor=admin,
        )

    assert refusal.value.code == code
    assert list(course.members.values_list("user_id", "revenue_share_bp")) == [(admin.pk, 10_000)]


def test_the_same_person_twice_on_a_team_is_refused():
    course = course_draft()
    admin = course.created_by

    with pytest.raises(ServiceError) as refusal:
        services.course_team_set(
            course=course,
            members=[TeamMember(admin, "admin", 5_000), TeamMember(admin, "co_author", 5_000)],
            actor=admin,
        )
    assert refusal.value.code == "team_duplicate"


def test_the_database_refuses_shares_that_do_not_add_up_at_commit():
    course = course_draft()

    with pytest.raises(IntegrityError, match="add up to 9000"), transaction.atomic():
        CourseMember.objects.filter(course=course).update(revenue_share_bp=9_000)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS course_team_valid IMMEDIATE")


def test_the_database_refuses_a_team_without_an_admin_at_commit():
    course = course_draft()

    with pytest.raises(IntegrityError, match="no course admin"), transaction.atomic():
        CourseMember.objects.filter(course=course).update(role=MemberRole.CO_AUTHOR)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS course_team_valid IMMEDIATE")


def test_the_database_accepts_a_team_that_adds_up():
    course = course_draft()
    CourseMember.objects.filter(course=course).update(revenue_share_bp=6_000)
    CourseMember.objects.create(course=course, user=UserFactory(), role="co_author", revenue_share_bp=4_000)

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS course_team_valid IMMEDIATE")  # checks now: no error


def _curriculum(revision):
    intro = Module.objects.create(revision=revision, title="Intro", position=0)
    deep = Module.objects.create(revision=revision, title="Deep", position=1)
    Module.objects.create(revision=revision, title="Empty", position=2)
    Lecture.objects.create(module=intro, title="Welcome", position=0, kind="video", duration_seconds=125)
    reading = Lecture.objects.create(module=intro, title="Read", position=1, kind="text", duration_seconds=240)
    quiz = Lecture.objects.create(module=deep, title="Check", position=0, kind="quiz", duration_seconds=180)
    Resource.objects.create(lecture=reading, title="Sheet", file="resources/sheet.pdf")
    question = Question.objects.create(lecture=quiz, text="2 + 2?", position=0)
    Option.objects.create(question=question, text="4", is_correct=True, position=0)
    Option.objects.create(question=question, text="5", position=1)
    return intro, deep


def test_figures_are_derived_from_the_modules_and_lectures():
    course = services.course_create(actor=UserFactory(), title="Figures")
    revision = course.revisions.get()
    intro, deep = _curriculum(revision)

    figures = services.revision_figures_compute(revision)

    assert (figures.content_seconds, figures.module_count, figures.lecture_count) == (545, 3, 3)
    assert figures.has_downloadable_resources is True
    assert figures.module_seconds[intro.pk] == 365 and figures.module_seconds[deep.pk] == 180


def test_approving_the_first_revision_publishes_the_course_with_its_listing_and_figures(
    django_capture_on_commit_callbacks,
):
    category = CategoryFactory()
    ends = timezone.now() + datetime.timedelta(days=3)
    course = services.course_create(actor=UserFactory(), title="Draft title")
    revision = course.revisions.get()
    revision.title, revision.subtitle, revision.category, revision.level = "Final", "Sub", category, "advanced"
    revision.price, revision.discount_price, revision.discount_ends_at = 4999, 1999, ends
    revision.gives_certificate, revision.access_days, revision.language = True, 365, "ru"
    revision.save()
    intro, _deep = _curriculum(revision)
    revision_submit(revision)
    published, stop = _received(events.course_published)

    with django_capture_on_commit_callbacks(execute=True):
        course = services.revision_approve_apply(revision=revision)
    stop()

    course.refresh_from_db()
    revision.refresh_from_db()
    assert (course.status, course.published_revision_id, revision.status) == ("published", revision.pk, "approved")
    assert (course.title, course.subtitle, course.category, course.level, course.language) == (
        "Final", "Sub", category, "advanced", "ru"
    )  # fmt: skip
    assert (course.price, course.discount_price, course.discount_ends_at, course.current_price) == (
        4999,
        1999,
        ends,
        1999,
    )
    assert (course.gives_certificate, course.access_days) == (True, 365)
    assert (course.content_seconds, course.module_count, course.lecture_count) == (545, 3, 3)
    assert course.has_downloadable_resources is True
    assert course.published_at == revision.approved_at is not None
    assert Module.objects.get(pk=intro.pk).duration_seconds == 365
    assert published == [{"course_id": course.pk, "revision_id": revision.pk}]


@pytest.mark.parametrize("status", [RevisionStatus.DRAFT, RevisionStatus.APPROVED, RevisionStatus.REJECTED])
def test_only_a_revision_in_review_is_approved(status):
    course = course_draft()
    revision = course.revisions.get()
    CourseRevision.objects.filter(pk=revision.pk).update(status=status)

    with pytest.raises(ServiceError) as refusal:
        services.revision_approve_apply(revision=revision)

    assert refusal.value.code == "revision_not_in_review"
    course.refresh_from_db()
    assert (course.status, course.published_revision_id) == ("draft", None)


def test_a_blocked_course_gets_no_revision_approved():
    course = course_published()
    draft = services.revision_draft_open(course=course, actor=course.created_by)
    revision_submit(draft)
    Course.objects.filter(pk=course.pk).update(status=CourseStatus.BLOCKED)

    with pytest.raises(ServiceError) as refusal:
        services.revision_approve_apply(revision=draft)

    assert refusal.value.code == "course_blocked"
    draft.refresh_from_db()
    assert draft.status == "in_review"


def test_a_new_draft_copies_the_approved_content_with_the_same_keys():
    course = services.course_create(actor=UserFactory(), title="Keys")
    first = course.revisions.get()
    first.requirements, first.learning_outcomes, first.description = ["A laptop"], ["Ship"], "**Hi**"
    first.save()
    _curriculum(first)
    revision_submit(first)
    services.revision_approve_apply(revision=first)
    course.refresh_from_db()

    draft = services.revision_draft_open(course=course, actor=course.created_by)

    assert (draft.number, draft.status, draft.title, draft.description) == (2, "draft", "Keys", "**Hi**")
    assert (draft.requirements, draft.learning_outcomes) == (["A laptop"], ["Ship"])

    def content(revision):
        lectures = Lecture.objects.filter(module__revision=revision).order_by("module__position", "position")
        return {
            "modules": list(revision.modules.order_by("position").values_list("key", "title", "position")),
            "lectures": [
                (lecture.key, lecture.module.key, lecture.title, lecture.duration_seconds) for lecture in lectures
            ],
            "questions": list(Question.objects.filter(lecture__module__revision=revision).values_list("key", "text")),
            "options": list(
                Option.objects.filter(question__lecture__module__revision=revision).values_list("text", "is_correct")
            ),
            "resources": list(Resource.objects.filter(lecture__module__revision=revision).values_list("title", "file")),
        }

    assert content(draft) == content(first)
    assert set(draft.modules.values_list("pk", flat=True)).isdisjoint(first.modules.values_list("pk", flat=True))


def test_editing_the_draft_leaves_the_approved_revision_as_learners_see_it():
    course = course_published()
    approved = course.published_revision
    draft = services.revision_draft_open(course=course, actor=course.created_by)

    Lecture.objects.filter(module__revision=draft).update(title="Changed")
    draft.title = "New title"
    draft.save()

    course.refresh_from_db()
    assert course.title == "Python for Beginners" and course.published_revision == approved
    assert not Lecture.objects.filter(module__revision=approved, title="Changed").exists()


def test_asking_for_a_draft_twice_gives_the_same_draft():
    course = course_published()

    first = services.revision_draft_open(course=course, actor=course.created_by)
    second = services.revision_draft_open(course=course, actor=course.created_by)

    assert first.pk == second.pk
    assert course.revisions.count() == 2


def test_no_new_draft_while_a_revision_is_in_review():
    course = course_published()
    draft = services.revision_draft_open(course=course, actor=course.created_by)
    revision_submit(draft)

    with pytest.raises(ServiceError) as in_review:
        services.revision_draft_open(course=course, actor=course.created_by)

    assert in_review.value.code == "revision_in_review"
    assert course.revisions.count() == 2


def test_a_course_never_submitted_is_edited_in_its_first_revision():
    course = course_draft()

    draft = services.revision_draft_open(course=course, actor=course.created_by)

    assert (draft.pk, draft.number, draft.status) == (course.revisions.get().pk, 1, "draft")


def test_after_a_rejection_the_next_draft_copies_the_rejected_revision():
    course = course_draft(title="Rejected once")
    rejected = course.revisions.get()
    rejected.description = "Fixed soon"
    rejected.save()
    course.revisions.update(status=RevisionStatus.REJECTED)

    draft = services.revision_draft_open(course=course, actor=course.created_by)

    assert (draft.number, draft.status, draft.title, draft.description) == (2, "draft", "Rejected once", "Fixed soon")
    assert list(Lecture.objects.filter(module__revision=draft).order_by("key").values_list("key", "title")) == list(
        Lecture.objects.filter(module__revision=rejected).order_by("key").values_list("key", "title")
    )
    rejected.refresh_from_db()
    assert rejected.status == "rejected"


def test_approving_the_next_revision_supersedes_the_previous_one(django_capture_on_commit_callbacks):
    course = course_published()
    first = course.published_revision
    first_published_at = course.published_at
    draft = services.revision_draft_open(course=course, actor=course.created_by)
    draft.title, draft.price = "Python, second edition", 2900
    draft.save()
    module = draft.modules.order_by("position").first()
    Lecture.objects.create(module=module, title="New", position=9, kind=LectureKind.VIDEO, duration_seconds=60)
    revision_submit(draft)
    approved, stop = _received(events.course_revision_approved)

    with django_capture_on_commit_callbacks(execute=True):
        services.revision_approve_apply(revision=draft)
    stop()

    course.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, course.published_revision_id, course.title, course.price) == (
        "superseded", draft.pk, "Python, second edition", 2900
    )  # fmt: skip
    assert (course.lecture_count, course.content_seconds) == (4, 1140)
    assert course.published_at == first_published_at  # "newest" means first published
    assert approved == [{"course_id": course.pk, "revision_id": draft.pk, "previous_revision_id": first.pk}]
    assert CourseRevision.objects.filter(course=course, status="approved").count() == 1


def test_ended_discounts_give_back_the_list_price():
    now = timezone.now()
    ended = course_published(price=5000, discount_price=1000, discount_ends_at=now + datetime.timedelta(hours=1))
    running = course_published(price=5000, discount_price=2000, discount_ends_at=now + datetime.timedelta(days=5))

    changed = services.course_discounts_end(now=now + datetime.timedelta(hours=2))

    ended.refresh_from_db()
    running.refresh_from_db()
    assert (changed, ended.current_price, running.current_price) == (1, 5000, 2000)
    assert ended.price_at(now + datetime.timedelta(hours=2)) == 5000


@pytest.mark.parametrize(
    "change",
    [
        {"status": CourseStatus.PUBLISHED},  # published without an approved revision
        {"price": 1000, "discount_price": 1000},  # a discount is below the price
        {"current_price": 123},  # the current price is one of the prices
        {"rating_average": 501},
        {"commission_rate_bp": 10_001},
        {"access_days": 0},
    ],
)
def test_the_database_refuses_impossible_courses(change):
    course = course_draft()

    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.filter(pk=course.pk).update(**change)


def test_one_approved_and_one_open_revision_per_course_at_most():
    course = course_published()
    draft = services.revision_draft_open(course=course, actor=course.created_by)

    with pytest.raises(IntegrityError), transaction.atomic():
        CourseRevision.objects.filter(pk=draft.pk).update(status="approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseRevision.objects.create(course=course, number=3, title="x", created_by=course.created_by)


def test_the_periodic_job_ends_discounts():
    from agora.catalog.tasks import end_discounts_task

    now = timezone.now()
    course = course_published(price=5000, discount_price=1000, discount_ends_at=now + datetime.timedelta(minutes=5))

    end_discounts_task(timestamp=int((now + datetime.timedelta(minutes=6)).timestamp()))

    course.refresh_from_db()
    assert course.current_price == 5000
