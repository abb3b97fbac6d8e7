"""The ledger's periodic jobs: fold balance deltas, expire lapsed holds. Safe to run twice, or at once."""

import datetime

from django.utils.translation import gettext_noop
from procrastinate.contrib.django import app

from agora.core.errors import ServiceError
from agora.ledger.selectors import hold_list_due_for_expiry
from agora.ledger.services import hold_expire, ledger_balances_fold

HOLD_EXPIRED = gettext_noop("The hold passed its expiry date.")  # kept in English; the wallet translates it

FOLD_ROUNDS = 10


@app.periodic(cron="* * * * *")
@app.task(queue="ledger", queueing_lock="fold_balances")
def fold_balances_task(timestamp: int) -> None:
    for _round in range(FOLD_ROUNDS):  # bounded: a hot creator's deltas keep arriving
        if not ledger_balances_fold(accounts_limit=1000):
            break


@app.periodic(cron="* * * * *")
@app.task(queue="ledger", queueing_lock="expire_holds")
def expire_holds_task(timestamp: int) -> None:
    now = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    for hold in hold_list_due_for_expiry(now=now, limit=500):
        try:
            hold_expire(
                idempotency_key=f"ledger.hold:{hold.pk}:expire",
                hold=hold,
                actor=None,
                reason=HOLD_EXPIRED,
                now=now,
            )
        except ServiceError as error:
            if error.code != "hold_not_pending":  # posted or voided meanwhile: nothing to do
                raise
