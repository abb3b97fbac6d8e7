"""The demo catalog make run loads: big enough to look busy, the same everywhere, safe to load twice."""

import time

import pytest
from django.db.models import Count

from agora.catalog.models import Course, CourseMember, CourseRevision, CourseStatus, Lecture, WishlistItem
from agora.catalog.services import revision_figures_compute
from agora.demo.accounts import demo_accounts_load
from agora.demo.catalog import demo_catalog_load

pytestmark = pytest.mark.django_db


def test_the_demo_catalog_is_a_busy_marketplace_and_loads_fast():
    demo_accounts_load()

    started = time.monotonic()
    added = demo_catalog_load()
    seconds = time.monotonic() - started

    published = Course.objects.filter(status=CourseStatus.PUBLISHED)
    assert added == 230 and published.count() == 220
    assert published.values("category").distinct().count() >= 10
    assert CourseMember.objects.filter(course__in=published).values("user").distinct().count() >= 30
    assert set(published.values_list("language", flat=True)) == {"en", "ru"}
    assert published.filter(current_price=0).exists() and published.filter(discount_price__isnull=False).exists()
    assert published.filter(members__role="co_author").exists()
    assert Course.objects.filter(status=CourseStatus.DRAFT).count() == 10
    assert Lecture.objects.filter(is_free_preview=True).count() >= 220
    assert seconds < 10


def test_demo_figures_match_what_the_services_derive():
    demo_accounts_load()
    demo_catalog_load(course_count=20)

    for course in Course.objects.filter(status=CourseStatus.PUBLISHED).select_related("published_revision"):
        figures = revision_figures_compute(course.published_revision)
        assert (course.content_seconds, course.module_count, course.lecture_count) == (
            figures.content_seconds, figures.module_count, figures.lecture_count
        )  # fmt: skip
        assert course.has_downloadable_resources == figures.has_downloadable_resources
        assert course.title == course.published_revision.title and course.price == course.published_revision.price
        modules = course.published_revision.modules.annotate(lectures_count=Count("lectures"))
        assert all(module.duration_seconds == figures.module_seconds[module.pk] for module in modules)


def test_a_second_load_adds_nothing_and_keeps_what_people_changed():
    demo_accounts_load()
    demo_catalog_load(course_count=30)
    course = Course.objects.filter(status=CourseStatus.PUBLISHED).order_by("id").first()
    Course.objects.filter(pk=course.pk).update(title="Renamed by a moderator")
    revisions, lectures = CourseRevision.objects.count(), Lecture.objects.count()

    assert demo_catalog_load(course_count=30) == 0

    assert (CourseRevision.objects.count(), Lecture.objects.count()) == (revisions, lectures)
    assert Course.objects.get(pk=course.pk).title == "Renamed by a moderator"
    assert not WishlistItem.objects.exists()


def test_the_demo_catalog_is_the_same_on_every_machine():
    demo_accounts_load()
    demo_catalog_load(course_count=15)
    first = list(Course.objects.order_by("slug").values_list("slug", "title", "price", "level", "content_seconds"))
    Course.objects.all().delete()

    demo_catalog_load(course_count=15)

    assert (
        list(Course.objects.order_by("slug").values_list("slug", "title", "price", "level", "content_seconds")) == first
    )
