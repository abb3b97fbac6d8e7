"""The baseline of bench/catalog.py (QUALITY.md §1): a bare Django view doing one primary-key query
and returning JSON, no middleware, served like Agora (uvicorn, same database pool settings).

    DATABASE_URL=... uvicorn --app-dir bench bare_django:application --workers 2
"""

import os
import sys
from pathlib import Path

import django
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from agora.core.database import database_config


def course(request: HttpRequest, course_id: int) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM catalog_course WHERE id = %s", [course_id])
        row = cursor.fetchone()
    return JsonResponse({"id": row[0], "title": row[1]} if row else {}, status=200 if row else 404)


urlpatterns = [path("course/<int:course_id>", course)]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    DATABASES={"default": database_config(os.environ["DATABASE_URL"], Path("/nonexistent"))},
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    USE_TZ=True,
)
django.setup()
application = get_asgi_application()
