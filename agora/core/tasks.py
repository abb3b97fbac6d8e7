from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from agora.core.mail import email_send


# SMTP down: retry with exponential backoff for about a day; the outbox row keeps the message.
@app.task(queue="mail", retry=RetryStrategy(max_attempts=15, exponential_wait=2, retry_exceptions={OSError}))
def send_email_task(email_id: int) -> None:
    email_send(email_id)
