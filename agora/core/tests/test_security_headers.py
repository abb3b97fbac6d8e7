import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/health", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)

    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_every_script_tag_carries_the_nonce_of_its_response(client):
    response = client.get(reverse("home"))
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.content.decode()

    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts, "the page loads its scripts"
    assert all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in scripts)
    assert " style=" not in page and "onclick=" not in page
