"""The studio and moderation pages: who gets in, what they show, and the whole web journey of a course
through checks, review, publication, update and blocking."""

import re

import pytest
from django.urls import reverse

from agora.accounts.roles import ACCOUNTANT
from agora.accounts.tests.factories import UserFactory
from agora.catalog.models import Course, CourseRevision, Lecture, LectureKind, Module
from agora.catalog.services_authoring import revision_for_edit
from agora.publishing import services
from agora.publishing.models import CourseBlock, ReviewDecision, Submission
from agora.publishing.tests.factories import admin, course_in_review, course_live, course_ready, moderator, staff

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def in_review(course: Course) -> CourseRevision:
    return CourseRevision.objects.get(course=course, status="in_review")


# The studio -------------------------------------------------------------------------------------------


def test_my_courses_lists_the_courses_of_my_teams_only(client):
    mine = course_ready(title="My own course")
    course_ready(title="Somebody else's course")
    client.force_login(mine.created_by)

    page = text_of(client.get(reverse("publishing:studio")))

    assert "My own course" in page and "Somebody else" not in page
    assert reverse("publishing:studio-course", args=[mine.pk]) in page
    assert "Not submitted yet" in page


def test_my_courses_shows_the_last_checks_and_the_newest_title(client):
    course = course_ready(title="Old title")
    draft = CourseRevision.objects.get(course=course)
    draft.title, draft.cover = "New working title", ""
    draft.save()
    services.revision_submit(revision=draft, actor=course.created_by)
    client.force_login(course.created_by)

    page = text_of(client.get(reverse("publishing:studio")))

    assert "New working title" in page and "Old title" not in page
    assert "1 check failed" in page


def test_my_courses_is_for_signed_in_people(client):
    response = client.get(reverse("publishing:studio"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["stranger", "other creator", "moderator", "admin"])
def test_a_course_overview_is_the_teams_only(client, who):
    course = course_ready()
    visitor = {
        "stranger": UserFactory,
        "other creator": lambda: course_ready(title="Theirs").created_by,
        "moderator": moderator,
        "admin": admin,
    }[who]()
    client.force_login(visitor)

    for name in ("studio-course", "studio-course-submit", "studio-course-withdraw"):
        method = client.get if name == "studio-course" else client.post
        assert method(reverse(f"publishing:{name}", args=[course.pk])).status_code == 404
    assert not Submission.objects.exists()


def test_submitting_on_the_page_shows_the_failing_checks_then_passes(client):
    course = course_ready()
    draft = CourseRevision.objects.get(course=course)
    draft.description = "Too short."
    draft.save()
    client.force_login(course.created_by)
    url = reverse("publishing:studio-course", args=[course.pk])

    page = text_of(client.post(reverse("publishing:studio-course-submit", args=[course.pk]), follow=True))

    assert "Some checks failed" in page
    assert "1 of 11 checks failed" in page
    assert "Write a longer description: it has 10 characters and needs at least 200." in page
    assert Course.objects.get(pk=course.pk).status == "draft"

    draft.description = "A much longer description. " * 10
    draft.save()
    page = text_of(client.post(reverse("publishing:studio-course-submit", args=[course.pk]), follow=True))

    assert "Submitted: every check passed" in page and "All 11 checks passed" in page
    assert "Withdraw from review" in page
    assert Course.objects.get(pk=course.pk).status == "in_review"

    page = text_of(client.post(reverse("publishing:studio-course-withdraw", args=[course.pk]), follow=True))

    assert "Withdrawn from review" in page and "Submit for review" in page
    assert text_of(client.get(url)).count("Version 1") >= 1


def test_nothing_to_submit_or_withdraw_is_said_plainly(client):
    course = course_in_review()
    client.force_login(course.created_by)

    page = text_of(client.post(reverse("publishing:studio-course-submit", args=[course.pk]), follow=True))
    assert "There is no draft to submit." in page
    services.revision_withdraw(revision=in_review(course), actor=course.created_by)
    page = text_of(client.post(reverse("publishing:studio-course-withdraw", args=[course.pk]), follow=True))
    assert "Nothing of this course is in review." in page


def test_the_author_reads_the_rejection_on_the_course_page(client):
    course = course_in_review()
    services.review_reject(revision=in_review(course), moderator=moderator(), reason="Lecture 2 has no sound.")
    client.force_login(course.created_by)
    url = reverse("publishing:studio-course", args=[course.pk])

    page = text_of(client.get(url))

    assert "A moderator asked for changes to version 1" in page
    assert "Lecture 2 has no sound." in page
    assert "Moderator" not in page.split("Versions")[-1]  # authors see the decision, not who made it

    revision_for_edit(course=course, actor=course.created_by)  # working on a new draft: still shown
    assert "Lecture 2 has no sound." in text_of(client.get(url))
    client.post(reverse("publishing:studio-course-submit", args=[course.pk]))
    assert "asked for changes" not in text_of(client.get(url))  # resubmitted


def test_the_author_reads_the_block_on_the_course_page(client):
    course = course_live()
    services.course_block(course=course, moderator=moderator(), reason="The videos are someone else's.")
    client.force_login(course.created_by)

    page = text_of(client.get(reverse("publishing:studio-course", args=[course.pk])))

    assert "A moderator blocked this course" in page and "The videos are someone else&#x27;s." in page


# Moderation pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["learner", "author", "accountant"])
def test_moderation_pages_do_not_exist_for_others(client, who):
    course = course_in_review()
    live = course_live(title="Live course")
    user = {"learner": UserFactory, "author": lambda: course.created_by, "accountant": lambda: staff(ACCOUNTANT)}[who]()
    client.force_login(user)
    revision = in_review(course)

    gets = [
        reverse("publishing:moderation-queue"),
        reverse("publishing:moderation-revision", args=[revision.pk]),
        reverse("publishing:moderation-courses"),
    ]
    posts = [
        (reverse("publishing:moderation-revision-approve", args=[revision.pk]), {}),
        (reverse("publishing:moderation-revision-reject", args=[revision.pk]), {"reason": "No."}),
        (reverse("publishing:moderation-course-block", args=[live.pk]), {"reason": "No."}),
    ]

    assert [client.get(url).status_code for url in gets] == [404] * 3
    assert [client.post(url, data).status_code for url, data in posts] == [404] * 3
    assert not ReviewDecision.objects.filter(revision=revision).exists()
    assert not CourseBlock.objects.exists()
    assert Course.objects.get(pk=live.pk).status == "published"


def test_the_queue_lists_waiting_revisions_oldest_first(client):
    first = course_in_review(title="First in line")
    second = course_in_review(title="Second in line")
    course_ready(title="Just a draft")
    client.force_login(moderator())

    page = text_of(client.get(reverse("publishing:moderation-queue")))

    assert page.index("First in line") < page.index("Second in line")
    assert "Just a draft" not in page
    assert "11 passed" in page and "New course" in page
    assert reverse("publishing:moderation-revision", args=[in_review(first).pk]) in page
    assert reverse("publishing:moderation-revision", args=[in_review(second).pk]) in page


def test_the_review_page_shows_checks_diff_and_content_of_an_update(client):
    course = course_live()
    draft = revision_for_edit(course=course, actor=course.created_by)
    module = Module.objects.filter(revision=draft).first()
    Lecture.objects.create(module=module, title="Brand new lecture", kind=LectureKind.TEXT, text="New!", position=9)
    draft.price = 2999
    draft.save()
    services.revision_submit(revision=draft, actor=course.created_by)
    client.force_login(moderator())

    page = text_of(client.get(reverse("publishing:moderation-revision", args=[draft.pk])))

    assert "All 11 checks passed" in page
    assert "What changed since version 1" in page
    assert "v2: 1 lecture added, price changed" in page
    assert "<del>$19.99</del>" in page and "<ins>$29.99</ins>" in page
    assert "Brand new lecture" in page and "What does print do?" in page  # the content, quiz included
    assert "Approve and publish" in page and "Reject with this reason" in page


def test_approving_on_the_page_publishes(client):
    course = course_in_review()
    client.force_login(moderator())

    response = client.post(reverse("publishing:moderation-revision-approve", args=[in_review(course).pk]), follow=True)

    assert "is approved and published" in text_of(response)
    assert Course.objects.get(pk=course.pk).status == "published"


def test_rejecting_on_the_page_needs_a_reason(client):
    course = course_in_review()
    revision = in_review(course)
    client.force_login(moderator())
    url = reverse("publishing:moderation-revision-reject", args=[revision.pk])

    response = client.post(url, {"reason": "   "})

    assert response.status_code == 200
    assert "This field is required." in text_of(response) or "Say why." in text_of(response)
    assert CourseRevision.objects.get(pk=revision.pk).status == "in_review"

    page = text_of(client.post(url, {"reason": "Add a lecture on testing."}, follow=True))

    assert "is rejected; the team is told why." in page
    assert (Course.objects.get(pk=course.pk).status, ReviewDecision.objects.get().reason) == (
        "rejected",
        "Add a lecture on testing.",
    )


def test_a_decided_revision_shows_no_decision_forms(client):
    course = course_in_review()
    revision = in_review(course)
    services.review_approve(revision=revision, moderator=moderator())
    client.force_login(moderator())

    page = text_of(client.get(reverse("publishing:moderation-revision", args=[revision.pk])))
    response = client.post(reverse("publishing:moderation-revision-approve", args=[revision.pk]), follow=True)

    assert "Approve and publish" not in page and "This version is not waiting for review" in page
    assert "This revision is not in review (any more)." in text_of(response)


def test_blocking_and_unblocking_on_the_page(client):
    course = course_live(title="Spammy course")
    client.force_login(moderator())
    listing = text_of(client.get(reverse("publishing:moderation-courses") + "?find=spammy"))
    assert "Spammy course" in listing and "Block this course" in listing

    refused = client.post(reverse("publishing:moderation-course-block", args=[course.pk]), {"reason": ""})
    assert refused.status_code == 200 and "This field is required." in text_of(refused)
    assert Course.objects.get(pk=course.pk).status == "published"

    page = text_of(
        client.post(reverse("publishing:moderation-course-block", args=[course.pk]), {"reason": "Spam."}, follow=True)
    )
    assert "“Spammy course” is blocked." in page and "Unblock this course" in page
    assert Course.objects.get(pk=course.pk).status == "blocked"

    client.post(reverse("publishing:moderation-course-unblock", args=[course.pk]), {"reason": "Cleaned up."})
    assert Course.objects.get(pk=course.pk).status == "published"


def test_a_draft_course_cannot_be_blocked_from_the_page(client):
    course = course_ready()
    client.force_login(moderator())

    response = client.post(reverse("publishing:moderation-course-block", args=[course.pk]), {"reason": "Spam."})

    assert response.status_code == 404
    assert Course.objects.get(pk=course.pk).status == "draft"


# What learners and visitors see ---------------------------------------------------------------------


def test_the_catalog_shows_the_approved_revision_until_the_update_is_approved(
    client, django_capture_on_commit_callbacks
):
    course = course_live(title="First edition")
    draft = revision_for_edit(course=course, actor=course.created_by)
    draft.title = "Second edition"
    draft.save()
    Lecture.objects.filter(module__revision=draft, kind=LectureKind.TEXT).update(title="A brand new chapter")
    services.revision_submit(revision=draft, actor=course.created_by)
    course_url = reverse("catalog:course", args=[course.slug])

    for page in (client.get(course_url), client.get(reverse("catalog:course-list"))):
        assert "First edition" in text_of(page) and "Second edition" not in text_of(page)
    assert "A brand new chapter" not in text_of(client.get(course_url))

    with django_capture_on_commit_callbacks(execute=True):  # the approval forgets the cached pages
        services.review_approve(revision=in_review(course), moderator=moderator())

    page = text_of(client.get(course_url))
    assert "Second edition" in page and "A brand new chapter" in page
    assert "Second edition" in text_of(client.get(reverse("catalog:course-list")))


def test_a_blocked_course_leaves_the_catalog_at_once(client, django_capture_on_commit_callbacks):
    course = course_live(title="Soon blocked")
    list_url, course_url = reverse("catalog:course-list"), reverse("catalog:course", args=[course.slug])
    assert "Soon blocked" in text_of(client.get(list_url))  # now cached for visitors
    assert client.get(course_url).status_code == 200
    moderator_client = client_class_copy(client)
    moderator_client.force_login(moderator())

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(reverse("publishing:moderation-course-block", args=[course.pk]), {"reason": "Spam."})

    assert "Soon blocked" not in text_of(client.get(list_url))
    assert client.get(course_url).status_code == 404
    assert client.get(f"/api/v1/courses/{course.slug}").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(reverse("publishing:moderation-course-unblock", args=[course.pk]), {"reason": "Fine."})

    assert "Soon blocked" in text_of(client.get(list_url))
    assert client.get(course_url).status_code == 200


def client_class_copy(client):
    return type(client)()


def test_a_blocked_course_leaves_wishlists_and_cannot_be_added(client):
    course = course_live(title="Wished for")
    learner = UserFactory()
    client.force_login(learner)
    client.post(reverse("catalog:wishlist-add", args=[course.pk]))
    assert "Wished for" in text_of(client.get(reverse("catalog:wishlist")))

    services.course_block(course=course, moderator=moderator(), reason="Spam.")

    assert "Wished for" not in text_of(client.get(reverse("catalog:wishlist")))
    assert client.post(reverse("catalog:wishlist-add", args=[course.pk])).status_code == 404
