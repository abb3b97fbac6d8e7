"""The public author page (moved here from accounts): profile, published courses, students and rating."""

import pytest
from django.urls import reverse

from agora.accounts.models import Expertise, SocialNetwork, UserStatus
from agora.accounts.tests.factories import UserFactory
from agora.catalog import services
from agora.catalog.models import Course, CourseStatus, MemberRole
from agora.catalog.services import TeamMember
from agora.catalog.tests.factories import course_draft, course_published

pytestmark = pytest.mark.django_db


def test_author_page_shows_the_profile_and_escapes_it(client):
    author = UserFactory(display_name="Grace Hopper")
    author.profile.about = "<script>alert('x')</script>"
    author.profile.save()
    github = SocialNetwork.objects.create(name="GitHub", url_prefix="https://github.com/")
    author.profile.social_links.create(network=github, url="https://github.com/grace")
    for name in ["COBOL", "Compilers"]:
        author.profile.expertise.add(Expertise.objects.create(name=name))

    response = client.get(reverse("catalog:author", args=[author.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Grace Hopper" in page and "Compilers" in page and "https://github.com/grace" in page
    assert "<script>alert" not in page
    assert "No published courses yet" in page


@pytest.mark.parametrize("status", [UserStatus.PENDING, UserStatus.WAITING, UserStatus.CLOSED])
def test_author_page_of_an_inactive_account_is_not_found(client, status):
    author = UserFactory(status=status)

    assert client.get(reverse("catalog:author", args=[author.pk])).status_code == 404
    assert client.get(f"/api/v1/authors/{author.pk}").status_code == 404


def test_a_suspended_authors_page_is_not_found(client):
    author = UserFactory(is_suspended=True)

    assert client.get(reverse("catalog:author", args=[author.pk])).status_code == 404


def test_author_page_lists_published_courses_of_their_teams_with_totals(client):
    author = UserFactory(display_name="Ada")
    own = course_published(author=author, title="Own course")
    shared = course_published(title="Shared course")
    services.course_team_set(
        course=shared,
        members=[TeamMember(shared.created_by, MemberRole.ADMIN, 5000), TeamMember(author, MemberRole.CO_AUTHOR, 5000)],
        actor=shared.created_by,
    )
    course_draft(author=author, title="Unfinished draft")
    blocked = course_published(author=author, title="Blocked one")
    Course.objects.filter(pk=blocked.pk).update(status=CourseStatus.BLOCKED, student_count=1000)
    Course.objects.filter(pk=own.pk).update(student_count=30, rating_average=450, rating_count=10)
    Course.objects.filter(pk=shared.pk).update(student_count=12, rating_average=400, rating_count=30)

    page = client.get(reverse("catalog:author", args=[author.pk])).content.decode()
    body = client.get(f"/api/v1/authors/{author.pk}").json()

    assert "Own course" in page and "Shared course" in page
    assert "Unfinished draft" not in page and "Blocked one" not in page
    assert "<strong>42</strong> students" in page and "<strong>2</strong> courses" in page
    assert "<strong>4.1</strong> rating (40 reviews)" in page  # (4.5 × 10 + 4.0 × 30) / 40 = 4.125
    assert body["totals"] == {"course_count": 2, "student_count": 42, "rating_average": 4.13, "rating_count": 40}
    assert [course["title"] for course in body["courses"]] == ["Own course", "Shared course"]
    assert (body["name"], body["url"], body["profile"]["headline"]) == ("Ada", f"/authors/{author.pk}/", "")


def test_the_profile_pages_link_to_the_public_author_page(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert f'href="/authors/{user.pk}/"' in page
