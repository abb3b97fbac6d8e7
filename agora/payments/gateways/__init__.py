"""The gateways in use: the sandbox (the default mode's, off in production unless asked for) and Stripe
(when `STRIPE_SECRET_KEY` is set)."""

from django.conf import settings
from django.utils.translation import gettext as _

from agora.core.errors import ServiceError
from agora.payments.gateways.base import PaymentGateway
from agora.payments.models import Gateway


def sandbox_enabled() -> bool:
    configured = str(getattr(settings, "PAYMENTS_SANDBOX_ENABLED", "") or "").lower()
    if configured:
        return configured in {"1", "true", "yes", "on"}
    return bool(getattr(settings, "DEV_TOOLS", False))


def gateway_names() -> list[str]:
    names = []
    if sandbox_enabled():
        names.append(Gateway.SANDBOX.value)
    if settings.STRIPE_SECRET_KEY:
        names.append(Gateway.STRIPE.value)
    return names


def gateway_get(name: str | None = None) -> PaymentGateway:
    """The gateway called `name` (the default one for None); `unknown_gateway` if it is not in use."""
    chosen = name or settings.PAYMENTS_DEFAULT_GATEWAY
    if chosen not in gateway_names():
        raise ServiceError(_("This payment method is not available."), code="unknown_gateway", field="gateway")
    if chosen == Gateway.STRIPE:
        from agora.payments.gateways.stripe import StripeGateway

        return StripeGateway()
    from agora.payments.gateways.sandbox import SandboxGateway

    return SandboxGateway()
