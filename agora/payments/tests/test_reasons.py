"""Booking reasons stay in English in the books and read in the reader's language."""

from django.utils import translation

from agora.payments import reasons
from agora.payments.reasons import reason_shown


def test_each_reason_has_a_russian_text_and_keeps_its_details():
    with translation.override("ru"):
        shown = {
            template: reason_shown(template % {"gateway": "sandbox", "reason": "IBAN closed"})
            for template in reasons.REASONS
        }

    untranslated = [template for template, text in shown.items() if text.startswith(template.split("%")[0])]
    assert untranslated == []
    assert "IBAN closed" in shown[reasons.WITHDRAWAL_REJECTED]
    assert "sandbox" in shown[reasons.WITHDRAWAL_PAID]


def test_english_and_unknown_reasons_are_shown_as_written():
    booked = reasons.WITHDRAWAL_REJECTED % {"reason": "Name does not match: %(x)s"}

    assert reason_shown(booked) == booked
    with translation.override("ru"):
        assert reason_shown("Booked by hand in the admin") == "Booked by hand in the admin"
