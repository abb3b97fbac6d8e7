from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from agora.accounts import views as account_views
from config import views
from config.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    # Our sign-up (the same service as the API) takes the place of allauth's.
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("", include("agora.accounts.urls")),
    path("", include("agora.catalog.urls")),
    path("", include("agora.publishing.urls")),
    path("", include("agora.payments.gateway_urls")),
    path("", include("agora.payments.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEV_TOOLS:
    urlpatterns.append(path("dev/mail/", include("agora.devmail.urls")))
    # Uploaded public images (avatars, course covers) in the default mode; production serves them from
    # object storage. Nothing else under MEDIA_ROOT is public (lecture files go through catalog:lecture-media),
    # and each folder is its own root, so ".." cannot climb out of it.
    for public_folder in ("avatars", "covers"):
        urlpatterns.append(
            re_path(
                rf"^media/{public_folder}/(?P<path>.+)$", serve, {"document_root": settings.MEDIA_ROOT / public_folder}
            )
        )
