"""Authoring services: the course team edits the draft revision; everyone else, and every edit while a
revision is in review, is refused with nothing changed. Course fields, covers and the team."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from agora.accounts.models import UserStatus
from agora.accounts.tests.factories import UserFactory
from agora.catalog import services
from agora.catalog import services_authoring as authoring
from agora.catalog.models import (
    CourseMember,
    CourseRevision,
    Lecture,
    MemberRole,
    Module,
    Option,
    Question,
    Resource,
    Skill,
    SkillArea,
)
from agora.catalog.services import TeamMember
from agora.catalog.tests.factories import CategoryFactory, course_draft, course_published, revision_submit
from agora.catalog.tests.media_samples import image_bytes, upload
from agora.core.errors import ServiceError
from agora.core.models import AuditEntry

pytestmark = pytest.mark.django_db
TOMORROW = timezone.now() + datetime.timedelta(days=1)
PAST = timezone.now() - datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _refused(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    return caught.value


def _snapshot(course):
    """Everything an edit could change, to show that a refused one changed nothing."""
    return (
        list(CourseRevision.objects.filter(course=course).order_by("number").values()),
        list(Module.objects.filter(revision__course=course).order_by("pk").values()),
        list(Lecture.objects.filter(module__revision__course=course).order_by("pk").values()),
        list(CourseMember.objects.filter(course=course).order_by("pk").values()),
    )


# Opening the draft


def test_the_team_edits_the_first_revision_of_a_course_never_submitted():
    course = course_draft()
    co_author = UserFactory()
    CourseMember.objects.create(course=course, user=co_author, role=MemberRole.CO_AUTHOR, revenue_share_bp=0)

    draft = authoring.revision_for_edit(course=course, actor=co_author)

    assert (draft.number, draft.status) == (1, "draft")
    assert course.revisions.count() == 1


@pytest.mark.parametrize("who", ["learner", "staff"])
def test_someone_not_on_the_team_is_told_there_is_no_such_course(who):
    course = course_published()
    outsider = UserFactory(is_staff=who == "staff", is_superuser=who == "staff")
    before = _snapshot(course)

    error = _refused(authoring.revision_for_edit, course=course, actor=outsider)

    assert (error.code, error.status) == ("not_found", 404)
    assert _snapshot(course) == before


def test_editing_a_published_course_opens_a_draft_copied_with_the_same_keys():
    course = course_published()
    approved = course.published_revision
    lecture = Lecture.objects.filter(module__revision=approved).first()
    Resource.objects.create(lecture=lecture, title="Sheet", file="resources/sheet.pdf")
    question = Question.objects.create(lecture=lecture, text="Why?", position=0)
    Option.objects.create(question=question, text="Because", is_correct=True)

    draft = authoring.revision_for_edit(course=course, actor=course.created_by)
    again = authoring.revision_for_edit(course=course, actor=course.created_by)

    assert (draft.number, draft.status, again.pk) == (2, "draft", draft.pk)

    def keys(revision):
        return (
            sorted(Module.objects.filter(revision=revision).values_list("key", flat=True)),
            sorted(Lecture.objects.filter(module__revision=revision).values_list("key", flat=True)),
            sorted(Question.objects.filter(lecture__module__revision=revision).values_list("key", flat=True)),
            sorted(Resource.objects.filter(lecture__module__revision=revision).values_list("key", flat=True)),
        )

    assert keys(draft) == keys(approved)
    assert all(keys(draft))
    assert AuditEntry.objects.filter(action="catalog.revision_drafted", target_id=str(course.pk)).count() == 1


def test_nothing_is_edited_while_a_revision_is_in_review():
    course = course_draft()
    revision_submit(course.revisions.get())
    module = Module.objects.filter(revision__course=course).first()
    before = _snapshot(course)

    errors = [
        _refused(authoring.revision_for_edit, course=course, actor=course.created_by),
        _refused(authoring.revision_details_update, course=course, actor=course.created_by, data={"title": "New"}),
        _refused(authoring.module_rename, module=module, actor=course.created_by, title="New"),
        _refused(authoring.module_add, course=course, actor=course.created_by, title="New"),
    ]

    assert {error.code for error in errors} == {"revision_in_review"}
    assert _snapshot(course) == before


# Course fields


@pytest.fixture
def taxonomy():
    parent = CategoryFactory(name="Development")
    leaf = CategoryFactory(name="Web", parent=parent)
    area = SkillArea.objects.create(name="Front-end", slug="front-end")
    skills = [Skill.objects.create(area=area, name=name, slug=name.lower()) for name in ("React", "CSS")]
    return {"parent": parent, "leaf": leaf, "skills": skills}


def test_every_course_field_of_the_draft_is_changed(taxonomy):
    course = course_draft()
    ends = timezone.now() + datetime.timedelta(days=5)

    draft = authoring.revision_details_update(
        course=course,
        actor=course.created_by,
        data={
            "title": "  React, properly  ",
            "subtitle": "Hooks and all",
            "description": "## Why\n\nBecause.",
            "category_id": taxonomy["leaf"].pk,
            "skill_ids": [skill.pk for skill in taxonomy["skills"]],
            "level": "advanced",
            "language": "de",
            "kind": "cohort",
            "requirements": ["A laptop", "  ", " JavaScript "],
            "learning_outcomes": ["Ship an app"],
            "price": 4900,
            "discount_price": 1900,
            "discount_ends_at": ends,
            "gives_certificate": True,
            "access_days": 365,
        },
    )

    draft = CourseRevision.objects.get(pk=draft.pk)
    assert (draft.title, draft.subtitle, draft.description) == (
        "React, properly",
        "Hooks and all",
        "## Why\n\nBecause.",
    )
    assert (draft.category_id, draft.level, draft.language, draft.kind) == (
        taxonomy["leaf"].pk, "advanced", "de", "cohort"
    )  # fmt: skip
    assert (draft.requirements, draft.learning_outcomes) == (["A laptop", "JavaScript"], ["Ship an app"])
    assert (draft.price, draft.discount_price, draft.discount_ends_at) == (4900, 1900, ends)
    assert (draft.gives_certificate, draft.access_days) == (True, 365)
    assert sorted(draft.skills.values_list("name", flat=True)) == ["CSS", "React"]
    course.refresh_from_db()
    assert course.title == "Python for Beginners"  # the listing changes only when a revision is approved
    entry = AuditEntry.objects.get(action="catalog.revision_details_updated")
    assert entry.data["fields"][:3] == ["access_days", "category_id", "description"]


def test_a_field_left_out_keeps_its_value():
    course = course_draft(price=2500, subtitle="Kept")

    draft = authoring.revision_details_update(course=course, actor=course.created_by, data={"title": "Renamed"})

    draft.refresh_from_db()
    assert (draft.title, draft.subtitle, draft.price) == ("Renamed", "Kept", 2500)


def test_editing_a_published_course_changes_the_new_draft_only():
    course = course_published()
    approved = course.published_revision

    draft = authoring.revision_details_update(course=course, actor=course.created_by, data={"price": 9900})

    approved.refresh_from_db()
    assert (draft.number, draft.price, approved.price, approved.status) == (2, 9900, 0, "approved")


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"title": "   "}, "required", "title"),
        ({"title": "x" * 121}, "too_long", "title"),
        ({"price": 1000, "discount_price": 1000}, "discount_not_below_price", "discount_price"),
        ({"price": 0, "discount_price": 0}, "discount_not_below_price", "discount_price"),
        ({"price": -1}, "out_of_range", "price"),
        ({"price": 1000, "discount_ends_at": TOMORROW}, "discount_end_without_discount", "discount_ends_at"),
        ({"price": 1000, "discount_price": 500, "discount_ends_at": PAST}, "discount_end_past", "discount_ends_at"),
        ({"access_days": 0}, "out_of_range", "access_days"),
        ({"level": "expert"}, "invalid_choice", "level"),
        ({"language": "xx"}, "invalid_choice", "language"),
        ({"kind": "live"}, "invalid_choice", "kind"),
        ({"requirements": [f"Item {number}" for number in range(21)]}, "too_many", "requirements"),
        ({"learning_outcomes": ["x" * 161]}, "too_long", "learning_outcomes"),
        ({"skill_ids": [999_999]}, "invalid_choice", "skill_ids"),
        ({"category_id": 999_999}, "invalid_choice", "category_id"),
        ({"slug": "taken"}, "invalid_field", None),
    ],
)  # fmt: skip
def test_bad_course_fields_are_refused_and_nothing_changes(data, code, field):
    course = course_draft()
    before = _snapshot(course)

    error = _refused(authoring.revision_details_update, course=course, actor=course.created_by, data=data)

    assert (error.code, error.field) == (code, field)
    assert _snapshot(course) == before


def test_a_course_goes_in_a_category_without_subcategories(taxonomy):
    course = course_draft()

    error = _refused(
        authoring.revision_details_update,
        course=course,
        actor=course.created_by,
        data={"category_id": taxonomy["parent"].pk},
    )

    assert (error.code, error.field) == ("category_not_leaf", "category_id")


def test_a_past_discount_end_may_stay_while_other_fields_change():
    course = course_draft(price=3000, discount_price=1000, discount_ends_at=timezone.now() + datetime.timedelta(days=1))
    CourseRevision.objects.filter(course=course).update(discount_ends_at=timezone.now() - datetime.timedelta(days=1))
    revision = course.revisions.get()

    draft = authoring.revision_details_update(
        course=course, actor=course.created_by, data={"title": "Still", "discount_ends_at": revision.discount_ends_at}
    )

    assert draft.title == "Still"


# Cover


def test_a_cover_is_checked_stored_and_replaced(django_capture_on_commit_callbacks):
    course = course_draft()

    with django_capture_on_commit_callbacks(execute=True):
        first = authoring.revision_cover_set(
            course=course, actor=course.created_by, file=upload("me.png", image_bytes("PNG"))
        ).cover.name
    with django_capture_on_commit_callbacks(execute=True):
        second = authoring.revision_cover_set(
            course=course, actor=course.created_by, file=upload("me.jpg", image_bytes("JPEG"))
        ).cover.name

    assert first.startswith("covers/") and second.startswith("covers/") and first != second
    assert default_storage.exists(second) and not default_storage.exists(first)
    assert course.revisions.get().cover.name == second


def test_a_cover_the_approved_revision_shows_is_kept_when_the_draft_drops_it(django_capture_on_commit_callbacks):
    course = course_draft()
    cover = authoring.revision_cover_set(
        course=course, actor=course.created_by, file=upload("me.png", image_bytes("PNG"))
    ).cover.name
    revision_submit(course.revisions.get())
    services.revision_approve_apply(revision=course.revisions.get())

    with django_capture_on_commit_callbacks(execute=True):
        draft = authoring.revision_cover_remove(course=course, actor=course.created_by)

    assert (draft.number, draft.cover.name) == (2, "")
    assert default_storage.exists(cover)


def test_a_file_that_is_not_an_image_is_refused_as_a_cover():
    course = course_draft()

    error = _refused(
        authoring.revision_cover_set, course=course, actor=course.created_by, file=upload("x.png", b"<svg onload=1>")
    )

    assert (error.code, error.field) == ("upload_wrong_type", "file")
    assert course.revisions.get().cover.name == ""


# Team


@pytest.fixture
def team():
    course = course_draft()
    admin = course.created_by
    co_author = UserFactory(email="grace@example.com")
    CourseMember.objects.create(course=course, user=co_author, role=MemberRole.CO_AUTHOR, revenue_share_bp=0)
    return course, admin, co_author


def test_a_course_admin_adds_someone_by_e_mail_who_is_told(team, mail_outbox_flush):
    course, admin, _co_author = team
    newcomer = UserFactory(email="Ada@Example.com", display_name="Ada")

    member = authoring.course_member_add(course=course, actor=admin, email=" ada@example.COM ", role=MemberRole.ADMIN)

    assert (member.user, member.role, member.revenue_share_bp) == (newcomer, "admin", 0)
    sent = mail_outbox_flush()
    assert [message.to for message in sent] == ["Ada@Example.com"]
    assert "Python for Beginners" in sent[0].subject
    assert f"/studio/courses/{course.pk}/edit/" in sent[0].text


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("nobody@example.com", "user_not_found"),
        ("pending@example.com", "user_not_found"),
        ("grace@example.com", "member_exists"),
    ],
)
def test_adding_someone_without_an_active_account_or_already_there_is_refused(team, email, code):
    course, admin, _co_author = team
    UserFactory(email="pending@example.com", status=UserStatus.PENDING)
    before = _snapshot(course)

    error = _refused(authoring.course_member_add, course=course, actor=admin, email=email)

    assert (error.code, error.field) == (code, "email")
    assert _snapshot(course) == before


def test_co_authors_see_the_team_but_cannot_change_it(team):
    course, admin, co_author = team
    before = _snapshot(course)

    errors = [
        _refused(authoring.course_member_add, course=course, actor=co_author, email=UserFactory().email),
        _refused(authoring.course_member_remove, course=course, actor=co_author, user_id=admin.pk),
        _refused(
            authoring.course_team_update,
            course=course,
            actor=co_author,
            members=[TeamMember(admin, MemberRole.ADMIN, 0), TeamMember(co_author, MemberRole.ADMIN, 10_000)],
        ),
    ]

    assert {(error.code, error.status) for error in errors} == {("course_admin_only", 403)}
    assert _snapshot(course) == before


def test_roles_and_shares_are_changed_together(team):
    course, admin, co_author = team

    authoring.course_team_update(
        course=course,
        actor=admin,
        members=[TeamMember(co_author, MemberRole.ADMIN, 2500), TeamMember(admin, MemberRole.CO_AUTHOR, 7500)],
    )

    team_now = list(
        CourseMember.objects.filter(course=course).order_by("position").values_list("user", "role", "revenue_share_bp")
    )
    assert team_now == [(admin.pk, "co_author", 7500), (co_author.pk, "admin", 2500)]


@pytest.mark.parametrize(
    ("shares", "roles", "code"),
    [
        ((6000, 3000), ("admin", "co_author"), "team_shares_total"),
        ((10_000, 0), ("co_author", "co_author"), "team_no_admin"),
    ],
)
def test_a_team_not_adding_up_or_without_an_admin_is_refused(team, shares, roles, code):
    course, admin, co_author = team
    before = _snapshot(course)

    error = _refused(
        authoring.course_team_update,
        course=course,
        actor=admin,
        members=[TeamMember(admin, roles[0], shares[0]), TeamMember(co_author, roles[1], shares[1])],
    )

    assert error.code == code
    assert _snapshot(course) == before


def test_the_team_form_cannot_add_or_drop_people(team):
    course, admin, _co_author = team

    error = _refused(
        authoring.course_team_update, course=course, actor=admin, members=[TeamMember(admin, MemberRole.ADMIN, 10_000)]
    )

    assert error.code == "team_changed"
    assert CourseMember.objects.filter(course=course).count() == 2


def test_someone_leaves_once_their_share_went_to_others(team):
    course, admin, co_author = team
    authoring.course_team_update(
        course=course,
        actor=admin,
        members=[TeamMember(admin, MemberRole.ADMIN, 7000), TeamMember(co_author, MemberRole.CO_AUTHOR, 3000)],
    )
    has_share = _refused(authoring.course_member_remove, course=course, actor=admin, user_id=co_author.pk)
    authoring.course_team_update(
        course=course,
        actor=admin,
        members=[TeamMember(admin, MemberRole.ADMIN, 10_000), TeamMember(co_author, MemberRole.CO_AUTHOR, 0)],
    )

    authoring.course_member_remove(course=course, actor=admin, user_id=co_author.pk)

    assert has_share.code == "member_has_share"
    assert list(CourseMember.objects.filter(course=course).values_list("user", flat=True)) == [admin.pk]
    assert AuditEntry.objects.filter(action="catalog.course_member_removed", target_id=str(course.pk)).count() == 1


def test_the_last_course_admin_cannot_leave_and_a_stranger_cannot_be_removed(team):
    course, admin, _co_author = team
    CourseMember.objects.filter(course=course, user=admin).update(revenue_share_bp=10_000)

    last_admin = _refused(authoring.course_member_remove, course=course, actor=admin, user_id=admin.pk)
    stranger = _refused(authoring.course_member_remove, course=course, actor=admin, user_id=UserFactory().pk)

    assert (last_admin.code, stranger.code, stranger.status) == ("member_has_share", "not_found", 404)
    CourseMember.objects.filter(course=course, user=admin).update(revenue_share_bp=0)
    CourseMember.objects.filter(course=course).exclude(user=admin).update(revenue_share_bp=10_000)
    assert (
        _refused(authoring.course_member_remove, course=course, actor=admin, user_id=admin.pk).code == "team_no_admin"
    )
