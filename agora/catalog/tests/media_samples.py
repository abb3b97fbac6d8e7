"""Real media files for upload and serving tests, made once per test run with ffmpeg (the Debian
`ffmpeg` package CI installs), plus helpers to wrap bytes as uploads."""

import functools
import io
import random
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image

SECONDS = 2
VIDEO = ["-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=10:duration={SECONDS}"]
AUDIO = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=22050:duration={SECONDS}"]
H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "5"]  # a key frame each 0.5 s
# name → ffmpeg arguments after the inputs
RECIPES = {
    "video.mp4": [*VIDEO, *AUDIO, *H264, "-c:a", "aac", "-movflags", "+faststart"],
    "moov-at-end.mp4": [*VIDEO, *H264],  # the index after the frames: cut short, it cannot play
    "video.mov": [*VIDEO, *H264, "-f", "mov"],
    "video.webm": [*VIDEO, *AUDIO, "-c:v", "libvpx", "-b:v", "100k", "-c:a", "libopus"],
    "video.mkv": [*VIDEO, *H264, "-f", "matroska"],
    "sound-only.mp4": [*AUDIO, "-c:a", "aac"],
    "sound.m4a": [*AUDIO, "-c:a", "aac", "-f", "ipod"],
    "sound.mp3": [*AUDIO, "-c:a", "libmp3lame"],
    "sound.ogg": [*AUDIO, "-c:a", "libvorbis"],
    "sound.wav": [*AUDIO, "-c:a", "pcm_s16le"],
    "sound.flac": [*AUDIO, "-c:a", "flac"],
}


@dataclass(frozen=True)
class MediaSamples:
    directory: Path

    def read(self, name: str) -> bytes:
        return (self.directory / name).read_bytes()


@functools.cache
def media_samples_make(directory: Path) -> MediaSamples:
    directory.mkdir(parents=True, exist_ok=True)
    for name, arguments in RECIPES.items():
        command = ["ffmpeg", "-v", "error", "-y", *arguments, "-t", str(SECONDS), str(directory / name)]
        subprocess.run(command, check=True, timeout=60)
    return MediaSamples(directory)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """An upload as Django hands small files to a view (in memory), with the client's name and type."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def upload_on_disk(name: str, content: bytes, content_type: str = "application/octet-stream") -> TemporaryUploadedFile:
    """An upload as Django hands big files to a view: already in a temporary file."""
    file = TemporaryUploadedFile(name, content_type, len(content), None)
    file.write(content)
    file.flush()
    file.seek(0)
    return file


def image_bytes(image_format: str = "PNG", *, size: tuple[int, int] = (40, 30), mode: str = "RGB", **save) -> bytes:
    output = io.BytesIO()
    colour = (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40)
    Image.new(mode, size, colour).save(output, image_format, **save)
    return output.getvalue()


def zip_bytes(members: dict[str, bytes], *, links: tuple[str, ...] = ()) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        for name in links:  # a member that unpacks as a symbolic link
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16) | 0x20
            archive.writestr(info, "/etc/passwd")
    return output.getvalue()


def pdf_bytes(text: str = "Hello") -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        b"4 0 obj<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


MP4_HEADER = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


def not_videos() -> dict[str, bytes]:
    """Files an author might name .mp4 that are no video: refused by their signature (the first two) or
    by ffprobe (an MP4's first bytes, then noise)."""
    return {
        "a PDF renamed .mp4": pdf_bytes(),
        "random bytes named .mp4": random.Random(2026).randbytes(4096),
        "an MP4 header over random bytes": MP4_HEADER + random.Random(7).randbytes(4096),
    }
