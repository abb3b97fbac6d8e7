"""Delivering the sandbox's webhooks to the merchant's endpoint over HTTP, signed at each attempt."""

import json
import urllib.error
import urllib.request
from collections.abc import Mapping

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from agora.payments.models import SandboxEvent, SandboxWebhookDelivery
from agora.payments.sandbox.signing import SIGNATURE_HEADER, signature_header


class DeliveryFailed(Exception):
    """The endpoint did not answer 2xx; the job retries with backoff."""


def event_body(event: SandboxEvent) -> bytes:
    return json.dumps(event.payload, sort_keys=True, separators=(",", ":")).encode()


def http_post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    """POST and return the status code (tests route this through Django's test client)."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310 - our own URL
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def webhook_deliver(*, delivery_id: int) -> bool:
    """Send one delivery once; True when the endpoint took it. Raises DeliveryFailed to be retried."""
    delivery = SandboxWebhookDelivery.objects.select_related("event").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return False
    body = event_body(delivery.event)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(body=body, secret=settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET),
    }
    status: int | None = None
    error = ""
    try:
        status = http_post(settings.PAYMENTS_SANDBOX_WEBHOOK_URL, body, headers)
    except OSError as failure:
        error = str(failure)[:255]
    delivered = status is not None and 200 <= status < 300
    SandboxWebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        last_status=status,
        last_error=error,
        delivered_at=timezone.now() if delivered else None,
    )
    if not delivered:
        raise DeliveryFailed(f"webhook {delivery.event.event_id}: {status or error}")
    return True
