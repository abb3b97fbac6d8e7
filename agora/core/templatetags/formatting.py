"""Template filters that format numbers and dates for the active language (Babel's CLDR data)."""

import datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision
from django import template
from django.utils import timezone
from django.utils.translation import get_language, to_locale

from agora.core.money import Money

register = template.Library()

FALLBACK_LOCALE = "en"


def _active_locale() -> Locale:
    """The Babel locale of the active Django language ("en", "ru", "pt-br" → pt_BR)."""
    try:
        return Locale.parse(to_locale(get_language() or FALLBACK_LOCALE))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


@register.filter
def money(value: Money | int | str | None, currency: str = "") -> str:
    """`{{ 1999|money:"USD" }}` → "$19.99" in English, "19,99 $" in Russian; `{{ price|money }}` for a Money."""
    if isinstance(value, Money):
        minor_units, code = value.amount, value.currency
    elif value is None or value == "":  # "" is what a missing template variable gives
        return ""
    else:
        minor_units, code = int(value), str(currency).upper()
    amount = Decimal(minor_units).scaleb(-get_currency_precision(code))
    return format_currency(amount, code, locale=_active_locale())


@register.filter
def localdate(value: datetime.date | str | None) -> str:
    """A date or datetime as a medium date in the active language: "Mar 5, 2025", "5 мар. 2025 г."."""
    if not isinstance(value, datetime.date):
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return format_date(value, format="medium", locale=_active_locale())


@register.filter
def initials(name: str | None) -> str:
    """Up to two capital letters for an avatar placeholder: "Ada Lovelace" → "AL", "ada@x.org" → "A"."""
    words = str(name or "").replace("@", " ").replace(".", " ").split()
    if not words:
        return "?"
    if "@" in str(name):
        words = words[:1]
    return "".join(word[0] for word in words[:2]).upper()
