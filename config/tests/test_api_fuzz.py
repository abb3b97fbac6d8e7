"""schemathesis over the whole OpenAPI document: no server errors, no responses outside the schema,
signed in (a bearer token) and with throttles lifted so the logic behind each operation is reached."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
)

from agora.accounts.tests.factories import UserFactory
from agora.core.jwt import token_pair_issue

# Reading the document needs no database; pytest-django has set Django up by import time.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
FUZZED: set[str] = set()  # operations that received at least one case


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Like Django's test client: the test's transaction must outlive each request."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_throttles(settings):
    settings.API_THROTTLE_ANONYMOUS = "100000/s"
    settings.API_THROTTLE_AUTH = "100000/s"
    settings.ACCOUNT_RATE_LIMITS = False


@schema.parametrize()
# Derandomized: the same cases every run, so CI's verdict does not depend on luck.
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_operation_conforms_to_its_schema(case, quality_figure):
    figure = quality_figure("api_fuzz", cases=1, errors=0, operations=int(case.operation.label not in FUZZED))
    FUZZED.add(case.operation.label)
    user = UserFactory()
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token_pair_issue(user).access}"}
    # Left out on purpose: a well-formed request may still be refused for business reasons (an unknown
    # activation key, a weak password); the token is always sent here, so refusals of missing or broken
    # tokens are tested one by one in agora/*/tests/test_api*.py instead; and query strings are parsed
    # leniently by pydantic ("0.0" is read as 0, a repeated parameter's last value wins).
    try:
        case.call_and_validate(
            excluded_checks=[positive_data_acceptance, ignored_auth, missing_required_header, negative_data_rejection]
        )
    except Exception:
        figure.add(errors=1)
        raise
