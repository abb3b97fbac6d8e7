"""Ledger throughput against pgbench on the same PostgreSQL, interleaved, medians of several rounds.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/ledger.py [--payers 8] [--seconds 10]

Figures (QUALITY.md §1 form):
- ledger_spread: N payer processes, each paying its own creator (no shared account);
- ledger_hot_creator: N payer processes all paying one creator (the hot row the design avoids locking);
- ledger_hot_creator_row_locked: the same, but each payment also locks the creator's row until commit,
  as a cached balance updated in the hot path would (what docs/ledger.md decided against);
- baseline pgbench_tpcb: `pgbench -c 8 -j 2 -T <seconds>` (TPC-B-like) on a scratch database.

Uses its own databases `agora_bench` (migrated here) and `agora_pgbench`, dropped at the end.
"""

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "agora_bench"
PGBENCH_DATABASE = "agora_pgbench"
FUNDS = 10**12


def server_url() -> str:
    return os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"


def url_with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin_execute(*statements: str) -> None:
    import psycopg

    with psycopg.connect(url_with_database(server_url(), "postgres"), autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)  # type: ignore[arg-type]


def django_setup() -> None:
    os.environ["DATABASE_URL"] = url_with_database(server_url(), BENCH_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def worker_init() -> None:
    django_setup()
    from django.db import connection

    connection.ensure_connection()


def worker_ready(barrier: Any) -> int:
    """Waits for all workers: each of these calls lands on a process of its own, set up."""
    barrier.wait(timeout=120)
    return os.getpid()


def pay_until(payer_id: int, creator_id: int, start_at: float, seconds: float, lock_creator: bool) -> int:
    """Pay 1 cent at a time from one payer to one creator from `start_at` for `seconds`; return the count."""
    from django.db import connection, transaction

    from agora.core.money import Money
    from agora.ledger.models import Account
    from agora.ledger.services import BusinessObject, Move, ledger_transfer

    payer, creator = Account.objects.get(pk=payer_id), Account.objects.get(pk=creator_id)
    subject = BusinessObject("bench.payment", str(payer_id))
    moves = [Move(payer, creator, Money(1, payer.currency))]
    time.sleep(max(0.0, start_at - time.time()))
    end = start_at + seconds
    count = 0
    while time.time() < end:
        with transaction.atomic():
            if lock_creator:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1 FROM ledger_account WHERE id = %s FOR NO KEY UPDATE", [creator_id])
            ledger_transfer(
                idempotency_key=f"bench:{uuid.uuid4()}",
                kind="purchase",
                moves=moves,
                actor=None,
                reason="bench",
                business_object=subject,
            )
        count += 1
    return count


def accounts_create(payers: int) -> tuple[list[int], list[int], int]:
    from agora.accounts.models import User
    from agora.core.money import Money
    from agora.ledger.models import AccountKind
    from agora.ledger.services import BusinessObject, Move, ledger_transfer, system_account_ensure
    from agora.ledger.services import wallet_account_ensure as ensure

    outside = system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency="USD")
    run = uuid.uuid4().hex[:8]

    def wallet(name: str) -> int:
        user = User.objects.create_user(f"{name}-{run}@bench.example", None, status="active")
        return ensure(user=user, kind=AccountKind.AVAILABLE, currency="USD").pk

    payer_ids = [wallet(f"payer{number}") for number in range(payers)]
    creator_ids = [wallet(f"creator{number}") for number in range(payers)]
    from agora.ledger.models import Account

    for payer_id in payer_ids:
        ledger_transfer(
            idempotency_key=f"bench:fund:{payer_id}",
            kind="top_up",
            moves=[Move(outside, Account.objects.get(pk=payer_id), Money(FUNDS, "USD"))],
            actor=None,
            reason="bench funding",
            business_object=BusinessObject("bench.funding", str(payer_id)),
        )
    return payer_ids, creator_ids, wallet("hot-creator")


def ledger_phase(executor: ProcessPoolExecutor, pairs: list[tuple[int, int]], seconds: float, lock: bool) -> float:
    from agora.ledger.services import ledger_balances_fold

    start_at = time.time() + 2.0
    futures = [executor.submit(pay_until, payer, creator, start_at, seconds, lock) for payer, creator in pairs]
    total = sum(future.result() for future in futures)
    while ledger_balances_fold(accounts_limit=1000):  # between phases, as the periodic job would
        pass
    return total / seconds


def pgbench_binary() -> str:
    found = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    if not Path(found).exists():
        sys.exit("pgbench not found")
    return found


def pgbench_arguments() -> list[str]:
    parts = urlsplit(server_url())
    arguments = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    return arguments


def pgbench_init() -> None:
    admin_execute(f"DROP DATABASE IF EXISTS {PGBENCH_DATABASE} WITH (FORCE)", f"CREATE DATABASE {PGBENCH_DATABASE}")
    subprocess.run(
        [pgbench_binary(), *pgbench_arguments(), "-i", "-q", PGBENCH_DATABASE],
        check=True,
        capture_output=True,
        env={**os.environ, "PGPASSWORD": urlsplit(server_url()).password or ""},
    )


def pgbench_tps(seconds: int, clients: int) -> float:
    result = subprocess.run(
        [pgbench_binary(), *pgbench_arguments(), "-c", str(clients), "-j", "2", "-T", str(seconds), PGBENCH_DATABASE],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PGPASSWORD": urlsplit(server_url()).password or ""},
    )
    match = re.search(
        r"tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)", result.stdout
    )
    if not match:
        sys.exit(f"cannot read pgbench's output:\n{result.stdout}\n{result.stderr}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payers", type=int, default=8, help="concurrent payer processes (default 8, as pgbench -c 8)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    options = parser.parse_args()

    admin_execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)", f"CREATE DATABASE {BENCH_DATABASE}")
    django_setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    payer_ids, creator_ids, hot_creator = accounts_create(options.payers)
    connections.close_all()
    pgbench_init()

    figures: dict[str, list[float]] = {"pgbench_tpcb": [], "spread": [], "hot": [], "hot_locked": []}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(options.payers, mp_context=context, initializer=worker_init) as executor:
        # Start every worker process (each sets Django up) before measuring anything.
        barrier = context.Manager().Barrier(options.payers)
        for future in [executor.submit(worker_ready, barrier) for _ in range(options.payers)]:
            future.result()
        spread_pairs = list(zip(payer_ids, creator_ids, strict=True))
        hot_pairs = [(payer, hot_creator) for payer in payer_ids]
        phases: list[tuple[str, list[tuple[int, int]], bool]] = [
            ("spread", spread_pairs, False),
            ("hot", hot_pairs, False),
            ("hot_locked", hot_pairs, True),
        ]
        for round_number in range(1, options.rounds + 1):
            # Interleaved, and the ledger phases rotate so that none always runs right after pgbench.
            figures["pgbench_tpcb"].append(pgbench_tps(options.seconds, clients=8))
            shift = (round_number - 1) % len(phases)
            for name, pairs, lock in phases[shift:] + phases[:shift]:
                figures[name].append(ledger_phase(executor, pairs, options.seconds, lock))
            print(
                f"round {round_number}: " + ", ".join(f"{name} {values[-1]:.0f}/s" for name, values in figures.items()),
                flush=True,
            )

    from agora.ledger.selectors import ledger_invariants_check

    violations = ledger_invariants_check()
    print(f"ledger invariants after the bench: {len(violations)} violations")
    for database in connections.all():
        database.close_pool()  # type: ignore[attr-defined]  # PostgreSQL's wrapper has it
    if not options.keep:
        admin_execute(
            f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)",
            f"DROP DATABASE IF EXISTS {PGBENCH_DATABASE} WITH (FORCE)",
        )

    median = {name: statistics.median(values) for name, values in figures.items()}
    pgbench, spread, hot, hot_locked = (median[name] for name in ("pgbench_tpcb", "spread", "hot", "hot_locked"))
    print(f"payers: {options.payers} processes; {options.rounds} rounds of {options.seconds} s; medians")
    print(
        f"ledger_spread: {spread:.0f} transfers/s; baseline pgbench_tpcb {pgbench:.0f} tps;"
        f" ratio {spread / pgbench:.3f}"
    )
    print(
        f"ledger_hot_creator: {hot:.0f} transfers/s; baseline ledger_spread {spread:.0f} transfers/s;"
        f" ratio {hot / spread:.3f}"
    )
    print(
        f"ledger_hot_creator_row_locked: {hot_locked:.0f} transfers/s; baseline ledger_hot_creator {hot:.0f}"
        f" transfers/s; ratio {hot_locked / hot:.3f}"
    )
    if violations:
        sys.exit(1)


if __name__ == "__main__":
    main()
