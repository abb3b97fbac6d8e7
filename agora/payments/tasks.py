"""Jobs: the sandbox's webhook deliveries and payout settlements, and the periodic reconciliation.

Each takes ids and is safe to run twice (a delivered webhook is not sent again by the same delivery;
the merchant side processes each event once anyway).
"""

import datetime

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from agora.payments.sandbox import delivery, network
from agora.payments.services.reconciliation import reconciliation_run

# About 2, 4, 8, … seconds between attempts, for a bit over two hours in all, like a real gateway.
WEBHOOK_RETRY = RetryStrategy(max_attempts=12, exponential_wait=2, retry_exceptions={delivery.DeliveryFailed})


@app.task(queue="payments", retry=WEBHOOK_RETRY)
def deliver_sandbox_webhook_task(delivery_id: int) -> None:
    delivery.webhook_deliver(delivery_id=delivery_id)


@app.task(queue="payments")
def settle_sandbox_payout_task(payout_id: str) -> None:
    network.payout_settle(payout_id=payout_id)


@app.periodic(cron="*/10 * * * *")
@app.task(queue="payments", queueing_lock="reconcile_payments")
def reconcile_payments_task(timestamp: int) -> None:
    """Compare the gateways' payments and payouts of the last days with ours; repair what is missing."""
    now = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    reconciliation_run(now=now, repair=True)
