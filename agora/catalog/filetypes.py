"""What an uploaded file really is, from its bytes: signatures ("magic bytes"), then a closer look
for the families that need one (ffprobe for video and audio, the trailer of a PDF, the directory of
a ZIP archive, UTF-8 for plain text). Used by uploads.py; media_views.py serves stored files with
the content type of their extension (EXTENSION_CONTENT_TYPES)."""

import codecs
import json
import logging
import math
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from agora.core.errors import ServiceError

logger = logging.getLogger(__name__)

HEAD_BYTES = 64
PDF_TRAILER_BYTES = 1024  # readers look for %%EOF in the last kilobyte
ARCHIVE_MAX_MEMBERS = 10_000
TEXT_START_CHARACTERS = 64


class Family(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    PDF = "pdf"
    IMAGE = "image"
    ARCHIVE = "archive"
    TEXT = "text"


@dataclass(frozen=True)
class FileType:
    family: Family
    extension: str
    content_type: str
    demuxer: str = ""  # the ffmpeg demuxer to probe with (forced: ffprobe never guesses)


MP4 = FileType(Family.VIDEO, ".mp4", "video/mp4", "mov")
MOV = FileType(Family.VIDEO, ".mov", "video/quicktime", "mov")
WEBM = FileType(Family.VIDEO, ".webm", "video/webm", "matroska")
MKV = FileType(Family.VIDEO, ".mkv", "video/x-matroska", "matroska")
M4A = FileType(Family.AUDIO, ".m4a", "audio/mp4", "mov")
MP3 = FileType(Family.AUDIO, ".mp3", "audio/mpeg", "mp3")
OGG = FileType(Family.AUDIO, ".ogg", "audio/ogg", "ogg")
WAV = FileType(Family.AUDIO, ".wav", "audio/wav", "wav")
FLAC = FileType(Family.AUDIO, ".flac", "audio/flac", "flac")
PDF = FileType(Family.PDF, ".pdf", "application/pdf")
JPEG = FileType(Family.IMAGE, ".jpg", "image/jpeg")
PNG = FileType(Family.IMAGE, ".png", "image/png")
GIF = FileType(Family.IMAGE, ".gif", "image/gif")
WEBP = FileType(Family.IMAGE, ".webp", "image/webp")
ZIP = FileType(Family.ARCHIVE, ".zip", "application/zip")
OFFICE = "application/vnd.openxmlformats-officedocument"
DOCX = FileType(Family.ARCHIVE, ".docx", f"{OFFICE}.wordprocessingml.document")
XLSX = FileType(Family.ARCHIVE, ".xlsx", f"{OFFICE}.spreadsheetml.sheet")
PPTX = FileType(Family.ARCHIVE, ".pptx", f"{OFFICE}.presentationml.presentation")
EPUB = FileType(Family.ARCHIVE, ".epub", "application/epub+zip")
ODT = FileType(Family.ARCHIVE, ".odt", "application/vnd.oasis.opendocument.text")
ODS = FileType(Family.ARCHIVE, ".ods", "application/vnd.oasis.opendocument.spreadsheet")
ODP = FileType(Family.ARCHIVE, ".odp", "application/vnd.oasis.opendocument.presentation")
TXT = FileType(Family.TEXT, ".txt", "text/plain; charset=utf-8")
MARKDOWN = FileType(Family.TEXT, ".md", "text/markdown; charset=utf-8")
CSV = FileType(Family.TEXT, ".csv", "text/csv; charset=utf-8")

ALL_TYPES = [MP4, MOV, WEBM, MKV, M4A, MP3, OGG, WAV, FLAC, PDF, JPEG, PNG, GIF, WEBP, ZIP, DOCX, XLSX, PPTX, EPUB]
ALL_TYPES += [ODT, ODS, ODP, TXT, MARKDOWN, CSV]
EXTENSION_CONTENT_TYPES = {file_type.extension: file_type.content_type for file_type in ALL_TYPES}
# Which families each upload kind (uploads.UploadKind) accepts.
ALLOWED: dict[str, frozenset[Family]] = {
    "video": frozenset({Family.VIDEO}),
    "pdf": frozenset({Family.PDF}),
    "image": frozenset({Family.IMAGE}),
    "resource": frozenset({Family.PDF, Family.IMAGE, Family.ARCHIVE, Family.TEXT, Family.AUDIO}),
}
# Plain text has no signature: once the content is known to be text, the name may say which kind.
TEXT_BY_SUFFIX = {".md": MARKDOWN, ".markdown": MARKDOWN, ".csv": CSV}
# The "mimetype" member that opens EPUB and OpenDocument archives.
ARCHIVE_MIMETYPES = {file_type.content_type: file_type for file_type in (EPUB, ODT, ODS, ODP)}
OFFICE_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif"}  # still images in an ftyp box
AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}


def file_type_detect(file: File, *, allowed: frozenset[Family], name: str) -> FileType | None:
    """The type the content shows, if it is one of the `allowed` families."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    file_type = _type_by_signature(head)
    if file_type is None and Family.TEXT in allowed:
        file_type = _text_type(file, name)
    return file_type if file_type is not None and file_type.family in allowed else None


def image_type_of(name: str) -> FileType:
    """The type of an image agora.core.images wrote (always JPEG or PNG)."""
    return PNG if name.endswith(".png") else JPEG


def _type_by_signature(head: bytes) -> FileType | None:
    if head[4:8] == b"ftyp":
        return _iso_media_type(head[8:12])
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska, or WebM when its DocType says so
        return WEBM if b"webm" in head else MKV
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return WEBP if head[8:12] == b"WEBP" else WAV
    signatures = [
        (b"%PDF-", PDF),
        (b"\xff\xd8\xff", JPEG),
        (b"\x89PNG\r\n\x1a\n", PNG),
        (b"GIF87a", GIF),
        (b"GIF89a", GIF),
        (b"PK\x03\x04", ZIP),
        (b"PK\x05\x06", ZIP),  # an empty archive
        (b"OggS", OGG),
        (b"fLaC", FLAC),
        (b"ID3", MP3),
    ]
    for signature, file_type in signatures:
        if head.startswith(signature):
            return file_type
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG audio frame (ffprobe confirms)
        return MP3
    return None


def _iso_media_type(brand: bytes) -> FileType | None:
    if brand in HEIF_BRANDS:
        return None
    if brand in AUDIO_BRANDS:
        return M4A
    return MOV if brand == b"qt  " else MP4


def _text_type(file: File, name: str) -> FileType | None:
    """UTF-8 text without NUL bytes that is not markup (HTML, SVG, XML are refused)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    start = ""
    try:
        for chunk in file.chunks():
            if b"\x00" in chunk:
                return None
            text = decoder.decode(chunk)
            if len(start) < TEXT_START_CHARACTERS:
                start += text[:TEXT_START_CHARACTERS]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    finally:
        file.seek(0)
    if start.lstrip().startswith("<"):
        return None
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return TEXT_BY_SUFFIX.get(suffix, TXT)


def content_verify(file: File, file_type: FileType) -> FileType:
    """Look past the signature: the type to store (an archive may turn out to be a document), or
    ServiceError (upload_wrong_type) when the content does not hold up."""
    if file_type.family == Family.PDF:
        _pdf_verify(file)
    elif file_type.family == Family.ARCHIVE:
        return _archive_verify(file)
    elif file_type.family == Family.AUDIO:
        _audio_verify(file, file_type)
    return file_type


def video_duration(file: File, file_type: FileType) -> int:
    """Whole seconds of a video ffprobe can read (a video stream and a positive duration), or
    ServiceError video_unplayable."""
    probe = _probe(file, file_type)
    duration = _duration(probe) if probe else 0.0
    if probe is None or not _has_stream(probe, "video") or duration <= 0:
        raise ServiceError(
            _("This file is not a playable video. Export it again as MP4 (H.264) or WebM and upload that."),
            code="video_unplayable",
            field="file",
        )
    return max(1, round(duration))


def _audio_verify(file: File, file_type: FileType) -> None:
    probe = _probe(file, file_type)
    if probe is None or not _has_stream(probe, "audio") or _duration(probe) <= 0:
        raise ServiceError(_("This is not a playable audio file."), code="upload_wrong_type", field="file")


def _pdf_verify(file: File) -> None:
    size = file.size or 0
    file.seek(max(0, size - PDF_TRAILER_BYTES))
    trailer = file.read(PDF_TRAILER_BYTES)
    file.seek(0)
    if b"%%EOF" not in trailer:
        raise ServiceError(
            _("This PDF is incomplete or damaged: save or export it again."), code="upload_wrong_type", field="file"
        )


def _archive_verify(file: File) -> FileType:
    """No member may point outside the archive (absolute paths, "..", links) and all of them together
    may unpack to at most UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES; macros are refused."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            file_type = _archive_document_type(archive, [member.filename for member in members])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError) as error:
        raise ServiceError(_("This archive is damaged."), code="upload_wrong_type", field="file") from error
    finally:
        file.seek(0)
    if len(members) > ARCHIVE_MAX_MEMBERS:
        raise ServiceError(_("This archive holds too many files."), code="upload_wrong_type", field="file")
    if any(_member_escapes(member) for member in members):
        raise ServiceError(
            _("This archive contains paths that point outside it."), code="upload_wrong_type", field="file"
        )
    limit = settings.UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES
    if sum(member.file_size for member in members) > limit:
        message = _("This archive unpacks to more than %(limit)s.") % {"limit": filesizeformat(limit)}
        raise ServiceError(message, code="upload_too_large", field="file")
    if any(name.lower().endswith("vbaproject.bin") for name in (member.filename for member in members)):
        raise ServiceError(_("Documents with macros are not accepted."), code="upload_wrong_type", field="file")
    return file_type


def _archive_document_type(archive: zipfile.ZipFile, names: list[str]) -> FileType:
    for part, file_type in OFFICE_MAIN_PARTS.items():
        if part in names and "[Content_Types].xml" in names:
            return file_type
    if names and names[0] == "mimetype":
        declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        return ARCHIVE_MIMETYPES.get(declared, ZIP)
    return ZIP


def _member_escapes(member: zipfile.ZipInfo) -> bool:
    name = member.filename.replace("\\", "/")
    is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
    return is_link or name.startswith("/") or bool(re.match(r"[A-Za-z]:", name)) or ".." in name.split("/")


@contextmanager
def _local_path(file: File) -> Iterator[str]:
    """A path on this machine holding the upload: the temporary file Django wrote, or a copy."""
    if hasattr(file, "temporary_file_path"):
        yield file.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as copy:
        for chunk in file.chunks():
            copy.write(chunk)
        copy.flush()
        yield copy.name
    file.seek(0)


def _probe(file: File, file_type: FileType) -> dict[str, Any] | None:
    """ffprobe's JSON about the file, or None when it cannot read it (in time). The demuxer is forced
    and only local files may be opened, so no content can make ffprobe read anything else."""
    with _local_path(file) as path:
        command = [settings.FFPROBE_PATH, "-v", "error", "-protocol_whitelist", "file", "-f", file_type.demuxer]
        command += ["-print_format", "json", "-show_format", "-show_streams", f"file:{path}"]
        try:
            result = subprocess.run(command, capture_output=True, timeout=settings.FFPROBE_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            logger.warning("ffprobe gave up after %s s on an upload", settings.FFPROBE_TIMEOUT_SECONDS)
            return None
        except OSError as error:
            logger.error("ffprobe cannot run (%s): install ffmpeg or set FFPROBE_PATH", error)
            raise ServiceError(
                _("Media files cannot be checked right now. Please try again later."),
                code="upload_check_unavailable",
                field="file",
            ) from error
    if result.returncode != 0:
        return None
    try:
        probe = json.loads(result.stdout)
    except ValueError:
        return None
    return probe if isinstance(probe, dict) else None


def _has_stream(probe: dict[str, Any], codec_type: str) -> bool:
    for stream in probe.get("streams", []):
        if stream.get("codec_type") != codec_type or stream.get("disposition", {}).get("attached_pic"):
            continue  # a cover picture inside an audio file is not a video
        if codec_type == "audio" or (stream.get("width", 0) > 0 and stream.get("height", 0) > 0):
            return True
    return False


def _duration(probe: dict[str, Any]) -> float:
    candidates = [probe.get("format", {}).get("duration")]
    candidates += [stream.get("duration") for stream in probe.get("streams", [])]
    seconds = [_seconds(value) for value in candidates]
    return max(seconds, default=0.0)


def _seconds(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0
