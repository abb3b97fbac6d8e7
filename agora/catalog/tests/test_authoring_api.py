"""The authoring API over the test client with bearer tokens: a course built end to end, edits that land
on the draft by key, refusals for strangers and bad input, and pinned query counts for its lists."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.catalog.models import (
    Course,
    CourseMember,
    CourseRevision,
    Lecture,
    MemberRole,
    Module,
    Option,
    Question,
    Resource,
    RevisionStatus,
    Skill,
    SkillArea,
)
from agora.catalog.tests.factories import CategoryFactory, course_draft, course_published, revision_submit
from agora.catalog.tests.media_samples import image_bytes, media_samples_make, not_videos, pdf_bytes, upload
from agora.core.jwt import token_pair_issue
from agora.core.models import AuditEntry

pytestmark = pytest.mark.django_db

API = "/api/v1/studio"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    return media_samples_make(tmp_path_factory.mktemp("samples"))


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user).access}"}


def send(client, method: str, url: str, user: User, body: object = None):
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=data, content_type="application/json", **bearer(user))


def test_a_creator_builds_a_course_through_the_api(client, samples):
    creator = UserFactory()
    category = CategoryFactory()

    created = send(client, "post", f"{API}/courses", creator, {"title": "Rust in Practice", "category_id": category.pk})
    assert created.status_code == 201, created.json()
    course_id = created.json()["course_id"]

    changed = send(
        client,
        "patch",
        f"{API}/courses/{course_id}",
        creator,
        {"subtitle": "Ownership without tears", "price": 2900, "requirements": ["A terminal"], "level": "beginner"},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["subtitle"] == "Ownership without tears"
    assert changed.json()["price"] == 2900
    assert changed.json()["requirements"] == ["A terminal"]

    module = send(client, "post", f"{API}/courses/{course_id}/modules", creator, {"title": "Basics"}).json()
    video = send(client, "post", f"{API}/modules/{module['id']}/lectures", creator, {"title": "Hello", "kind": "video"})
    assert video.status_code == 201
    uploaded = client.post(
        f"{API}/lectures/{video.json()['id']}/media",
        {"file": SimpleUploadedFile("clip.mp4", samples.read("video.mp4"), content_type="video/mp4")},
        **bearer(creator),
    )
    assert uploaded.status_code == 200, uploaded.json()
    assert uploaded.json()["has_media"] is True
    assert uploaded.json()["duration_seconds"] == 2

    text = send(client, "post", f"{API}/modules/{module['id']}/lectures", creator, {"title": "Notes", "kind": "text"})
    words = " ".join(["word"] * 400)
    edited = send(client, "patch", f"{API}/lectures/{text.json()['id']}", creator, {"text": words, "position": 0})
    assert edited.status_code == 200, edited.json()
    assert edited.json()["position"] == 0
    assert edited.json()["duration_seconds"] == 120  # 400 words at 200 a minute

    quiz = send(client, "post", f"{API}/modules/{module['id']}/lectures", creator, {"title": "Check", "kind": "quiz"})
    question = send(
        client,
        "post",
        f"{API}/lectures/{quiz.json()['id']}/questions",
        creator,
        {
            "kind": "single",
            "text": "Who owns a value?",
            "options": [{"text": "One owner", "is_correct": True}, {"text": "Everyone"}],
        },
    )
    assert question.status_code == 201, question.json()

    detail = send(client, "get", f"{API}/courses/{course_id}", creator).json()
    lectures = detail["modules"][0]["lectures"]
    assert [lecture["title"] for lecture in lectures] == ["Notes", "Hello", "Check"]
    assert detail["status"] == RevisionStatus.DRAFT
    assert detail["editable"] is True


def test_a_creator_picks_the_category_and_skills_from_the_apis_lists(client):
    web = CategoryFactory(slug="web", parent=CategoryFactory(slug="development"))
    area = SkillArea.objects.create(name="Front-end", slug="front-end")
    react = Skill.objects.create(area=area, name="React", slug="react")
    Skill.objects.create(area=area, name="Vue", slug="vue")
    course = course_draft()

    tree = client.get("/api/v1/categories").json()
    skills = client.get("/api/v1/skills").json()
    category_id = next(child["id"] for root in tree for child in root["children"] if child["slug"] == "web")
    skill_ids = [skill["id"] for area in skills for skill in area["skills"] if skill["name"] == "React"]
    changed = send(
        client,
        "patch",
        f"{API}/courses/{course.pk}",
        course.created_by,
        {"category_id": category_id, "skill_ids": skill_ids},
    )

    assert changed.status_code == 200, changed.json()
    assert (changed.json()["category_id"], changed.json()["skill_ids"]) == (web.pk, [react.pk])
    revision = course.revisions.get()
    assert (revision.category, list(revision.skills.all())) == (web, [react])


def test_edits_of_a_published_course_go_to_a_new_draft_with_the_same_keys(client):
    course = course_published(title="Go for Gophers")
    author = course.created_by
    approved = course.published_revision
    module = Module.objects.filter(revision=approved).first()

    renamed = send(client, "patch", f"{API}/modules/{module.pk}", author, {"title": "Renamed"})

    assert renamed.status_code == 200, renamed.json()
    assert renamed.json()["key"] == str(module.key)
    assert renamed.json()["id"] != module.pk
    module.refresh_from_db()
    assert module.title != "Renamed"  # the approved revision is untouched
    assert CourseRevision.objects.get(course=course, status=RevisionStatus.DRAFT).number == 2


@pytest.fixture
def built():
    """A draft with something of every kind an operation names: Module 1 (Lecture 1.1 video, 1.2
    video, Slides pdf), Module 2 (Lecture 2.1 quiz with a question and a resource), a co-author with
    no share."""
    course = course_draft()
    quiz = Lecture.objects.get(module__revision__course=course, kind="quiz")
    question = Question.objects.create(lecture=quiz, text="2 + 2?", position=0)
    Option.objects.create(question=question, text="4", is_correct=True, position=0)
    Option.objects.create(question=question, text="5", position=1)
    module = Module.objects.get(revision__course=course, title="Module 1")
    pdf = Lecture.objects.create(module=module, title="Slides", kind="pdf", position=2)
    resource = Resource.objects.create(lecture=quiz, title="Cheat sheet", file="resources/sheet.pdf")
    co_author = UserFactory()
    CourseMember.objects.create(course=course, user=co_author, role=MemberRole.CO_AUTHOR, revenue_share_bp=0)
    return {
        "course": course,
        "module": module,
        "quiz": quiz,
        "pdf": pdf,
        "question": question,
        "resource": resource,
        "co_author": co_author,
    }


QUESTION = {"kind": "single", "text": "3 + 3?", "options": [{"text": "6", "is_correct": True}, {"text": "7"}]}
# operation → (method, address, JSON body or multipart files); every studio and publishing operation
# on someone's course (the list of one's own courses and creating a course name nobody else's).
OPERATIONS = {
    "course detail": ("get", "/courses/{course}", None),
    "course update": ("patch", "/courses/{course}", {"title": "Mine now"}),
    "cover set": ("post", "/courses/{course}/cover", {"file": ("cover.png", "image")}),
    "cover remove": ("delete", "/courses/{course}/cover", None),
    "module add": ("post", "/courses/{course}/modules", {"title": "Extra"}),
    "module update": ("patch", "/modules/{module}", {"title": "Mine", "position": 1}),
    "module delete": ("delete", "/modules/{module}", None),
    "lecture add": ("post", "/modules/{module}/lectures", {"title": "Mine", "kind": "text"}),
    "lecture detail": ("get", "/lectures/{quiz}", None),
    "lecture update": ("patch", "/lectures/{quiz}", {"title": "Mine", "position": 0}),
    "lecture delete": ("delete", "/lectures/{quiz}", None),
    "media set": ("post", "/lectures/{pdf}/media", {"file": ("slides.pdf", "pdf")}),
    "resource add": ("post", "/lectures/{quiz}/resources", {"file": ("notes.pdf", "pdf")}),
    "resource remove": ("delete", "/resources/{resource}", None),
    "question add": ("post", "/lectures/{quiz}/questions", QUESTION),
    "question update": ("put", "/questions/{question}", QUESTION),
    "question move": ("post", "/questions/{question}/move", {"position": 0}),
    "question delete": ("delete", "/questions/{question}", None),
    "team": ("get", "/courses/{course}/team", None),
    "team add": ("post", "/courses/{course}/team", {"email": "{newcomer}"}),
    "team update": ("put", "/courses/{course}/team", "shares"),
    "team remove": ("delete", "/courses/{course}/team/{co_author}", None),
    "submit": ("post", "/courses/{course}/submit", None),
    "withdraw": ("post", "/courses/{course}/withdraw", None),
    "revisions": ("get", "/courses/{course}/revisions", None),
}
FILES = {"image": lambda: image_bytes("PNG"), "pdf": pdf_bytes}


def _call(client, name: str, built, user: User):
    """`name`'s request about the `built` course, sent by `user`: a valid request, so that only who
    sends it decides the answer."""
    method, address, body = OPERATIONS[name]
    course = built["course"]
    ids = {key: value.pk for key, value in built.items()}
    url = API + address.format(**ids)
    if body == "shares":
        body = {
            "members": [
                {"user_id": course.created_by.pk, "role": "admin", "revenue_share_bp": 9000},
                {"user_id": built["co_author"].pk, "role": "co_author", "revenue_share_bp": 1000},
            ]
        }
    elif body == {"email": "{newcomer}"}:
        body = {"email": UserFactory().email}
    if isinstance(body, dict) and "file" in body:
        file_name, sample = body["file"]
        return client.post(url, {"file": upload(file_name, FILES[sample]())}, **bearer(user))
    return send(client, method, url, user, body)


def _ready_for(name: str, built) -> Course:
    """The course, in the state where `name` has something to do (withdrawing needs a revision in review)."""
    course = built["course"]
    if name == "withdraw":
        revision_submit(course.revisions.get())
    return course


def _state(course):
    """Everything an operation on `course` could change, stored files included."""
    return (
        list(Course.objects.filter(pk=course.pk).values()),
        list(CourseRevision.objects.filter(course=course).values()),
        list(Module.objects.order_by("pk").values()),
        list(Lecture.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
        list(Option.objects.order_by("pk").values()),
        list(Resource.objects.order_by("pk").values()),
        list(CourseMember.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        _stored_files(),
    )


def _stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize("name", OPERATIONS)
@pytest.mark.parametrize("who", ["learner", "other creator"])
def test_strangers_and_learners_get_404_for_every_operation(client, built, who, name):
    person = UserFactory() if who == "learner" else course_draft(title="Their own").created_by
    course = _ready_for(name, built)
    before = _state(course)

    response = _call(client, name, built, person)

    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert _state(course) == before


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_refused_operation_succeeds_for_the_course_admin(client, built, name):
    """The requests above are valid: sent by the course's admin, each one is carried out."""
    course = _ready_for(name, built)

    response = _call(client, name, built, course.created_by)

    assert response.status_code in {200, 201, 204}, response.content


def test_without_a_token_nothing_is_answered(client):
    course = course_draft()

    response = client.get(f"{API}/courses/{course.pk}")

    assert response.status_code == 401


WRONG_VIDEO = "Upload a video: MP4, MOV, WebM or MKV."
UNPLAYABLE = "This file is not a playable video. Export it again as MP4 (H.264) or WebM and upload that."
NOT_VIDEOS = {  # sample (media_samples.not_videos) → the refusal's code and message
    "a PDF renamed .mp4": ("upload_wrong_type", WRONG_VIDEO),
    "random bytes named .mp4": ("upload_wrong_type", WRONG_VIDEO),
    "an MP4 header over random bytes": ("video_unplayable", UNPLAYABLE),
}


@pytest.mark.parametrize("sample", NOT_VIDEOS)
def test_a_renamed_non_video_is_refused_with_its_own_code_and_message(client, built, sample):
    content, (code, message) = not_videos()[sample], NOT_VIDEOS[sample]
    course = built["course"]
    lecture = Lecture.objects.get(module__revision__course=course, title="Lecture 1.1")
    before = _state(course)

    response = client.post(
        f"{API}/lectures/{lecture.pk}/media",
        {"file": SimpleUploadedFile("talk.mp4", content, content_type="video/mp4")},
        **bearer(course.created_by),
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == (code, message)
    assert _state(course) == before


# Oversized files and file names that try to climb out of the media folder


def _lowered(settings, **limits):
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, **limits}


def test_a_file_over_its_kinds_limit_is_refused_and_nothing_is_stored(client, built, settings, samples):
    _lowered(settings, video=1024, resource=1024)
    course = built["course"]
    video = Lecture.objects.get(module__revision__course=course, title="Lecture 1.1")
    before = _state(course)

    media = client.post(
        f"{API}/lectures/{video.pk}/media",
        {"file": upload("clip.mp4", samples.read("video.mp4"), "video/mp4")},
        **bearer(course.created_by),
    )
    resource = client.post(
        f"{API}/lectures/{built['quiz'].pk}/resources",
        {"file": upload("notes.pdf", pdf_bytes("x" * 2000)), "title": "Notes"},
        **bearer(course.created_by),
    )

    for response in (media, resource):
        assert response.status_code == 400
        assert response.json() == {
            "detail": "The file is larger than 1.0\xa0KB.",
            "code": "upload_too_large",
            "field": "file",
        }
    assert _state(course) == before
    assert _stored_files() == []


def test_a_request_over_the_upload_limit_gets_413_and_nothing_is_stored(client, built, settings):
    settings.UPLOAD_REQUEST_MAX_BYTES = 2048
    course = built["course"]
    before = _state(course)

    answers = [
        client.post(
            f"{API}/lectures/{built['pdf'].pk}/media",
            {"file": upload("slides.pdf", pdf_bytes("x" * 4000))},
            **bearer(course.created_by),
        ),
        client.post(
            f"{API}/lectures/{built['quiz'].pk}/resources",
            {"file": upload("notes.pdf", pdf_bytes("x" * 4000))},
            **bearer(course.created_by),
        ),
    ]

    for response in answers:
        assert response.status_code == 413
        assert response.json() == {
            "detail": "This upload is too large: the limit is 2.0\xa0KB.",
            "code": "upload_too_large",
        }
    assert _state(course) == before
    assert _stored_files() == []


TRAVERSALS = ["../../etc/passwd.pdf", "..\\..\\etc\\passwd.pdf", "/etc/passwd.pdf"]


def _inside_media(name: str, folder: str) -> None:
    """`name` is a random name in `folder`, and the file it names lies inside MEDIA_ROOT."""
    assert re.fullmatch(rf"{folder}/[0-9a-f]{{32}}\.pdf", name), name
    root = Path(settings.MEDIA_ROOT).resolve()
    assert (root / name).resolve().is_relative_to(root)
    assert (root / name).is_file()


@pytest.mark.parametrize("file_name", TRAVERSALS)
def test_a_path_in_the_file_name_is_never_used(client, built, tmp_path, file_name):
    course = built["course"]

    media = client.post(
        f"{API}/lectures/{built['pdf'].pk}/media",
        {"file": upload(file_name, pdf_bytes())},
        **bearer(course.created_by),
    )
    resource = client.post(
        f"{API}/lectures/{built['quiz'].pk}/resources",
        {"file": upload(file_name, pdf_bytes())},
        **bearer(course.created_by),
    )

    assert media.status_code == 200, media.json()
    assert resource.status_code == 201, resource.json()
    built["pdf"].refresh_from_db()
    _inside_media(built["pdf"].media.name, f"lectures/{course.pk}")
    stored = Resource.objects.exclude(title="Cheat sheet").get()
    _inside_media(stored.file.name, f"resources/{course.pk}")
    assert [r["title"] for r in resource.json()["resources"]] == ["Cheat sheet", "passwd.pdf"]
    assert _stored_files() == sorted([built["pdf"].media.name, stored.file.name])
    assert [path for path in tmp_path.rglob("passwd*")] == []
    client.force_login(course.created_by)
    download = client.get(reverse("catalog:resource-file", args=[stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="passwd.pdf"'


def test_bad_input_is_refused_and_changes_nothing(client):
    course = course_draft(price=1000)
    author = course.created_by

    too_cheap = send(client, "patch", f"{API}/courses/{course.pk}", author, {"discount_price": 1500})
    unknown_kind = send(client, "post", f"{API}/courses/{course.pk}/modules", author, {"title": ""})

    assert too_cheap.status_code == 400
    assert too_cheap.json()["field"] == "discount_price"
    assert unknown_kind.status_code == 400
    assert CourseRevision.objects.get(course=course).discount_price is None


@pytest.mark.parametrize(
    ("field", "status", "stored"),
    [
        ("title", 400, "Keyboard and mouse"),
        ("level", 400, "beginner"),
        ("price", 400, 1000),
        ("gives_certificate", 400, True),
        ("subtitle", 200, ""),
        ("requirements", 200, []),
        ("skill_ids", 200, None),
        ("access_days", 200, None),
    ],
)
def test_null_clears_what_may_be_empty_and_is_refused_elsewhere(client, field, status, stored):
    course = course_draft(title="Keyboard and mouse", price=1000, level="beginner", gives_certificate=True)
    revision = CourseRevision.objects.get(course=course)
    revision.subtitle, revision.requirements, revision.access_days = "Typing fast", ["A keyboard"], 30
    revision.save()

    response = send(client, "patch", f"{API}/courses/{course.pk}", course.created_by, {field: None})

    assert response.status_code == status, response.content
    revision.refresh_from_db()
    if field == "skill_ids":
        assert not revision.skills.exists()
    else:
        assert getattr(revision, field) == stored
    if status == 400:
        assert response.json()["field"] == field


@pytest.mark.parametrize("body", ['"hello world"', "[]", "123", "null", '{"titel": "Misspelt"}'])
def test_a_body_that_is_not_an_object_of_known_fields_is_refused(client, body):
    course = course_draft(title="Keyboard and mouse")

    response = client.patch(
        f"{API}/courses/{course.pk}", data=body, content_type="application/json", **bearer(course.created_by)
    )

    assert response.status_code == 422
    assert CourseRevision.objects.get(course=course).title == "Keyboard and mouse"


def test_a_revision_in_review_is_read_only(client):
    course = course_draft()
    CourseRevision.objects.filter(course=course).update(status=RevisionStatus.IN_REVIEW)

    response = send(client, "patch", f"{API}/courses/{course.pk}", course.created_by, {"title": "Sneaky"})

    assert response.status_code == 400
    assert response.json()["code"] == "revision_in_review"
    assert send(client, "get", f"{API}/courses/{course.pk}", course.created_by).json()["editable"] is False


def test_only_course_admins_change_the_team(client):
    course = course_draft()
    admin = course.created_by
    co_author = UserFactory()

    added = send(client, "post", f"{API}/courses/{course.pk}/team", admin, {"email": co_author.email})
    assert added.status_code == 201, added.json()
    shares = {
        "members": [
            {"user_id": admin.pk, "role": MemberRole.ADMIN, "revenue_share_bp": 7000},
            {"user_id": co_author.pk, "role": MemberRole.CO_AUTHOR, "revenue_share_bp": 3000},
        ]
    }
    refused = send(client, "put", f"{API}/courses/{course.pk}/team", co_author, shares)
    stranger_share = send(
        client,
        "put",
        f"{API}/courses/{course.pk}/team",
        admin,
        {"members": [*shares["members"], {"user_id": UserFactory().pk, "role": "co_author", "revenue_share_bp": 0}]},
    )
    accepted = send(client, "put", f"{API}/courses/{course.pk}/team", admin, shares)

    assert refused.status_code == 403
    assert stranger_share.status_code == 400
    assert stranger_share.json()["code"] == "not_on_team"
    assert accepted.status_code == 200, accepted.json()
    assert sorted(m["revenue_share_bp"] for m in accepted.json()) == [3000, 7000]


def test_my_courses_lists_each_course_once_in_fixed_queries(client, django_assert_num_queries):
    author = UserFactory()
    for number in range(3):
        course_draft(author=author, title=f"Course {number}")
    course_published(author=author, title="Published one")
    course_draft(title="Someone else's")

    with django_assert_num_queries(4):  # the token's user, the page, the latest revisions, the count
        response = send(client, "get", f"{API}/courses", author)

    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert sorted(item["title"] for item in response.json()["items"]) == [
        "Course 0",
        "Course 1",
        "Course 2",
        "Published one",
    ]
    assert not Course.objects.filter(title="Someone else's", members__user=author).exists()
