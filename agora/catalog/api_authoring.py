"""The authoring API (tag "studio"): a course team creates a course and edits its draft — the course's
fields, cover, modules, lectures, their files, resources and quiz questions, and the team. Bearer tokens;
the same services as the studio pages (agora/catalog/services_authoring).

Any module, lecture, question or resource id of the course's latest revision may be named: the draft
is opened (a copy with the same keys) and the answer carries the edited item's id in the draft. A
course that is not the caller's team's answers 404; while a revision is in review edits answer 400
`revision_in_review`. Files are multipart POSTs with a `file` part, checked by their content.
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from agora.accounts.models import User
from agora.catalog import selectors_authoring, services, services_authoring
from agora.catalog.models import Category, Course, CourseMember, Lecture, Module, Option, Question, Resource
from agora.catalog.services_authoring.drafts import admin_check, course_of, member_get
from agora.core.api import ErrorOut, InputSchema, JWTAuth
from agora.core.errors import ServiceError

authoring_router = Router(tags=["studio"], auth=JWTAuth())

REFUSED = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
MAX_ID = 2**63 - 1
# The models' choices spelled out for the OpenAPI document.
Kind = Literal["self_paced", "cohort"]
Level = Literal["beginner", "intermediate", "advanced", "all"]
Language = Literal["en", "ru", "es", "de", "fr", "pt", "uk"]
LectureKind = Literal["video", "text", "pdf", "quiz", "assignment"]
QuestionKind = Literal["single", "multiple", "short_text"]
SubmissionKind = Literal["text", "file", "link"]
Role = Literal["admin", "co_author"]


class StudioCourseCreateIn(InputSchema):
    title: str = Field(max_length=500)
    kind: Kind = "self_paced"
    category_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    language: Language = "en"


class StudioCourseChangesIn(InputSchema):
    """Only the fields sent change. Prices are minor units; `access_days` null is lifetime access. Null
    clears a subtitle, description, list, category or discount; a title, level, language, kind, price
    and certificate answer 400 to null."""

    title: str | None = Field(default=None, max_length=500)
    subtitle: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, max_length=40_000, description="Markdown.")
    category_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    skill_ids: list[int] | None = Field(default=None, max_length=100)
    level: Level | None = None
    language: Language | None = None
    kind: Kind | None = None
    requirements: list[str] | None = Field(default=None, max_length=100)
    learning_outcomes: list[str] | None = Field(default=None, max_length=100)
    price: int | None = Field(default=None, ge=0, le=2**31 - 1)
    discount_price: int | None = Field(default=None, ge=0, le=2**31 - 1)
    discount_ends_at: datetime | None = None
    gives_certificate: bool | None = None
    access_days: int | None = Field(default=None, ge=1, le=2**31 - 1)


class StudioTitleIn(InputSchema):
    title: str = Field(max_length=500)


class StudioModuleChangesIn(InputSchema):
    title: str | None = Field(default=None, max_length=500)
    position: int | None = Field(default=None, ge=0, le=10_000, description="From 0 in the course.")


class StudioLectureCreateIn(InputSchema):
    title: str = Field(max_length=500)
    kind: LectureKind


class StudioLectureChangesIn(InputSchema):
    """Only the fields sent change; which ones a lecture has depends on its kind. `module_id` with
    `position` moves the lecture to another module."""

    title: str | None = Field(default=None, max_length=500)
    is_free_preview: bool | None = None
    text: str | None = Field(default=None, max_length=400_000, description="Text lectures: Markdown.")
    duration_seconds: int | None = Field(default=None, ge=0, le=2**31 - 1)
    pass_mark_percent: int | None = Field(default=None, ge=0, le=100)
    assignment_instructions: str | None = Field(default=None, max_length=40_000)
    submission_kind: SubmissionKind | None = None
    position: int | None = Field(default=None, ge=0, le=10_000, description="From 0 in its module.")
    module_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class StudioOptionIn(InputSchema):
    text: str = Field(max_length=1000)
    is_correct: bool = False


class StudioQuestionIn(InputSchema):
    kind: QuestionKind
    text: str = Field(max_length=10_000)
    explanation: str = Field(default="", max_length=10_000)
    options: list[StudioOptionIn] = Field(max_length=50, description="Short text: the accepted answers.")


class StudioPositionIn(InputSchema):
    position: int = Field(ge=0, le=10_000)


class StudioMemberAddIn(InputSchema):
    email: str = Field(max_length=254)
    role: Role = "co_author"


class StudioShareIn(InputSchema):
    user_id: int = Field(ge=1, le=MAX_ID)
    role: Role
    revenue_share_bp: int = Field(ge=0, le=10_000, description="Basis points: 10,000 is 100 %.")


class StudioTeamIn(InputSchema):
    members: list[StudioShareIn] = Field(min_length=1, max_length=50)


class StudioCourseOut(Schema):
    id: int
    slug: str
    status: str
    title: str = Field(description="As the course's latest revision says.")
    revision_number: int
    revision_status: str
    role: str = Field(description="The caller's role on the team.")


class StudioOptionOut(Schema):
    id: int
    text: str
    is_correct: bool


class StudioQuestionOut(Schema):
    id: int
    key: UUID
    kind: str
    text: str
    explanation: str
    position: int
    options: list[StudioOptionOut]


class StudioResourceOut(Schema):
    id: int
    key: UUID
    title: str
    url: str


class StudioLectureSummaryOut(Schema):
    id: int
    key: UUID
    title: str
    position: int
    kind: str
    duration_seconds: int
    is_free_preview: bool
    has_media: bool


class StudioLectureOut(StudioLectureSummaryOut):
    module_id: int
    text: str
    media_url: str | None
    pass_mark_percent: int | None
    assignment_instructions: str
    submission_kind: str
    resources: list[StudioResourceOut]
    questions: list[StudioQuestionOut]


class StudioModuleOut(Schema):
    id: int
    key: UUID
    title: str
    position: int
    lectures: list[StudioLectureSummaryOut]


class StudioRevisionOut(Schema):
    course_id: int
    number: int
    status: str
    editable: bool = Field(description="False while the revision is in review.")
    title: str
    subtitle: str
    description: str
    changelog: str = Field(description="What changed since the last approved revision, written when it is submitted.")
    category_id: int | None
    skill_ids: list[int]
    level: str
    language: str
    kind: str
    requirements: list[str]
    learning_outcomes: list[str]
    price: int
    discount_price: int | None
    discount_ends_at: datetime | None
    gives_certificate: bool
    access_days: int | None
    cover: str | None
    modules: list[StudioModuleOut]


class StudioMemberOut(Schema):
    user_id: int
    name: str
    role: str
    revenue_share_bp: int


class StudioListIn(Schema):
    limit: int = Field(default=25, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=100_000)


class StudioCoursePageOut(Schema):
    items: list[StudioCourseOut]
    count: int


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _team_course(request: HttpRequest, course_id: int) -> Course:
    """The course if the caller is on its team; 404 otherwise (drafts do not exist for anyone else)."""
    member_get(course_id, _user(request))
    return get_object_or_404(Course, pk=course_id)


def _item[T: (Module, Lecture, Question, Resource)](request: HttpRequest, model: type[T], item_id: int) -> T:
    item = get_object_or_404(model, pk=item_id)
    member_get(course_of(item).pk, _user(request))
    return item


def _revision_out(course: Course) -> dict[str, Any]:
    revision = selectors_authoring.revision_latest(course)
    modules = selectors_authoring.curriculum_list(revision)
    return {
        **{name: getattr(revision, name) for name in StudioRevisionOut.model_fields if hasattr(revision, name)},
        "course_id": course.pk,
        "editable": selectors_authoring.revision_is_editable(revision),
        "skill_ids": sorted(revision.skills.values_list("id", flat=True)),
        "cover": revision.cover.url if revision.cover else None,
        "modules": [_module_out(module) for module in modules],
    }


def _module_out(module: Module) -> dict[str, Any]:
    return {
        "id": module.pk,
        "key": module.key,
        "title": module.title,
        "position": module.position,
        "lectures": [_lecture_summary(lecture) for lecture in module.lectures.all()],
    }


def _lecture_summary(lecture: Lecture) -> dict[str, Any]:
    return {
        **{name: getattr(lecture, name) for name in StudioLectureSummaryOut.model_fields if name != "has_media"},
        "has_media": bool(lecture.media),
    }


def _lecture_out(lecture: Lecture) -> dict[str, Any]:
    lecture = Lecture.objects.prefetch_related(
        Prefetch("resources", Resource.objects.order_by("position", "id")),
        Prefetch(
            "questions",
            Question.objects.order_by("position").prefetch_related(
                Prefetch("options", Option.objects.order_by("position", "id"))
            ),
        ),
    ).get(pk=lecture.pk)
    return {
        **_lecture_summary(lecture),
        "module_id": lecture.module_id,
        "text": lecture.text,
        "media_url": reverse("catalog:lecture-media", args=[lecture.pk]) if lecture.media else None,
        "pass_mark_percent": lecture.pass_mark_percent,
        "assignment_instructions": lecture.assignment_instructions,
        "submission_kind": lecture.submission_kind,
        "resources": [
            {"id": r.pk, "key": r.key, "title": r.title, "url": reverse("catalog:resource-file", args=[r.pk])}
            for r in lecture.resources.all()
        ],
        "questions": [_question_out(question) for question in lecture.questions.all()],
    }


def _question_out(question: Question) -> dict[str, Any]:
    return {
        **{name: getattr(question, name) for name in ("id", "key", "kind", "text", "explanation", "position")},
        "options": [{"id": o.pk, "text": o.text, "is_correct": o.is_correct} for o in question.options.all()],
    }


def _question_data(body: StudioQuestionIn) -> services_authoring.QuestionData:
    return services_authoring.QuestionData(
        kind=body.kind,
        text=body.text,
        explanation=body.explanation,
        options=[services_authoring.OptionData(text=o.text, is_correct=o.is_correct) for o in body.options],
    )


def _members_out(course: Course) -> list[dict[str, Any]]:
    return [
        {"user_id": m.user_id, "name": m.user.display_name, "role": m.role, "revenue_share_bp": m.revenue_share_bp}
        for m in selectors_authoring.team_list(course)
    ]


# Courses


@authoring_router.get("/courses", response={200: StudioCoursePageOut, **REFUSED})
def course_list(request: HttpRequest, page: Query[StudioListIn]) -> dict[str, Any]:
    """The courses the caller is on the team of, newest first, with their latest revision."""
    members = CourseMember.objects.filter(user=_user(request)).select_related("course").order_by("-course__created_at")
    shown = list(members[page.offset : page.offset + page.limit])
    latest = selectors_authoring.revisions_latest_by_course([member.course_id for member in shown])
    items = [
        {
            "id": member.course.pk,
            "slug": member.course.slug,
            "status": member.course.status,
            "title": latest[member.course_id].title,
            "revision_number": latest[member.course_id].number,
            "revision_status": latest[member.course_id].status,
            "role": member.role,
        }
        for member in shown
    ]
    return {"items": items, "count": members.count()}


@authoring_router.post("/courses", response={201: StudioRevisionOut, **REFUSED})
def course_create(request: HttpRequest, body: StudioCourseCreateIn) -> Status:
    """A new draft course with the caller as its admin (100 % of its revenue)."""
    category = None
    if body.category_id is not None:
        category = get_object_or_404(Category, pk=body.category_id)
    course = services.course_create(
        actor=_user(request), title=body.title, kind=body.kind, category=category, language=body.language
    )
    return Status(201, _revision_out(course))


@authoring_router.get("/courses/{course_id}", response={200: StudioRevisionOut, **REFUSED})
def course_detail(request: HttpRequest, course_id: int) -> dict[str, Any]:
    """The course's latest revision (the draft, the one in review, or else the last decided one)."""
    return _revision_out(_team_course(request, course_id))


@authoring_router.patch("/courses/{course_id}", response={200: StudioRevisionOut, **REFUSED})
def course_update(request: HttpRequest, course_id: int, body: StudioCourseChangesIn) -> dict[str, Any]:
    course = _team_course(request, course_id)
    data: Any = body.model_dump(exclude_unset=True)
    services_authoring.revision_details_update(course=course, actor=_user(request), data=data)
    return _revision_out(course)


@authoring_router.post("/courses/{course_id}/cover", response={200: StudioRevisionOut, **REFUSED})
def cover_set(request: HttpRequest, course_id: int, file: File[UploadedFile]) -> dict[str, Any]:
    """An image (JPEG, PNG, WebP or GIF), re-encoded before it is stored."""
    course = _team_course(request, course_id)
    services_authoring.revision_cover_set(course=course, actor=_user(request), file=file)
    return _revision_out(course)


@authoring_router.delete("/courses/{course_id}/cover", response={200: StudioRevisionOut, **REFUSED})
def cover_remove(request: HttpRequest, course_id: int) -> dict[str, Any]:
    course = _team_course(request, course_id)
    services_authoring.revision_cover_remove(course=course, actor=_user(request))
    return _revision_out(course)


# Modules


@authoring_router.post("/courses/{course_id}/modules", response={201: StudioModuleOut, **REFUSED})
def module_add(request: HttpRequest, course_id: int, body: StudioTitleIn) -> Status:
    course = _team_course(request, course_id)
    module = services_authoring.module_add(course=course, actor=_user(request), title=body.title)
    return Status(201, {**_module_out(module), "lectures": []})


@authoring_router.patch("/modules/{module_id}", response={200: StudioModuleOut, **REFUSED})
def module_update(request: HttpRequest, module_id: int, body: StudioModuleChangesIn) -> dict[str, Any]:
    """Rename and/or move a module."""
    module = _item(request, Module, module_id)
    actor = _user(request)
    if body.title is not None:
        module = services_authoring.module_rename(module=module, actor=actor, title=body.title)
    if body.position is not None:
        module = services_authoring.module_move(module=module, actor=actor, position=body.position)
    module = Module.objects.prefetch_related(Prefetch("lectures", Lecture.objects.order_by("position"))).get(
        pk=module.pk
    )
    return _module_out(module)


@authoring_router.delete("/modules/{module_id}", response={204: None, **REFUSED})
def module_delete(request: HttpRequest, module_id: int) -> Status:
    """Delete a module with its lectures."""
    services_authoring.module_delete(module=_item(request, Module, module_id), actor=_user(request))
    return Status(204, None)


# Lectures


@authoring_router.post("/modules/{module_id}/lectures", response={201: StudioLectureOut, **REFUSED})
def lecture_add(request: HttpRequest, module_id: int, body: StudioLectureCreateIn) -> Status:
    module = _item(request, Module, module_id)
    lecture = services_authoring.lecture_add(module=module, actor=_user(request), title=body.title, kind=body.kind)
    return Status(201, _lecture_out(lecture))


@authoring_router.get("/lectures/{lecture_id}", response={200: StudioLectureOut, **REFUSED})
def lecture_detail(request: HttpRequest, lecture_id: int) -> dict[str, Any]:
    return _lecture_out(_item(request, Lecture, lecture_id))


@authoring_router.patch("/lectures/{lecture_id}", response={200: StudioLectureOut, **REFUSED})
def lecture_update(request: HttpRequest, lecture_id: int, body: StudioLectureChangesIn) -> dict[str, Any]:
    """Change a lecture's fields, then move it when `position` (and perhaps `module_id`) is sent."""
    lecture = _item(request, Lecture, lecture_id)
    actor = _user(request)
    changes: Any = body.model_dump(exclude_unset=True, exclude={"position", "module_id"})
    if changes:
        lecture = services_authoring.lecture_update(lecture=lecture, actor=actor, data=changes)
    if body.position is not None:
        module = _item(request, Module, body.module_id) if body.module_id is not None else None
        lecture = services_authoring.lecture_move(lecture=lecture, actor=actor, position=body.position, module=module)
    return _lecture_out(lecture)


@authoring_router.delete("/lectures/{lecture_id}", response={204: None, **REFUSED})
def lecture_delete(request: HttpRequest, lecture_id: int) -> Status:
    services_authoring.lecture_delete(lecture=_item(request, Lecture, lecture_id), actor=_user(request))
    return Status(204, None)


@authoring_router.post("/lectures/{lecture_id}/media", response={200: StudioLectureOut, **REFUSED})
def lecture_media_set(request: HttpRequest, lecture_id: int, file: File[UploadedFile]) -> dict[str, Any]:
    """The video (MP4, WebM, MOV; its length is read from it) or the PDF of a lecture."""
    lecture = _item(request, Lecture, lecture_id)
    lecture = services_authoring.lecture_media_set(lecture=lecture, actor=_user(request), file=file)
    return _lecture_out(lecture)


@authoring_router.post("/lectures/{lecture_id}/resources", response={201: StudioLectureOut, **REFUSED})
def resource_add(request: HttpRequest, lecture_id: int, file: File[UploadedFile], title: Form[str] = "") -> Status:
    """A downloadable file for the lecture; its title is the file's name unless given."""
    lecture = _item(request, Lecture, lecture_id)
    resource = services_authoring.resource_add(lecture=lecture, actor=_user(request), file=file, title=title)
    return Status(201, _lecture_out(resource.lecture))


@authoring_router.delete("/resources/{resource_id}", response={204: None, **REFUSED})
def resource_remove(request: HttpRequest, resource_id: int) -> Status:
    services_authoring.resource_remove(resource=_item(request, Resource, resource_id), actor=_user(request))
    return Status(204, None)


# Quiz questions


@authoring_router.post("/lectures/{lecture_id}/questions", response={201: StudioQuestionOut, **REFUSED})
def question_add(request: HttpRequest, lecture_id: int, body: StudioQuestionIn) -> Status:
    lecture = _item(request, Lecture, lecture_id)
    question = services_authoring.question_add(lecture=lecture, actor=_user(request), data=_question_data(body))
    return Status(201, _question_out(question))


@authoring_router.put("/questions/{question_id}", response={200: StudioQuestionOut, **REFUSED})
def question_update(request: HttpRequest, question_id: int, body: StudioQuestionIn) -> dict[str, Any]:
    """Replace a question's text, kind, explanation and options."""
    question = _item(request, Question, question_id)
    question = services_authoring.question_update(question=question, actor=_user(request), data=_question_data(body))
    return _question_out(question)


@authoring_router.post("/questions/{question_id}/move", response={200: StudioQuestionOut, **REFUSED})
def question_move(request: HttpRequest, question_id: int, body: StudioPositionIn) -> dict[str, Any]:
    question = _item(request, Question, question_id)
    question = services_authoring.question_move(question=question, actor=_user(request), position=body.position)
    return _question_out(question)


@authoring_router.delete("/questions/{question_id}", response={204: None, **REFUSED})
def question_delete(request: HttpRequest, question_id: int) -> Status:
    services_authoring.question_delete(question=_item(request, Question, question_id), actor=_user(request))
    return Status(204, None)


# The team


@authoring_router.get("/courses/{course_id}/team", response={200: list[StudioMemberOut], **REFUSED})
def team(request: HttpRequest, course_id: int) -> list[dict[str, Any]]:
    return _members_out(_team_course(request, course_id))


@authoring_router.post("/courses/{course_id}/team", response={201: list[StudioMemberOut], **REFUSED})
def member_add(request: HttpRequest, course_id: int, body: StudioMemberAddIn) -> Status:
    """Add a person with an active account by e-mail, with no share yet (course admins only)."""
    course = _team_course(request, course_id)
    services_authoring.course_member_add(course=course, actor=_user(request), email=body.email, role=body.role)
    return Status(201, _members_out(course))


@authoring_router.put("/courses/{course_id}/team", response={200: list[StudioMemberOut], **REFUSED})
def team_update(request: HttpRequest, course_id: int, body: StudioTeamIn) -> list[dict[str, Any]]:
    """Roles and revenue shares of the whole team; shares add up to 10,000 (course admins only)."""
    course = _team_course(request, course_id)
    admin_check(course.pk, _user(request))
    users = {user.pk: user for user in User.objects.filter(course_memberships__course=course)}
    strangers = sorted({m.user_id for m in body.members} - set(users))
    if strangers:
        message = _("Add these people to the team first: %s") % ", ".join(map(str, strangers))
        raise ServiceError(message, code="not_on_team", field="members")
    members = [
        services.TeamMember(user=users[m.user_id], role=m.role, revenue_share_bp=m.revenue_share_bp)
        for m in body.members
    ]
    services_authoring.course_team_update(course=course, actor=_user(request), members=members)
    return _members_out(course)


@authoring_router.delete("/courses/{course_id}/team/{user_id}", response={200: list[StudioMemberOut], **REFUSED})
def member_remove(request: HttpRequest, course_id: int, user_id: int) -> list[dict[str, Any]]:
    course = _team_course(request, course_id)
    services_authoring.course_member_remove(course=course, actor=_user(request), user_id=user_id)
    return _members_out(course)
