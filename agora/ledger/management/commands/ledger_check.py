"""`manage.py ledger_check`: the trial balance, then every invariant violation; exits 1 if there is one."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agora.ledger.selectors import ledger_invariants_check, trial_balance


class Command(BaseCommand):
    help = "Print the ledger's trial balance per currency and account kind; fail on any imbalance (I1–I8)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = trial_balance()
        self.stdout.write(f"{'currency':<9}{'kind':<20}{'accounts':>9}{'balance':>18}{'entries':>18}")
        totals: dict[str, tuple[int, int]] = {}
        for row in rows:
            self.stdout.write(f"{row.currency:<9}{row.kind:<20}{row.accounts:>9}{row.balance:>18}{row.entries:>18}")
            balance, entries = totals.get(row.currency, (0, 0))
            totals[row.currency] = (balance + row.balance, entries + row.entries)
        for currency, (balance, entries) in sorted(totals.items()):
            self.stdout.write(f"{currency:<9}{'total':<20}{'':>9}{balance:>18}{entries:>18}")
        violations = ledger_invariants_check()
        for violation in violations:
            self.stderr.write(violation)
        if violations:
            raise CommandError(f"{len(violations)} ledger invariant violation(s)")
        self.stdout.write(self.style.SUCCESS("Ledger balanced: every invariant holds."))
