"""The default mode (`make run`): one machine, no outside servers, demo data, mail kept at /dev/mail/."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env_bool

DEBUG = env_bool("DEBUG", True)
INSTALLED_APPS = [*INSTALLED_APPS, "agora.devmail"]
MAILERS = {"default": {"BACKEND": "agora.devmail.backend.DatabaseEmailBackend"}}
DEV_TOOLS = True
