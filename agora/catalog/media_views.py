"""Protected files: a lecture's media and its resources, served only after access_lecture_media.

With files on this machine (the default mode) the view streams them itself, answering HTTP Range
requests so that a video can seek; with object storage (production) it redirects to a signed URL
that expires in MEDIA_SIGNED_URL_SECONDS. See docs/media.md.
"""

import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from agora.catalog import access
from agora.catalog.filetypes import EXTENSION_CONTENT_TYPES
from agora.catalog.models import Lecture, Resource
from agora.catalog.uploads import display_name

CHUNK_BYTES = 64 * 1024
RANGE = re.compile(r"bytes=(\d*)-(\d*)")
INLINE_CONTENT_TYPES = ("video/", "audio/", "image/", "application/pdf")
UNSATISFIABLE = (-1, -1)
# Long texts the access check does not need.
UNUSED_FIELDS = ["text", "assignment_instructions", "module__revision__description", "module__revision__changelog"]


@require_safe
def lecture_media(request: HttpRequest, lecture_id: int) -> HttpResponseBase:
    lecture = (
        Lecture.objects.select_related("module__revision__course").defer(*UNUSED_FIELDS).filter(pk=lecture_id).first()
    )
    if lecture is None:
        raise Http404
    access.access_lecture_media(request.user, lecture)  # type: ignore[arg-type]
    if not lecture.media:
        raise Http404
    return media_response(request, str(lecture.media.name), download_name=lecture.title, attachment=False)


@require_safe
def resource_file(request: HttpRequest, resource_id: int) -> HttpResponseBase:
    resources = Resource.objects.select_related("lecture__module__revision__course")
    unused = [f"lecture__{name}" for name in UNUSED_FIELDS]
    resource = resources.defer(*unused).filter(pk=resource_id).first()
    if resource is None:
        raise Http404
    access.access_lecture_media(request.user, resource.lecture)  # type: ignore[arg-type]
    if not resource.file:
        raise Http404
    return media_response(request, str(resource.file.name), download_name=resource.title, attachment=True)


def media_response(request: HttpRequest, name: str, *, download_name: str, attachment: bool) -> HttpResponseBase:
    """The stored file `name`: streamed with Range support from local storage, else a redirect to the
    storage's short-lived signed URL. `download_name` (a title) gets the stored file's extension."""
    extension = PurePosixPath(name).suffix.lower()
    content_type = EXTENSION_CONTENT_TYPES.get(extension, "application/octet-stream")
    filename = _filename(download_name, extension)
    disposition = content_disposition_header(attachment or not _shown_inline(content_type), filename)
    path = _local_path(name)
    if path is None:
        return _signed_redirect(name, content_type=content_type, disposition=disposition or "")
    try:
        size = os.path.getsize(path)
    except OSError as error:  # a name whose file is gone
        raise Http404 from error
    response = _ranged_response(path, size, request.headers.get("Range", ""), content_type)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range (first, last byte) a Range header asks for; None to send the whole file (no
    header, or one we do not parse, or several ranges); UNSATISFIABLE when it lies past the end."""
    match = RANGE.fullmatch(header.strip())
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # the last n bytes
        suffix = int(last)
        return (max(0, size - suffix), size - 1) if suffix and size else UNSATISFIABLE
    start = int(first)
    if last and int(last) < start:
        return None  # an invalid range is ignored (RFC 9110 §14.2)
    if start >= size:
        return UNSATISFIABLE
    return start, min(int(last), size - 1) if last else size - 1


def _ranged_response(path: str, size: int, range_header: str, content_type: str) -> HttpResponseBase:
    wanted = byte_range(range_header, size) if range_header else None
    response: HttpResponseBase
    if wanted == UNSATISFIABLE:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115 (Django closes it)
    else:
        first, last = wanted
        response = StreamingHttpResponse(_file_slice(path, first, last), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _file_slice(path: str, first: int, last: int) -> Iterator[bytes]:
    with open(path, "rb") as file:
        file.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = file.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def _local_path(name: str) -> str | None:
    try:
        return default_storage.path(name)
    except NotImplementedError:  # object storage: no path on this machine
        return None


def _signed_redirect(name: str, *, content_type: str, disposition: str) -> HttpResponse:
    """S3 signs a URL that works for MEDIA_SIGNED_URL_SECONDS and answers with our type and
    disposition; another storage gives its own URL (it must be private and expiring too)."""
    from storages.backends.s3 import S3Storage  # here: boto3 loads only where S3 is the storage

    if isinstance(default_storage, S3Storage):
        parameters = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition}
        url = default_storage.url(name, parameters=parameters, expire=settings.MEDIA_SIGNED_URL_SECONDS)
    else:
        url = default_storage.url(name)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"  # the signature expires; never reuse the redirect
    return response


def _shown_inline(content_type: str) -> bool:
    return any(content_type.startswith(prefix) for prefix in INLINE_CONTENT_TYPES)


def _filename(title: str, extension: str) -> str:
    name = display_name(title.replace("/", " ").replace("\\", " "))
    return name if name.lower().endswith(extension) else f"{name}{extension}"
