"""P1: the catalog page and a course page against a bare Django view, same server, interleaved, medians.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/catalog.py [--courses 10000] [--seconds 10]

Builds its own database `agora_bench_catalog` (migrated here; the demo catalog generator makes
--courses published courses with curricula, then students and ratings are spread over them), serves
Agora (`config.asgi:application`) and the bare app (`bench/bare_django.py`: one primary-key query, JSON,
no middleware) each with uvicorn and 2 workers, and loads them one after the other with `wrk` (or, when
wrk is missing, a small asyncio HTTP/1.1 client), rotating the order each round. Figures (QUALITY.md §1):

- catalog_page: GET /courses/ (24 cards, the filters, the capped count) as a visitor (no cookies:
  mostly answered from the visitors' page cache, agora/catalog/page_cache.py);
- course_page: GET /courses/<slug>/ of a course with a median-sized curriculum, as a visitor;
- catalog_page_rendered, course_page_rendered: the same with a session cookie, so every response is
  rendered (what a signed-in person or a cache miss costs);
- baseline bare_django: GET /course/<id> on the bare app.
"""

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "agora_bench_catalog"
WORKERS = 2
NO_CACHE_COOKIE = "sessionid=bench-no-such-session"


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


def catalog_build(courses: int) -> tuple[str, int]:
    """Migrate, load `courses` demo courses, spread students and ratings; the course page's slug and
    the bare view's course id."""
    os.environ["DATABASE_URL"] = url_with_database(server_url(), DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from agora.catalog.models import Course
    from agora.demo.accounts import demo_accounts_load
    from agora.demo.catalog import demo_catalog_load

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    demo_accounts_load()
    demo_catalog_load(course_count=courses)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_course SET student_count = (random() * 20000)::int, rating_count = (random() * 900)::int,"
            " rating_average = 250 + (random() * 250)::int WHERE status = 'published'"
        )
        cursor.execute("VACUUM ANALYZE")
    published = Course.objects.filter(status="published")
    print(f"catalog: {published.count()} published courses built in {time.monotonic() - started:.0f} s", flush=True)
    median = sorted(published.values_list("lecture_count", flat=True))[published.count() // 2]
    course = published.filter(lecture_count=median).order_by("id").first()
    assert course is not None
    connections.close_all()
    return course.slug, course.pk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(app: str, port: int, log: IO[bytes], *extra: str) -> subprocess.Popen[bytes]:
    """uvicorn with WORKERS workers; its output goes to `log` (when wrk stops, it drops connections in
    the middle of requests, and Django logs each of those)."""
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--workers", str(WORKERS)]
    command += ["--no-access-log", "--lifespan", "off", "--log-level", "warning", *extra]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True, stdout=log, stderr=log)


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own local server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer 200 within a minute")


def load_wrk(url: str, seconds: int, connections: int, cookie: str = "") -> float:
    wrk = shutil.which("wrk")
    assert wrk is not None
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    result = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", *headers, url], check=True, capture_output=True, text=True
    )
    if "Non-2xx or 3xx responses" in result.stdout:
        sys.exit(f"errors under load at {url}:\n{result.stdout}")
    match = re.search(r"Requests/sec:\s+([0-9.]+)", result.stdout)
    if not match:
        sys.exit(f"cannot read wrk's output:\n{result.stdout}")
    return float(match.group(1))


def load_asyncio(url: str, seconds: int, connections: int, cookie: str = "") -> float:
    """Keep-alive HTTP/1.1 GETs from `connections` clients for `seconds`; responses per second."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
    request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n{cookie_line}\r\n".encode()

    async def client(deadline: float) -> int:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        done = 0
        while time.monotonic() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                sys.exit(f"{url} answered {head.splitlines()[0]!r} under load")
            length = int(re.search(rb"content-length: (\d+)", head, re.IGNORECASE)[1])  # type: ignore[index]
            await reader.readexactly(length)
            done += 1
        writer.close()
        return done

    async def run() -> int:
        deadline = time.monotonic() + seconds
        return sum(await asyncio.gather(*(client(deadline) for _ in range(connections))))

    return asyncio.run(run()) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=10_000, help="published courses to build (default 10,000)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    options = parser.parse_args()

    admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
    slug, course_id = catalog_build(options.courses)
    agora_port, bare_port = free_port(), free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-catalog-", suffix=".log", delete=False)  # noqa: SIM115
    servers = [
        serve("config.asgi:application", agora_port, log),
        serve("bare_django:application", bare_port, log, "--app-dir", "bench"),
    ]
    load = load_wrk if shutil.which("wrk") else load_asyncio
    agora_url, bare_url = f"http://127.0.0.1:{agora_port}", f"http://127.0.0.1:{bare_port}"
    # (address, cookie): a session cookie (an unknown one) takes the page past the visitors' page cache,
    # so the *_rendered figures are what a cache miss or a signed-in person costs.
    targets = {
        "catalog_page": (f"{agora_url}/courses/", ""),
        "course_page": (f"{agora_url}/courses/{slug}/", ""),
        "catalog_page_rendered": (f"{agora_url}/courses/", NO_CACHE_COOKIE),
        "course_page_rendered": (f"{agora_url}/courses/{slug}/", NO_CACHE_COOKIE),
        "bare_django": (f"{bare_url}/course/{course_id}", ""),
    }
    figures: dict[str, list[float]] = {name: [] for name in targets}
    try:
        for url, cookie in targets.values():
            wait_ready(url)
            load(url, 3, options.connections, cookie)  # warm up: every worker's connections, templates, caches
        names = list(targets)
        for round_number in range(options.rounds):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                url, cookie = targets[name]
                figures[name].append(load(url, options.seconds, options.connections, cookie))
            print(
                f"round {round_number + 1}: " + ", ".join(f"{n} {v[-1]:.0f}/s" for n, v in figures.items()), flush=True
            )
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        if not options.keep:
            admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        print(f"server output: {log.name}")

    median = {name: statistics.median(values) for name, values in figures.items()}
    tool = "wrk" if load is load_wrk else "asyncio client"
    print(
        f"{options.courses} courses; uvicorn x{WORKERS} each; {tool}, {options.connections} connections;"
        f" {options.rounds} rounds of {options.seconds} s; medians"
    )
    bare = median["bare_django"]
    for name in ("catalog_page", "course_page", "catalog_page_rendered", "course_page_rendered"):
        print(
            f"{name}: {median[name]:.0f} req/s; baseline bare_django {bare:.0f} req/s; ratio {median[name] / bare:.3f}"
        )


if __name__ == "__main__":
    main()
