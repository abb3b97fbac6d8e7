"""The payments app's facts, sent after commit (`agora.core.events.send_on_commit`).

- `payment_succeeded`, `payment_failed`: `payment_id`, `user_id`, `purpose`, `reference`, `amount`, `currency`.
- `payment_refunded`: the same plus `refund_id` and `amount_refunded` (the refund's amount is `refund_amount`).
- `payout_paid`, `payout_failed`: `payout_id`, `user_id`, `amount`, `currency`.
"""

from django.dispatch import Signal

payment_succeeded = Signal()
payment_failed = Signal()
payment_refunded = Signal()
payout_paid = Signal()
payout_failed = Signal()
