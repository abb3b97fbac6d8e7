"""Moderators and admins hold the publishing permissions and keep the category tree and skills in the
Django admin; nobody else does."""

import pytest
from django.contrib.auth.models import Group

from agora.accounts.roles import ACCOUNTANT, ADMIN, MODERATOR
from agora.accounts.tests.factories import UserFactory
from agora.publishing.access import access_course_blocking, access_moderation
from agora.publishing.tests.factories import staff

pytestmark = pytest.mark.django_db

TAXONOMY = [
    f"{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for model in ("category", "skillarea", "skill")
]


@pytest.mark.parametrize("role", [MODERATOR, ADMIN])
def test_moderators_and_admins_review_block_and_keep_the_taxonomy(client, role):
    user = staff(role)
    granted = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"review_revision", "block_course", *TAXONOMY} <= granted
    assert access_moderation(user) and access_course_blocking(user)
    client.force_login(user)
    assert client.get("/admin/catalog/category/").status_code == 200
    assert client.get("/admin/catalog/skillarea/add/").status_code == 200


@pytest.mark.parametrize("who", ["learner", "accountant", "inactive moderator"])
def test_nobody_else_moderates(client, who):
    user = {
        "learner": UserFactory,
        "accountant": lambda: staff(ACCOUNTANT),
        "inactive moderator": lambda: staff(MODERATOR, is_suspended=True),
    }[who]()

    assert not access_moderation(user) and not access_course_blocking(user)
    if who == "accountant":
        client.force_login(user)
        assert client.get("/admin/catalog/category/").status_code == 403
