from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from agora.devmail.models import DevMessage

PAGE_SIZE = 100


@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    messages = DevMessage.objects.only("id", "to", "subject", "sent_at")[:PAGE_SIZE]
    return render(request, "devmail/message_list.html", {"mail_messages": messages})


@require_GET
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(DevMessage, pk=message_id)
    return render(request, "devmail/message_detail.html", {"message": message})


@require_GET
@xframe_options_sameorigin
def message_html(request: HttpRequest, message_id: int) -> HttpResponse:
    """The HTML part on its own, for the sandboxed frame on the message page."""
    message = get_object_or_404(DevMessage, pk=message_id)
    response = HttpResponse(message.html)
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    )
    return response


@require_GET
def message_list_json(request: HttpRequest) -> JsonResponse:
    messages = DevMessage.objects.all()[:PAGE_SIZE]
    fields = ("id", "to", "subject", "text", "html", "sent_at")
    return JsonResponse([{name: getattr(message, name) for name in fields} for message in messages], safe=False)
