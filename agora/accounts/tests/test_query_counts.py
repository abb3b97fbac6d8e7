"""Every account page costs a fixed number of queries, however much data there is."""

import pytest
from django.urls import reverse

from agora.accounts import services
from agora.accounts.models import Expertise, SocialNetwork
from agora.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _more_data(user):
    network = SocialNetwork.objects.create(name=f"Net {user.pk}", url_prefix="https://example.com/")
    user.profile.social_links.create(network=network, url=f"https://example.com/{user.pk}")
    for number in range(3):
        user.profile.expertise.add(Expertise.objects.create(name=f"Skill {user.pk}-{number}"))
    for _ in range(3):
        services.user_suspend(actor=UserFactory(), user=user, reason="x")
        services.user_unsuspend(actor=UserFactory(), user=user, reason="y")


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [
        # every signed-in page: session, user, and the menu's permissions (own and groups', one query)
        ("home", 4),  # + the featured courses (see agora/catalog/tests/test_query_counts.py)
        ("accounts:profile", 6),  # + profile with specialisation, expertise, social links
        ("accounts:profile-edit", 10),  # + the links again (the formset), the choices of the selects
        ("accounts:close", 3),
        ("account_email", 7),  # allauth's page: the addresses, their states
        ("account_change_password", 3),
    ],
)
def test_signed_in_pages_have_fixed_query_counts(client, django_assert_num_queries, url_name, queries):
    user = UserFactory()
    client.force_login(user)
    with django_assert_num_queries(queries):
        assert client.get(reverse(url_name)).status_code == 200
    _more_data(user)
    with django_assert_num_queries(queries):
        assert client.get(reverse(url_name)).status_code == 200


def test_staff_user_page_has_a_fixed_query_count(client, django_assert_num_queries):
    moderator = UserFactory(is_superuser=True, is_staff=True)
    target = UserFactory()
    client.force_login(moderator)
    url = reverse("accounts:staff-user", args=[target.pk])
    with django_assert_num_queries(4) as before:
        client.get(url)
    _more_data(target)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)
