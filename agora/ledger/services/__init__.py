"""The ledger's commands. Every money-moving command takes an idempotency key and owns its transaction
(a savepoint when called inside a caller's). Refusals raise `agora.core.errors.ServiceError`."""

from agora.ledger.services.accounts import system_account_ensure, wallet_account_ensure
from agora.ledger.services.balances import ledger_balances_fold
from agora.ledger.services.holds import (
    hold_create,
    hold_expire,
    hold_post,
    hold_schedule,
    hold_void,
)
from agora.ledger.services.posting import BusinessObject, Move
from agora.ledger.services.transfers import ledger_transfer, transaction_reverse

__all__ = [
    "BusinessObject",
    "Move",
    "hold_create",
    "hold_expire",
    "hold_post",
    "hold_schedule",
    "hold_void",
    "ledger_balances_fold",
    "ledger_transfer",
    "system_account_ensure",
    "transaction_reverse",
    "wallet_account_ensure",
]
