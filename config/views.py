"""Pages that compose several apps: the home page and the health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agora.catalog.selectors import course_list_featured


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    featured = course_list_featured(viewer=request.user, limit=6)  # type: ignore[arg-type]
    return render(request, "home.html", {"featured_courses": featured})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
