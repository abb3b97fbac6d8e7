"""Moderators deciding the same revision at once, on real PostgreSQL: threads released together by a
barrier, each on its own connection. Exactly one decision wins; the others find it decided."""

import pytest

from agora.catalog.models import Course, CourseRevision
from agora.core.errors import ServiceError
from agora.ledger.tests.conftest import race
from agora.publishing import services
from agora.publishing.models import ReviewDecision
from agora.publishing.tests.factories import course_in_review, moderator

pytestmark = pytest.mark.django_db(transaction=True)


def refusals(outcome) -> list[str]:
    unexpected = [error for error in outcome.errors if not isinstance(error, ServiceError)]
    assert not unexpected, unexpected
    return [error.code for error in outcome.errors]


def test_six_moderators_approving_at_once_publish_once():
    course = course_in_review()
    revision = CourseRevision.objects.get(course=course)
    moderators = [moderator() for _ in range(6)]

    outcome = race([lambda who=who: services.review_approve(revision=revision, moderator=who) for who in moderators])

    assert len(outcome.results) == 1
    assert refusals(outcome) == ["revision_not_in_review"] * 5
    assert ReviewDecision.objects.filter(revision=revision).count() == 1
    course.refresh_from_db()
    assert (course.status, course.published_revision_id) == ("published", revision.pk)


def test_an_approval_racing_a_rejection_ends_in_one_decision():
    for _round in range(3):
        course = course_in_review()
        revision = CourseRevision.objects.get(course=course)
        first, second = moderator(), moderator()

        outcome = race(
            [
                lambda revision=revision, first=first: services.review_approve(revision=revision, moderator=first),
                lambda revision=revision, second=second: services.review_reject(
                    revision=revision, moderator=second, reason="Not yet."
                ),
            ]
        )

        assert len(outcome.results) == 1 and refusals(outcome) == ["revision_not_in_review"]
        decision = ReviewDecision.objects.get(revision=revision)
        expected = {"approve": ("published", "approved"), "reject": ("rejected", "rejected")}[decision.decision]
        assert (Course.objects.get(pk=course.pk).status, CourseRevision.objects.get(pk=revision.pk).status) == expected
