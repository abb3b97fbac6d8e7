"""Visitors' catalog pages come from a cache, with fresh secrets in every response."""

import re

import pytest
from django.urls import reverse

from agora.accounts.tests.factories import UserFactory
from agora.catalog import services
from agora.catalog.models import Course
from agora.catalog.page_cache import catalog_pages_expire
from agora.catalog.tests.factories import course_published, revision_submit

pytestmark = pytest.mark.django_db


def _nonce(response) -> str:
    return re.search(r'<script src="[^"]+htmx[^"]*" nonce="([^"]+)"', response.content.decode())[1]


def _csrf(response) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', response.content.decode())[1]


@pytest.mark.parametrize("page", ["list", "course"])
def test_a_visitor_gets_the_cached_page_with_a_fresh_nonce_and_token(client, django_assert_num_queries, page):
    course = course_published(title="Cached course")
    url = reverse("catalog:course-list") if page == "list" else reverse("catalog:course", args=[course.slug])
    first = client.get(url)
    client.cookies.clear()  # a new visitor

    with django_assert_num_queries(0):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert "Cached course" in second.content.decode()
    assert _nonce(first) != _nonce(second) and "__agora" not in second.content.decode()
    assert f"'nonce-{_nonce(second)}'" in second["Content-Security-Policy"]
    assert _csrf(first) != _csrf(second) and second.cookies["csrftoken"].value
    assert "Accept-Language" in second["Vary"]


def test_signed_in_people_and_pending_messages_skip_the_cache(client, django_assert_num_queries):
    course_published(title="Cached course")
    client.get(reverse("catalog:course-list"))  # cached for visitors now
    client.force_login(UserFactory())

    page = client.get(reverse("catalog:course-list")).content.decode()
    client.logout()
    client.cookies["messages"] = "something"
    with django_assert_num_queries(4):
        client.get(reverse("catalog:course-list"))

    assert 'class="wishlist-form' in page  # the signed-in version, with its forms


def test_approving_a_revision_refreshes_the_visitors_pages(client, django_capture_on_commit_callbacks):
    course = course_published(title="First edition")
    url = reverse("catalog:course", args=[course.slug])
    client.get(url)
    draft = services.revision_draft_open(course=course, actor=course.created_by)
    draft.title = "Second edition"
    draft.save()
    revision_submit(draft)

    with django_capture_on_commit_callbacks(execute=True):
        services.revision_approve_apply(revision=draft)

    assert "Second edition" in client.get(url).content.decode()


def test_a_page_is_cached_per_language(client):
    course_published(title="Cached course")
    english = client.get(reverse("catalog:course-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.cookies.clear()

    russian = client.get(reverse("catalog:course-list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert 'lang="en"' in english and 'lang="ru"' in russian


def test_a_change_behind_the_caches_back_shows_only_once_the_pages_expire(client):
    """What blocking relies on: a change made without catalog_pages_expire() (here a bare status
    update) is not seen by visitors until the pages expire. That publishing's block does expire them is
    proved by agora/publishing/tests/test_views.py::test_a_blocked_course_leaves_the_catalog_at_once."""
    course = course_published(title="Soon hidden")
    url = reverse("catalog:course", args=[course.slug])
    assert client.get(url).status_code == 200  # now cached for visitors
    Course.objects.filter(pk=course.pk).update(status="blocked")

    stale = client.get(url)
    catalog_pages_expire()
    fresh = client.get(url)

    assert stale.status_code == 200 and "Soon hidden" in stale.content.decode()
    assert fresh.status_code == 404
