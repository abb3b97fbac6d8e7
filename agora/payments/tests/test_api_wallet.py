"""The wallet and accountant API: every operation, its refusals ({"detail", "code"}, 4xx), that a
refusal changed nothing, that nobody reaches another user's data, and pinned query counts."""

import datetime

import pytest
import time_machine
from django.core.serializers.json import DjangoJSONEncoder

from agora.accounts.tests.factories import UserFactory
from agora.core.jwt import token_pair_issue
from agora.ledger.selectors import wallet_balances
from agora.payments.models import Payment, Payout, PayoutMethod, PayoutStatus
from agora.payments.services import payout_method_add, withdrawal_request
from agora.payments.tests.conftest import USD, key
from agora.payments.tests.test_wallet import IBAN, bank, fund, purchase, refund

pytestmark = pytest.mark.django_db

API = "/api/v1"
BANK = {"kind": "bank", "details": {"iban": IBAN, "account_holder": "Ada Lovelace"}}


class Api:
    """A client holding one user's bearer token."""

    def __init__(self, client, user) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token_pair_issue(user).access}"} if user else {}

    def get(self, path: str, params=None):
        return self.client.get(API + path, params or {}, headers=self.headers)

    def post(self, path: str, body=None, idempotency_key: str | None = None):
        headers = {**self.headers, **({"Idempotency-Key": idempotency_key} if idempotency_key else {})}
        return self.client.post(API + path, body or {}, content_type="application/json", headers=headers)

    def delete(self, path: str):
        return self.client.delete(API + path, headers=self.headers)


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def api(client, user):
    return Api(client, user)


def iso(moment: datetime.datetime) -> str:
    """A time as the API writes it (Django's JSON encoder: milliseconds, "Z")."""
    return DjangoJSONEncoder().default(moment)


def available(user) -> int:
    return wallet_balances(user=user, currency=USD).available.amount


# Balances and history -------------------------------------------------------------------------------------


def test_the_wallet_needs_a_token_not_a_session(client, user):
    client.force_login(user)

    response = client.get(f"{API}/wallet")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_wallet_gives_balances_pending_earnings_and_limits(api, user):
    buyer = UserFactory()
    fund(buyer, 10_000)
    fund(user, 3000)
    hold = purchase(buyer, user, 2000, release_in_days=7)

    body = api.get("/wallet").json()

    assert body == {
        "currency": "USD",
        "available": 3000,
        "held": 0,
        "pending_earnings": 1700,
        "receivable": 0,
        "pending_earnings_schedule": [
            {
                "amount": 1700,
                "release_at": iso(hold.release_at),
                "release_condition": "refund_window",
            }
        ],
        "limits": {"topup_min": 500, "topup_max": 100_000, "withdrawal_min": 1000},
    }


def test_the_history_is_ones_own_filtered_and_paged(api, user):
    creator = UserFactory()
    fund(UserFactory(), 9999)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        fund(user, 10_000)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC), tick=False):
        hold = purchase(user, creator, 1999)
    with time_machine.travel(datetime.datetime(2026, 3, 3, 12, tzinfo=datetime.UTC), tick=False):
        refund(hold)

    everything = api.get("/wallet/history").json()
    refunds = api.get("/wallet/history", {"type": "refund"}).json()
    early = api.get("/wallet/history", {"date_to": "2026-03-01"}).json()
    second_page = api.get("/wallet/history", {"page": 2, "page_size": 2}).json()

    assert everything["count"] == 3
    assert [(item["type"], item["amount"], item["account"]) for item in everything["items"]] == [
        ("refund", 1999, "available"),
        ("purchase", -1999, "available"),
        ("top_up", 10_000, "available"),
    ]
    assert everything["items"][0]["created_at"] == "2026-03-03T12:00:00Z"
    assert everything["items"][0]["description"] == "Refund of Watercolour basics"
    assert [item["amount"] for item in refunds["items"]] == [1999]
    assert [item["amount"] for item in early["items"]] == [10_000]
    assert (second_page["count"], [item["amount"] for item in second_page["items"]]) == (3, [10_000])


@pytest.mark.parametrize(
    "params",
    [
        {"type": "gift"},
        {"date_from": "yesterday"},
        {"date_to": "0"},
        {"page": 0},
        {"page": 10**30},
        {"page_size": 10**30},
        {"date_from": "2026-03-05", "date_to": "2026-03-01"},
    ],
)
def test_bad_history_filters_are_refused(api, params):
    response = api.get("/wallet/history", params)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_the_history_costs_the_same_queries_however_long(api, user, django_assert_num_queries):
    fund(user, 100)

    # user (token), count, page
    with django_assert_num_queries(3):
        api.get("/wallet/history")
    for _ in range(30):
        fund(user, 100)
    with django_assert_num_queries(3):
        assert len(api.get("/wallet/history").json()["items"]) == 20


def test_the_wallet_costs_the_same_queries_however_many_pending_earnings(api, user, django_assert_num_queries):
    buyer = UserFactory()
    fund(buyer, 50_000)
    purchase(buyer, user, 1000)

    # user (token), balances, pending earnings
    with django_assert_num_queries(3):
        api.get("/wallet")
    for _ in range(10):
        purchase(buyer, user, 1000)
    with django_assert_num_queries(3):
        assert len(api.get("/wallet").json()["pending_earnings_schedule"]) == 11


# Top-ups --------------------------------------------------------------------------------------------------


def test_a_top_up_answers_201_with_its_checkout_url(api, user):
    response = api.post("/wallet/topups", {"amount": 5000}, idempotency_key="k-1")

    assert response.status_code == 201
    payment = Payment.objects.get()
    assert response.json() == {
        "id": payment.pk,
        "status": "created",
        "amount": 5000,
        "currency": "USD",
        "gateway": "sandbox",
        "checkout_url": f"http://testserver{payment.checkout_url}",
        "created_at": iso(payment.created_at),
    }
    assert payment.user == user


def test_the_same_key_gives_the_same_top_up_and_another_request_under_it_is_refused(api):
    first = api.post("/wallet/topups", {"amount": 5000}, idempotency_key="same")
    again = api.post("/wallet/topups", {"amount": 5000}, idempotency_key="same")
    other = api.post("/wallet/topups", {"amount": 6000}, idempotency_key="same")

    assert first.json()["id"] == again.json()["id"]
    assert other.status_code == 400
    assert other.json()["code"] == "idempotency_conflict"
    assert Payment.objects.count() == 1


def test_two_users_may_use_the_same_key(client):
    for person in (UserFactory(), UserFactory()):
        assert Api(client, person).post("/wallet/topups", {"amount": 5000}, idempotency_key="k").status_code == 201

    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "idempotency_key", "status", "code"),
    [
        ({"amount": 499}, "k", 400, "amount_too_small"),
        ({"amount": 100_001}, "k", 400, "amount_too_large"),
        ({"amount": 0}, "k", 422, "invalid"),
        ({"amount": "50.00"}, "k", 422, "invalid"),
        ({"amount": 50.5}, "k", 422, "invalid"),
        ({"amount": 5000.0}, "k", 422, "invalid"),
        ({"amount": 5000}, None, 422, "invalid"),
    ],
)
def test_bad_top_ups_are_refused_and_nothing_is_created(api, body, idempotency_key, status, code):
    response = api.post("/wallet/topups", body, idempotency_key=idempotency_key)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["detail"]
    assert not Payment.objects.exists()


# Payout methods -------------------------------------------------------------------------------------------


def test_payout_methods_are_added_listed_masked_and_removed(api, user):
    added = api.post("/wallet/payout-methods", BANK)

    assert added.status_code == 201
    method = PayoutMethod.objects.get()
    assert added.json() == {
        "id": method.pk,
        "kind": "bank",
        "label": "DE •••• 3000",
        "masked": "•••• 3000",
        "created_at": iso(method.created_at),
    }
    assert [item["id"] for item in api.get("/wallet/payout-methods").json()] == [method.pk]
    assert "0532" not in api.get("/wallet/payout-methods").content.decode()

    assert api.delete(f"/wallet/payout-methods/{method.pk}").status_code == 204
    assert api.get("/wallet/payout-methods").json() == []


def test_a_bad_payout_method_is_refused_with_its_field(api):
    response = api.post("/wallet/payout-methods", {"kind": "bank", "details": {"iban": "DE00", "account_holder": "A"}})

    assert response.status_code == 400
    assert response.json() == {"detail": "Enter a valid IBAN.", "code": "invalid_details", "field": "iban"}
    assert not PayoutMethod.objects.exists()


def test_another_users_payout_method_is_neither_listed_nor_removed(api):
    theirs = bank(UserFactory())

    assert api.get("/wallet/payout-methods").json() == []
    response = api.delete(f"/wallet/payout-methods/{theirs.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "method_not_found"
    theirs.refresh_from_db()
    assert theirs.is_active


# Withdrawals ----------------------------------------------------------------------------------------------


def test_a_withdrawal_is_requested_and_listed(api, user):
    fund(user, 10_000)
    method = bank(user)

    response = api.post("/wallet/withdrawals", {"method_id": method.pk, "amount": 2500}, idempotency_key="w-1")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["amount"], body["method"]["masked"]) == ("requested", 2500, "•••• 3000")
    assert available(user) == 7500
    listed = api.get("/wallet/withdrawals").json()
    assert (listed["count"], listed["items"][0]["id"]) == (1, body["id"])


@pytest.mark.parametrize(("amount", "code"), [(999, "amount_too_small"), (10_001, "insufficient_funds")])
def test_a_withdrawal_below_the_minimum_or_above_the_balance_is_refused(api, user, amount, code):
    fund(user, 10_000)
    method = bank(user)

    response = api.post("/wallet/withdrawals", {"method_id": method.pk, "amount": amount}, idempotency_key="w")

    assert (response.status_code, response.json()["code"]) == (400, code)
    assert not Payout.objects.exists()
    assert available(user) == 10_000


def test_a_withdrawal_to_another_users_method_is_not_found(api, user):
    fund(user, 10_000)
    theirs = bank(UserFactory())

    response = api.post("/wallet/withdrawals", {"method_id": theirs.pk, "amount": 2000}, idempotency_key="w")

    assert (response.status_code, response.json()["code"]) == (404, "method_not_found")
    assert not Payout.objects.exists()
    assert available(user) == 10_000


def test_one_sees_only_ones_own_withdrawals(api, user):
    someone = UserFactory()
    fund(someone, 5000)
    withdrawal_request(user=someone, method_id=bank(someone).pk, amount=2000, idempotency_key=key())

    assert api.get("/wallet/withdrawals").json() == {"items": [], "count": 0}


def test_the_own_lists_cost_the_same_queries_however_long(api, user, django_assert_num_queries):
    fund(user, 100_000)
    method = bank(user)
    withdrawal_request(user=user, method_id=method.pk, amount=1000, idempotency_key=key())

    # user (token), then the methods; user (token), count, page with their methods
    with django_assert_num_queries(2):
        api.get("/wallet/payout-methods")
    with django_assert_num_queries(3):
        api.get("/wallet/withdrawals")
    for number in range(8):
        paypal = payout_method_add(user=user, kind="paypal", details={"email": f"payee{number}@example.com"})
        withdrawal_request(user=user, method_id=paypal.pk, amount=1000, idempotency_key=key())
    with django_assert_num_queries(2):
        assert len(api.get("/wallet/payout-methods").json()) == 9
    with django_assert_num_queries(3):
        assert api.get("/wallet/withdrawals").json()["count"] == 9


# The accountant --------------------------------------------------------------------------------------------


@pytest.fixture
def requested():
    creator = UserFactory(email="creator@example.com")
    fund(creator, 10_000)
    method = payout_method_add(user=creator, kind="paypal", details={"email": "creator@example.com"})
    return withdrawal_request(user=creator, method_id=method.pk, amount=3000, idempotency_key=key())


def test_a_learner_cannot_use_the_accountant_api(api, requested):
    listing = api.get("/accountant/withdrawals")
    approval = api.post(f"/accountant/withdrawals/{requested.pk}/approve")
    rejection = api.post(f"/accountant/withdrawals/{requested.pk}/reject", {"reason": "No"})

    assert [r.status_code for r in (listing, approval, rejection)] == [403, 403, 403]
    assert listing.json()["code"] == "permission_denied"
    requested.refresh_from_db()
    assert requested.status == PayoutStatus.REQUESTED


def test_an_accountant_lists_and_approves(client, accountant, requested):
    api = Api(client, accountant)

    listing = api.get("/accountant/withdrawals").json()
    approved = api.post(f"/accountant/withdrawals/{requested.pk}/approve")
    again = api.post(f"/accountant/withdrawals/{requested.pk}/approve")

    assert listing["count"] == 1
    assert listing["items"][0]["user"]["email"] == "creator@example.com"
    assert listing["items"][0]["method"]["masked"] == "c•••@example.com"
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["decided_by_id"]) == ("paid", accountant.pk)
    assert (again.status_code, again.json()["code"]) == (400, "payout_decided")


def test_an_accountant_rejects_with_a_reason(client, accountant, requested):
    api = Api(client, accountant)

    empty = api.post(f"/accountant/withdrawals/{requested.pk}/reject", {"reason": ""})
    rejected = api.post(f"/accountant/withdrawals/{requested.pk}/reject", {"reason": "Name differs"})

    assert empty.status_code == 422
    assert (rejected.status_code, rejected.json()["status"], rejected.json()["reason"]) == (
        200,
        "rejected",
        "Name differs",
    )
    assert available(requested.user) == 10_000


def test_an_unknown_withdrawal_is_not_found(client, accountant):
    response = Api(client, accountant).post("/accountant/withdrawals/999999/approve")

    assert (response.status_code, response.json()["code"]) == (404, "payout_not_found")


def test_the_queue_costs_the_same_queries_however_long(client, accountant, django_assert_num_queries):
    api = Api(client, accountant)
    for _ in range(2):
        creator = UserFactory()
        fund(creator, 5000)
        withdrawal_request(user=creator, method_id=bank(creator).pk, amount=1000, idempotency_key=key())

    # user (token), permissions (own and groups', one query), count, page
    with django_assert_num_queries(4):
        api.get("/accountant/withdrawals")
    for _ in range(10):
        creator = UserFactory()
        fund(creator, 5000)
        withdrawal_request(user=creator, method_id=bank(creator).pk, amount=1000, idempotency_key=key())
    with django_assert_num_queries(4):
        assert api.get("/accountant/withdrawals").json()["count"] == 12


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    assert {
        "/api/v1/wallet",
        "/api/v1/wallet/history",
        "/api/v1/wallet/topups",
        "/api/v1/wallet/payout-methods",
        "/api/v1/wallet/payout-methods/{method_id}",
        "/api/v1/wallet/withdrawals",
        "/api/v1/accountant/withdrawals",
        "/api/v1/accountant/withdrawals/{payout_id}/approve",
        "/api/v1/accountant/withdrawals/{payout_id}/reject",
    } <= set(paths)
