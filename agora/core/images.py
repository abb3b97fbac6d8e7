"""Uploaded images are checked by content and re-encoded, so nothing but pixels is ever stored."""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from agora.core.errors import ServiceError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def image_reencode(upload: UploadedFile, *, max_side: int) -> ContentFile:
    """A fresh JPEG or PNG no larger than `max_side`, named by a random id, never by the upload's name."""
    if upload.size is None or upload.size > MAX_IMAGE_BYTES:
        raise ServiceError(_("The image is larger than 5 MB."), code="image_too_large", field="avatar")
    image = _open_image(upload)
    image.thumbnail((max_side, max_side))
    has_alpha = image.mode in {"RGBA", "LA", "P"}
    image = image.convert("RGBA" if has_alpha else "RGB")
    output = io.BytesIO()
    image_format, extension = ("PNG", "png") if has_alpha else ("JPEG", "jpg")
    image.save(output, format=image_format, optimize=True)
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _open_image(upload: UploadedFile) -> Image.Image:
    try:
        image = Image.open(upload)
        if image.format not in ALLOWED_FORMATS or image.width * image.height > MAX_IMAGE_PIXELS:
            raise ServiceError(_("Upload a JPEG, PNG, WebP or GIF image."), code="invalid_image", field="avatar")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ServiceError(_("This file is not an image we can read."), code="invalid_image", field="avatar") from error
    return image
