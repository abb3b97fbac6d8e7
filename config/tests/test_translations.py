"""English and Russian are complete for everything that exists."""

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent.parent / "locale" / "ru" / "LC_MESSAGES"


def _catalog():
    with (LOCALE / "django.po").open("rb") as po_file:
        return read_po(po_file)


def test_every_russian_message_is_translated_and_none_is_fuzzy():
    catalog = _catalog()
    untranslated = [message.id for message in catalog if message.id and not all(_strings(message.string))]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]

    assert len(catalog) > 400
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_source():
    compiled = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    stale = [
        message.id
        for message in _catalog()
        if message.id and isinstance(message.id, str) and _compiled_text(compiled, message) != message.string
    ]

    assert stale == []


def _compiled_text(compiled: gettext.GNUTranslations, message) -> str:
    """What the .mo gives for a message, looked up in its context when it has one."""
    return compiled.pgettext(message.context, message.id) if message.context else compiled.gettext(message.id)


def _strings(string):
    return string if isinstance(string, tuple) else (string,)


@pytest.mark.django_db
def test_pages_render_in_the_visitors_language(client):
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    russian = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert 'lang="en"' in english and 'lang="ru"' in russian
    assert "Войти" in russian and "Войти" not in english
