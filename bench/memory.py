"""P6: memory of the web processes and the job worker under load, against a bare Django process.

    .venv/bin/python bench/memory.py [--seconds 60] [--rounds 2] [--connections 16]

Lower is better: every figure is a size in MB and every ratio is figure / baseline (QUALITY.md §1).

What it does, all in one run:
- builds its own database `agora_bench_memory` (dropped at the end) and loads it the way `make run`
  does (`manage.py migrate`, `createcachetable`, `demo_data`, with config.settings.local; uploaded
  demo files go to a temporary MEDIA_ROOT, generated videos come from var/demo-media/ when cached);
- serves Agora as production runs it: `uvicorn config.asgi:application --workers 2` (2 cores) with
  config.settings.production (Redis cache and channel layer at REDIS_URL, S3 storage classes loaded,
  manifest static files collected into a temporary STATIC_ROOT). The environment gives it what
  production refuses to start without (a random SECRET_KEY, a Fernet key, the sandbox gateway
  switched on, SECURE_SSL_REDIRECT off since there is no TLS proxy, fake S3 credentials: only signed
  URLs are computed, nothing is fetched). One override, in a settings module written to the temporary
  directory: the API throttles (30/120 requests a minute) are lifted, or the API lists would answer
  429 after the first second and cost nothing;
- runs one `manage.py jobs_worker --concurrency 4` (the worker `make run` starts) with the same
  settings, and keeps it busy: every 2 s the bench defers the periodic jobs (balance folding, hold
  expiry, discount ends, payments reconciliation) as the scheduler would each minute;
- serves the baseline, bench/bare_django.py (one primary-key query, JSON, no middleware), the same
  way: uvicorn with 2 workers (catalog.py's `serve`);
- drives each server in turn (interleaved rounds, order rotated) with `--connections` keep-alive
  clients of a small asyncio HTTP/1.1 client for `--seconds`. Agora's mix: the home page, the catalog
  with filters (search, level, price, rating, sort, languages; without a cookie, mostly the
  visitors' page cache; with one, rendered), categories, 40 course pages, author pages, signed-in
  pages (wallet, studio, a course's studio pages, wishlist, profile, the moderation queue; demo users
  logged in through /accounts/login/ with their session cookies) and the API (course list with
  filters, course detail, categories, skills, authors; wallet, wallet history, studio courses,
  wishlist, moderation queue with JWT tokens). The baseline gets GET /course/<id> over many ids;
- samples VmRSS of every uvicorn worker and of the job worker from /proc/<pid>/status every 0.2 s,
  reads VmHWM (the kernel's peak RSS) at the end and VmRSS again 5 s after the load stops.

Figures (the largest of the 2 uvicorn workers for web):
- memory_web_peak / memory_web_after: Agora web worker, peak and after the load;
- memory_worker_peak / memory_worker_after: the job worker (its baseline is also the bare Django
  web worker: the nearest "Django doing nothing much" process measured in the same run);
- baseline bare_django_peak / bare_django_after: a bare Django uvicorn worker under the same load.
The goal (P6): web ≤ 250 MB, worker ≤ 200 MB; the script says whether each is met.
"""

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from catalog import admin_execute, free_port, serve, server_url, url_with_database, wait_ready

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "agora_bench_memory"
WORKERS = 2  # catalog.serve's worker count: one per core on the 2-core machine
DEMO_PASSWORD = "agora-demo-2026"
CACHE_PREFIX = "bench-memory"
GOAL_WEB_MB = 250
GOAL_WORKER_MB = 200

OVERLAY_SETTINGS = '''"""bench/memory.py: production settings, API throttles lifted, a private static root."""
from pathlib import Path

from config.settings.production import *  # noqa: F403
from config.settings.production import CACHES

API_THROTTLE_ANONYMOUS = "100000000/min"
API_THROTTLE_AUTH = "100000000/min"
STATIC_ROOT = Path({static_root!r})
CACHES["default"]["KEY_PREFIX"] = {prefix!r}
'''


# ---------------------------------------------------------------- processes and their memory


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in kB (empty when it is gone)."""
    figures: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in {"VmRSS", "VmHWM"}:
                    figures[name] = int(value.split()[0])
    except OSError:
        return {}
    return figures


def proc_pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_children(pid: int) -> list[int]:
    children: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis.
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            children.append(int(entry.name))
    return children


def uvicorn_workers(master: int, expected: int) -> list[int]:
    """The worker processes uvicorn's supervisor spawned (not multiprocessing's resource tracker)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = []
        for child in proc_children(master):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"resource_tracker" not in command:
                workers.append(child)
        if len(workers) >= expected:
            return sorted(workers)
        time.sleep(0.2)
    sys.exit(f"uvicorn {master} did not start {expected} workers")


@dataclass
class Sampler:
    """Samples VmRSS of the watched processes in a thread; keeps the largest seen per process."""

    pids: dict[str, list[int]]
    interval: float = 0.2
    largest_kb: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for pids in self.pids.values():
                for pid in pids:
                    rss = proc_status(pid).get("VmRSS", 0)
                    self.largest_kb[pid] = max(self.largest_kb.get(pid, 0), rss)
            self._stop.wait(self.interval)


def mb(kb: int) -> float:
    return kb / 1024


# ---------------------------------------------------------------- the database and the settings


def database_build(environment: dict[str, str]) -> None:
    """What `make run` does before it starts the servers (agora/core/launcher.py)."""
    for command in (["migrate", "--noinput", "--verbosity", "0"], ["createcachetable"], ["demo_data"]):
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=environment, check=True, stdout=subprocess.DEVNULL
        )
        print(f"manage.py {command[0]}: {time.monotonic() - started:.0f} s", flush=True)


def production_environment(temp: Path, database_url: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    settings_dir = temp / "settings"
    settings_dir.mkdir()
    (settings_dir / "bench_memory_settings.py").write_text(
        OVERLAY_SETTINGS.format(static_root=str(temp / "static"), prefix=CACHE_PREFIX)
    )
    environment = os.environ.copy()
    environment.update(
        DJANGO_SETTINGS_MODULE="bench_memory_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(settings_dir), str(ROOT), environment.get("PYTHONPATH", "")])),
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        SECRET_KEY=secrets.token_urlsafe(64),
        PAYOUT_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        PAYMENTS_DEFAULT_GATEWAY="sandbox",
        PAYMENTS_SANDBOX_ENABLED="true",
        PAYMENTS_SANDBOX_WEBHOOK_SECRET="whsec_" + secrets.token_hex(16),
        SECURE_SSL_REDIRECT="false",
        MEDIA_ROOT=str(temp / "media"),
        AWS_ACCESS_KEY_ID="bench-not-a-key",
        AWS_SECRET_ACCESS_KEY="bench-not-a-secret",  # fake: only signs URLs nobody fetches
        AWS_S3_REGION_NAME="us-east-1",
        LOG_LEVEL="WARNING",
    )
    return environment


def redis_clean(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


# ---------------------------------------------------------------- logging in and the request mix


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()


def session_login(base: str, email: str) -> str:
    """Log in through allauth's form like a browser; the `sessionid=…` cookie."""
    jar: dict[str, str] = {}

    def remember(response: Any) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                jar[name] = morsel.value

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(f"{base}/accounts/login/", timeout=30) as response:
        remember(response)
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], "login": email, "password": DEMO_PASSWORD})
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        f"{base}/accounts/login/",
        data=body.encode(),
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "Referer": f"{base}/accounts/login/"},
    )
    try:
        with opener.open(request, timeout=30) as response:
            remember(response)
    except urllib.error.HTTPError as answer:  # the 302 after a successful login
        remember(answer)
    if "sessionid" not in jar:
        sys.exit(f"could not log in {email}")
    return f"sessionid={jar['sessionid']}"


def jwt_login(base: str, email: str) -> str:
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        f"{base}/api/v1/auth/token",
        data=f'{{"email": "{email}", "password": "{DEMO_PASSWORD}"}}'.encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        import json

        return str(json.loads(response.read())["access"])


def agora_targets(base: str, database_url: str) -> list[Target]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        slugs = [row[0] for row in connection.execute("SELECT slug FROM catalog_course WHERE status = 'published'")]
        categories = [row[0] for row in connection.execute("SELECT slug FROM catalog_category ORDER BY id")]
        people = connection.execute("SELECT email, id FROM accounts_user WHERE email LIKE '%@agora.test'")
        users: dict[str, int] = dict(people.fetchall())
        ada_courses = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM catalog_course WHERE created_by_id = %s ORDER BY id LIMIT 3", [users["ada@agora.test"]]
            )
        ]
    rng = random.Random(6)
    courses = rng.sample(slugs, min(40, len(slugs)))
    learner = session_login(base, "lena@agora.test")
    creator = session_login(base, "ada@agora.test")
    moderator = session_login(base, "moderator@agora.test")
    learner_jwt = jwt_login(base, "lena@agora.test")
    creator_jwt = jwt_login(base, "ada@agora.test")
    moderator_jwt = jwt_login(base, "moderator@agora.test")

    def cookie(value: str) -> tuple[tuple[str, str], ...]:
        return (("Cookie", value),)

    def bearer(value: str) -> tuple[tuple[str, str], ...]:
        return (("Authorization", f"Bearer {value}"),)

    filters = [
        "",
        "?sort=newest",
        "?q=python",
        "?q=data+analysis&level=beginner",
        "?price=free",
        "?rating=4.0&sort=rating",
        "?language=en&language=ru",
        "?duration=1-3&level=intermediate",
        "?price_min=10&price_max=50&sort=price_low",
    ]
    targets = [Target("home", "/"), Target("home_signed_in", "/", cookie(learner))]
    for query in filters:
        targets.append(Target("catalog", f"/courses/{query}"))
        targets.append(Target("catalog_signed_in", f"/courses/{query}", cookie(learner)))
        targets.append(Target("api_courses", f"/api/v1/courses{query}"))
    targets += [Target("category", f"/courses/category/{slug}/") for slug in categories[:8]]
    for number, slug in enumerate(courses):
        targets.append(Target("course", f"/courses/{slug}/"))
        if number % 2 == 0:
            targets.append(Target("course_signed_in", f"/courses/{slug}/", cookie(learner)))
        if number % 4 == 0:
            targets.append(Target("api_course", f"/api/v1/courses/{slug}"))
    for email in ("ada@agora.test", "grace@agora.test", "dmitri@agora.test", "frida@agora.test", "miles@agora.test"):
        targets.append(Target("author", f"/authors/{users[email]}/"))
        targets.append(Target("api_author", f"/api/v1/authors/{users[email]}"))
    targets += [
        Target("api_categories", "/api/v1/categories"),
        Target("api_skills", "/api/v1/skills"),
        Target("wallet", "/wallet/", cookie(learner)),
        Target("wallet", "/wallet/", cookie(creator)),
        Target("wishlist", "/wishlist/", cookie(learner)),
        Target("profile", "/accounts/profile/", cookie(learner)),
        Target("studio", "/studio/", cookie(creator)),
        Target("moderation", "/moderation/", cookie(moderator)),
        Target("api_wallet", "/api/v1/wallet", bearer(learner_jwt)),
        Target("api_wallet", "/api/v1/wallet/history", bearer(learner_jwt)),
        Target("api_wallet", "/api/v1/wallet/history", bearer(creator_jwt)),
        Target("api_wishlist", "/api/v1/wishlist", bearer(learner_jwt)),
        Target("api_studio", "/api/v1/studio/courses", bearer(creator_jwt)),
        Target("api_moderation", "/api/v1/moderation/queue", bearer(moderator_jwt)),
    ]
    for course_id in ada_courses:
        targets += [
            Target("studio_course", f"/studio/courses/{course_id}/", cookie(creator)),
            Target("studio_course", f"/studio/courses/{course_id}/curriculum/", cookie(creator)),
            Target("api_studio", f"/api/v1/studio/courses/{course_id}/revisions", bearer(creator_jwt)),
        ]
    return targets


def bare_targets(database_url: str) -> list[Target]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM catalog_course ORDER BY id")]
    return [Target("bare", f"/course/{course_id}") for course_id in ids]


# ---------------------------------------------------------------- the load


async def read_body(reader: asyncio.StreamReader, head: bytes) -> None:
    length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
    if length:
        await reader.readexactly(int(length[1]))
    elif re.search(rb"\r\ntransfer-encoding: *chunked", head, re.IGNORECASE):
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return
    else:
        raise RuntimeError(f"a response with neither a length nor chunks: {head[:200]!r}")


def load(port: int, targets: list[Target], seconds: float, connections: int) -> Counter[tuple[str, int]]:
    """`connections` keep-alive clients, each walking the whole mix from its own shuffled order."""

    async def client(number: int, deadline: float) -> Counter[tuple[str, int]]:
        order = targets[:]
        random.Random(number).shuffle(order)
        requests = [
            (
                target.label,
                f"GET {target.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                + "".join(f"{name}: {value}\r\n" for name, value in target.headers)
                + "\r\n",
            )
            for target in order
        ]
        counts: Counter[tuple[str, int]] = Counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**22)
        index = 0
        while time.monotonic() < deadline:
            label, request = requests[index % len(requests)]
            index += 1
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            await read_body(reader, head)
            counts[label, int(head.split(b" ", 2)[1])] += 1
            if re.search(rb"\r\nconnection: *close", head, re.IGNORECASE):
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**22)
        writer.close()
        return counts

    async def run() -> Counter[tuple[str, int]]:
        deadline = time.monotonic() + seconds
        total: Counter[tuple[str, int]] = Counter()
        for counts in await asyncio.gather(*(client(number, deadline) for number in range(connections))):
            total += counts
        return total

    return asyncio.run(run())


def report_counts(name: str, counts: Counter[tuple[str, int]], seconds: float) -> None:
    total = sum(counts.values())
    by_status = Counter[int]()
    for (_label, status), count in counts.items():
        by_status[status] += count
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(by_status.items()))
    print(f"  {name}: {total} responses, {total / seconds:.0f}/s ({statuses})", flush=True)
    failing = sorted({label for (label, status), _count in counts.items() if status >= 400})
    if failing:
        print(f"  {name}: non-2xx/3xx answers on {', '.join(failing)}", flush=True)
    if any(status >= 500 for status in by_status):
        raise SystemExit(f"{name}: server errors under load")


def defer_jobs_forever(environment: dict[str, str]) -> subprocess.Popen[bytes]:
    """A helper process deferring the periodic jobs every 2 s until stdin closes (the worker's load)."""
    code = """
import sys, threading, time
import django
django.setup()
from procrastinate.exceptions import AlreadyEnqueued
from agora.catalog.tasks import end_discounts_task
from agora.ledger.tasks import expire_holds_task, fold_balances_task
from agora.payments.tasks import reconcile_payments_task
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
while not done.is_set():
    for task in (fold_balances_task, expire_holds_task, end_discounts_task, reconcile_payments_task):
        try:
            task.defer(timestamp=int(time.time()))
        except AlreadyEnqueued:
            pass
    done.wait(2)
"""
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=environment, stdin=subprocess.PIPE)


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60, help="length of each load phase")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (Agora, bare; order rotated)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    options = parser.parse_args()

    with open("/proc/loadavg") as loadavg:
        print(f"load average before: {' '.join(loadavg.read().split()[:3])}", flush=True)
    database_url = url_with_database(server_url(), DATABASE)
    temp = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    environment = production_environment(temp, database_url)
    build_environment = os.environ.copy()
    build_environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(temp / "media"),
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    build_environment.pop("REDIS_URL", None)
    admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
    log = (temp / "servers.log").open("wb")
    processes: list[subprocess.Popen[bytes]] = []
    deferrer: subprocess.Popen[bytes] | None = None
    figures: dict[str, float] = {}
    try:
        database_build(build_environment)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=environment,
            check=True,
        )
        agora_port, bare_port = free_port(), free_port()
        saved = os.environ.copy()
        os.environ.clear()
        os.environ.update(environment)
        agora = serve("config.asgi:application", agora_port, log)
        processes.append(agora)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "jobs_worker", "--concurrency", "4"],
            cwd=ROOT,
            env=environment,
            start_new_session=True,
            stdout=log,
            stderr=log,
        )
        processes.append(worker)
        os.environ.clear()
        os.environ.update(saved)
        os.environ["DATABASE_URL"] = database_url
        bare = serve("bare_django:application", bare_port, log, "--app-dir", "bench")
        processes.append(bare)
        agora_url, bare_url = f"http://127.0.0.1:{agora_port}", f"http://127.0.0.1:{bare_port}"
        wait_ready(f"{agora_url}/health")
        first_course = bare_targets(database_url)[0].path
        wait_ready(f"{bare_url}{first_course}")
        mixes = {"agora": (agora_port, agora_targets(agora_url, database_url)), "bare": (bare_port, [])}
        mixes["bare"] = (bare_port, bare_targets(database_url))
        print(f"Agora mix: {len(mixes['agora'][1])} addresses; bare mix: {len(mixes['bare'][1])} ids", flush=True)
        watched = {
            "agora": uvicorn_workers(agora.pid, WORKERS),
            "bare": uvicorn_workers(bare.pid, WORKERS),
            "worker": [worker.pid],
        }
        deferrer = defer_jobs_forever(environment)
        time.sleep(3)
        start_kb = {pid: proc_status(pid).get("VmRSS", 0) for pids in watched.values() for pid in pids}
        sampler = Sampler(watched)
        sampler.start()
        names = list(mixes)
        for round_number in range(options.rounds):
            shift = round_number % len(names)
            print(f"round {round_number + 1}:", flush=True)
            for name in names[shift:] + names[:shift]:
                port, targets = mixes[name]
                counts = load(port, targets, options.seconds, options.connections)
                report_counts(name, counts, options.seconds)
                largest = {
                    group: max(mb(sampler.largest_kb.get(pid, 0)) for pid in pids) for group, pids in watched.items()
                }
                print("  largest RSS so far: " + ", ".join(f"{g} {v:.0f} MB" for g, v in largest.items()), flush=True)
        time.sleep(5)
        sampler.stop()
        with open("/proc/loadavg") as loadavg:
            print(f"load average after: {' '.join(loadavg.read().split()[:3])}", flush=True)
        for group, pids in watched.items():
            for pid in pids:
                status = proc_status(pid)
                print(
                    f"  {group} pid {pid}: started {mb(start_kb[pid]):.0f} MB, largest sampled"
                    f" {mb(sampler.largest_kb.get(pid, 0)):.0f} MB, VmHWM {mb(status['VmHWM']):.0f} MB,"
                    f" after {mb(status['VmRSS']):.0f} MB (PSS {mb(proc_pss_kb(pid)):.0f} MB)",
                    flush=True,
                )
        master = proc_status(agora.pid)
        print(f"  agora uvicorn supervisor pid {agora.pid}: {mb(master['VmRSS']):.0f} MB (not serving)", flush=True)
        for group, pids in watched.items():
            statuses = [proc_status(pid) for pid in pids]
            figures[f"{group}_peak"] = max(mb(status["VmHWM"]) for status in statuses)
            figures[f"{group}_after"] = max(mb(status["VmRSS"]) for status in statuses)
    finally:
        if deferrer is not None:
            with contextlib.suppress(OSError):
                deferrer.communicate(timeout=30)
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        if sys.exc_info()[0] is not None:
            print("server output, last lines:\n" + "\n".join((temp / "servers.log").read_text().splitlines()[-40:]))
        if not options.keep:
            admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        with contextlib.suppress(Exception):
            redis_clean(environment["REDIS_URL"])
        shutil.rmtree(temp, ignore_errors=True)

    print(
        f"uvicorn x{WORKERS} (largest worker reported), 1 jobs_worker; asyncio client, {options.connections}"
        f" connections; {options.rounds} rounds of {options.seconds} s per server; lower is better"
    )
    bare_peak, bare_after = figures["bare_peak"], figures["bare_after"]
    for name, value, baseline_name, baseline in (
        ("memory_web_peak", figures["agora_peak"], "bare_django_peak", bare_peak),
        ("memory_web_after", figures["agora_after"], "bare_django_after", bare_after),
        ("memory_worker_peak", figures["worker_peak"], "bare_django_peak", bare_peak),
        ("memory_worker_after", figures["worker_after"], "bare_django_after", bare_after),
    ):
        print(f"{name}: {value:.0f} MB; baseline {baseline_name} {baseline:.0f} MB; ratio {value / baseline:.2f}")
    for what, value, goal in (
        ("web", figures["agora_peak"], GOAL_WEB_MB),
        ("worker", figures["worker_peak"], GOAL_WORKER_MB),
    ):
        print(f"P6 {what} ≤ {goal} MB: {'met' if value <= goal else 'NOT met'} ({value:.0f} MB peak)")


if __name__ == "__main__":
    main()
