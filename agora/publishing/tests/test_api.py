"""The publishing API: every operation, its refusals ({"detail", "code"}, 4xx) and that a refusal
changed nothing."""

import pytest

from agora.accounts.roles import ACCOUNTANT
from agora.accounts.tests.factories import UserFactory
from agora.catalog.models import Course, CourseRevision, Lecture, LectureKind, Module
from agora.catalog.services_authoring import revision_for_edit
from agora.core.jwt import token_pair_issue
from agora.publishing import services
from agora.publishing.models import CourseBlock, ReviewDecision, Submission
from agora.publishing.tests.factories import course_in_review, course_live, course_ready, draft_of, moderator, staff

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, user) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token_pair_issue(user).access}"} if user else {}

    def get(self, path: str):
        return self.client.get("/api/v1" + path, headers=self.headers)

    def post(self, path: str, body=None):
        return self.client.post("/api/v1" + path, body or {}, content_type="application/json", headers=self.headers)


def in_review(course: Course) -> CourseRevision:
    return CourseRevision.objects.get(course=course, status="in_review")


# The course team ----------------------------------------------------------------------------------------


def test_submitting_returns_the_check_results(client):
    course = course_ready()
    draft = draft_of(course)
    draft.cover = ""
    draft.save()
    api = Api(client, course.created_by)

    failed = api.post(f"/studio/courses/{course.pk}/submit")

    assert failed.status_code == 200
    body = failed.json()
    assert (body["passed"], body["revision_status"], body["failed_count"], body["check_count"]) == (
        False,
        "draft",
        1,
        11,
    )
    assert [check for check in body["checks"] if not check["passed"]] == [
        {
            "name": "cover",
            "label": "Cover image",
            "passed": False,
            "reason": "Upload a cover image: it is the first thing people see in the catalog.",
        }
    ]
    draft.cover = "covers/new.png"
    draft.save()

    passed = api.post(f"/studio/courses/{course.pk}/submit").json()

    assert (passed["passed"], passed["revision_status"], passed["changelog"]) == (
        True,
        "in_review",
        "v1: first version, 2 modules, 3 lectures",
    )
    assert Course.objects.get(pk=course.pk).status == "in_review"


def test_submit_refusals(client):
    course = course_in_review()

    again = Api(client, course.created_by).post(f"/studio/courses/{course.pk}/submit")
    stranger = Api(client, UserFactory()).post(f"/studio/courses/{course.pk}/submit")
    anonymous = Api(client, None).post(f"/studio/courses/{course.pk}/submit")

    assert (again.status_code, again.json()["code"]) == (400, "no_draft")
    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_found")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert Submission.objects.count() == 1


def test_withdrawing(client):
    course = course_in_review()
    api = Api(client, course.created_by)

    withdrawn = api.post(f"/studio/courses/{course.pk}/withdraw")
    again = api.post(f"/studio/courses/{course.pk}/withdraw")
    stranger = Api(client, moderator()).post(f"/studio/courses/{course.pk}/withdraw")

    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "draft")
    assert (again.status_code, again.json()["code"]) == (400, "revision_not_in_review")
    assert stranger.status_code == 404


def test_the_revision_history_with_changelogs_and_decisions(client):
    course = course_in_review()
    services.review_reject(revision=in_review(course), moderator=moderator(), reason="Add a summary.")
    draft = revision_for_edit(course=course, actor=course.created_by)
    services.revision_submit(revision=draft, actor=course.created_by)
    api = Api(client, course.created_by)

    body = api.get(f"/studio/courses/{course.pk}/revisions").json()

    assert body["count"] == 2
    assert [(item["number"], item["status"], item["changelog"]) for item in body["items"]] == [
        (2, "in_review", "v2: no changes"),
        (1, "rejected", "v1: first version, 2 modules, 3 lectures"),
    ]
    assert body["items"][0]["decision"] is None
    assert body["items"][1]["decision"]["decision"] == "reject"
    assert body["items"][1]["decision"]["reason"] == "Add a summary."
    assert Api(client, UserFactory()).get(f"/studio/courses/{course.pk}/revisions").status_code == 404


# Moderators ----------------------------------------------------------------------------------------------


def test_the_queue(client):
    first, second = course_in_review(title="First in line"), course_in_review(title="Second in line")

    body = Api(client, moderator()).get("/moderation/queue").json()

    assert body["count"] == 2
    assert [(item["revision_id"], item["title"]) for item in body["items"]] == [
        (in_review(first).pk, "First in line"),
        (in_review(second).pk, "Second in line"),
    ]
    item = body["items"][0]
    assert (item["check_count"], item["failed_count"], item["course"]["is_update"]) == (11, 0, False)
    assert item["team"] == [first.created_by.name]


@pytest.mark.parametrize("who", ["learner", "author", "accountant"])
def test_moderation_is_for_moderators(client, who):
    course = course_in_review()
    live = course_live(title="Published one")
    user = {"learner": UserFactory, "author": lambda: course.created_by, "accountant": lambda: staff(ACCOUNTANT)}[who]()
    api, revision = Api(client, user), in_review(course)

    responses = [
        api.get("/moderation/queue"),
        api.get(f"/moderation/revisions/{revision.pk}"),
        api.post(f"/moderation/revisions/{revision.pk}/approve"),
        api.post(f"/moderation/revisions/{revision.pk}/reject", {"reason": "No."}),
        api.post(f"/moderation/courses/{live.pk}/block", {"reason": "No."}),
    ]

    assert [(response.status_code, response.json()["code"]) for response in responses] == [
        (403, "permission_denied")
    ] * 5
    assert not ReviewDecision.objects.filter(revision=revision).exists() and not CourseBlock.objects.exists()


def test_the_review_of_an_update_has_checks_diff_and_content(client):
    course = course_live()
    draft = revision_for_edit(course=course, actor=course.created_by)
    module = Module.objects.filter(revision=draft).first()
    Lecture.objects.create(module=module, title="New lecture", kind=LectureKind.TEXT, text="Hi", position=9)
    services.revision_submit(revision=draft, actor=course.created_by)

    body = Api(client, moderator()).get(f"/moderation/revisions/{draft.pk}").json()

    assert (body["revision"]["number"], body["revision"]["changelog"]) == (2, "v2: 1 lecture added")
    assert body["checks"]["passed"] is True and len(body["checks"]["checks"]) == 11
    assert body["diff"]["compared_with"] == 1
    assert [(item["change"], item["title"], item["kind"]) for item in body["diff"]["lectures"]] == [
        ("added", "New lecture", "text")
    ]
    assert [lecture["title"] for lecture in body["modules"][0]["lectures"]][-1] == "New lecture"
    assert body["course"]["is_update"] is True
    assert Api(client, moderator()).get("/moderation/revisions/999999").status_code == 404


def test_approving_and_rejecting(client):
    first, second = course_in_review(title="Good course"), course_in_review(title="Rough course")
    api = Api(client, moderator())

    approved = api.post(f"/moderation/revisions/{in_review(first).pk}/approve")
    twice = api.post(f"/moderation/revisions/{approved.json()['id']}/approve")
    no_reason = api.post(f"/moderation/revisions/{in_review(second).pk}/reject", {})
    blank = api.post(f"/moderation/revisions/{in_review(second).pk}/reject", {"reason": "   "})
    rejected = api.post(f"/moderation/revisions/{in_review(second).pk}/reject", {"reason": "Fix the audio."})

    assert (approved.status_code, approved.json()["status"], approved.json()["decision"]["decision"]) == (
        200,
        "approved",
        "approve",
    )
    assert (twice.status_code, twice.json()["code"]) == (400, "revision_not_in_review")
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "invalid")
    assert (blank.status_code, blank.json()["code"], blank.json()["field"]) == (400, "reason_required", "reason")
    assert (rejected.status_code, rejected.json()["status"], rejected.json()["decision"]["reason"]) == (
        200,
        "rejected",
        "Fix the audio.",
    )
    assert [Course.objects.get(pk=course.pk).status for course in (first, second)] == ["published", "rejected"]


def test_blocking_and_unblocking(client):
    course = course_live()
    draft = course_ready(title="Never published")
    api = Api(client, moderator())

    blocked = api.post(f"/moderation/courses/{course.pk}/block", {"reason": "Spam."})
    again = api.post(f"/moderation/courses/{course.pk}/block", {"reason": "Spam."})
    not_published = api.post(f"/moderation/courses/{draft.pk}/block", {"reason": "Spam."})
    missing = api.post("/moderation/courses/999999/block", {"reason": "Spam."})
    no_reason = api.post(f"/moderation/courses/{course.pk}/unblock", {})
    unblocked = api.post(f"/moderation/courses/{course.pk}/unblock", {"reason": "Fixed."})

    assert (blocked.status_code, blocked.json()) == (
        200,
        {"id": course.pk, "slug": course.slug, "title": course.title, "status": "blocked"},
    )
    assert (again.status_code, again.json()["code"]) == (400, "course_not_published")
    assert (not_published.status_code, not_published.json()["code"]) == (400, "course_not_published")
    assert missing.status_code == 404
    assert no_reason.status_code == 422
    assert (unblocked.status_code, unblocked.json()["status"]) == (200, "published")
    assert CourseBlock.objects.get(course=course).unblock_reason == "Fixed."
