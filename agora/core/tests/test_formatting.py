import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from agora.core.templatetags.formatting import localdate, money

NBSP = "\xa0"
NNBSP = "\u202f"  # CLDR puts a narrow no-break space before "г."

# The project's autouse fixture clears the (database) cache around every test.
pytestmark = pytest.mark.django_db


def test_money_in_english():
    with translation.override("en"):
        assert money(1999, "USD") == "$19.99"
        assert money(500, "EUR") == "€5.00"


def test_money_in_russian():
    with translation.override("ru"):
        assert money(1999, "USD") == f"19,99{NBSP}$"
        assert money(123456, "RUB") == f"1{NBSP}234,56{NBSP}₽"


def test_money_respects_the_currency_exponent():
    with translation.override("en"):
        assert money(1999, "JPY") == "¥1,999"


def test_money_takes_a_money_value():
    from agora.core.money import Money

    with translation.override("en"):
        assert money(Money(1999, "USD")) == "$19.99"
    with translation.override("ru"):
        assert money(Money(-500, "EUR")) == f"-5,00{NBSP}€"


def test_money_of_nothing_is_empty():
    assert money(None, "USD") == ""


def test_localdate_in_english_and_russian():
    moment = datetime.datetime(2025, 3, 5, 12, 0, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert localdate(moment) == "Mar 5, 2025"
    with translation.override("ru"):
        assert localdate(moment) == f"5 мар. 2025{NNBSP}г."


def test_filters_in_a_template():
    template = Template('{% load formatting %}{{ price|money:"USD" }} · {{ day|localdate }}')
    with translation.override("en"):
        rendered = template.render(Context({"price": 1999, "day": datetime.date(2025, 3, 5)}))
    assert rendered == "$19.99 · Mar 5, 2025"


def test_initials():
    from agora.core.templatetags.formatting import initials

    assert initials("Ada Lovelace") == "AL"
    assert initials("ada") == "A"
    assert initials("grace.hopper@example.com") == "G"
    assert initials("") == "?"
