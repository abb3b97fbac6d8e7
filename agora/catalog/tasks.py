"""The catalog's periodic job: end lapsed discounts. Safe to run twice, or at once."""

import datetime

from procrastinate.contrib.django import app

from agora.catalog.services import course_discounts_end


@app.periodic(cron="* * * * *")
@app.task(queue="catalog", queueing_lock="end_discounts")
def end_discounts_task(timestamp: int) -> None:
    course_discounts_end(now=datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC))
