"""Template filters for course figures: lengths, ratings and counts in the active language."""

from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from django import template
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

register = template.Library()


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _active_locale() -> Locale:
    return _locale(get_language() or "en")


@register.filter
def duration(seconds: int | None) -> str:
    """A length for people: "5 h 30 min", "45 min", "1 h"."""
    minutes = round((seconds or 0) / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.filter
def clock(seconds: int | None) -> str:
    """A lecture's length as a player shows it: "4:05", "1:02:03"."""
    minutes, second = divmod(seconds or 0, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}" if hours else f"{minute}:{second:02d}"


@register.filter
def rating(hundredths: int | None) -> str:
    """A rating kept in hundredths with one decimal: 456 → "4.6" ("4,6" in Russian)."""
    return format_decimal(Decimal(hundredths or 0) / 100, format="0.0", locale=_active_locale())


@register.filter
def number(value: int | None) -> str:
    """A count with the language's digit grouping: 12345 → "12,345" ("12 345" in Russian)."""
    return format_decimal(value or 0, locale=_active_locale())
