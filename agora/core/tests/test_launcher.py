"""`make run` on another port: mail links and the sandbox's webhooks follow it."""

import os

from agora.core.launcher import environment_defaults


def test_the_site_address_follows_the_port(monkeypatch):
    for name in ("SITE_URL", "DJANGO_SETTINGS_MODULE", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)

    environment_defaults(port="8010")

    assert os.environ["SITE_URL"] == "http://localhost:8010"
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings.local"
    assert os.stat(os.environ["XDG_RUNTIME_DIR"]).st_mode & 0o777 == 0o700


def test_a_site_address_given_is_kept(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://agora.example.com")

    environment_defaults(port="8010")

    assert os.environ["SITE_URL"] == "https://agora.example.com"
