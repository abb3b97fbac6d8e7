"""Uploaded files: checked by their content (never by the name or Content-Type the client sent),
limited in size, videos probed with ffprobe, images re-encoded, stored under random names.

Folders: "lectures/<course id>" and "resources/<course id>" are protected (served only by
media_views after an access check); "covers" and "avatars" hold public images. See docs/media.md.
"""

import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from agora.catalog import filetypes
from agora.core.errors import ServiceError
from agora.core.images import image_reencode

NAME_MAX_LENGTH = 120
RESOURCE_IMAGE_MAX_SIDE = 4096


class UploadKind(StrEnum):
    VIDEO = "video"
    PDF = "pdf"
    IMAGE = "image"
    RESOURCE = "resource"


@dataclass(frozen=True)
class CheckedUpload:
    kind: UploadKind
    content: File  # what upload_store saves: the upload itself, or its re-encoded image
    extension: str  # ".mp4": from the detected type, never from the client's name
    content_type: str
    duration_seconds: int  # videos; 0 for everything else
    size: int  # bytes of `content`
    original_name: str  # for display only, never a path


def lecture_folder(course_id: int) -> str:
    return f"lectures/{course_id}"


def resource_folder(course_id: int) -> str:
    return f"resources/{course_id}"


def upload_check(file: UploadedFile, kind: UploadKind) -> CheckedUpload:
    """Refuse an empty, too large or unexpected file (ServiceError on field "file"); describe the
    rest. Sizes are checked before anything reads the content."""
    _size_check(file, kind)
    file_type = filetypes.file_type_detect(file, allowed=filetypes.ALLOWED[kind], name=file.name or "")
    if file_type is None:
        raise ServiceError(_wrong_type_message(kind), code="upload_wrong_type", field="file")
    content: File = file
    duration = 0
    if file_type.family == filetypes.Family.IMAGE:
        content = _image_reencode(file, kind)
        file_type = filetypes.image_type_of(content.name or "")
    elif file_type.family == filetypes.Family.VIDEO:
        duration = filetypes.video_duration(file, file_type)
    else:
        file_type = filetypes.content_verify(file, file_type)
    file.seek(0)
    return CheckedUpload(
        kind=kind,
        content=content,
        extension=file_type.extension,
        content_type=file_type.content_type,
        duration_seconds=duration,
        size=content.size or 0,
        original_name=display_name(file.name),
    )


def upload_store(checked: CheckedUpload, *, folder: str) -> str:
    """Save through the default storage under a random name in `folder`; return the stored name."""
    if folder.startswith("/") or ".." in folder.split("/"):
        raise ValueError(f"not a storage folder: {folder!r}")
    checked.content.seek(0)
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}{checked.extension}", checked.content)


def display_name(name: str | None) -> str:
    """The client's file name, made safe to show: the last path part only (either slash), no control
    or direction-changing characters, no leading dots, at most NAME_MAX_LENGTH characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(character for character in base if unicodedata.category(character)[0] != "C")
    base = base.strip().lstrip(".").strip()
    if len(base) > NAME_MAX_LENGTH:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and len(extension) <= 10:  # keep the extension readers recognise the file by
            base = stem[: NAME_MAX_LENGTH - len(extension) - 1].rstrip() + dot + extension
        else:
            base = base[:NAME_MAX_LENGTH]
    return base or "file"


def _size_check(file: UploadedFile, kind: UploadKind) -> None:
    limit = settings.UPLOAD_MAX_BYTES[kind]
    if not file.size:
        raise ServiceError(_("The file is empty."), code="upload_empty", field="file")
    if file.size > limit:
        message = _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
        raise ServiceError(message, code="upload_too_large", field="file")


def _image_reencode(file: UploadedFile, kind: UploadKind) -> File:
    """Pixels only: metadata (EXIF, GPS) and anything appended to the image are dropped."""
    max_side = settings.UPLOAD_COVER_MAX_SIDE if kind == UploadKind.IMAGE else RESOURCE_IMAGE_MAX_SIDE
    try:
        return image_reencode(file, max_side=max_side)
    except ServiceError as error:
        code = "upload_too_large" if error.code == "image_too_large" else "upload_wrong_type"
        raise ServiceError(error.message, code=code, field="file") from error


def _wrong_type_message(kind: UploadKind) -> str:
    messages = {
        UploadKind.VIDEO: _("Upload a video: MP4, MOV, WebM or MKV."),
        UploadKind.PDF: _("Upload a PDF document."),
        UploadKind.IMAGE: _("Upload a JPEG, PNG, WebP or GIF image."),
        UploadKind.RESOURCE: _(
            "This type of file is not accepted. Upload a PDF, an archive (ZIP), an office document, "
            "an image, plain text (TXT, Markdown, CSV) or audio (MP3, OGG, WAV, FLAC, M4A)."
        ),
    }
    return messages[kind]


class UploadSizeLimitMiddleware:
    """413 for a request body larger than UPLOAD_REQUEST_MAX_BYTES, answered from its Content-Length
    before anything reads the body. Under WSGI the body is then never read; under ASGI Django has
    already spooled it to a temporary file, so production's reverse proxy must refuse it first
    (docs/media.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declared_length(request) <= settings.UPLOAD_REQUEST_MAX_BYTES:
            return self.get_response(request)
        limit = filesizeformat(settings.UPLOAD_REQUEST_MAX_BYTES)
        message = _("This upload is too large: the limit is %(limit)s.") % {"limit": limit}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "upload_too_large"}, status=413)
        return render(request, "catalog/upload_too_large.html", {"message": message}, status=413)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
