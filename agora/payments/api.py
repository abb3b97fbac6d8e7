"""The wallet API (tag "wallet": one's own balances, history, top-ups, payout methods, withdrawals) and the
accountant API (tag "accountant": the withdrawal queue and its decisions).

Each operation calls the same service or selector as the web page. Amounts are integers in minor units
of the platform currency (`5000` is 50.00 USD). Commands that move money take an `Idempotency-Key`
header: the same key and request give the first result again; the same key with another request is
refused (409-like `idempotency_conflict`, answered as 400).
"""

import datetime
import re
from typing import Annotated, Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.params import HeaderEx, P
from pydantic import BeforeValidator, model_validator

from agora.accounts.models import User
from agora.core.api import ErrorOut, InputSchema, JWTAuth
from agora.core.errors import PermissionDenied
from agora.ledger.models import Entry, HoldShare
from agora.ledger.selectors import entry_list_for_user, hold_share_list_pending_for_user, wallet_balances
from agora.payments import selectors, services
from agora.payments.access import access_payments_for_staff
from agora.payments.forms import HistoryType, history_narrow, history_type, idempotency_key_for
from agora.payments.models import Payment, Payout, PayoutMethod, PayoutMethodKind, PayoutStatus

wallet_router = Router(tags=["wallet"], auth=JWTAuth())
accountant_router = Router(tags=["accountant"], auth=JWTAuth())

REFUSED = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
LISTED = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}
PENDING_EARNINGS_LISTED = 50
IdempotencyKey = HeaderEx[
    str,
    P(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        description="Any unique string (a UUID); retrying with the same key does the work once.",
    ),
]


class Pages(PageNumberPagination):
    """ninja's page numbers, bounded: a page past any real list is refused (422), never an overflowing
    database offset."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)


class MoneyOut(Schema):
    amount: int = Field(description="Minor units (cents).", examples=[5000])
    currency: str = Field(examples=["USD"])


class PendingEarningOut(Schema):
    amount: int
    release_at: datetime.datetime | None = Field(description="When it becomes available; null until decided.")
    release_condition: str


class LimitsOut(Schema):
    topup_min: int
    topup_max: int
    withdrawal_min: int


class WalletOut(Schema):
    currency: str
    available: int = Field(description="What you may spend or withdraw, in minor units.")
    held: int = Field(description="Paid for your purchases still in their refund window.")
    pending_earnings: int = Field(description="Your share of sales, not released yet.")
    receivable: int = Field(description="What you owe the platform (zero or negative).")
    pending_earnings_schedule: list[PendingEarningOut]
    limits: LimitsOut


def _day_text(value: Any) -> Any:
    """Only `YYYY-MM-DD`: pydantic would also read `0` as a Unix time (1 January 1970)."""
    if value is None or isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return value
    raise ValueError("Use a day as YYYY-MM-DD.")


Day = Annotated[datetime.date, BeforeValidator(_day_text)]


class HistoryFilterIn(Schema):
    type: HistoryType | None = Field(default=None, description="Only one kind of operation.")
    date_from: Day | None = Field(default=None, description="From this day (included), YYYY-MM-DD.")
    date_to: Day | None = Field(default=None, description="Up to this day (included), YYYY-MM-DD.")

    @model_validator(mode="after")
    def _ordered(self) -> "HistoryFilterIn":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_to is before date_from.")
        return self


class HistoryItemOut(Schema):
    id: int
    transaction_id: int
    created_at: datetime.datetime
    type: HistoryType | None = Field(description="What the operation was; null for anything else.")
    description: str
    amount: int = Field(description="Signed, in minor units: negative left the wallet.")
    currency: str
    account: str = Field(description="available, or receivable (what you owe the platform).")

    @staticmethod
    def resolve_created_at(entry: Entry) -> datetime.datetime:
        return entry.transaction.created_at

    @staticmethod
    def resolve_type(entry: Entry) -> HistoryType | None:
        return history_type(entry.transaction.kind, entry.transaction.object_type)

    @staticmethod
    def resolve_description(entry: Entry) -> str:
        return entry.transaction.reason

    @staticmethod
    def resolve_currency(entry: Entry) -> str:
        return entry.account.currency

    @staticmethod
    def resolve_account(entry: Entry) -> str:
        return entry.account.kind


class TopUpIn(InputSchema):
    amount: int = Field(gt=0, strict=True, description="Minor units of the platform currency.", examples=[5000])


class PaymentOut(Schema):
    id: int
    status: str
    amount: int
    currency: str
    gateway: str
    checkout_url: str = Field(description="Where the payer enters their card.")
    created_at: datetime.datetime


class PayoutMethodIn(InputSchema):
    kind: PayoutMethodKind
    details: dict[str, str] = Field(
        description='stripe_account: {"account_id"}; paypal: {"email"}; bank: {"iban", "account_holder"}.',
        examples=[{"iban": "DE89370400440532013000", "account_holder": "Ada Lovelace"}],
        max_length=5,
    )

    @model_validator(mode="after")
    def _short_details(self) -> "PayoutMethodIn":
        if any(len(name) > 40 or len(value) > 254 for name, value in self.details.items()):
            raise ValueError("Each detail is at most 254 characters.")
        return self


class PayoutMethodOut(Schema):
    id: int
    kind: str
    label: str
    masked: str
    created_at: datetime.datetime


class WithdrawalIn(InputSchema):
    method_id: int
    amount: int = Field(gt=0, strict=True, description="Minor units of the platform currency.", examples=[2500])


class PayoutOut(Schema):
    id: int
    method: PayoutMethodOut
    amount: int
    currency: str
    status: str
    reason: str
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    paid_at: datetime.datetime | None


class PayoutUserOut(Schema):
    id: int
    email: str
    display_name: str


class ReviewPayoutOut(PayoutOut):
    user: PayoutUserOut
    decided_by_id: int | None


class ReviewFilterIn(Schema):
    status: PayoutStatus | None = Field(default=None, description="Only this status; by default waiting first.")


class RejectIn(InputSchema):
    reason: str = Field(min_length=1, max_length=1000)


# The wallet -------------------------------------------------------------------------------------------


@wallet_router.get("", response={200: WalletOut, 401: ErrorOut, 429: ErrorOut})
def wallet(request: HttpRequest) -> dict[str, Any]:
    """Your balances in the platform currency, your pending earnings with their release dates, and the limits."""
    user = _current_user(request)
    currency = settings.PLATFORM_CURRENCY
    balances = wallet_balances(user=user, currency=currency)
    pending = hold_share_list_pending_for_user(user=user, currency=currency)[:PENDING_EARNINGS_LISTED]
    return {
        "currency": currency,
        "available": balances.available.amount,
        "held": balances.held.amount,
        "pending_earnings": balances.pending_earnings.amount,
        "receivable": balances.receivable.amount,
        "pending_earnings_schedule": [_pending_out(share) for share in pending],
        "limits": {
            "topup_min": settings.PAYMENTS_TOPUP_MIN,
            "topup_max": settings.PAYMENTS_TOPUP_MAX,
            "withdrawal_min": settings.PAYMENTS_WITHDRAWAL_MIN,
        },
    }


@wallet_router.get("/history", response={200: list[HistoryItemOut], **LISTED})
@paginate(Pages, page_size=20, max_page_size=100)
def history(request: HttpRequest, filters: Query[HistoryFilterIn]) -> QuerySet[Entry]:
    """Your wallet operations, newest first, filtered by type and by days (both ends included)."""
    entries = entry_list_for_user(user=_current_user(request), currency=settings.PLATFORM_CURRENCY)
    return history_narrow(entries, operation=filters.type, date_from=filters.date_from, date_to=filters.date_to)


@wallet_router.post("/topups", response={201: PaymentOut, **REFUSED})
def topup(request: HttpRequest, payload: TopUpIn, idempotency_key: IdempotencyKey) -> Status:
    """Start a top-up; send the payer to `checkout_url`. The wallet is credited once the gateway confirms."""
    user = _current_user(request)
    payment = services.topup_start(
        user=user, amount=payload.amount, idempotency_key=idempotency_key_for(user, "topup", idempotency_key)
    )
    return Status(201, _payment_out(request, payment))


@wallet_router.get("/payout-methods", response={200: list[PayoutMethodOut], **LISTED})
def payout_methods(request: HttpRequest) -> list[PayoutMethod]:
    """Your payout methods (masked: the details are never shown again)."""
    return list(selectors.payout_method_list_for_user(user=_current_user(request)))


@wallet_router.post("/payout-methods", response={201: PayoutMethodOut, **REFUSED})
def payout_method_add(request: HttpRequest, payload: PayoutMethodIn) -> Status:
    method = services.payout_method_add(user=_current_user(request), kind=payload.kind, details=dict(payload.details))
    return Status(201, method)


@wallet_router.delete("/payout-methods/{method_id}", response={204: None, **REFUSED})
def payout_method_remove(request: HttpRequest, method_id: int) -> Status:
    """Stop using a payout method; withdrawals already requested to it go on."""
    services.payout_method_remove(user=_current_user(request), method_id=method_id)
    return Status(204, None)


@wallet_router.get("/withdrawals", response={200: list[PayoutOut], **LISTED})
@paginate(Pages, page_size=20, max_page_size=100)
def withdrawals(request: HttpRequest) -> Any:
    """Your withdrawal requests, newest first."""
    return selectors.payout_list_for_user(user=_current_user(request))


@wallet_router.post("/withdrawals", response={201: PayoutOut, **REFUSED})
def withdrawal_request(request: HttpRequest, payload: WithdrawalIn, idempotency_key: IdempotencyKey) -> Status:
    """Ask for a withdrawal: the amount is held from your available balance until an accountant decides."""
    user = _current_user(request)
    payout = services.withdrawal_request(
        user=user,
        method_id=payload.method_id,
        amount=payload.amount,
        idempotency_key=idempotency_key_for(user, "withdrawal", idempotency_key),
    )
    return Status(201, payout)


# The accountant -------------------------------------------------------------------------------------


@accountant_router.get("/withdrawals", response={200: list[ReviewPayoutOut], **LISTED})
@paginate(Pages, page_size=50, max_page_size=200)
def review_list(request: HttpRequest, filters: Query[ReviewFilterIn]) -> Any:
    """Every withdrawal (accountants and admins): the waiting ones first, oldest first, or one status."""
    _staff_check(request)
    return selectors.payout_list_for_review(status=filters.status)


@accountant_router.post("/withdrawals/{payout_id}/approve", response={200: ReviewPayoutOut, **REFUSED})
def review_approve(request: HttpRequest, payout_id: int) -> Payout:
    """Approve a requested withdrawal: the gateway pays it (once, whoever else approves)."""
    _staff_check(request)
    return services.withdrawal_approve(actor=_current_user(request), payout_id=payout_id)


@accountant_router.post("/withdrawals/{payout_id}/reject", response={200: ReviewPayoutOut, **REFUSED})
def review_reject(request: HttpRequest, payout_id: int, payload: RejectIn) -> Payout:
    """Reject a requested withdrawal with a reason the user sees; the money goes back to their wallet."""
    _staff_check(request)
    return services.withdrawal_reject(actor=_current_user(request), payout_id=payout_id, reason=payload.reason)


# Helpers --------------------------------------------------------------------------------------------


def _pending_out(share: HoldShare) -> dict[str, Any]:
    return {
        "amount": share.amount,
        "release_at": share.hold.release_at,
        "release_condition": share.hold.release_condition,
    }


def _payment_out(request: HttpRequest, payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "status": payment.status,
        "amount": payment.amount,
        "currency": payment.currency,
        "gateway": payment.gateway,
        "checkout_url": request.build_absolute_uri(payment.checkout_url) if payment.checkout_url else "",
        "created_at": payment.created_at,
    }


def _staff_check(request: HttpRequest) -> None:
    if not access_payments_for_staff(_current_user(request)):
        raise PermissionDenied(_("Only accountants and admins may do this."), code="permission_denied")


def _current_user(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]  # set by JWTAuth
