"""The JSON API root: /api/v1/, its OpenAPI document (/api/v1/openapi.json) and docs (/api/v1/docs).

Each app adds its router. The docs page is ninja's Swagger UI served from ninja's own static files
(needs "ninja" in INSTALLED_APPS; without it ninja falls back to a CDN, which we never use).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import Resolver404, URLPattern, URLResolver, path, re_path, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger

from agora.accounts.api import auth_router, me_router
from agora.catalog.api import catalog_router
from agora.catalog.api_authoring import authoring_router
from agora.core.api import api_errors_install, api_throttles, error_response
from agora.payments.api import accountant_router, wallet_router
from agora.publishing.api import moderation_router, studio_router


class AgoraAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        """Ninja's URLs, answering in JSON where ninja does not: 405 for a method no operation has,
        404 for /api/v1/ itself and for any path no operation has."""
        patterns, app_name, namespace = super().urls
        not_found = csrf_exempt(self._not_found)  # a POST to a wrong path is a 404, not a CSRF refusal
        patterns = [
            URLPattern(pattern.pattern, self._json_not_allowed(pattern.callback), pattern.default_args, pattern.name)
            for pattern in patterns
            if isinstance(pattern, URLPattern) and pattern.name != "api-root"
        ]
        return (
            [*patterns, path("", not_found, name="api-root"), re_path(r"", not_found)],
            app_name,
            namespace,
        )

    def _not_found(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        detail = _("Not found.")
        without_slash = request.path.rstrip("/")
        if without_slash != request.path and self._has_operation(without_slash):
            detail = _("Not found. API addresses end without a slash: %(path)s") % {"path": without_slash}
        return error_response(self, request, status=404, detail=detail, code="not_found")

    def _has_operation(self, path: str) -> bool:
        try:
            return resolve(path).func.__name__ != self._not_found.__name__
        except Resolver404:
            return False

    def _json_not_allowed(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if not isinstance(response, HttpResponseNotAllowed):
                return response
            detail = _("This address does not take %s requests.") % request.method
            refusal = error_response(self, request, status=405, detail=detail, code="method_not_allowed")
            refusal["Allow"] = response["Allow"]
            return refusal

        return wrapped


api = AgoraAPI(
    title="Agora API",
    version="1",
    description='Agora\'s JSON API. Refusals are `{"detail": ..., "code": ...}` with a 4xx status.',
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": True}),
    throttle=api_throttles(),
)
api_errors_install(api)
api.add_router("/auth/", auth_router)
api.add_router("/me", me_router)
api.add_router("/wallet", wallet_router)
api.add_router("/accountant", accountant_router)
api.add_router("/", catalog_router)
api.add_router("/studio", studio_router)
api.add_router("/studio", authoring_router)
api.add_router("/moderation", moderation_router)
