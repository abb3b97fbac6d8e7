"""The wallet's and the accountant pages' forms: amounts typed in major units, payout methods, filters.

Amounts are typed as people write them ("50", "50.00", "50,5", "1,000" in English, "1 000,50") and
become integer minor units exactly: no float is ever made from them.
"""

import datetime
import re
import uuid
from typing import Any
from urllib.parse import quote

from babel.numbers import get_currency_precision, get_group_symbol
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from agora.core.templatetags.formatting import money
from agora.ledger.models import AccountKind, Entry, HoldKind
from agora.payments.models import Gateway, PaymentStatus, PayoutMethod, PayoutMethodKind, PayoutStatus
from agora.payments.selectors_staff import day_range

type StrOrPromise = str | Promise
AMOUNT_PATTERN = re.compile(r"([0-9]+)(?:[.,]([0-9]+))?", re.ASCII)
# "1,000" and "12,345.60" where the reader's language groups thousands with commas (English); a comma
# anywhere else is a decimal comma ("50,05"), and spaces group thousands in every language.
COMMA_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)
AMOUNT_MAX_DIGITS = 12  # of whole units: far above any limit, within a 64-bit count of minor units
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def amount_parse(text: str, currency: str) -> int:
    """ "50.00" in USD → 5000; refuses anything that is not a plain non-negative amount of the currency."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if COMMA_GROUPED.fullmatch(text) and get_group_symbol(to_locale(get_language() or "en")) == ",":
        text = text.replace(",", "")
    match = AMOUNT_PATTERN.fullmatch(text)
    if match is None:
        raise ValidationError(_("Enter an amount in numbers, like 50.00."), code="invalid")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole.lstrip("0")) > AMOUNT_MAX_DIGITS:
        raise ValidationError(_("That amount is too large."), code="max")
    precision: int = get_currency_precision(currency)
    if len(fraction) > precision:
        if precision == 0:
            raise ValidationError(_("Enter a whole amount, without cents."), code="precision")
        raise ValidationError(
            _("Use at most %(digits)d digits after the decimal point.") % {"digits": precision}, code="precision"
        )
    return int(whole + fraction.ljust(precision, "0"))  # "50" + "00": the minor units, digit by digit


class AmountField(forms.CharField):
    """An amount in major units of `currency`, cleaned to an int of minor units within the limits."""

    def __init__(
        self,
        *,
        currency: str,
        minimum: int = 1,
        maximum: int | None = None,
        maximum_message: StrOrPromise = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)
        self.currency = currency
        self.minimum = minimum
        self.maximum = maximum
        self.maximum_message = maximum_message or _("The largest amount is %(amount)s.")

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]  # an int, not the text
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        return amount_parse(text, self.currency)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if value < self.minimum:
            raise ValidationError(
                _("The smallest amount is %(amount)s.") % {"amount": money(self.minimum, self.currency)}, code="min"
            )
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(self.maximum_message % {"amount": money(self.maximum, self.currency)}, code="max")

    def run_validators(self, value: Any) -> None:
        """CharField's length validators measure text; the typed text was measured by max_length already."""


def idempotency_key_for(user: Any, operation: str, key: str) -> str:
    """A client's key (a form's or an API client's), scoped to its user and operation: the services'
    keys are unique platform-wide."""
    return f"{operation}:{user.pk}:{key}"


class IdempotentForm(forms.Form):
    """A form whose every rendering carries a new key, so a double submit does one thing only."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4

    def renew_key(self) -> None:
        """After a refusal nothing was done: the form shown again gets a fresh key, so that a corrected
        request is not mistaken for a different request under the same key."""
        if self.is_bound:
            data = QueryDict(mutable=True)
            data.update(self.data)
            data[self.add_prefix("idempotency_key")] = str(uuid.uuid4())
            self.data = data


class TopUpForm(IdempotentForm):
    def __init__(self, *args: Any, currency: str, minimum: int, maximum: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"] = AmountField(
            currency=currency,
            minimum=minimum,
            maximum=maximum,
            label=_("Amount (%(currency)s)") % {"currency": currency},
            help_text=_("From %(minimum)s to %(maximum)s.")
            % {"minimum": money(minimum, currency), "maximum": money(maximum, currency)},
        )
        self.order_fields(["amount"])


class WithdrawalForm(IdempotentForm):
    method = forms.TypedChoiceField(label=_("Pay to"), coerce=int)

    def __init__(
        self,
        *args: Any,
        currency: str,
        minimum: int,
        available: int,
        methods: list[PayoutMethod],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        method_field: forms.TypedChoiceField = self.fields["method"]  # type: ignore[assignment]
        method_field.choices = [(method.pk, f"{method.get_kind_display()} · {method.masked}") for method in methods]
        self.fields["amount"] = AmountField(
            currency=currency,
            minimum=minimum,
            maximum=available,
            maximum_message=_("You have %(amount)s available to withdraw."),
            label=_("Amount (%(currency)s)") % {"currency": currency},
            help_text=_("At least %(minimum)s, at most what you have available (%(available)s).")
            % {"minimum": money(minimum, currency), "available": money(available, currency)},
        )
        self.order_fields(["method", "amount"])


class PayoutMethodForm(forms.Form):
    """The details of one kind of payout method; `details()` is what `payout_method_add` takes."""

    kind: str = ""
    title: StrOrPromise = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.kind}_%s")
        super().__init__(*args, **kwargs)

    def details(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if name != "kind"}


class StripeAccountForm(PayoutMethodForm):
    kind = PayoutMethodKind.STRIPE_ACCOUNT
    title = _("Stripe connected account")

    account_id = forms.RegexField(
        regex=r"^acct_[A-Za-z0-9]{6,64}$",
        max_length=80,
        label=_("Connected account id"),
        help_text=_("Starts with acct_, as shown in your Stripe dashboard."),
        error_messages={"invalid": _("Enter an id like acct_1AbCdEfGhIjKlMnO.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PayPalForm(PayoutMethodForm):
    kind = PayoutMethodKind.PAYPAL
    title = "PayPal"

    email = forms.EmailField(label=_("PayPal e-mail address"), max_length=254)


class BankAccountForm(PayoutMethodForm):
    kind = PayoutMethodKind.BANK
    title = _("Bank account")

    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        help_text=_("Spaces are fine. Only the last four characters are shown afterwards."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    account_holder = forms.CharField(label=_("Account holder's name"), max_length=100)

    def clean_iban(self) -> str:
        iban = "".join(self.cleaned_data["iban"].split()).upper()
        if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
            raise ValidationError(_("Enter an IBAN: two letters, two digits, then the account number."))
        return iban


PAYOUT_METHOD_FORMS: dict[str, type[PayoutMethodForm]] = {
    form.kind: form for form in (StripeAccountForm, PayPalForm, BankAccountForm)
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The user sees it next to their request."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why."), code="required")
        return reason


class DateRangeForm(forms.Form):
    """A GET form's date range (both ends included); a bad filter is shown and ignored."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters, each one `None` when not given (or not valid)."""
        if not self.is_bound:
            return dict.fromkeys(self.fields)
        if not self.is_valid():
            return {name: self.cleaned_data.get(name) or None for name in self.fields}
        return {name: value or None for name, value in self.cleaned_data.items()}

    def query(self) -> str:
        """The filters as a query string, for links to other pages and the CSV export."""
        values = {name: value for name, value in self.filters().items() if value is not None}
        return "&".join(f"{name}={_query_value(value)}" for name, value in values.items())


def _query_value(value: Any) -> str:
    return quote(value.isoformat() if hasattr(value, "isoformat") else str(value), safe="")


class LedgerFilterForm(DateRangeForm):
    account_kind = forms.ChoiceField(
        label=_("Account kind"), required=False, choices=[("", _("All kinds")), *AccountKind.choices]
    )
    email = forms.CharField(label=_("User e-mail"), required=False, max_length=254)
    field_order = ["account_kind", "email", "date_from", "date_to"]


class PaymentFilterForm(DateRangeForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *PaymentStatus.choices]
    )
    gateway = forms.ChoiceField(label=_("Gateway"), required=False, choices=[("", _("Any gateway")), *Gateway.choices])
    field_order = ["status", "gateway", "date_from", "date_to"]


class PayoutFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *PayoutStatus.choices],
    )


class HistoryType(models.TextChoices):
    """What a wallet operation was, as its owner sees it (the filters of the history)."""

    PURCHASE = "purchase", _("Purchase")
    REFUND = "refund", _("Refund")
    TOP_UP = "top_up", _("Top-up")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    SALE = "sale", _("Sale")
    COMMISSION = "commission", _("Commission")


PAYOUT_OBJECT = "payments.payout"
# type → (exact transaction kinds, kind prefixes) for operations about anything but a withdrawal. The
# ledger's own hold kinds read from the wallet owner's side: a hold taken from them is a purchase, one
# given back a refund, one posted to them a sale (their held account is left out of the history).
HISTORY_KINDS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    HistoryType.PURCHASE: (frozenset({HoldKind.CREATE}), ("purchase", "order")),
    HistoryType.REFUND: (frozenset({HoldKind.VOID, HoldKind.EXPIRE}), ("refund",)),
    HistoryType.TOP_UP: (frozenset({"top_up"}), ("top_up",)),
    HistoryType.SALE: (frozenset({HoldKind.POST}), ("sale",)),
    HistoryType.COMMISSION: (frozenset(), ("commission",)),
}


def history_type(kind: str, object_type: str) -> HistoryType | None:
    """The type of a wallet operation from its transaction's kind and business object."""
    if object_type == PAYOUT_OBJECT:
        return HistoryType.WITHDRAWAL
    for name, (kinds, prefixes) in HISTORY_KINDS.items():
        if kind in kinds or kind.startswith(prefixes):
            return HistoryType(name)
    return None


def history_type_query(name: str) -> Q:
    """The entries of one history type: the same rule as `history_type`, for the database."""
    if name == HistoryType.WITHDRAWAL:
        return Q(transaction__object_type=PAYOUT_OBJECT)
    kinds, prefixes = HISTORY_KINDS[name]
    matches = Q(transaction__kind__in=kinds)
    for prefix in prefixes:
        matches |= Q(transaction__kind__startswith=prefix)
    return matches & ~Q(transaction__object_type=PAYOUT_OBJECT)


class HistoryFilterForm(DateRangeForm):
    type = forms.ChoiceField(
        label=_("Operation"), required=False, choices=[("", _("All operations")), *HistoryType.choices]
    )
    field_order = ["type", "date_from", "date_to"]

    def narrow(self, entries: QuerySet[Entry]) -> QuerySet[Entry]:
        filters = self.filters()
        return history_narrow(
            entries, operation=filters["type"], date_from=filters["date_from"], date_to=filters["date_to"]
        )


def history_narrow(
    entries: QuerySet[Entry],
    *,
    operation: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Entry]:
    """The wallet entries a history filter keeps. Money moving between the user's own available and
    held accounts is one operation: only its available side is listed."""
    entries = entries.exclude(account__kind=AccountKind.HELD)
    if operation:
        entries = entries.filter(history_type_query(operation))
    start, end = day_range(date_from, date_to)
    if start:
        entries = entries.filter(transaction__created_at__gte=start)
    if end:
        entries = entries.filter(transaction__created_at__lt=end)
    return entries
