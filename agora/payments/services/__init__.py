"""The payments app's commands. Refusals raise `agora.core.errors.ServiceError` with a stable `code`."""

from agora.payments.services.outcomes import gateway_event_process, payment_outcome_apply, payout_outcome_apply
from agora.payments.services.payments import payment_refund, payment_start, topup_start
from agora.payments.services.payouts import (
    payout_method_add,
    payout_method_remove,
    payout_send,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from agora.payments.services.reconciliation import ReconciliationRow, reconciliation_run

__all__ = [
    "ReconciliationRow",
    "gateway_event_process",
    "payment_outcome_apply",
    "payment_refund",
    "payment_start",
    "payout_method_add",
    "payout_method_remove",
    "payout_outcome_apply",
    "payout_send",
    "reconciliation_run",
    "topup_start",
    "withdrawal_approve",
    "withdrawal_reject",
    "withdrawal_request",
]
