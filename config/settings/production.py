"""Production: everything from the environment; refuses to start without its secrets."""

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from .base import *  # noqa: F403
from .base import (
    PAYMENTS_DEFAULT_GATEWAY,
    PAYMENTS_SANDBOX_ENABLED,
    PAYMENTS_SANDBOX_WEBHOOK_SECRET,
    PAYOUT_ENCRYPTION_KEY,
    REDIS_URL,
    SECRET_KEY,
    SECURE_CSP,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    env,
    env_bool,
    env_int,
)

DEBUG = False
if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
if not env("DATABASE_URL"):
    raise ImproperlyConfigured("Set DATABASE_URL: production uses an external PostgreSQL.")
if not REDIS_URL:
    raise ImproperlyConfigured("Set REDIS_URL: production uses Redis for the channel layer and cache.")

# Payout details must stay readable when SECRET_KEY is rotated, so they get a key of their own.
try:
    Fernet(PAYOUT_ENCRYPTION_KEY)
except ValueError:
    raise ImproperlyConfigured(
        "Set PAYOUT_ENCRYPTION_KEY to a Fernet key: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'"
    ) from None
# Real money goes through Stripe; the sandbox's pretend money only on a staging site that asks for it.
sandbox_on = (PAYMENTS_SANDBOX_ENABLED or "").lower() in {"1", "true", "yes", "on"}
if PAYMENTS_DEFAULT_GATEWAY == "sandbox" and not sandbox_on:
    raise ImproperlyConfigured("Set PAYMENTS_DEFAULT_GATEWAY=stripe, or PAYMENTS_SANDBOX_ENABLED=true for staging.")
if PAYMENTS_DEFAULT_GATEWAY == "stripe" and not STRIPE_SECRET_KEY:
    raise ImproperlyConfigured("Set STRIPE_SECRET_KEY for the Stripe gateway.")
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:  # Stripe is on whenever its key is set
    raise ImproperlyConfigured("Set STRIPE_WEBHOOK_SECRET: Stripe's webhooks are checked with it.")
if sandbox_on and PAYMENTS_SANDBOX_WEBHOOK_SECRET == "whsec_sandbox_dev_only":
    raise ImproperlyConfigured("Set PAYMENTS_SANDBOX_WEBHOOK_SECRET: the default one is public.")

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
