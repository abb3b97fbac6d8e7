"""One interface for every gateway: create a payment, confirm it through a signed webhook, refund all
or part, pay out to a payout method, and answer reconciliation's questions.

A gateway never touches our `Payment` or `Payout` rows nor the ledger: it talks to the outside (or,
for the sandbox, to the pretend card network's own tables) and answers in the plain values below.
Every call that moves money takes an idempotency key that the gateway itself honours, so a retry
after a lost answer does the work once.
"""

import abc
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from agora.payments.models import Payment, PaymentStatus, Payout

type PayoutState = Literal["paid", "pending", "failed"]
type RefundState = Literal["succeeded", "pending", "failed"]


class GatewayError(Exception):
    """The gateway could not be reached or refused the request in a way worth retrying later."""


class WebhookSignatureError(Exception):
    """A webhook whose signature is missing, wrong or too old: refused, nothing changes."""


@dataclass(frozen=True, slots=True)
class GatewayPayment:
    """A payment as the gateway sees it."""

    gateway_payment_id: str
    status: PaymentStatus  # mapped to our statuses (refunds aside: see amount_refunded)
    amount: int
    currency: str
    reference: str  # what we told the gateway: our payment's id
    amount_refunded: int = 0
    failure_reason: str = ""
    client_secret: str = ""
    created_at: datetime.datetime | None = None


@dataclass(frozen=True, slots=True)
class GatewayRefund:
    gateway_refund_id: str
    status: RefundState
    failure_reason: str = ""


@dataclass(frozen=True, slots=True)
class GatewayPayout:
    gateway_payout_id: str
    status: PayoutState
    amount: int
    currency: str
    reference: str  # our payout's id
    failure_reason: str = ""


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified webhook, reduced to what we act on. `kind` says which of ours it is about."""

    event_id: str
    type: str
    kind: Literal["payment", "payout", "other"]
    gateway_object_id: str = ""
    reference: str = ""  # our payment's or payout's id, as we gave it to the gateway
    payment_status: PaymentStatus | None = None
    payout_status: PayoutState | None = None
    amount: int = 0
    currency: str = ""
    failure_reason: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)


class PaymentGateway(abc.ABC):
    """What payments asks of a gateway. Implementations: `sandbox.SandboxGateway`, `stripe.StripeGateway`."""

    name: ClassVar[str]
    # Payout method kinds this gateway can pay out to.
    payout_kinds: ClassVar[frozenset[str]]

    @abc.abstractmethod
    def payment_create(self, *, payment: Payment, idempotency_key: str) -> GatewayPayment:
        """Open a payment for `payment.amount` with our payment's id as its reference."""

    @abc.abstractmethod
    def payment_retrieve(self, *, gateway_payment_id: str) -> GatewayPayment: ...

    @abc.abstractmethod
    def payment_list(self, *, created_after: datetime.datetime) -> Sequence[GatewayPayment]:
        """The gateway's payments since a moment, for reconciliation."""

    @abc.abstractmethod
    def refund_create(self, *, payment: Payment, amount: int, idempotency_key: str) -> GatewayRefund: ...

    @abc.abstractmethod
    def payout_create(self, *, payout: Payout, destination: Mapping[str, str], idempotency_key: str) -> GatewayPayout:
        """Send `payout.amount` to the destination (the method's decrypted details). A refusal is a
        `failed` answer, not an exception; `GatewayError` means "unknown, try again later"."""

    @abc.abstractmethod
    def payout_retrieve(self, *, gateway_payout_id: str) -> GatewayPayout: ...

    @abc.abstractmethod
    def payout_list(self, *, created_after: datetime.datetime) -> Sequence[GatewayPayout]:
        """The gateway's payouts since a moment, for reconciliation."""

    @abc.abstractmethod
    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify the signature (raise `WebhookSignatureError`) and read the event."""
