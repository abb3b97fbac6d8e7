"""The gateways' pages and endpoints: the sandbox's hosted card pages, our Stripe Elements page, and
the webhook endpoint of every gateway."""

from collections.abc import Collection
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agora.core.errors import ServiceError
from agora.payments.access import access_payment_for_payer
from agora.payments.gateways import gateway_get, gateway_names, sandbox_enabled
from agora.payments.gateways.base import WebhookSignatureError
from agora.payments.models import Gateway, GatewayEventOutcome, SandboxCharge, SandboxChargeStatus, wallet_url
from agora.payments.sandbox import network
from agora.payments.sandbox.cards import TEST_CARDS
from agora.payments.sandbox.forms import SandboxCardForm
from agora.payments.services import gateway_event_process

# Stripe Elements loads stripe.js and its frames from Stripe (so this page cannot work offline).
STRIPE_CSP: dict[str, Collection[str] | str] = {
    **cast(dict[str, Collection[str] | str], settings.SECURE_CSP),
    "script-src": [CSP.SELF, CSP.NONCE, "https://js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": [CSP.SELF, "https://api.stripe.com"],
}


def _charge(charge_id: str) -> SandboxCharge:
    if not sandbox_enabled():
        raise Http404
    return get_object_or_404(SandboxCharge, charge_id=charge_id)


def _return_url(charge: SandboxCharge) -> str:
    """Back to the merchant's page, saying which of its payments this was and, once the payer has paid,
    that it is paid (`redirect_status`, as Stripe says it)."""
    base = charge.return_url or wallet_url()
    query = {"payment": charge.merchant_reference}
    if charge.status in (SandboxChargeStatus.SUCCEEDED, SandboxChargeStatus.PROCESSING):
        query["redirect_status"] = charge.status
    return f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"


@require_http_methods(["GET", "POST"])
def sandbox_pay(request: HttpRequest, charge_id: str) -> HttpResponse:
    """The sandbox's hosted card page (anyone holding the link, like a real hosted checkout)."""
    charge = _charge(charge_id)
    if charge.status == SandboxChargeStatus.REQUIRES_ACTION:
        return redirect("payments_gateway:sandbox-authorize", charge_id=charge.charge_id)
    if charge.status in (SandboxChargeStatus.SUCCEEDED, SandboxChargeStatus.PROCESSING):
        return render(request, "payments/sandbox/done.html", {"charge": charge, "return_url": _return_url(charge)})
    form = SandboxCardForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                charge = network.card_submit(
                    charge_id=charge.charge_id, number=form.cleaned_data["number"], cardholder=form.cleaned_data["name"]
                )
            except network.SandboxRefused as refusal:
                form.add_error("number", str(refusal))
            else:
                if charge.status == SandboxChargeStatus.REQUIRES_ACTION:
                    return redirect("payments_gateway:sandbox-authorize", charge_id=charge.charge_id)
                if charge.status == SandboxChargeStatus.SUCCEEDED:
                    return redirect(_return_url(charge))
                form = SandboxCardForm()  # declined: the page says so and offers another try
        status = 400 if form.errors else 200
    context = {"charge": charge, "form": form, "test_cards": TEST_CARDS, "return_url": _return_url(charge)}
    return render(request, "payments/sandbox/pay.html", context, status=status)


@require_http_methods(["GET", "POST"])
def sandbox_authorize(request: HttpRequest, charge_id: str) -> HttpResponse:
    """The extra step of the 4000 0000 0000 3220 card: the payer authorises, or fails, the payment."""
    charge = _charge(charge_id)
    if charge.status != SandboxChargeStatus.REQUIRES_ACTION:
        return redirect("payments_gateway:sandbox-pay", charge_id=charge.charge_id)
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        charge = network.charge_authorise(charge_id=charge.charge_id, approve=approve)
        if charge.status == SandboxChargeStatus.SUCCEEDED:
            return redirect(_return_url(charge))
        return redirect("payments_gateway:sandbox-pay", charge_id=charge.charge_id)
    return render(request, "payments/sandbox/authorize.html", {"charge": charge, "return_url": _return_url(charge)})


@require_GET
@login_required
@csp_override(STRIPE_CSP)
def stripe_pay(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Our page mounting Stripe Elements for the payer's own Stripe payment (needs js.stripe.com)."""
    payment = access_payment_for_payer(request.user, payment_id)
    if payment.gateway != Gateway.STRIPE or not payment.client_secret:
        raise Http404
    context = {
        "payment": payment,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(payment.return_url or wallet_url()),
    }
    return render(request, "payments/stripe/pay.html", context)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, gateway: str) -> HttpResponse:
    """A gateway's signed event: checked, then processed once (a duplicate is acknowledged, not redone)."""
    if gateway not in gateway_names():
        raise Http404
    try:
        adapter = gateway_get(gateway)
        event = adapter.webhook_parse(body=request.body, headers=request.headers)
    except (ServiceError, WebhookSignatureError):
        return JsonResponse({"detail": "Invalid signature or event.", "code": "invalid_signature"}, status=400)
    outcome = gateway_event_process(gateway=gateway, event=event)
    if outcome == GatewayEventOutcome.AMOUNT_MISMATCH:
        # Recorded for the reconciliation report, nothing booked; the gateway's retries are duplicates.
        detail = "The amount or currency differs from the payment's."
        return JsonResponse({"detail": detail, "code": "amount_mismatch", "outcome": outcome}, status=400)
    return JsonResponse({"received": True, "outcome": outcome or "duplicate"})


def webhook_url(gateway: str) -> str:
    return reverse("payments_gateway:webhook", args=[gateway])
