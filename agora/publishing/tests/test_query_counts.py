"""Every publishing page and API list costs a fixed number of queries, the same for a little data as
for a lot (QUALITY.md P2). Signed-in pages add the session, the user and the permission reads."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agora.catalog.models import CourseRevision, Lecture, LectureKind, Module, Option, Question
from agora.catalog.services_authoring import revision_for_edit
from agora.core.jwt import token_pair_issue
from agora.publishing import services
from agora.publishing.tests.factories import course_in_review, course_live, course_ready, moderator

pytestmark = pytest.mark.django_db

SIGNED_IN = 3  # session, user, the permissions (own and groups', one query)
PAGES = {
    "studio": 2,  # the page of courses (with their latest submission's figures), the count
    "studio course": 4,  # course (team checked), revisions with decisions, last submission, its results
    "studio course blocked": 5,  # and the open block
    "queue": 3,  # the count, the page of revisions with courses, their teams
    "review": 12,  # revision + course, team, last submission, its results, history, content (7)
    "review update": 12,  # the same: both revisions' content comes in the same seven queries
    "courses": 3,  # the count, the page, the open blocks
}
API = {  # + 1 for the token's user
    "api revisions": 3,  # the course (team checked), the page, the count
    "api queue": 3 + 1,  # as the page, and the moderator's permissions
    "api review": 12 + 1,
    "api review update": 12 + 1,
}


def _grow(author, reviewer):
    """From one course of each kind to many, with long histories and a big curriculum under review."""
    for number in range(25):
        course_in_review(author=author, title=f"Waiting course {number}")
        course_live(author=author, title=f"Live course {number}", by=reviewer)
    _curriculum_add(CourseRevision.objects.get(course__title="Waiting course 24"))
    history = CourseRevision.objects.get(course__title="Live course 24")
    for _round in range(4):
        draft = revision_for_edit(course=history.course, actor=author)
        services.revision_submit(revision=draft, actor=author)
        services.review_approve(revision=CourseRevision.objects.get(pk=draft.pk), moderator=reviewer)
    update = revision_for_edit(course=history.course, actor=author)
    _curriculum_add(update)
    services.revision_submit(revision=update, actor=author)
    return update


def _curriculum_add(revision, modules=20):
    for position in range(5, 5 + modules):
        module = Module.objects.create(revision=revision, title=f"M{position}", position=position)
        for number in range(8):
            quiz = Lecture.objects.create(module=module, title=f"Q{number}", kind=LectureKind.QUIZ, position=number)
            question = Question.objects.create(lecture=quiz, text="?", position=0)
            Option.objects.create(question=question, text="Yes", is_correct=True)


@pytest.fixture
def world():
    reviewer = moderator()
    live = course_live(title="Live course", by=reviewer)
    author = live.created_by
    waiting = course_in_review(author=author, title="Waiting course")
    blocked = course_live(author=author, title="Blocked course", by=reviewer)
    services.course_block(course=blocked, moderator=reviewer, reason="Spam.")
    course_ready(author=author, title="Draft course")
    other = course_live(author=author, title="Updated course", by=reviewer)
    update = revision_for_edit(course=other, actor=author)
    services.revision_submit(revision=update, actor=author)
    return {
        "author": author,
        "moderator": reviewer,
        "live": live,
        "waiting": waiting,
        "blocked": blocked,
        "update": update,
    }


def _count(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(queries)


def _counts(client, world, *, big: dict | None = None) -> dict[str, int]:
    big = big or {}
    waiting = big.get("waiting") or CourseRevision.objects.get(course=world["waiting"])
    update = big.get("update") or world["update"]
    live = big.get("live") or world["live"]
    client.force_login(world["author"])
    counts = {
        "studio": _count(client, reverse("publishing:studio")),
        "studio course": _count(client, reverse("publishing:studio-course", args=[live.pk])),
        "studio course blocked": _count(client, reverse("publishing:studio-course", args=[world["blocked"].pk])),
    }
    client.force_login(world["moderator"])
    counts |= {
        "queue": _count(client, reverse("publishing:moderation-queue")),
        "review": _count(client, reverse("publishing:moderation-revision", args=[waiting.pk])),
        "review update": _count(client, reverse("publishing:moderation-revision", args=[update.pk])),
        "courses": _count(client, reverse("publishing:moderation-courses")),
    }
    for role, person in (("author", world["author"]), ("moderator", world["moderator"])):
        bearer = {"Authorization": f"Bearer {token_pair_issue(person).access}"}
        if role == "author":
            counts["api revisions"] = _count(client, f"/api/v1/studio/courses/{live.pk}/revisions", **bearer)
        else:
            counts["api queue"] = _count(client, "/api/v1/moderation/queue", **bearer)
            counts["api review"] = _count(client, f"/api/v1/moderation/revisions/{waiting.pk}", **bearer)
            counts["api review update"] = _count(client, f"/api/v1/moderation/revisions/{update.pk}", **bearer)
    return counts


def _expected() -> dict[str, int]:
    return {name: count + SIGNED_IN for name, count in PAGES.items()} | {name: count + 1 for name, count in API.items()}


def test_pages_and_api_lists_cost_a_fixed_number_of_queries(client, world):
    assert _counts(client, world) == _expected()

    update = _grow(world["author"], world["moderator"])
    big = {
        "waiting": CourseRevision.objects.get(course__title="Waiting course 24"),
        "live": update.course,
        "update": update,
    }
    assert big["live"].revisions.count() == 6

    assert _counts(client, world, big=big) == _expected()
