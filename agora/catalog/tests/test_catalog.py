"""The catalog page, category pages and the course list API: every filter, every sort, keyset pages."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agora.accounts.tests.factories import UserFactory
from agora.catalog import selectors
from agora.catalog.models import Category, Course, CourseStatus, Skill, SkillArea
from agora.catalog.selectors import SORTS, CatalogFilters
from agora.catalog.tests.factories import CategoryFactory, course_draft, course_published, courses_bulk

pytestmark = pytest.mark.django_db

HOUR = 3600


@pytest.fixture
def shelf():
    """Four published courses that differ in every filtered and sorted figure, and two hidden ones."""
    development = CategoryFactory(name="Development", slug="development")
    web = CategoryFactory(name="Web", slug="web", parent=development)
    mobile = CategoryFactory(name="Mobile", slug="mobile", parent=development)
    design = CategoryFactory(name="Design", slug="design")
    author = UserFactory(display_name="Ada")
    soon = timezone.now() + datetime.timedelta(days=3)
    courses = {
        "alpha": course_published(
            author=author, title="Alpha HTML", category=web, level="beginner", gives_certificate=True,
            curriculum=[[("video", 1800, True)]],
        ),
        "bravo": course_published(
            title="Bravo Kotlin", category=mobile, level="intermediate", language="ru", price=1999,
            curriculum=[[("video", 2 * HOUR, False)]],
        ),
        "charlie": course_published(
            author=author, title="Charlie Colour", category=design, level="advanced", price=4999, discount_price=999,
            discount_ends_at=soon, gives_certificate=True, curriculum=[[("video", 4 * HOUR, False)]],
        ),
        "delta": course_published(
            title="Delta Typography", category=design, level="all", price=9999,
            curriculum=[[("video", 20 * HOUR, False)]],
        ),
    }  # fmt: skip
    figures = {"alpha": (5, 480, 10), "bravo": (50, 350, 4), "charlie": (20, 420, 7), "delta": (1, 0, 0)}
    for name, (students, rating, ratings) in figures.items():
        Course.objects.filter(pk=courses[name].pk).update(
            student_count=students, rating_average=rating, rating_count=ratings
        )
    course_draft(title="Echo Draft", category=web)
    blocked = course_published(title="Foxtrot Blocked", category=web)
    Course.objects.filter(pk=blocked.pk).update(status=CourseStatus.BLOCKED)
    return {"author": author, **courses}


def _titles(response) -> list[str]:
    return re.findall(r'class="course-card__title"><a href="/courses/[^/]+/">([^<]+)</a>', response.content.decode())


def _names(titles) -> list[str]:
    return [title.split()[0].lower() for title in titles]


FILTERS = [
    ({}, ["bravo", "charlie", "alpha", "delta"]),  # most popular first
    ({"price": "free"}, ["alpha"]),
    ({"price": "paid"}, ["bravo", "charlie", "delta"]),
    ({"price_min": "10"}, ["bravo", "delta"]),  # the discount makes charlie 9.99
    ({"price_max": "10"}, ["charlie", "alpha"]),
    ({"price_min": "10", "price_max": "20"}, ["bravo"]),
    ({"level": "beginner"}, ["alpha"]),
    ({"level": ["advanced", "all"]}, ["charlie", "delta"]),
    ({"language": "ru"}, ["bravo"]),
    ({"rating": "4.0"}, ["charlie", "alpha"]),
    ({"rating": "4.5"}, ["alpha"]),
    ({"duration": "0-1"}, ["alpha"]),
    ({"duration": "1-3"}, ["bravo"]),
    ({"duration": "3-6"}, ["charlie"]),
    ({"duration": ["0-1", "17-plus"]}, ["alpha", "delta"]),
    ({"certificate": "on"}, ["charlie", "alpha"]),
    ({"q": "kotlin"}, ["bravo"]),
    ({"q": "design"}, ["charlie", "delta"]),  # the category's name
    ({"level": "beginner", "price": "paid"}, []),
    ({"sort": "rating"}, ["alpha", "charlie", "bravo", "delta"]),
    ({"sort": "newest"}, ["delta", "charlie", "bravo", "alpha"]),
    ({"sort": "price_low"}, ["alpha", "charlie", "bravo", "delta"]),
    ({"sort": "price_high"}, ["delta", "bravo", "charlie", "alpha"]),
    ({"sort": "popular"}, ["bravo", "charlie", "alpha", "delta"]),
    ({"level": "nonsense", "price_min": "cheap", "sort": "worst"}, ["bravo", "charlie", "alpha", "delta"]),  # ignored
]


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_each_filter_and_sort_of_the_catalog_page(client, shelf, params, expected):
    response = client.get(reverse("catalog:course-list"), params)

    assert response.status_code == 200
    assert _names(_titles(response)) == expected


def test_the_author_filter_shows_the_courses_of_their_teams(client, shelf):
    response = client.get(reverse("catalog:course-list"), {"author": shelf["author"].pk, "sort": "newest"})

    assert _names(_titles(response)) == ["charlie", "alpha"]


def test_a_category_page_shows_its_subcategories_courses_and_links(client, shelf):
    response = client.get(reverse("catalog:category", args=["development"]))

    assert _names(_titles(response)) == ["bravo", "alpha"]
    page = response.content.decode()
    assert 'href="/courses/category/web/"' in page and 'href="/courses/category/mobile/"' in page
    assert _names(_titles(client.get(reverse("catalog:category", args=["web"])))) == ["alpha"]
    assert client.get(reverse("catalog:category", args=["web"]), {"price": "paid"}).status_code == 200


def test_an_unknown_category_is_not_found(client, shelf):
    assert client.get(reverse("catalog:category", args=["nope"])).status_code == 404


def test_drafts_and_blocked_courses_never_appear(client, shelf):
    page = client.get(reverse("catalog:course-list")).content.decode()

    assert "Echo Draft" not in page and "Foxtrot Blocked" not in page
    assert "4 courses" in page


def test_a_card_shows_team_rating_students_length_and_the_discount(client, shelf):
    page = client.get(reverse("catalog:course-list"), {"q": "charlie"}).content.decode()

    assert "Ada" in page and "4.2" in page and "(7)" in page and "20 students" in page and "4 h" in page
    assert "$9.99" in page and "$49.99" in page


def test_htmx_gets_only_the_results(client, shelf):
    response = client.get(
        reverse("catalog:course-list"), {"price": "free"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="catalog-results"
    )

    page = response.content.decode()
    assert "<html" not in page and "course-card" in page and _names(_titles(response)) == ["alpha"]
    assert "HX-Request" in response["Vary"]


def test_htmx_puts_the_filters_without_empty_fields_in_the_address_bar(client, shelf):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "catalog-results"}
    params = {"q": "", "price": "", "level": "beginner", "sort": "newest", "cursor": "abc"}

    first = client.get(reverse("catalog:course-list"), params, **headers)
    cached = client.get(reverse("catalog:course-list"), params, **headers)

    assert first["HX-Push-Url"] == cached["HX-Push-Url"] == "/courses/?level=beginner&sort=newest&cursor=abc"


def test_the_count_stops_at_the_cap(client, shelf, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)

    page = client.get(reverse("catalog:course-list")).content.decode()

    assert "More than 3 courses" in page


@pytest.mark.parametrize("sort_name", list(SORTS))
def test_keyset_pages_walk_every_course_once_forwards_and_backwards(sort_name):
    author = UserFactory()
    courses_bulk(30, author=author)
    Course.objects.filter(pk__in=Course.objects.order_by("id").values("pk")[:10]).update(
        published_at=timezone.now() - datetime.timedelta(days=1)
    )  # ties and different times for "newest"
    filters = CatalogFilters(sort=sort_name)
    everything = [course.pk for course in selectors.course_list_filtered(filters).order_by(
        *[f"-{field}" if SORTS[sort_name].descending else field for field in SORTS[sort_name].fields]
    )]  # fmt: skip

    pages, cursor = [], None
    while True:
        page = selectors.course_page_for_catalog(filters, cursor=_decode(cursor, sort_name), viewer=None, limit=7)
        pages.append([course.pk for course in page.courses])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    backwards, cursor = [], page.previous_cursor
    while cursor is not None:
        page = selectors.course_page_for_catalog(filters, cursor=_decode(cursor, sort_name), viewer=None, limit=7)
        backwards.insert(0, [course.pk for course in page.courses])
        cursor = page.previous_cursor

    assert [pk for chunk in pages for pk in chunk] == everything
    assert [len(chunk) for chunk in pages] == [7, 7, 7, 7, 2]
    assert backwards == pages[:-1]


def _decode(cursor, sort_name):
    from agora.catalog.cursors import cursor_decode

    return None if cursor is None else cursor_decode(cursor, sort_name=sort_name, sort=SORTS[sort_name])


def test_page_links_carry_the_filters_and_a_bad_cursor_means_the_first_page(client):
    courses_bulk(60, author=UserFactory())
    first = client.get(reverse("catalog:course-list"), {"level": ["beginner", "advanced"], "sort": "price_low"})
    next_link = re.search(r'rel="next" href="\?([^"]+)"', first.content.decode())[1].replace("&amp;", "&")

    second = client.get(reverse("catalog:course-list") + "?" + next_link)
    broken = client.get(reverse("catalog:course-list"), {"level": ["beginner", "advanced"], "cursor": "!!not-a-cursor"})

    assert "level=beginner&level=advanced&sort=price_low&cursor=" in next_link
    assert len(_titles(first)) == 24 and len(_titles(second)) == 6  # 60 courses, half of them in these levels
    assert _titles(broken) == _titles(client.get(reverse("catalog:course-list"), {"level": ["beginner", "advanced"]}))


def test_page_two_has_its_own_courses(client):
    courses_bulk(30, author=UserFactory())
    first = client.get(reverse("catalog:course-list"))
    next_link = re.search(r'rel="next" href="\?([^"]+)"', first.content.decode())[1].replace("&amp;", "&")

    second = client.get(reverse("catalog:course-list") + "?" + next_link)

    assert len(_titles(first)) == 24 and len(_titles(second)) == 6
    assert set(_titles(first)).isdisjoint(_titles(second))
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()


API_FILTERS = [
    ({}, ["bravo", "charlie", "alpha", "delta"]),
    ({"price": "free"}, ["alpha"]),
    ({"price": "paid", "sort": "price_low"}, ["charlie", "bravo", "delta"]),
    ({"price_min": 1000}, ["bravo", "delta"]),
    ({"price_max": 1000}, ["charlie", "alpha"]),
    ({"level": ["advanced", "all"]}, ["charlie", "delta"]),
    ({"language": "ru"}, ["bravo"]),
    ({"rating_min": 4.0}, ["charlie", "alpha"]),
    ({"duration": ["0-1", "17-plus"]}, ["alpha", "delta"]),
    ({"certificate": "true"}, ["charlie", "alpha"]),
    ({"category": "development"}, ["bravo", "alpha"]),
    ({"q": "typo"}, ["delta"]),
    ({"sort": "rating"}, ["alpha", "charlie", "bravo", "delta"]),
    ({"sort": "newest"}, ["delta", "charlie", "bravo", "alpha"]),
    ({"sort": "price_high"}, ["delta", "bravo", "charlie", "alpha"]),
]


@pytest.mark.parametrize(("params", "expected"), API_FILTERS)
def test_each_filter_and_sort_of_the_course_list_api(client, shelf, params, expected):
    response = client.get("/api/v1/courses", params)

    assert response.status_code == 200
    assert [item["slug"].split("-")[0] for item in response.json()["items"]] == expected


def test_the_api_lists_a_course_with_its_figures(client, shelf):
    body = client.get("/api/v1/courses", {"q": "charlie"}).json()

    assert (body["count"], body["count_is_capped"], body["next_cursor"], body["previous_cursor"]) == (
        1,
        False,
        None,
        None,
    )
    item = body["items"][0]
    assert (item["price"], item["current_price"]) == (
        {"amount": 4999, "currency": "USD"},
        {"amount": 999, "currency": "USD"},
    )
    assert (item["rating_average"], item["rating_count"], item["student_count"]) == (4.2, 7, 20)
    assert (item["content_seconds"], item["lecture_count"], item["module_count"]) == (4 * HOUR, 1, 1)
    assert item["authors"] == [{"id": shelf["author"].pk, "name": "Ada", "avatar": None}]
    assert (item["category"], item["url"]) == ({"slug": "design", "name": "Design"}, "/courses/charlie-colour/")


def test_the_api_pages_with_cursors_and_refuses_a_bad_one(client):
    courses_bulk(30, author=UserFactory())

    first = client.get("/api/v1/courses", {"limit": 20, "sort": "newest"}).json()
    second = client.get("/api/v1/courses", {"limit": 20, "sort": "newest", "cursor": first["next_cursor"]}).json()
    other_order = client.get("/api/v1/courses", {"sort": "rating", "cursor": first["next_cursor"]})
    garbage = client.get("/api/v1/courses", {"cursor": "%%%"})

    assert (len(first["items"]), len(second["items"]), second["next_cursor"]) == (20, 10, None)
    assert {item["id"] for item in first["items"]}.isdisjoint(item["id"] for item in second["items"])
    assert (other_order.status_code, other_order.json()["code"]) == (400, "invalid_cursor")
    assert (garbage.status_code, garbage.json()["code"]) == (400, "invalid_cursor")


def test_the_api_refuses_an_unknown_category_and_bad_values(client, shelf):
    assert client.get("/api/v1/courses", {"category": "nope"}).status_code == 404
    assert client.get("/api/v1/courses", {"level": "expert"}).status_code == 422
    assert client.get("/api/v1/courses", {"limit": 1000}).status_code == 422


def test_the_api_lists_the_category_tree_with_ids(client, shelf):
    development, web = Category.objects.get(slug="development"), Category.objects.get(slug="web")
    Category.objects.filter(pk=development.pk).update(description="Code of every kind.")

    response = client.get("/api/v1/categories")

    assert response.status_code == 200
    tree = response.json()
    assert [(root["slug"], [child["slug"] for child in root["children"]]) for root in tree] == [
        ("design", []),
        ("development", ["mobile", "web"]),
    ]
    assert {key: value for key, value in tree[1].items() if key != "children"} == {
        "id": development.pk,
        "slug": "development",
        "name": "Development",
        "description": "Code of every kind.",
        "url": "/courses/category/development/",
        "parent_id": None,
    }
    assert tree[1]["children"][1] == {
        "id": web.pk,
        "slug": "web",
        "name": "Web",
        "description": "",
        "url": "/courses/category/web/",
        "parent_id": development.pk,
        "children": [],
    }


def test_the_api_lists_skills_grouped_by_area_in_their_order(client):
    back_end = SkillArea.objects.create(name="Back-end", slug="back-end", position=1)
    front_end = SkillArea.objects.create(name="Front-end", slug="front-end", position=0)
    SkillArea.objects.create(name="Nothing yet", slug="nothing-yet", position=2)
    vue = Skill.objects.create(area=front_end, name="Vue", slug="vue")
    django = Skill.objects.create(area=back_end, name="Django", slug="django")
    react = Skill.objects.create(area=front_end, name="React", slug="react")

    response = client.get("/api/v1/skills")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": front_end.pk,
            "slug": "front-end",
            "name": "Front-end",
            "skills": [
                {"id": react.pk, "slug": "react", "name": "React"},
                {"id": vue.pk, "slug": "vue", "name": "Vue"},
            ],
        },
        {
            "id": back_end.pk,
            "slug": "back-end",
            "name": "Back-end",
            "skills": [{"id": django.pk, "slug": "django", "name": "Django"}],
        },
    ]


def test_the_api_offers_exactly_the_catalogs_choices():
    from typing import get_args

    from agora.catalog import api
    from agora.catalog.models import CourseLanguage, CourseLevel
    from agora.catalog.selectors import DURATIONS

    assert set(get_args(api.Level)) == set(CourseLevel.values)
    assert set(get_args(api.Language)) == set(CourseLanguage.values)
    assert set(get_args(api.Duration)) == set(DURATIONS)
    assert set(get_args(api.SortName)) == set(SORTS)
