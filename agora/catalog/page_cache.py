"""Whole-page cache of the public catalog pages for visitors (QUALITY.md P1).

Rendering a page of 24 course cards takes Django's template engine ten to twenty milliseconds; most of
the catalog's traffic is visitors asking for the same few addresses. So for a request that carries no
session and no messages cookie (certainly a visitor, with nothing personal to show), the rendered page
is kept for `PAGE_CACHE_SECONDS`, keyed by address, language and htmx target, and fetched with the
current generation in one cache round trip.

The per-response secrets are not cached: the page is rendered with markers in place of the CSP nonce
and the CSRF token, and every response, the first and the cached ones, gets fresh values put in.
Catalog services call `catalog_pages_expire()` when what visitors see changes (a revision approved,
discounts ended, a course blocked); otherwise a page is at most `PAGE_CACHE_SECONDS` old (figures
such as students and ratings, team profiles).
"""

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.translation import get_language

PAGE_CACHE_SECONDS = 60
NONCE_MARK = "__agora-csp-nonce__"
CSRF_MARK = "__agora-csrf-token__"
NONCE_MARK_BYTES = NONCE_MARK.encode()
CSRF_MARK_BYTES = CSRF_MARK.encode()
_MARKS = re.compile(b"(" + re.escape(NONCE_MARK_BYTES) + b"|" + re.escape(CSRF_MARK_BYTES) + b")")
GENERATION_KEY = "catalog:pages:generation"
HTMX_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_HISTORY_RESTORE_REQUEST")
MESSAGES_COOKIE = "messages"

View = Callable[..., HttpResponse]


def catalog_pages_expire() -> None:
    """Forget every cached catalog page: each remembers the generation it was rendered in."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet
        cache.add(GENERATION_KEY, 0, timeout=None)
        cache.incr(GENERATION_KEY)


def page_markers(request: HttpRequest) -> dict[str, str]:
    """Context that renders markers instead of this response's nonce and token, when the page is cached."""
    return {"csp_nonce": NONCE_MARK, "csrf_token": CSRF_MARK} if getattr(request, "_page_cache_key", None) else {}


def visitor_page_cache(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _for_a_visitor(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        # One round trip: the page and the generation it must belong to.
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, 0)
        cached = found.get(key)
        if cached is None or cached[0] != generation:
            request._page_cache_key = key  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            cached = (generation, _split(response.content), list(response.items()))  # the view's own headers
            cache.set(key, cached, timeout=PAGE_CACHE_SECONDS)
        _generation, parts, headers = cached
        secrets = {NONCE_MARK_BYTES: str(get_nonce(request)).encode(), CSRF_MARK_BYTES: get_token(request).encode()}
        response = HttpResponse(b"".join(secrets.get(part, part) for part in parts))
        for name, value in headers:
            response[name] = value
        return response

    return wrapped


def _split(content: bytes) -> list[bytes]:
    """The page cut around the markers, so that filling them in is one join."""
    return [part for part in _MARKS.split(content) if part]


def _for_a_visitor(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and MESSAGES_COOKIE not in request.COOKIES


def _key(request: HttpRequest) -> str:
    address = "\n".join([request.get_full_path(), *(request.META.get(header, "") for header in HTMX_HEADERS)])
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"catalog:page:{get_language()}:{digest}"
