"""Render docs/quality.md from the figures a test session wrote (agora/core/tests/quality.py).

    python -m agora.core.tests.quality_render [figures.json] [docs/quality.md]

Each row of the template below names the tests behind it (`sources`: paths or node id prefixes) and
words its figure from the counts those tests recorded. A row whose tests failed says "failed"; a row
whose figure was not recorded by a passing test, or whose tests did not run, says "not run".
"""

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_FIGURES = "var/quality/figures.json"
DEFAULT_OUTPUT = "docs/quality.md"


class NotRun(Exception):
    """A figure no passing test recorded."""


class Failed(Exception):
    """A figure recorded by a test that failed."""


class Totals:
    """One figure's counts summed over the passing tests that recorded it; `tests` is how many did."""

    def __init__(self, name: str, numbers: dict[str, int], tests: int) -> None:
        self.name, self.numbers, self.tests = name, numbers, tests

    def __getattr__(self, key: str) -> int:
        try:
            return self.numbers[key]
        except KeyError:
            raise NotRun(f"{self.name}.{key}") from None


class Figures:
    def __init__(self, document: dict[str, Any]) -> None:
        self.tests: dict[str, str] = document.get("tests", {})
        self.records: list[dict[str, Any]] = document.get("figures", [])

    def __getitem__(self, name: str) -> Totals:
        records = [record for record in self.records if record["name"] == name]
        failed = [record["test"] for record in records if record["outcome"] == "failed"]
        if failed:
            raise Failed(", ".join(failed))
        passed = [record for record in records if record["outcome"] == "passed"]
        if not passed:
            raise NotRun(name)
        numbers: dict[str, int] = {}
        for record in passed:
            for key, value in record["numbers"].items():
                numbers[key] = numbers.get(key, 0) + value
        return Totals(name, numbers, len(passed))

    def outcomes(self, sources: tuple[str, ...]) -> dict[str, str]:
        return {test: outcome for test, outcome in self.tests.items() if test.startswith(sources)}


@dataclass(frozen=True)
class Row:
    check: str
    sources: tuple[str, ...]
    figure: Callable[[Figures], str]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _access(f: Figures) -> str:
    routes, matrix = f["access_routes"], f["access_matrix"]
    return (
        f"every route classified ({routes.routes} routes; a new route fails the test until it is); "
        f"{matrix.tests} roles × every route probed with GET ({matrix.cells} cells), object routes with another "
        f"user's id: {matrix.leaks} leaks, {matrix.errors} server errors"
    )


def _lockout(f: Figures) -> str:
    lockout = f["lockout"]
    return (
        "5 wrong passwords per address in 5 min (20 per IP a minute) lock the account, even for the right password "
        f"(web and API share the counters): {lockout.refused} of {_plural(lockout.tests, 'lockout check')} "
        "refused the sign-in once locked"
    )


def _rate_limits(f: Figures) -> str:
    limits = f["rate_limit"]
    return (
        "sign-up 10/h per IP; resend 3/h per address and 10/h per IP; password reset (allauth); closing an account "
        "5 per 5 min per user; API throttles 30/min anonymous, 120/min signed in: "
        f"{limits.refused} of {_plural(limits.tests, 'rate-limit check')} refused the request past the limit"
    )


def _ledger_races(f: Figures) -> str:
    transfer, hold = f["ledger_debits_transfer"], f["ledger_debits_hold"]
    resolve, deadlock, killed = f["ledger_resolve"], f["ledger_deadlock"], f["crash_killed_connection"]
    return (
        f"{transfer.rounds} rounds × {transfer.debits // transfer.rounds} debits (and {hold.rounds} rounds × "
        f"{hold.debits // hold.rounds} holds) against a wallet paying for {transfer.succeeded // transfer.rounds} "
        f"({transfer.oversells + hold.oversells} oversells, "
        f"{transfer.negative_balances + hold.negative_balances} negative balances), "
        f"{f['idempotency_ledger'].requests // f['idempotency_ledger'].keys} concurrent same-key requests "
        f"({f['idempotency_ledger'].extra} extra transactions), post/void/expire races ({resolve.rounds} rounds, "
        f"{resolve.winners} winners), opposite-direction transfers ({deadlock.transfers} transfers, "
        f"{deadlock.errors} deadlocks surfaced), killed connections ({killed.killed} killed, "
        f"{killed.half_written} half-written): {f['trial_balance'].violations} invariant violations in the "
        "trial balance after each"
    )


def _hypothesis(f: Figures) -> str:
    machine = f["ledger_hypothesis"]
    return (
        f"stateful machine, {machine.examples} examples run, {machine.steps} steps in all, invariants checked "
        f"after every step ({machine.checks} checks): {machine.violations} violations"
    )


def _trial_balance(f: Figures) -> str:
    balance = f["trial_balance"]
    return (
        f"every test that commits ({balance.tests_checked} tests) is followed, before the flush, by "
        f"`ledger_invariants_check()`: {balance.violations} violations; `manage.py ledger_check` exits 0 on a "
        "sound ledger, 1 on an unsound one (tested)"
    )


def _idempotency(f: Figures) -> str:
    ledger, payments, machine = f["idempotency_ledger"], f["idempotency_payments"], f["ledger_hypothesis"]
    return (
        f"{ledger.keys + payments.keys} keys each sent by concurrent requests ({ledger.requests + payments.requests} "
        f"requests: ledger transfers, top-ups, withdrawals): {ledger.extra + payments.extra} extra effects; "
        f"the Hypothesis machine replayed {machine.retries} finished commands with their keys: "
        f"{machine.changed_results} changed results"
    )


def _webhooks(f: Figures) -> str:
    duplicates, bad, mismatch, chaos = (
        f["webhook_duplicates"], f["webhook_bad_signature"], f["webhook_amount_mismatch"], f["webhook_chaos"],
    )  # fmt: skip
    return (
        f"duplicate ×{duplicates.posts // duplicates.rounds} concurrently, {duplicates.rounds} rounds → "
        f"{duplicates.credits} credits; {bad.tests} bad signatures (stale, from the future, tampered body, wrong "
        f"secret, missing or garbled header) → {bad.refused} × 400 and {bad.changed} changes; out of order → "
        "decided by the payment's state (a late event changes nothing); amount or currency mismatch "
        f"({mismatch.sent} sent) → {mismatch.refused} × 400, {mismatch.recorded} recorded, {mismatch.booked} booked; "
        f"a chaotic sandbox ({chaos.deliveries} deliveries, duplicated and reordered) → {chaos.applied} applied, "
        f"{chaos.credits} credit"
    )


def _crashes(f: Figures) -> str:
    killed, capture, endpoint = f["crash_killed_connection"], f["crash_after_capture"], f["crash_endpoint"]
    return (
        f"{killed.killed + capture.crashed + endpoint.failed} crash points survived: "
        f"{_plural(killed.killed, 'database connection')} killed mid-transaction ({killed.half_written} "
        "half-written); "
        f"{capture.crashed} crash after the gateway's capture, repaired by reconciliation "
        f"{capture.repaired} time(s) when run twice; {endpoint.failed} webhook deliveries answered 500, "
        f"retried, {endpoint.credits} credit"
    )


def _payouts(f: Figures) -> str:
    races = f["payout_races"]
    return (
        f"a withdrawal racing a purchase on one balance ({races.withdrawal_rounds} rounds): one wins cleanly each "
        f"time; two accountants approving at once ({races.approval_rounds} rounds): {races.gateway_payouts} gateway "
        "payouts; payout success, failure, return and rejection each leave every balance as worked out"
    )


def _api_fuzz(f: Figures) -> str:
    fuzz = f["api_fuzz"]
    return (
        f"{fuzz.operations} operations, {fuzz.cases} generated cases (up to 25 each plus its examples and coverage "
        f"cases), signed in, throttles lifted, derandomized: {fuzz.errors} server errors or responses outside the "
        "schema (checks left out: business refusals of well-formed input, token refusals — tested one by one — "
        'and lenient query parsing such as "0.0" read as 0)'
    )


def _xss(f: Figures) -> str:
    profile, course = f["xss_profile"], f["xss_course"]
    return (
        f"{profile.payloads} payloads × {profile.fields} profile fields (display name, headline, about, degree, "
        f"awards, experience, hours) on the author and profile pages ({profile.pages} page loads): "
        f"{profile.executions} executions, {profile.dialogs} dialogs; {course.payloads} payloads in every text "
        f"field of a course on the studio, review, course, catalog and author pages ({course.pages} page loads): "
        f"{course.executions} executions, {course.injected} injected elements, {course.dialogs} dialogs; "
        "a console error fails the test"
    )


def _uploads(f: Figures) -> str:
    uploads = f["uploads"]
    return (
        f"{uploads.accepted + uploads.rejected} samples judged by their bytes: {uploads.accepted} accepted, "
        f"{uploads.rejected} rejected (video, PDF, image and resource kinds); avatar: type by content, 5 MB limit, "
        "re-encoded, random names"
    )


def _described(text: str) -> Callable[[Figures], str]:
    return lambda _figures: text


ACCOUNTS = "agora/accounts/tests/"
ROWS = [
    Row("Access matrix (`config/tests/test_access_matrix.py`)", ("config/tests/test_access_matrix.py",), _access),
    Row(
        "Security headers",
        ("agora/core/tests/test_security_headers.py", "tests/e2e/"),
        _described(
            "CSP (nonce per response, no `unsafe-inline`), X-Frame-Options, nosniff, Referrer-Policy, COOP, "
            "Permissions-Policy on every response probed; every script tag carries its response's nonce; "
            "Chromium journeys fail on any console error (CSP violation)"
        ),
    ),
    Row(
        "`check --deploy` with production settings",
        ("config/tests/test_production_settings.py::test_check_deploy",),
        _described("0 issues (a test runs it)"),
    ),
    Row(
        "Password hashing",
        ("config/tests/test_production_settings.py::test_production_hashes_with_argon2",),
        _described("Argon2 in production (a test asserts it)"),
    ),
    Row(
        "Login lockout",
        (
            ACCOUNTS + "test_login.py::test_lockout",
            ACCOUNTS + "test_api.py::test_token_lock",
            ACCOUNTS + "test_api.py::test_token_correct_logins_do_not_count_towards_the_lockout",
            ACCOUNTS + "test_api.py::test_web_and_api_logins_share_one_lockout",
            ACCOUNTS + "test_api.py::test_password_reset_lifts_the_login_lockout",
        ),
        _lockout,
    ),
    Row(
        "Rate limits",
        (
            ACCOUNTS + "test_registration.py::test_signup_is_rate_limited",
            ACCOUNTS + "test_registration.py::test_resend_is_rate_limited",
            ACCOUNTS + "test_api.py::test_register_is_rate_limited",
            ACCOUNTS + "test_api.py::test_resend_is_rate_limited",
            ACCOUNTS + "test_api.py::test_me_close_with_a_wrong_password_changes_nothing_and_is_rate_limited",
            ACCOUNTS + "test_api.py::test_password_reset_is_rate_limited",
            ACCOUNTS + "test_profile.py::test_close_account_password_guesses_are_rate_limited",
        ),
        _rate_limits,
    ),
    Row(
        "Enumeration",
        (ACCOUNTS,),
        _described(
            "sign-up, resend and reset answer the same for known and unknown addresses; a pending/closed/suspended "
            "status is told only after a correct password"
        ),
    ),
    Row(
        "Tokens",
        (ACCOUNTS,),
        _described(
            "activation links single-use and expiring (3 days), claim links single-use (30 days), reset links "
            "3 hours, JWT refresh tokens single-use with family revocation, tokens die with a password change"
        ),
    ),
    Row(
        "Mail",
        ("agora/core/tests/test_mail.py",),
        _described(
            "outbox row + job in the caller's transaction (a rollback leaves neither); sent once over a real SMTP "
            "server (aiosmtpd); SMTP down → kept, retried, sent once"
        ),
    ),
    Row("Ledger races", ("agora/ledger/tests/test_races.py",), _ledger_races),
    Row("Ledger Hypothesis", ("agora/ledger/tests/test_stateful.py",), _hypothesis),
    Row("Trial balance after the suite", ("agora/ledger/tests/test_ledger_check.py",), _trial_balance),
    Row(
        "Idempotent retries",
        ("agora/ledger/tests/test_races.py", "agora/payments/tests/test_races.py", "agora/ledger/tests/test_stateful"),
        _idempotency,
    ),
    Row(
        "Webhooks (`agora/payments/tests/test_webhooks.py`)",
        ("agora/payments/tests/test_webhooks.py", "agora/payments/tests/test_races.py::test_the_same_webhook"),
        _webhooks,
    ),
    Row(
        "Crash points",
        ("agora/payments/tests/test_reconciliation.py", "agora/ledger/tests/test_races.py::test_a_connection_killed"),
        _crashes,
    ),
    Row(
        "Payouts and withdrawals",
        ("agora/payments/tests/test_races.py", "agora/payments/tests/test_payouts.py"),
        _payouts,
    ),
    Row(
        "Trial balance of the demo data",
        ("agora/demo/tests/test_demo_money.py",),
        _described("`demo_data` loaded twice: the second load books nothing, 0 invariant violations"),
    ),
    Row(
        "schemathesis over the OpenAPI document (`config/tests/test_api_fuzz.py`)",
        ("config/tests/test_api_fuzz.py",),
        _api_fuzz,
    ),
    Row(
        "XSS corpus in Chromium (`tests/e2e/test_xss.py`, `tests/e2e/test_course_xss.py`)",
        ("tests/e2e/test_xss.py", "tests/e2e/test_course_xss.py"),
        _xss,
    ),
    Row("Uploads", ("agora/catalog/tests/test_uploads.py", ACCOUNTS + "test_profile.py"), _uploads),
]

HEADER = """# Quality figures

What the suite checks, in numbers (QUALITY.md §5), as measured by the test session of {finished}
(`{command}`, exit status {exit_status}). Generated by `make quality` from {figures}: do not edit by
hand. A check that could not run is listed as "not run", never as passed; a check whose tests failed
is listed as "failed".

| check | figure |
|---|---|
"""


def row_render(row: Row, figures: Figures) -> str:
    outcomes = figures.outcomes(row.sources)
    failed = sorted(test for test, outcome in outcomes.items() if outcome == "failed")
    if failed:
        return f"**failed**: {', '.join(f'`{test}`' for test in failed[:3])}" + (" …" if len(failed) > 3 else "")
    try:
        text = row.figure(figures)
    except Failed as failure:
        return f"**failed**: `{failure}`"
    except NotRun as missing:
        return f"not run (no figure `{missing}`)"
    passed = sum(outcome == "passed" for outcome in outcomes.values())
    if not passed:
        return "not run (none of its tests ran)"
    return f"{text} ({_plural(passed, 'test')} passed)"


def render(document: dict[str, Any], figures_path: str = DEFAULT_FIGURES) -> str:
    figures = Figures(document)
    header = HEADER.format(
        finished=document.get("finished", "?"),
        command=" ".join(["pytest", *document.get("args", [])]).strip(),
        exit_status=document.get("exit_status", "?"),
        figures=f"`{figures_path}`",
    )
    lines = [f"| {row.check} | {row_render(row, figures).replace('|', '\\|')} |" for row in ROWS]
    return header + "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    figures_path = argv[0] if argv else DEFAULT_FIGURES
    output = Path(argv[1] if len(argv) > 1 else DEFAULT_OUTPUT)
    try:
        document = json.loads(Path(figures_path).read_text())
    except FileNotFoundError:
        document = {}
    output.write_text(render(document, figures_path))
    print(f"wrote {output} from {figures_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
