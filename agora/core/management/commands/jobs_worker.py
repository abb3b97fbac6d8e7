"""`manage.py jobs_worker`: run the Procrastinate worker (all queues, periodic jobs included)."""

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.core.jobs import worker_run


class Command(BaseCommand):
    help = "Run the job worker with its periodic scheduler until Ctrl-C or SIGTERM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=4, help="jobs run at the same time")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1")
        asyncio.run(worker_run(concurrency=options["concurrency"]))
