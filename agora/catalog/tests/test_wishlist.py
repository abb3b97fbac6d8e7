"""The wishlist: always the signed-in user's own, on the web and over the API."""

import pytest
from django.urls import reverse

from agora.accounts.tests.factories import UserFactory
from agora.catalog.models import Course, CourseStatus, WishlistItem
from agora.catalog.tests.factories import course_draft, course_published
from agora.core.jwt import token_pair_issue

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_pair_issue(user).access}"}


def _wished(user) -> list[int]:
    return list(WishlistItem.objects.filter(user=user).order_by("id").values_list("course_id", flat=True))


def test_adding_without_javascript_goes_back_to_the_page_it_came_from(client):
    user, course = UserFactory(), course_published()
    client.force_login(user)

    response = client.post(reverse("catalog:wishlist-add", args=[course.pk]), {"next": "/courses/?sort=newest"})
    again = client.post(reverse("catalog:wishlist-add", args=[course.pk]), {"next": "https://evil.example.com/"})

    assert (response.status_code, response["Location"]) == (302, "/courses/?sort=newest")
    assert again["Location"] == reverse("catalog:course", args=[course.slug])  # never to another site
    assert _wished(user) == [course.pk]


def test_htmx_swaps_the_button(client):
    user, course = UserFactory(), course_published()
    client.force_login(user)

    added = client.post(reverse("catalog:wishlist-add", args=[course.pk]), {"compact": "1"}, HTTP_HX_REQUEST="true")
    removed = client.post(reverse("catalog:wishlist-remove", args=[course.pk]), HTTP_HX_REQUEST="true")

    assert added.status_code == 200 and 'aria-pressed="true"' in added.content.decode()
    assert f'hx-post="/wishlist/{course.pk}/remove/"' in added.content.decode()
    assert 'aria-pressed="false"' in removed.content.decode()
    assert _wished(user) == []


def test_the_wishlist_page_shows_only_ones_own_published_courses(client):
    user, other = UserFactory(), UserFactory()
    mine, theirs, hidden = (
        course_published(title="Mine"),
        course_published(title="Theirs"),
        course_published(title="Later blocked"),
    )
    for owner, course in [(user, mine), (other, theirs), (user, hidden)]:
        WishlistItem.objects.create(user=owner, course=course)
    Course.objects.filter(pk=hidden.pk).update(status=CourseStatus.BLOCKED)
    client.force_login(user)

    page = client.get(reverse("catalog:wishlist")).content.decode()

    assert "Mine" in page and "Theirs" not in page and "Later blocked" not in page
    assert 'aria-pressed="true"' in page


def test_visitors_are_sent_to_log_in_and_get_is_refused(client):
    course = course_published()

    assert "/accounts/login/" in client.get(reverse("catalog:wishlist"))["Location"]
    assert "/accounts/login/" in client.post(reverse("catalog:wishlist-add", args=[course.pk]))["Location"]
    client.force_login(UserFactory())
    assert client.get(reverse("catalog:wishlist-add", args=[course.pk])).status_code == 405
    assert not WishlistItem.objects.exists()


def test_a_course_that_is_not_published_cannot_be_wished_for(client):
    user, draft = UserFactory(), course_draft()
    client.force_login(user)

    assert client.post(reverse("catalog:wishlist-add", args=[draft.pk])).status_code == 404
    assert client.post(reverse("catalog:wishlist-add", args=[999_999])).status_code == 404
    assert not WishlistItem.objects.exists()


def test_removing_touches_only_ones_own_wishlist(client):
    owner, intruder, course = UserFactory(), UserFactory(), course_published()
    WishlistItem.objects.create(user=owner, course=course)
    client.force_login(intruder)

    response = client.post(reverse("catalog:wishlist-remove", args=[course.pk]))

    assert response.status_code == 302
    assert _wished(owner) == [course.pk]


def test_the_wishlist_api_adds_lists_and_removes_ones_own(client):
    user, other = UserFactory(), UserFactory()
    first, second, theirs = course_published(title="First"), course_published(title="Second"), course_published()
    WishlistItem.objects.create(user=other, course=theirs)

    created = client.post("/api/v1/wishlist", {"course_id": first.pk}, content_type="application/json", **_bearer(user))
    again = client.post("/api/v1/wishlist", {"course_id": first.pk}, content_type="application/json", **_bearer(user))
    client.post("/api/v1/wishlist", {"course_id": second.pk}, content_type="application/json", **_bearer(user))
    listed = client.get("/api/v1/wishlist", **_bearer(user)).json()
    deleted = client.delete(f"/api/v1/wishlist/{first.pk}", **_bearer(user))
    missing = client.delete(f"/api/v1/wishlist/{first.pk}", **_bearer(user))

    assert (created.status_code, again.status_code, created.json()["course"]["title"]) == (201, 200, "First")
    assert (listed["count"], [item["course"]["title"] for item in listed["items"]]) == (2, ["Second", "First"])
    assert (deleted.status_code, missing.status_code, missing.json()["code"]) == (204, 404, "not_found")
    assert _wished(user) == [second.pk] and _wished(other) == [theirs.pk]


def test_the_wishlist_api_cannot_reach_another_users_items(client):
    owner, intruder, course = UserFactory(), UserFactory(), course_published()
    WishlistItem.objects.create(user=owner, course=course)

    listed = client.get("/api/v1/wishlist", **_bearer(intruder)).json()
    deleted = client.delete(f"/api/v1/wishlist/{course.pk}", **_bearer(intruder))

    assert listed == {"items": [], "count": 0}
    assert deleted.status_code == 404
    assert _wished(owner) == [course.pk]


def test_the_wishlist_api_needs_a_token_and_a_published_course(client):
    user, draft = UserFactory(), course_draft()
    client.force_login(user)  # a session is not enough

    assert client.get("/api/v1/wishlist").status_code == 401
    assert client.post("/api/v1/wishlist", {"course_id": draft.pk}, content_type="application/json").status_code == 401
    refused = client.post("/api/v1/wishlist", {"course_id": draft.pk}, content_type="application/json", **_bearer(user))
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert not WishlistItem.objects.exists()
