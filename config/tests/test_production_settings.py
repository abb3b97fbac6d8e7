"""Production settings: `check --deploy` is clean, Argon2 hashes passwords, no dev tools are served."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k8#Tz2@pLq9!vW4eRb6^nY1%sD3&fG7*hJ5(mX0)cV-uI=oA+Qw8Er5Ty",
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "agora.example.com",
    "SITE_URL": "https://agora.example.com",
    "PAYOUT_ENCRYPTION_KEY": "MzItYnl0ZXMtb2YtYS10ZXN0LW9ubHkta2V5LW9rISE=",
    "PAYMENTS_DEFAULT_GATEWAY": "stripe",
    "STRIPE_SECRET_KEY": "sk_test_production_settings",
    "STRIPE_WEBHOOK_SECRET": "whsec_production_settings",
}


def _manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **PRODUCTION_ENV, **(env or {})}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_hashes_with_argon2_and_serves_no_dev_tools():
    script = (
        "from django.conf import settings; from django.urls import resolve, Resolver404;\n"
        "from django.contrib.auth.hashers import make_password;\n"
        "print(make_password('x').split('$')[0]);\n"
        "print(settings.MAILERS['default']['BACKEND'], settings.DEBUG);\n"
        "try:\n    resolve('/dev/mail/'); print('dev-mail-served')\nexcept Resolver404:\n    print('no-dev-mail')\n"
    )
    result = _manage("shell", "--verbosity", "0", "-c", script)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["argon2", "django.core.mail.backends.smtp.EmailBackend", "False", "no-dev-mail"]


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PAYOUT_ENCRYPTION_KEY", "STRIPE_SECRET_KEY"]
)
def test_production_refuses_to_start_without_its_secrets(missing):
    result = _manage("check", env={missing: ""})

    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PAYOUT_ENCRYPTION_KEY": "not-a-fernet-key"}, "PAYOUT_ENCRYPTION_KEY"),
        ({"STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_WEBHOOK_SECRET"),
        ({"PAYMENTS_DEFAULT_GATEWAY": "sandbox"}, "PAYMENTS_SANDBOX_ENABLED"),
        ({"PAYMENTS_SANDBOX_ENABLED": "true"}, "PAYMENTS_SANDBOX_WEBHOOK_SECRET"),
    ],
)
def test_production_refuses_pretend_money_and_weak_payment_keys(env, named):
    result = _manage("check", env=env)

    assert result.returncode != 0
    assert named in result.stderr


def test_a_staging_site_may_run_the_sandbox_with_its_own_secret():
    staging = {"PAYMENTS_SANDBOX_ENABLED": "true", "PAYMENTS_SANDBOX_WEBHOOK_SECRET": "whsec_staging_only_secret"}

    assert _manage("check", env={**staging, "PAYMENTS_DEFAULT_GATEWAY": "sandbox"}).returncode == 0
