import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from agora.accounts.roles import ACCOUNTANT, ADMIN, MODERATOR
from agora.accounts.tests.factories import UserFactory
from agora.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _staff(role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_roles_exist_with_their_permissions():
    assert Group.objects.get(name=MODERATOR).permissions.filter(codename="suspend_user").exists()
    assert Group.objects.get(name=ADMIN).permissions.filter(codename="suspend_user").exists()
    assert not Group.objects.get(name=ACCOUNTANT).permissions.filter(codename="suspend_user").exists()


def test_moderator_suspends_and_unsuspends_with_a_logged_reason(client):
    moderator = _staff(MODERATOR)
    learner = UserFactory()
    client.force_login(moderator)
    url = reverse("accounts:staff-user", args=[learner.pk])

    client.post(url, {"reason": "Abusive messages"})
    learner.refresh_from_db()
    assert (learner.is_suspended, learner.suspension_reason, learner.is_active) == (True, "Abusive messages", False)

    client.post(url, {"reason": "Appeal accepted"})
    learner.refresh_from_db()
    assert (learner.is_suspended, learner.is_active) == (False, True)

    log = AuditEntry.objects.filter(target_id=str(learner.pk)).order_by("id")
    assert [(entry.action, entry.actor_id, entry.reason) for entry in log] == [
        ("user.suspended", moderator.pk, "Abusive messages"),
        ("user.unsuspended", moderator.pk, "Appeal accepted"),
    ]


def test_suspension_needs_a_reason(client):
    moderator = _staff(MODERATOR)
    learner = UserFactory()
    client.force_login(moderator)

    response = client.post(reverse("accounts:staff-user", args=[learner.pk]), {"reason": "   "})

    assert response.status_code == 200
    learner.refresh_from_db()
    assert not learner.is_suspended


@pytest.mark.parametrize("role", [None, ACCOUNTANT])
def test_others_cannot_see_or_suspend(client, role):
    actor = _staff(role) if role else UserFactory()
    learner = UserFactory()
    client.force_login(actor)

    assert client.get(reverse("accounts:staff-users")).status_code == 404
    assert client.post(reverse("accounts:staff-user", args=[learner.pk]), {"reason": "x"}).status_code == 404
    learner.refresh_from_db()
    assert not learner.is_suspended


def test_staff_user_list_query_count_is_fixed(client, django_assert_num_queries):
    client.force_login(_staff(MODERATOR))
    UserFactory.create_batch(3)
    with django_assert_num_queries(5) as few:
        client.get(reverse("accounts:staff-users"))
    UserFactory.create_batch(30)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("accounts:staff-users"))
