"""P7: the newcomer start, `make run` from a fresh clone to the first page, cold and warm, and Ctrl-C.

    .venv/bin/python bench/start.py [--warm-runs 3] [--warm-uv-cache]

Lower is better: every figure is seconds and every ratio is figure / baseline (QUALITY.md §1).

What it does:
- `git clone /work/main` (this repository: its committed HEAD, not the working tree) into a
  temporary directory and runs `make run` there, in a process group of its own, with HOST=127.0.0.1,
  PORT=<a free port> (agora/core/launcher.py), and no DATABASE_URL, REDIS_URL nor
  DJANGO_SETTINGS_MODULE: the newcomer's default mode (embedded PostgreSQL in var/postgres, demo data);
- cold: the clock starts before `git clone` and stops at the first 200 of GET /. By default
  UV_CACHE_DIR is a new empty directory, so `uv sync` downloads every wheel from PyPI and the
  embedded PostgreSQL is initialised from nothing (--warm-uv-cache keeps the user's uv cache). The
  Python 3.13 interpreter itself is not downloaded when the machine has one (this one does);
- Ctrl-C: SIGINT to the whole process group, as a terminal's Ctrl-C does; then, within 30 s, no
  process may remain: none in the group, and none whose executable, working directory or command line
  is inside the clone (uvicorn, the job worker, every embedded postgres process). Any left is
  reported, then killed by its pid;
- warm: `make run` again in the same clone (the virtualenv, the database and the demo data kept),
  --warm-runs times; the median is reported.

Baselines, measured in the same run, just before each figure:
- for the cold start, bare_django_install: a new virtualenv and `uv pip install django uvicorn
  psycopg[binary]` from an empty uv cache (the same PyPI, the same network at the same time; so the
  ratio shows what Agora's own start costs beyond downloading a minimal Django stack);
- for the warm start, bare_django_start: bench/bare_django.py served by uvicorn from this repository's
  virtualenv, from the command to its first 200 (interpreter, Django and uvicorn start-up; it needs the
  PostgreSQL at DATABASE_URL or 127.0.0.1:5432, which is already running, where Agora starts its own).
The goal (P7): cold ≤ 180 s with downloads, warm ≤ 15 s; the script says whether each is met.
"""

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from catalog import free_port, server_url

ROOT = Path(__file__).resolve().parent.parent
GOAL_COLD_SECONDS = 180
GOAL_WARM_SECONDS = 15
READY_TIMEOUT = 600
STOP_TIMEOUT = 30


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"{name} is needed")
    return path


def uv_path() -> str:
    """The uv the Makefile would pick."""
    for candidate in (Path.home() / ".local/bin/uv", shutil.which("uv")):
        if (
            candidate
            and subprocess.run([str(candidate), "--version"], capture_output=True, check=False).returncode == 0
        ):
            return str(candidate)
    sys.exit("no uv: `make run` would install one first; install it (pip install --user uv) and run again")


def newcomer_environment(uv_cache: Path | None) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONPATH"}
    }
    if uv_cache is not None:
        environment["UV_CACHE_DIR"] = str(uv_cache)
    return environment


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own local server)
            return bool(response.status == 200)
    except OSError:
        return False


def processes_of(group: int, clone: Path) -> list[tuple[int, str]]:
    """Processes still in the process group, or running from inside the clone: (pid, command line)."""
    found = []
    inside = str(clone)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            stat = (entry / "stat").read_text()
            places = []
            for link in ("exe", "cwd"):
                try:
                    places.append(os.readlink(entry / link))
                except OSError:
                    places.append("")
        except OSError:
            continue
        state, _ppid, pgid = stat.rpartition(")")[2].split()[:3]
        if state == "Z":
            continue
        if int(pgid) == group or inside in command or any(place.startswith(inside) for place in places):
            found.append((int(entry.name), command or f"[{stat.split()[1]}]"))
    return found


MILESTONES = {
    "packages installed": "Installed ",
    "embedded PostgreSQL asked for": "Starting the embedded PostgreSQL",
    "migrate + createcachetable + demo_data done": "Demo logins",
    "uvicorn and worker spawned": "Agora is running",
}


def make_run(
    clone: Path, environment: dict[str, str], log_name: str
) -> tuple[float, float, list[tuple[int, str]], dict[str, float]]:
    """`make run` until / answers 200, then Ctrl-C: seconds to 200, seconds to a clean stop, the
    processes left, and when make's output reached each of MILESTONES (seconds from the start)."""
    port = free_port()
    run_environment = {**environment, "HOST": "127.0.0.1", "PORT": str(port)}
    reached: dict[str, float] = {}
    with (clone.parent / log_name).open("w") as log:
        started = time.monotonic()
        make = subprocess.Popen(
            [tool("make"), "run"],
            cwd=clone,
            env=run_environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def follow() -> None:
            assert make.stdout is not None
            for raw in make.stdout:
                line = raw.decode(errors="replace").rstrip()
                elapsed = time.monotonic() - started
                log.write(f"[{elapsed:6.1f} s] {line}\n")
                for name, marker in MILESTONES.items():
                    if marker in line and name not in reached:
                        reached[name] = elapsed

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        group = make.pid
        try:
            while not answers_200(f"http://127.0.0.1:{port}/"):
                if make.poll() is not None:
                    sys.exit(f"make run stopped ({make.returncode}) before answering; see {clone.parent / log_name}")
                if time.monotonic() - started > READY_TIMEOUT:
                    sys.exit(f"no 200 within {READY_TIMEOUT} s; see {clone.parent / log_name}")
                time.sleep(0.1)
            ready = time.monotonic() - started
        finally:
            stopping = time.monotonic()
            os.killpg(group, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                make.wait(timeout=STOP_TIMEOUT)
            left = processes_of(group, clone)
            while left and time.monotonic() - stopping < STOP_TIMEOUT:
                time.sleep(0.2)
                left = processes_of(group, clone)
            stopped = time.monotonic() - stopping
    for pid, _command in left:  # the check failed; do not leave them running
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if make.poll() is None:
        make.wait()
    reader.join(timeout=10)
    return ready, stopped, left, reached


def bare_install(temp: Path, uv: str) -> float:
    """A new virtualenv and a minimal Django stack from an empty uv cache; seconds."""
    cache, venv = temp / "bare-uv-cache", temp / "bare-venv"
    environment = {**newcomer_environment(cache), "UV_PYTHON": sys.executable}
    started = time.monotonic()
    subprocess.run([uv, "venv", "--quiet", str(venv)], env=environment, check=True)
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin/python"), "django", "uvicorn", "psycopg[binary]"],
        env=environment,
        check=True,
    )
    subprocess.run([str(venv / "bin/python"), "-c", "import django, uvicorn, psycopg"], check=True)
    seconds = time.monotonic() - started
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(venv, ignore_errors=True)
    return seconds


def bare_start() -> float:
    """bench/bare_django.py under uvicorn, from the command to the first 200; seconds."""
    from catalog import url_with_database

    port = free_port()
    environment = {**os.environ, "DATABASE_URL": url_with_database(server_url(), "postgres")}
    started = time.monotonic()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_django:application",
            "--app-dir",
            "bench",
            "--port",
            str(port),
            "--no-access-log",
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # /course/1 answers 404 on the postgres database (no such table would be a 500): any answer
        # means Django served; the bare app has no page that needs no table, so wait for any HTTP answer.
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/course/1", timeout=5):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() - started > 60:
                    sys.exit("the bare Django server did not answer within a minute")
                time.sleep(0.05)
        return time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def milestones(reached: dict[str, float], ready: float) -> str:
    steps = [f"{name} at {seconds:.1f} s" for name, seconds in sorted(reached.items(), key=lambda item: item[1])]
    return "  make run: " + ", ".join([*steps, f"first 200 at {ready:.1f} s"])


def loadavg() -> str:
    with open("/proc/loadavg") as figures:
        return " ".join(figures.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm-runs", type=int, default=3, help="warm starts; the median is reported")
    parser.add_argument("--warm-uv-cache", action="store_true", help="keep the user's uv cache for the cold start")
    options = parser.parse_args()

    uv = uv_path()
    temp = Path(tempfile.mkdtemp(prefix="bench-start-"))
    clone = temp / "agora"
    leftovers: list[tuple[str, list[tuple[int, str]]]] = []
    try:
        print(f"load average before: {loadavg()}", flush=True)
        install = bare_install(temp, uv)
        print(f"baseline bare_django_install: {install:.1f} s", flush=True)
        uv_cache = None if options.warm_uv_cache else temp / "uv-cache"
        environment = newcomer_environment(uv_cache)
        started = time.monotonic()
        subprocess.run([tool("git"), "clone", "--quiet", str(ROOT), str(clone)], check=True)
        cloned = time.monotonic() - started
        ready, stopped, left, reached = make_run(clone, environment, "cold.log")
        cold = cloned + ready
        leftovers.append(("cold", left))
        print(
            f"cold: clone {cloned:.1f} s + make run {ready:.1f} s = {cold:.1f} s to the first 200;"
            f" Ctrl-C: {'clean' if not left else f'{len(left)} processes left'} after {stopped:.1f} s",
            flush=True,
        )
        print(milestones(reached, ready), flush=True)
        warm: list[float] = []
        bare: list[float] = []
        for number in range(options.warm_runs):
            bare.append(bare_start())
            ready, stopped, left, reached = make_run(clone, environment, f"warm-{number + 1}.log")
            warm.append(ready)
            leftovers.append((f"warm {number + 1}", left))
            print(
                f"warm {number + 1}: {ready:.1f} s to the first 200 (bare_django_start {bare[-1]:.1f} s);"
                f" Ctrl-C: {'clean' if not left else f'{len(left)} processes left'} after {stopped:.1f} s",
                flush=True,
            )
            print(milestones(reached, ready), flush=True)
        print(f"load average after: {loadavg()}", flush=True)
    except BaseException:
        for log in sorted(temp.glob("*.log")):
            print(f"--- {log.name}, last lines:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:]))
        raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)

    cache_note = "uv cache: the user's (warm)" if options.warm_uv_cache else "uv cache: empty (all wheels downloaded)"
    print(f"{cache_note}; {options.warm_runs} warm runs, median; lower is better")
    warm_median, bare_median = statistics.median(warm), statistics.median(bare)
    print(f"start_cold: {cold:.1f} s; baseline bare_django_install {install:.1f} s; ratio {cold / install:.2f}")
    print(
        f"start_warm: {warm_median:.1f} s; baseline bare_django_start {bare_median:.2f} s;"
        f" ratio {warm_median / bare_median:.2f}"
    )
    print(f"P7 cold ≤ {GOAL_COLD_SECONDS} s: {'met' if cold <= GOAL_COLD_SECONDS else 'NOT met'} ({cold:.1f} s)")
    print(
        f"P7 warm ≤ {GOAL_WARM_SECONDS} s: {'met' if warm_median <= GOAL_WARM_SECONDS else 'NOT met'}"
        f" ({warm_median:.1f} s)"
    )
    dirty = [(run, left) for run, left in leftovers if left]
    if dirty:
        for run, left in dirty:
            for pid, command in left:
                print(f"P7 Ctrl-C left a process ({run}): {pid} {command[:160]} (killed)")
    else:
        print(f"P7 Ctrl-C: no process left after any of the {len(leftovers)} runs")


if __name__ == "__main__":
    main()
