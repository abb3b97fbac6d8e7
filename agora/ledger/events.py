"""The ledger's facts, sent after commit with `hold_id` and `transaction_id`."""

from django.dispatch import Signal

hold_posted = Signal()
hold_voided = Signal()
hold_expired = Signal()
