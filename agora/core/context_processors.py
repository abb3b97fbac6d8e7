from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_url": settings.SITE_URL, "dev_tools_enabled": settings.DEV_TOOLS}
