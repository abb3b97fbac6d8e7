"""Folding balance deltas into the cached balances (a periodic job; the hot path never waits for it)."""

from django.db import connection, transaction


def ledger_balances_fold(*, accounts_limit: int = 1000) -> int:
    """Fold the pending deltas of up to `accounts_limit` accounts into their cached balance.

    Skips accounts locked by a payment in flight (that payment folds them itself). Deleting a delta
    folds it (a database trigger), so the balances stay equal to the sum of their entries (I3).
    Returns how many deltas were folded; safe to run any number of times, concurrently too.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "WITH locked AS ("
            " SELECT a.id FROM ledger_account a"
            " WHERE a.id IN (SELECT DISTINCT account_id FROM ledger_balancedelta LIMIT %s)"
            " ORDER BY a.id FOR NO KEY UPDATE SKIP LOCKED)"
            " DELETE FROM ledger_balancedelta d USING locked WHERE d.account_id = locked.id",
            [accounts_limit],
        )
        return max(int(cursor.rowcount), 0)
