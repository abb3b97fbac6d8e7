"""The job worker's own Procrastinate app, so the jobs a running task defers stay in its transaction."""

from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections
from procrastinate import App
from procrastinate.contrib.django import app


def worker_app() -> App:
    """A twin of the shared app that fetches and runs jobs over procrastinate's psycopg connector.

    `manage.py procrastinate worker` instead swaps the shared app's connector while it runs, so a job
    deferred inside a task (a receipt mail after a webhook, say) would be written at once, outside the
    task's transaction: the worker could run it before its rows are committed, and the mail is lost.
    Tasks keep deferring through the shared app and Django's connection."""
    twin = App(
        connector=app.connector.get_worker_connector(),  # type: ignore[attr-defined]
        import_paths=app.import_paths,
        worker_defaults=app.worker_defaults,  # includes the Django connection clean-up middleware
    )
    twin.tasks = app.tasks
    twin.periodic_registry = app.periodic_registry
    return twin


async def worker_run(**options: Any) -> None:
    """Run the worker and its periodic scheduler until cancelled or signalled (SIGINT/SIGTERM)."""
    twin = worker_app()
    try:
        async with twin.open_async():
            await twin.run_worker_async(**options)
    finally:
        # The periodic scheduler defers through Django's connection, in asgiref's thread-sensitive
        # executor; tasks close theirs after each job, this one is closed when the worker stops.
        await sync_to_async(connections.close_all, thread_sensitive=True)()
