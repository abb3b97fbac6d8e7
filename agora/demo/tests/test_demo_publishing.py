"""The demo review queue: real submissions for the demo moderator, loaded once."""

import pytest

from agora.catalog.models import Course, CourseRevision
from agora.demo.accounts import demo_accounts_load
from agora.demo.publishing import demo_publishing_load
from agora.publishing.models import ReviewDecision, Submission
from agora.publishing.selectors import revision_list_in_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo covers are stored as uploads


def test_the_demo_moderator_finds_a_queue_and_creators_find_their_stories():
    demo_accounts_load()

    assert demo_publishing_load() == 5

    waiting = {revision.title: revision for revision in revision_list_in_review()}
    assert len(waiting) == 4
    assert all(revision.failed_count == 0 and revision.check_count == 11 for revision in waiting.values())
    update = waiting["Безопасная работа в химической лаборатории"]
    assert update.course.status == "published" and update.number == 2
    assert update.changelog == "v2: 2 lectures added, quiz “Проверьте себя” changed, price changed"
    resubmitted = waiting["Jazz Harmony for Curious Musicians"]
    assert (resubmitted.number, resubmitted.changelog) == (2, "v2: 1 lecture added")
    assert ReviewDecision.objects.filter(decision="reject", revision__course=resubmitted.course).exists()
    assert all(revision.cover.storage.exists(revision.cover.name) for revision in waiting.values())
    failing = Course.objects.get(revisions__title="Compilers from Scratch")
    assert failing.status == "draft"
    assert Submission.objects.get(course=failing).failed_count == 6


def test_a_second_load_adds_nothing():
    demo_accounts_load()
    demo_publishing_load()
    counts = (Course.objects.count(), CourseRevision.objects.count(), Submission.objects.count())

    assert demo_publishing_load() == 0

    assert (Course.objects.count(), CourseRevision.objects.count(), Submission.objects.count()) == counts


def test_without_the_demo_accounts_nothing_is_loaded():
    assert demo_publishing_load() == 0
    assert not Course.objects.exists()
