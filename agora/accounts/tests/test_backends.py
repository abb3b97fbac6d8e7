"""A user's permissions, their own and their groups', read in one query and the same as Django's."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from agora.accounts.backends import ModelBackendOneQuery
from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache yet


@pytest.fixture
def user() -> User:
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    group = Group.objects.create(name="Readers")
    group.permissions.add(Permission.objects.get(codename="view_group"), Permission.objects.get(codename="view_user"))
    user.groups.add(group)
    return user


def test_own_and_group_permissions_come_in_one_query(user, django_assert_num_queries):
    fresh = _fresh(user)

    with django_assert_num_queries(1):
        permissions = ModelBackendOneQuery().get_all_permissions(fresh)
        assert fresh.has_perm("accounts.view_user") and fresh.has_perm("auth.view_group")

    assert permissions == {"accounts.view_user", "auth.view_group"}
    assert permissions == ModelBackend().get_all_permissions(_fresh(user))


def test_a_superuser_has_every_permission_and_a_suspended_user_none(user):
    admin = UserFactory(is_superuser=True)
    User.objects.filter(pk=user.pk).update(is_suspended=True)

    assert ModelBackendOneQuery().get_all_permissions(_fresh(admin)) == ModelBackend().get_all_permissions(admin)
    assert len(ModelBackendOneQuery().get_all_permissions(_fresh(admin))) == Permission.objects.count()
    assert ModelBackendOneQuery().get_all_permissions(_fresh(user)) == set()
    assert not _fresh(user).has_perm("accounts.view_user")
