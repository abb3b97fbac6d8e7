"""Which revision another is compared with, the same read from the database or from the history."""

import pytest

from agora.catalog.models import CourseRevision
from agora.catalog.services_authoring import revision_for_edit
from agora.publishing import services
from agora.publishing.selectors import revision_compared_with, revision_list_for_course
from agora.publishing.tests.factories import course_in_review, course_live, moderator

pytestmark = pytest.mark.django_db


def compared(revision: CourseRevision) -> tuple[int | None, int | None]:
    """The number compared with, asked of the database and of the course's history."""
    from_query = revision_compared_with(revision)
    from_history = revision_compared_with(revision, history=revision_list_for_course(revision.course))
    return (
        from_query.number if from_query else None,
        from_history.number if from_history else None,
    )


def update(course, *, approve: bool) -> CourseRevision:
    draft = revision_for_edit(course=course, actor=course.created_by)
    services.revision_submit(revision=draft, actor=course.created_by)
    if approve:
        services.review_approve(revision=CourseRevision.objects.get(pk=draft.pk), moderator=moderator())
    return CourseRevision.objects.get(pk=draft.pk)


def test_a_first_version_has_nothing_to_compare_with():
    assert compared(CourseRevision.objects.get(course=course_in_review())) == (None, None)


def test_an_update_is_compared_with_the_approved_revision_even_after_a_rejection():
    course = course_live()
    second = update(course, approve=False)
    services.review_reject(revision=second, moderator=moderator(), reason="No.")
    third = update(course, approve=False)

    assert compared(third) == (1, 1)


def test_before_the_first_approval_the_last_rejection_is_the_base():
    course = course_in_review()
    services.review_reject(revision=CourseRevision.objects.get(course=course), moderator=moderator(), reason="No.")

    assert compared(update(course, approve=False)) == (1, 1)


def test_a_superseded_revision_is_compared_with_the_one_published_before_it():
    course = course_live()
    second = update(course, approve=True)
    third = update(course, approve=True)

    assert CourseRevision.objects.get(pk=second.pk).status == "superseded"
    assert compared(CourseRevision.objects.get(pk=second.pk)) == (1, 1)
    assert compared(third) == (2, 2)
