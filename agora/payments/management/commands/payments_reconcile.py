"""`manage.py payments_reconcile [--dry-run]`: compare the gateways with our records now and print what
disagreed (and what was repaired). Exits 1 when something is left unrepaired."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.payments.services import reconciliation_run


class Command(BaseCommand):
    help = "Reconcile the gateways' payments and payouts with ours and the ledger; repair what is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report only; repair nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = reconciliation_run(repair=not options["dry_run"])
        for row in rows:
            mark = "repaired" if row.repaired else "OPEN"
            self.stdout.write(
                f"[{mark}] {row.gateway} {row.kind} ours={row.object_id} theirs={row.gateway_object_id or '-'}"
                f" {row.our_status or '-'}/{row.gateway_status or '-'} {row.amount} {row.currency}: {row.problem}"
            )
        open_rows = [row for row in rows if not row.repaired]
        self.stdout.write(f"{len(rows)} finding(s), {len(rows) - len(open_rows)} repaired, {len(open_rows)} open")
        if open_rows:
            raise CommandError("reconciliation found differences it could not repair")
