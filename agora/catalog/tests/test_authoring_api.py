"""The authoring API over the test client with bearer tokens: a course built end to end, edits that land
on the draft by key, refusals for strangers and bad input, and pinned query counts for its lists."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.catalog.models import Course, CourseRevision, Lecture, MemberRole, Module, RevisionStatus
from agora.catalog.tests.factories import CategoryFactory, course_draft, course_published
from agora.catalog.tests.media_samples import media_samples_make
from agora.core.jwt import token_pair_issue

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


def test_strangers_and_learners_get_404_for_every_kind_of_item(client):
    course = course_draft()
    lecture = Lecture.objects.filter(module__revision__course=course).first()
    stranger = UserFactory()

    refusals = [
        send(client, "get", f"{API}/courses/{course.pk}", stranger),
        send(client, "patch", f"{API}/courses/{course.pk}", stranger, {"title": "Mine now"}),
        send(client, "post", f"{API}/courses/{course.pk}/modules", stranger, {"title": "Extra"}),
        send(client, "patch", f"{API}/modules/{lecture.module_id}", stranger, {"title": "Mine"}),
        send(client, "patch", f"{API}/lectures/{lecture.pk}", stranger, {"title": "Mine"}),
        send(client, "delete", f"{API}/lectures/{lecture.pk}", stranger),
        send(client, "get", f"{API}/courses/{course.pk}/team", stranger),
    ]

    assert [response.status_code for response in refusals] == [404] * len(refusals)
    assert {response.json()["code"] for response in refusals} == {"not_found"}
    assert Lecture.objects.filter(pk=lecture.pk, title=lecture.title).exists()


def test_without_a_token_nothing_is_answered(client):
    course = course_draft()

    response = client.get(f"{API}/courses/{course.pk}")

    assert response.status_code == 401


def test_a_renamed_non_video_is_refused_with_a_clear_message(client):
    course = course_draft()
    lecture = Lecture.objects.filter(module__revision__course=course, kind="video").first()

    response = client.post(
        f"{API}/lectures/{lecture.pk}/media",
        {"file": SimpleUploadedFile("talk.mp4", b"%PDF-1.4 not a video\n%%EOF", content_type="video/mp4")},
        **bearer(course.created_by),
    )

    assert response.status_code == 400
    assert response.json()["code"] in {"upload_wrong_type", "video_unplayable"}
    assert "video" in response.json()["detail"].lower()
    lecture.refresh_from_db()
    assert not lecture.media


def test_bad_input_is_refused_and_changes_nothing(client):
    course = course_draft(price=1000)
    author = course.created_by

    too_cheap = send(client, "patch", f"{API}/courses/{course.pk}", author, {"discount_price": 1500})
    unknown_kind = send(client, "post", f"{API}/courses/{course.pk}/modules", author, {"title": ""})

    assert too_cheap.status_code == 400
    assert too_cheap.json()["field"] == "discount_price"
    assert unknown_kind.status_code == 400
    assert CourseRevision.objects.get(course=course).discount_price is None


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
