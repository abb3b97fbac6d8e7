"""A real job worker in a thread, for tests that need jobs to run as `manage.py jobs_worker` runs them."""

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from agora.core.jobs import worker_run


@contextlib.contextmanager
def worker_running(*, concurrency: int, polling_interval: float) -> Iterator[None]:
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def work() -> None:
        worker = asyncio.create_task(
            worker_run(
                wait=True,
                install_signal_handlers=False,
                fetch_job_polling_interval=polling_interval,
                concurrency=concurrency,
            )
        )
        await stop.wait()
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    thread = threading.Thread(target=loop.run_until_complete, args=(work(),), daemon=True)
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=15)
