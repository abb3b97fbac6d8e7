"""The wallet (every signed-in user) and the accountant pages (accountants and admins; 404 for anyone else).

Each view parses its input, checks access, calls one service or selector and renders. A refused
command is shown on the form that asked for it; nothing is half done (the services own their
transactions).
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import wraps
from typing import Any, cast

from babel.numbers import get_currency_precision
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agora.accounts.models import User
from agora.core.errors import NotFound, ServiceError
from agora.core.forms import form_add_service_error
from agora.core.templatetags.formatting import money
from agora.ledger.models import Entry
from agora.ledger.selectors import (
    entry_list_for_user,
    hold_list_pending_for_payer,
    hold_share_list_pending_for_user,
    wallet_balances,
)
from agora.payments import selectors, selectors_staff, services
from agora.payments.access import access_payments_for_staff, access_payout_for_review
from agora.payments.forms import (
    PAYOUT_METHOD_FORMS,
    HistoryFilterForm,
    HistoryType,
    LedgerFilterForm,
    PaymentFilterForm,
    PayoutFilterForm,
    PayoutMethodForm,
    ReasonForm,
    TopUpForm,
    WithdrawalForm,
    history_type,
    idempotency_key_for,
)
from agora.payments.models import Payment, PaymentStatus, PayoutStatus
from agora.payments.reasons import reason_shown

HISTORY_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50
PENDING_EARNINGS_SHOWN = 10
RECENT_PAYMENTS_SHOWN = 5
RECENT_PAYOUTS_SHOWN = 10
# A payment the payer came back from, still waiting for the gateway's confirmation.
WAITING_STATUSES = frozenset({PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING})
# What the gateway says on the way back (Stripe's `redirect_status`, the sandbox's too) when the payer
# paid: its webhook may still be on the way, so a payment declined with one card and then paid with
# another still reads "failed" here for a moment. Shown as waiting for so long at most.
GATEWAY_SAYS_PAID = frozenset({"succeeded", "processing"})
GATEWAY_WORD_TRUSTED_FOR = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One wallet operation as its owner sees it."""

    entry: Entry
    type: HistoryType | None

    @property
    def type_label(self) -> str:
        return str(self.type.label) if self.type else _("Other")

    @property
    def reason(self) -> str:
        return reason_shown(self.entry.transaction.reason)


# The wallet ------------------------------------------------------------------------------------------


@login_required
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    target = request.htmx.target if request.htmx else None  # type: ignore[attr-defined]  # django-htmx
    if target == "history":
        return render(request, "payments/wallet/wallet.html#history", _history_context(request))
    if target == "payment-status":
        context = _returned_payment_context(request)
        response = render(request, "payments/wallet/wallet.html#payment-status", context)
        if not context["payment_waiting"]:
            response["HX-Refresh"] = "true"  # settled: show the new balance with the whole page
        return response
    return _wallet_render(request)


@login_required
@require_POST
def topup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = _topup_form(request.POST)
    if form.is_valid():
        try:
            payment = services.topup_start(
                user=user,
                amount=form.cleaned_data["amount"],
                idempotency_key=idempotency_key_for(user, "topup", str(form.cleaned_data["idempotency_key"])),
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            return redirect(payment.checkout_url or reverse("payments:wallet"))
    form.renew_key()
    return _wallet_render(request, topup_form=form)


@login_required
@require_POST
def payout_method_add(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form_class = PAYOUT_METHOD_FORMS.get(request.POST.get("kind", ""))
    if form_class is None:
        return HttpResponse(_("Choose a kind of payout method."), status=400, content_type="text/plain")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            method = services.payout_method_add(user=user, kind=form.kind, details=form.details())
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("%(method)s is added to your payout methods.") % {"method": method.masked})
            return redirect(reverse("payments:wallet") + "#payout-methods")
    return _wallet_render(request, method_form=form)


@login_required
@require_POST
def payout_method_remove(request: HttpRequest, method_id: int) -> HttpResponse:
    try:
        services.payout_method_remove(user=request.user, method_id=method_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The payout method is removed."))
    return redirect(reverse("payments:wallet") + "#payout-methods")


@login_required
@require_POST
def withdrawal_request(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    balances = wallet_balances(user=user, currency=settings.PLATFORM_CURRENCY)
    methods = list(selectors.payout_method_list_for_user(user=user))
    form = _withdrawal_form(request.POST, available=balances.available.amount, methods=methods)
    if form.is_valid():
        try:
            payout = services.withdrawal_request(
                user=user,
                method_id=form.cleaned_data["method"],
                amount=form.cleaned_data["amount"],
                idempotency_key=idempotency_key_for(user, "withdrawal", str(form.cleaned_data["idempotency_key"])),
            )
        except ServiceError as error:
            form_add_service_error(form, error, field_map={"method_id": "method"})
        else:
            amount = money(payout.amount, payout.currency)
            messages.success(request, _("Your withdrawal of %(amount)s waits for approval.") % {"amount": amount})
            return redirect(reverse("payments:wallet") + "#withdrawals")
    form.renew_key()
    return _wallet_render(request, withdrawal_form=form)


@login_required
@require_GET
def wallet_history_csv(request: HttpRequest) -> StreamingHttpResponse:
    user: User = request.user  # type: ignore[assignment]
    currency = settings.PLATFORM_CURRENCY
    entries = HistoryFilterForm(request.GET).narrow(entry_list_for_user(user=user, currency=currency))
    header = [_("Date"), _("Operation"), _("Description"), _("Amount"), _("Currency"), _("Account"), _("Transaction")]

    def row(entry: Entry) -> list[str]:
        kind = history_type(entry.transaction.kind, entry.transaction.object_type)
        return [
            entry.transaction.created_at.isoformat(timespec="seconds"),
            str(kind.label) if kind else _("Other"),
            csv_text(reason_shown(entry.transaction.reason)),
            major_units(entry.amount, currency),
            currency,
            entry.account.get_kind_display(),
            str(entry.transaction_id),
        ]

    return csv_response("wallet-history", header, map(row, entries.iterator(chunk_size=500)))


def _wallet_render(request: HttpRequest, **forms: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    currency = settings.PLATFORM_CURRENCY
    balances = wallet_balances(user=user, currency=currency)
    methods = list(selectors.payout_method_list_for_user(user=user))
    method_forms: dict[str, PayoutMethodForm] = {kind: form() for kind, form in PAYOUT_METHOD_FORMS.items()}
    if "method_form" in forms:
        method_forms[forms["method_form"].kind] = forms["method_form"]
    context = {
        "currency": currency,
        "balances": balances,
        "topup_form": forms.get("topup_form") or _topup_form(None),
        "held_money": list(hold_list_pending_for_payer(user=user, currency=currency)[:PENDING_EARNINGS_SHOWN]),
        "pending_earnings": list(
            hold_share_list_pending_for_user(user=user, currency=currency)[:PENDING_EARNINGS_SHOWN]
        ),
        "payout_methods": methods,
        "method_forms": method_forms,
        "open_method_kind": forms["method_form"].kind if "method_form" in forms else "",
        "withdrawal_form": forms.get("withdrawal_form")
        or _withdrawal_form(None, available=balances.available.amount, methods=methods),
        "withdrawal_minimum": settings.PAYMENTS_WITHDRAWAL_MIN,
        "payouts": list(selectors.payout_list_for_user(user=user)[:RECENT_PAYOUTS_SHOWN]),
        "payments": list(selectors.payment_list_for_user(user=user)[:RECENT_PAYMENTS_SHOWN]),
        **_history_context(request),
        **_returned_payment_context(request),
    }
    return render(request, "payments/wallet/wallet.html", context)


def _returned_payment_context(request: HttpRequest) -> dict[str, Any]:
    """The payment the payer comes back from (the gateway's return link names it), if it is theirs."""
    user: User = request.user  # type: ignore[assignment]
    payment_id = request.GET.get("payment", "")
    payment = None
    if payment_id.isdigit() and len(payment_id) < 19:
        payment = selectors.payment_list_for_user(user=user).filter(pk=int(payment_id)).first()
    return {"returned_payment": payment, "payment_waiting": payment is not None and _waiting(request, payment)}


def _waiting(request: HttpRequest, payment: Payment) -> bool:
    if payment.status in WAITING_STATUSES:
        return True
    gateway_says_paid = request.GET.get("redirect_status") in GATEWAY_SAYS_PAID
    recent = payment.updated_at > timezone.now() - GATEWAY_WORD_TRUSTED_FOR
    return payment.status == PaymentStatus.FAILED and gateway_says_paid and recent


def _history_context(request: HttpRequest) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    currency = settings.PLATFORM_CURRENCY
    history_filter = HistoryFilterForm(request.GET if request.method == "GET" else None)
    entries = history_filter.narrow(entry_list_for_user(user=user, currency=currency))
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [HistoryRow(entry, history_type(entry.transaction.kind, entry.transaction.object_type)) for entry in page]
    return {"currency": currency, "history_filter": history_filter, "history_page": page, "history_rows": rows}


def _topup_form(data: Any) -> TopUpForm:
    return TopUpForm(
        data,
        currency=settings.PLATFORM_CURRENCY,
        minimum=settings.PAYMENTS_TOPUP_MIN,
        maximum=settings.PAYMENTS_TOPUP_MAX,
    )


def _withdrawal_form(data: Any, *, available: int, methods: list[Any]) -> WithdrawalForm:
    return WithdrawalForm(
        data,
        currency=settings.PLATFORM_CURRENCY,
        minimum=settings.PAYMENTS_WITHDRAWAL_MIN,
        available=available,
        methods=methods,
    )


# The accountant pages ---------------------------------------------------------------------------------


def staff_only[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Accountants and admins only; everyone else finds nothing here."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access_payments_for_staff(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return cast(V, wrapped)


@require_GET
@staff_only
def staff_payouts(request: HttpRequest) -> HttpResponse:
    return _payouts_render(request)


@require_POST
@staff_only
def staff_payout_approve(request: HttpRequest, payout_id: int) -> HttpResponse:
    if not access_payout_for_review(request.user):
        raise Http404
    try:
        payout = services.withdrawal_approve(actor=request.user, payout_id=payout_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        amount = money(payout.amount, payout.currency)
        messages.success(
            request,
            _("Withdrawal #%(id)s of %(amount)s is approved: %(status)s.")
            % {"id": payout.pk, "amount": amount, "status": payout.get_status_display().lower()},
        )
    return redirect("payments:staff-payouts")


@require_POST
@staff_only
def staff_payout_reject(request: HttpRequest, payout_id: int) -> HttpResponse:
    if not access_payout_for_review(request.user):
        raise Http404
    form = _reject_form(payout_id, request.POST)
    if form.is_valid():
        try:
            payout = services.withdrawal_reject(
                actor=request.user,  # type: ignore[arg-type]
                payout_id=payout_id,
                reason=form.cleaned_data["reason"],
            )
        except NotFound:
            raise Http404 from None
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Withdrawal #%(id)s is rejected.") % {"id": payout.pk})
            return redirect("payments:staff-payouts")
    return _payouts_render(request, reject_forms={payout_id: form})


def _payouts_render(request: HttpRequest, reject_forms: dict[int, ReasonForm] | None = None) -> HttpResponse:
    status_filter = PayoutFilterForm(request.GET)
    status = status_filter.cleaned_data.get("status") if status_filter.is_valid() else None
    page = Paginator(selectors.payout_list_for_review(status=status or None), STAFF_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reject_forms = reject_forms or {}
    context = {
        "page": page,
        "items": [(payout, reject_forms.get(payout.pk) or _reject_form(payout.pk)) for payout in page],
        "status_filter": status_filter,
        "status": status or "",
        "can_review": access_payout_for_review(request.user),
        "requested": PayoutStatus.REQUESTED,
    }
    return render(request, "payments/accountant/payouts.html", context)


def _reject_form(payout_id: int, data: Any = None) -> ReasonForm:
    return ReasonForm(data, auto_id=f"id_reject_{payout_id}_%s")


@require_GET
@staff_only
def staff_ledger(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET)
    page = _page(request, selectors_staff.entry_list_for_staff(**form.filters()))
    return render(request, "payments/accountant/ledger.html", {"form": form, "page": page})


@require_GET
@staff_only
def staff_ledger_csv(request: HttpRequest) -> StreamingHttpResponse:
    entries = selectors_staff.entry_list_for_staff(**LedgerFilterForm(request.GET).filters())
    header = [
        _("Date"),
        _("Transaction"),
        _("Kind"),
        _("Account"),
        _("Account kind"),
        _("Owner"),
        _("Amount"),
        _("Currency"),
        _("Reason"),
        _("Object"),
    ]

    def row(entry: Entry) -> list[str]:
        transaction, account = entry.transaction, entry.account
        return [
            transaction.created_at.isoformat(timespec="seconds"),
            str(transaction.pk),
            csv_text(transaction.kind),
            str(account.pk),
            account.kind + (f":{account.gateway}" if account.gateway else ""),
            csv_text(account.owner.email if account.owner else ""),
            major_units(entry.amount, account.currency),
            account.currency,
            csv_text(transaction.reason),
            csv_text(f"{transaction.object_type}:{transaction.object_id}"),
        ]

    return csv_response("ledger", header, map(row, entries.iterator(chunk_size=500)))


@require_GET
@staff_only
def staff_payments(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET)
    page = _page(request, selectors.payment_list_for_staff(**form.filters()))
    return render(request, "payments/accountant/payments.html", {"form": form, "page": page})


@require_GET
@staff_only
def staff_payments_csv(request: HttpRequest) -> StreamingHttpResponse:
    payments = selectors.payment_list_for_staff(**PaymentFilterForm(request.GET).filters())
    header = [
        _("Date"),
        _("Payment"),
        _("User"),
        _("Purpose"),
        _("Reference"),
        _("Gateway"),
        _("Gateway id"),
        _("Status"),
        _("Amount"),
        _("Refunded"),
        _("Currency"),
    ]

    def row(payment: Payment) -> list[str]:
        return [
            payment.created_at.isoformat(timespec="seconds"),
            str(payment.pk),
            csv_text(payment.user.email),
            payment.purpose,
            csv_text(payment.reference),
            payment.gateway,
            csv_text(payment.gateway_payment_id),
            payment.status,
            major_units(payment.amount, payment.currency),
            major_units(payment.amount_refunded, payment.currency),
            payment.currency,
        ]

    return csv_response("payments", header, map(row, payments.iterator(chunk_size=500)))


@require_GET
@staff_only
def staff_reconciliation(request: HttpRequest) -> HttpResponse:
    context = {"run": selectors.reconciliation_run_latest(), "findings": selectors.reconciliation_report()}
    return render(request, "payments/accountant/reconciliation.html", context)


def _page(request: HttpRequest, items: QuerySet[Any]) -> Page:
    return Paginator(items, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))


# CSV --------------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(name: str, header: list[str], rows: Iterable[list[str]]) -> StreamingHttpResponse:
    """A CSV download streamed row by row, named `<name>-<today>.csv`."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    today = timezone.localdate().isoformat()
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{today}.csv"'
    return response


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    return f"'{value}" if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def major_units(amount: int, currency: str) -> str:
    """5000 USD → "50.00"; -1999 → "-19.99": exact, in the currency's own number of decimals."""
    precision = get_currency_precision(currency)
    return f"{Decimal(amount).scaleb(-precision):.{precision}f}"
