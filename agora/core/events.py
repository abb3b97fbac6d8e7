"""Facts travel upward as Django signals sent after the transaction that caused them commits."""

from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal


def send_on_commit(signal: Signal, **payload: Any) -> None:
    """Send `signal` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(signal.send, sender=None, **payload), robust=True)
