"""Every catalog page and API list costs a fixed number of queries: the same with 10 courses as with
10,000 (QUALITY.md P2). Signed-in pages add the session, the user and the menu's permissions."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agora.accounts.tests.factories import UserFactory
from agora.catalog.cursors import AFTER, Cursor
from agora.catalog.models import Course, Lecture, Module, Skill, SkillArea, WishlistItem
from agora.catalog.tests.factories import CategoryFactory, course_published, courses_bulk
from agora.core.jwt import token_pair_issue

pytestmark = pytest.mark.django_db

# page → queries for a visitor; a signed-in person adds SIGNED_IN
VISITOR = {
    "home": 2,  # featured courses, their teams
    "catalog": 4,  # categories, a page of courses, their teams, the capped count
    "catalog filtered": 4,
    "catalog page 2": 4,
    "category": 4,
    "course": 6,  # course with category and revision, team with profiles, skills, modules, lectures, team totals
    "author": 7,  # author, profile, expertise, social links, their courses, those courses' teams, totals
}
SIGNED_IN = 3  # session, user, permissions
SIGNED_IN_ONLY = {"wishlist": 3}  # items with courses, their teams, the count
API = {  # + 1 to read the bearer token's user for the wishlist
    "api courses": 4,
    "api courses filtered": 4,
    "api course": 5,  # as the page, without the team's totals
    "api author": 7,
    "api wishlist": 4,
    "api categories": 1,  # the whole tree
    "api skills": 1,  # skills with their areas
}


@pytest.fixture
def catalog():
    category = CategoryFactory(slug="development")
    CategoryFactory(slug="web", parent=category)
    author = UserFactory()
    courses_bulk(9, author=author, category=category)
    course = course_published(author=author, title="Target", category=category)
    area = SkillArea.objects.create(name="Back-end", slug="back-end")
    course.published_revision.skills.add(Skill.objects.create(area=area, name="Django", slug="django"))
    return {"author": author, "category": category, "course": course}


def _grow(catalog, learner):
    """From 10 courses to 10,000, with a bigger curriculum, a bigger team figure, a longer wishlist, more
    categories and more skills (in more areas)."""
    courses_bulk(9_990, author=catalog["author"], category=catalog["category"])
    for number in range(10):
        parent = CategoryFactory(slug=f"more-{number}")
        for child in range(5):
            CategoryFactory(slug=f"more-{number}-{child}", parent=parent)
    for number in range(8):
        area = SkillArea.objects.create(name=f"Area {number}", slug=f"area-{number}", position=number)
        skills = [Skill(area=area, name=f"Skill {number}.{n}", slug=f"skill-{number}-{n}") for n in range(12)]
        catalog["course"].published_revision.skills.add(*Skill.objects.bulk_create(skills)[:2])
    revision = catalog["course"].published_revision
    for position in range(5, 25):
        module = Module.objects.create(revision=revision, title=f"More {position}", position=position)
        Lecture.objects.bulk_create(Lecture(module=module, title=f"L{n}", position=n) for n in range(10))
    WishlistItem.objects.bulk_create(
        (WishlistItem(user=learner, course=course) for course in Course.objects.filter(status="published")[:500]),
        ignore_conflicts=True,
    )


def _pages(client, catalog, *, signed_in):
    urls = {
        "home": reverse("home"),
        "catalog": reverse("catalog:course-list"),
        "catalog filtered": reverse("catalog:course-list")
        + "?level=beginner&level=advanced&price=paid&rating=3.5&duration=0-1&duration=3-6&sort=rating",
        "category": reverse("catalog:category", args=["development"]),
        "course": reverse("catalog:course", args=[catalog["course"].slug]),
        "author": reverse("catalog:author", args=[catalog["author"].pk]),
    }
    if signed_in:
        urls["wishlist"] = reverse("catalog:wishlist")
    course = catalog["course"]
    after = Cursor("newest", AFTER, (course.published_at, course.pk)).encode()  # the page after the target course
    urls["catalog page 2"] = reverse("catalog:course-list") + f"?sort=newest&cursor={after}"
    counts = {}
    for name, url in urls.items():
        cache.clear()  # the rendering's queries, not a visitor page cache hit (test_page_cache.py)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        counts[name] = len(queries)
    return counts


def _api(client, catalog, learner):
    token = {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(learner).access}"}
    calls = {
        "api courses": ("/api/v1/courses", {}),
        "api courses filtered": (
            "/api/v1/courses?category=development&level=beginner&sort=price_high&rating_min=3",
            {},
        ),
        "api course": (f"/api/v1/courses/{catalog['course'].slug}", {}),
        "api author": (f"/api/v1/authors/{catalog['author'].pk}", {}),
        "api wishlist": ("/api/v1/wishlist", token),
        "api categories": ("/api/v1/categories", {}),
        "api skills": ("/api/v1/skills", {}),
    }
    counts = {}
    for name, (url, headers) in calls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, **headers).status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_visitor_pages_cost_the_same_with_10_and_10000_courses(client, catalog):
    small = _pages(client, catalog, signed_in=False)
    _grow(catalog, UserFactory())
    big = _pages(client, catalog, signed_in=False)

    assert small == VISITOR
    assert big == VISITOR


def test_signed_in_pages_cost_the_same_with_10_and_10000_courses(client, catalog):
    learner = UserFactory()
    WishlistItem.objects.create(user=learner, course=catalog["course"])
    client.force_login(learner)
    expected = {**{name: count + SIGNED_IN for name, count in VISITOR.items()}}
    expected["wishlist"] = SIGNED_IN_ONLY["wishlist"] + SIGNED_IN

    small = _pages(client, catalog, signed_in=True)
    _grow(catalog, learner)
    big = _pages(client, catalog, signed_in=True)

    assert small == expected
    assert big == expected


def test_api_lists_cost_the_same_with_10_and_10000_courses(client, catalog):
    learner = UserFactory()
    WishlistItem.objects.create(user=learner, course=catalog["course"])

    small = _api(client, catalog, learner)
    _grow(catalog, learner)
    big = _api(client, catalog, learner)

    assert small == API
    assert big == API
