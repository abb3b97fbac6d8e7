"""Production: everything from the environment; refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from .base import *  # noqa: F403
from .base import REDIS_URL, SECRET_KEY, SECURE_CSP, env, env_bool, env_int

DEBUG = False
if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
if not env("DATABASE_URL"):
    raise ImproperlyConfigured("Set DATABASE_URL: production uses an external PostgreSQL.")
if not REDIS_URL:
    raise ImproperlyConfigured("Set REDIS_URL: production uses Redis for the channel layer and cache.")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

STORAGES: dict[str, dict[str, object]] = {  # type: ignore[no-redef]
    "default": {
        "BACKEND": env("MEDIA_STORAGE", "storages.backends.s3.S3Storage"),
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME", "agora-media"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "default_acl": "private",
            # Every file is read through a signed URL (SigV4); protected lecture files get one that
            # expires after MEDIA_SIGNED_URL_SECONDS, handed out only after the access check (docs/media.md).
            "querystring_auth": True,
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Pages show covers and avatars and play videos straight from the object storage (signed URLs, and the
# lecture media view redirects there), so the content security policy must let that origin in.
MEDIA_ORIGIN = env("MEDIA_ORIGIN") or "https://*.amazonaws.com"
SECURE_CSP = {
    **SECURE_CSP,
    "img-src": [CSP.SELF, "data:", "blob:", MEDIA_ORIGIN],
    "media-src": [CSP.SELF, "blob:", MEDIA_ORIGIN],
}
