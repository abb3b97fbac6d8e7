"""Who sees what, and what each read costs (a fixed number of queries, whatever the data)."""

import datetime

import pytest
from django.utils import timezone

from agora.accounts.tests.factories import UserFactory
from agora.payments.access import access_payments_for_staff, access_payout_for_review
from agora.payments.models import Payment, Payout, PayoutMethod
from agora.payments.selectors import (
    payment_list_for_staff,
    payment_list_for_user,
    payout_list_for_review,
    payout_list_for_user,
    payout_method_list_for_user,
)
from agora.payments.services import payout_method_add, topup_start, withdrawal_request
from agora.payments.tests.conftest import key

pytestmark = pytest.mark.django_db


def test_only_accountants_and_admins_see_payment_data(accountant, admin_user):
    from django.contrib.auth.models import AnonymousUser

    moderator = UserFactory(is_staff=True)
    from django.contrib.auth.models import Group

    moderator.groups.add(Group.objects.get(name="moderator"))
    suspended_accountant = accountant.__class__.objects.get(pk=accountant.pk)

    assert access_payments_for_staff(accountant) and access_payout_for_review(accountant)
    assert access_payments_for_staff(admin_user) and access_payout_for_review(admin_user)
    for outsider in (AnonymousUser(), UserFactory(), moderator):
        assert not access_payments_for_staff(outsider)
        assert not access_payout_for_review(outsider)
    suspended_accountant.is_suspended = True
    suspended_accountant.save()
    suspended_accountant.refresh_from_db()
    assert not access_payments_for_staff(suspended_accountant)


def make_data(count: int):
    """`count` users, each with a top-up, a payout method and a withdrawal."""
    from agora.ledger.models import AccountKind
    from agora.ledger.services import system_account_ensure, wallet_account_ensure
    from agora.ledger.tests.conftest import Book

    book = Book(
        accounts={
            "outside": system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency="USD"),
            "clearing": system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency="USD", gateway="sandbox"),
        }
    )
    users = []
    for index in range(count):
        user = UserFactory()
        book.accounts[f"u{index}"] = wallet_account_ensure(user=user, kind=AccountKind.AVAILABLE, currency="USD")
        book.fund(f"u{index}", 5000)
        topup_start(user=user, amount=1000, idempotency_key=key())
        method = payout_method_add(user=user, kind="paypal", details={"email": f"u{index}@example.com"})
        withdrawal_request(user=user, method_id=method.pk, amount=2000, idempotency_key=key())
        users.append(user)
    return users


@pytest.mark.parametrize("count", [1, 6])
def test_each_list_costs_one_query(django_assert_num_queries, count):
    users = make_data(count)
    user = users[0]

    for read in (
        lambda: [p.user.email for p in payment_list_for_staff()],
        lambda: [(p.user.email, p.method.masked) for p in payout_list_for_review()],
        lambda: list(payment_list_for_user(user=user)),
        lambda: [p.method.masked for p in payout_list_for_user(user=user)],
        lambda: list(payout_method_list_for_user(user=user)),
    ):
        with django_assert_num_queries(1):
            read()


def test_a_users_lists_hold_only_their_own():
    first, second = make_data(2)

    assert {p.user_id for p in payment_list_for_user(user=first)} == {first.pk}
    assert {p.user_id for p in payout_list_for_user(user=first)} == {first.pk}
    assert {m.user_id for m in payout_method_list_for_user(user=first)} == {first.pk}
    assert Payment.objects.count() == Payout.objects.count() == PayoutMethod.objects.count() == 2
    assert second.pk != first.pk


def test_staff_filters(accountant):
    make_data(2)
    payout = Payout.objects.first()
    assert payout is not None
    payout.status = "rejected"
    payout.decided_at = timezone.now()
    payout.save()
    today = timezone.localdate()

    assert payment_list_for_staff(status="created").count() == 2
    assert payment_list_for_staff(status="succeeded").count() == 0
    assert payment_list_for_staff(gateway="stripe").count() == 0
    assert payment_list_for_staff(date_from=today, date_to=today).count() == 2
    assert payment_list_for_staff(date_from=today + datetime.timedelta(days=1)).count() == 0
    assert payment_list_for_staff(date_to=today - datetime.timedelta(days=1)).count() == 0
    assert [p.status for p in payout_list_for_review()] == ["requested", "rejected"]  # waiting first
    assert [p.pk for p in payout_list_for_review(status="rejected")] == [payout.pk]
