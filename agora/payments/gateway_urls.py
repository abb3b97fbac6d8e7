"""The gateways' routes: sandbox hosted pages, our Stripe Elements page, webhook endpoints."""

from django.urls import path

from agora.payments import gateway_views

app_name = "payments_gateway"

urlpatterns = [
    path("sandbox/pay/<str:charge_id>", gateway_views.sandbox_pay, name="sandbox-pay"),
    path("sandbox/pay/<str:charge_id>/authorize", gateway_views.sandbox_authorize, name="sandbox-authorize"),
    path("payments/stripe/pay/<int:payment_id>", gateway_views.stripe_pay, name="stripe-pay"),
    path("payments/webhooks/<str:gateway>", gateway_views.webhook, name="webhook"),
]
