"""Uploads are judged by their bytes: every accepted type, every refusal with its code and message,
sizes before content, ffprobe run safely, images re-encoded, names never used as paths."""

import io
import re
import stat
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from agora.catalog.tests.media_samples import (
    image_bytes,
    media_samples_make,
    pdf_bytes,
    upload,
    upload_on_disk,
    zip_bytes,
)
from agora.catalog.uploads import UploadKind, UploadSizeLimitMiddleware, display_name, upload_check, upload_store
from agora.core.errors import ServiceError

VIDEO, PDF, IMAGE, RESOURCE = UploadKind.VIDEO, UploadKind.PDF, UploadKind.IMAGE, UploadKind.RESOURCE
UNPLAYABLE = "This file is not a playable video."


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    return media_samples_make(tmp_path_factory.getbasetemp() / "media-samples")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def uploads_counted(monkeypatch, quality_figure):
    """Every sample this module's tests hand to upload_check, counted as accepted or rejected."""
    judged = {"accepted": 0, "rejected": 0}
    check = upload_check

    def counted(file, kind):
        try:
            checked = check(file, kind)
        except ServiceError:
            judged["rejected"] += 1
            raise
        judged["accepted"] += 1
        return checked

    monkeypatch.setattr(sys.modules[__name__], "upload_check", counted)
    yield
    if any(judged.values()):
        quality_figure("uploads", **judged)


def refusal(file, kind) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        upload_check(file, kind)
    assert caught.value.field == "file"
    return caught.value


# Videos


@pytest.mark.parametrize(
    ("name", "extension", "content_type"),
    [
        ("video.mp4", ".mp4", "video/mp4"),
        ("video.mov", ".mov", "video/quicktime"),
        ("video.webm", ".webm", "video/webm"),
        ("video.mkv", ".mkv", "video/x-matroska"),
    ],
)
def test_a_video_is_accepted_with_its_duration(samples, name, extension, content_type):
    content = samples.read(name)

    checked = upload_check(upload(f"My lecture {name}", content, "application/x-whatever"), VIDEO)

    assert (checked.kind, checked.extension, checked.content_type) == (VIDEO, extension, content_type)
    assert (checked.duration_seconds, checked.size, checked.original_name) == (2, len(content), f"My lecture {name}")


def test_a_big_video_is_probed_where_django_wrote_it(samples):
    file = upload_on_disk("big.mp4", samples.read("video.mp4"))

    checked = upload_check(file, VIDEO)

    assert checked.duration_seconds == 2 and checked.content is file


def test_the_type_comes_from_the_content_not_the_name(samples):
    checked = upload_check(upload("lecture.pdf", samples.read("video.webm"), "application/pdf"), VIDEO)

    assert (checked.extension, checked.content_type) == (".webm", "video/webm")


def test_a_picture_named_mp4_is_refused_as_the_wrong_type():
    error = refusal(upload("lecture.mp4", image_bytes("PNG"), "video/mp4"), VIDEO)

    assert error.code == "upload_wrong_type"
    assert error.message == "Upload a video: MP4, MOV, WebM or MKV."


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 40,  # an MP4 header, then garbage
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm" + b"\x00garbage" * 500,  # a WebM header, then garbage
    ],
    ids=["mp4-header-garbage", "webm-header-garbage"],
)
def test_garbage_behind_a_video_header_is_unplayable(content):
    error = refusal(upload("lecture.mp4", content, "video/mp4"), VIDEO)

    assert error.code == "video_unplayable"
    assert error.message.startswith(UNPLAYABLE)


def test_a_video_cut_short_is_unplayable(samples):
    content = samples.read("moov-at-end.mp4")

    error = refusal(upload("lecture.mp4", content[: len(content) // 2]), VIDEO)

    assert error.code == "video_unplayable"


def test_sound_without_pictures_is_not_a_video(samples):
    error = refusal(upload("lecture.mp4", samples.read("sound-only.mp4")), VIDEO)

    assert error.code == "video_unplayable"


def test_ffprobe_runs_without_a_shell_on_a_file_path_with_the_demuxer_forced(samples, settings, tmp_path):
    """A stand-in ffprobe records its arguments, then runs the real one."""
    log = tmp_path / "arguments"
    stand_in = tmp_path / "ffprobe"
    stand_in.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\nexec ffprobe "$@"\n')
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IEXEC)
    settings.FFPROBE_PATH = str(stand_in)

    upload_check(upload("a;rm -rf ~;.mp4", samples.read("video.mp4")), VIDEO)

    arguments = log.read_text().splitlines()
    assert arguments[:6] == ["-v", "error", "-protocol_whitelist", "file", "-f", "mov"]
    assert arguments[-1].startswith("file:/") and "rm" not in arguments[-1]


def test_a_probe_that_hangs_is_stopped_and_the_video_refused(samples, settings, tmp_path):
    stand_in = tmp_path / "ffprobe"
    stand_in.write_text("#!/bin/sh\nexec sleep 30\n")
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IEXEC)
    settings.FFPROBE_PATH, settings.FFPROBE_TIMEOUT_SECONDS = str(stand_in), 1

    error = refusal(upload("lecture.mp4", samples.read("video.mp4")), VIDEO)

    assert error.code == "video_unplayable"


def test_without_ffprobe_videos_are_refused_with_a_clear_message(samples, settings):
    settings.FFPROBE_PATH = "/nonexistent/ffprobe"

    error = refusal(upload("lecture.mp4", samples.read("video.mp4")), VIDEO)

    assert error.code == "upload_check_unavailable"
    assert error.message == "Media files cannot be checked right now. Please try again later."


# PDFs


def test_a_pdf_is_accepted():
    checked = upload_check(upload("Slides.PDF", pdf_bytes(), "text/html"), PDF)

    assert (checked.extension, checked.content_type, checked.duration_seconds) == (".pdf", "application/pdf", 0)


@pytest.mark.parametrize(
    "content",
    [pdf_bytes()[:-20], b"<html><script>alert(1)</script></html>", image_bytes("JPEG"), b"MZ\x90\x00" + b"\x00" * 200],
    ids=["cut-short", "html", "jpeg", "windows-executable"],
)
def test_what_is_not_a_whole_pdf_is_refused(content):
    error = refusal(upload("slides.pdf", content, "application/pdf"), PDF)

    assert error.code == "upload_wrong_type"


# Images


def test_an_image_is_reencoded_without_its_metadata_or_anything_appended():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    original = image_bytes("JPEG", exif=exif.tobytes()) + b"PK\x03\x04<?php system($_GET['c']); ?>"
    assert b"SpyCam" in original

    checked = upload_check(upload("holiday.jpg", original, "image/jpeg"), IMAGE)

    stored = checked.content.read()
    assert (checked.extension, checked.content_type, checked.size) == (".jpg", "image/jpeg", len(stored))
    assert b"SpyCam" not in stored and b"<?php" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


@pytest.mark.parametrize(
    ("image_format", "mode", "extension"),
    [("PNG", "RGBA", ".png"), ("GIF", "P", ".png"), ("WEBP", "RGB", ".jpg"), ("JPEG", "RGB", ".jpg")],
)
def test_every_image_format_becomes_a_jpeg_or_a_png(image_format, mode, extension):
    checked = upload_check(upload("cover", image_bytes(image_format, mode=mode)), IMAGE)

    assert checked.extension == extension
    assert Image.open(checked.content).format == {".png": "PNG", ".jpg": "JPEG"}[extension]


def test_a_cover_is_scaled_down_to_the_largest_side_allowed(settings):
    settings.UPLOAD_COVER_MAX_SIDE = 100

    checked = upload_check(upload("cover.png", image_bytes("PNG", size=(400, 200))), IMAGE)

    assert Image.open(checked.content).size == (100, 50)


@pytest.mark.parametrize(
    "content",
    [b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', b"\x89PNG\r\n\x1a\nbroken"],
    ids=["svg", "broken-png"],
)
def test_what_is_not_a_readable_raster_image_is_refused(content):
    error = refusal(upload("cover.png", content, "image/png"), IMAGE)

    assert error.code == "upload_wrong_type"


# Resources


@pytest.mark.parametrize(
    ("sample", "extension", "content_type"),
    [
        ("sound.mp3", ".mp3", "audio/mpeg"),
        ("sound.ogg", ".ogg", "audio/ogg"),
        ("sound.wav", ".wav", "audio/wav"),
        ("sound.flac", ".flac", "audio/flac"),
        ("sound.m4a", ".m4a", "audio/mp4"),
    ],
)
def test_audio_resources_are_accepted(samples, sample, extension, content_type):
    checked = upload_check(upload("track", samples.read(sample)), RESOURCE)

    assert (checked.extension, checked.content_type) == (extension, content_type)


def test_noise_that_looks_like_mp3_is_refused():
    error = refusal(upload("track.mp3", b"\xff\xfb\x90\x00" + b"\x13\x37" * 2000), RESOURCE)

    assert error.code == "upload_wrong_type"


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("notes.md", "# Notes\n\n- первое\n".encode(), ".md", "text/markdown; charset=utf-8"),
        ("table.CSV", b"name,score\nada,10\n", ".csv", "text/csv; charset=utf-8"),
        ("readme", b"\xef\xbb\xbfPlain text with a BOM\n", ".txt", "text/plain; charset=utf-8"),
        ("run.exe", b"echo this is only text\n", ".txt", "text/plain; charset=utf-8"),
        ("slides.pdf", pdf_bytes(), ".pdf", "application/pdf"),
        ("photo.gif", image_bytes("GIF", mode="P"), ".png", "image/png"),
        ("code.zip", zip_bytes({"src/main.py": b"print(1)\n"}), ".zip", "application/zip"),
    ],
)
def test_safe_resources_are_accepted_as_what_they_contain(name, content, extension, content_type):
    checked = upload_check(upload(name, content), RESOURCE)

    assert (checked.extension, checked.content_type) == (extension, content_type)


@pytest.mark.parametrize(
    ("members", "extension"),
    [
        ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}, ".docx"),
        ({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}, ".xlsx"),
        ({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}, ".pptx"),
        ({"mimetype": b"application/epub+zip", "OEBPS/content.opf": b"<package/>"}, ".epub"),
        ({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, ".odt"),
    ],
)
def test_office_documents_and_books_are_recognised_inside_their_archive(members, extension):
    checked = upload_check(upload("document.zip", zip_bytes(members)), RESOURCE)

    assert checked.extension == extension


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("page.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "upload_wrong_type"),
        ("logo.png", b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "upload_wrong_type"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "upload_wrong_type"),
        ("tool", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "upload_wrong_type"),
        ("data.csv", "naïve".encode("latin-1"), "upload_wrong_type"),
        ("evil.zip", zip_bytes({"../../home/user/.bashrc": b"rm -rf ~"}), "upload_wrong_type"),
        ("evil.zip", zip_bytes({"/etc/cron.d/job": b"* * * * * root sh"}), "upload_wrong_type"),
        ("evil.zip", zip_bytes({"..\\..\\windows\\win.ini": b"x"}), "upload_wrong_type"),
        ("evil.zip", zip_bytes({"readme.txt": b"x"}, links=("link",)), "upload_wrong_type"),
        ("macro.docm", zip_bytes({"[Content_Types].xml": b"", "word/vbaProject.bin": b"\x00"}), "upload_wrong_type"),
        ("broken.zip", b"PK\x03\x04" + b"\x00" * 50, "upload_wrong_type"),
    ],
    ids=[
        "html",
        "svg",
        "windows-exe",
        "elf",
        "not-utf8",
        "dot-dot",
        "absolute",
        "backslashes",
        "symlink",
        "macros",
        "broken-zip",
    ],
)
def test_unsafe_resources_are_refused(name, content, code):
    error = refusal(upload(name, content), RESOURCE)

    assert error.code == code


def test_an_archive_that_unpacks_to_too_much_is_refused(settings):
    settings.UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES = 1024 * 1024
    bomb = zip_bytes({"zeros.bin": b"\x00" * (1024 * 1024 + 1)})
    assert len(bomb) < 5000

    error = refusal(upload("bomb.zip", bomb), RESOURCE)

    assert (error.code, error.message) == ("upload_too_large", "This archive unpacks to more than 1.0\xa0MB.")


# Sizes


@pytest.mark.parametrize("kind", list(UploadKind))
def test_an_empty_file_is_refused(kind):
    error = refusal(upload("empty", b""), kind)

    assert (error.code, error.message) == ("upload_empty", "The file is empty.")


@pytest.mark.parametrize("kind", list(UploadKind))
def test_each_kind_has_its_size_limit_checked_before_the_content(settings, kind):
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, kind: 1000}
    garbage_video = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 1000  # would be unplayable if it were probed

    error = refusal(upload("big", garbage_video), kind)

    assert (error.code, error.message) == ("upload_too_large", "The file is larger than 1000\xa0bytes.")


def test_a_file_at_the_limit_is_accepted(settings):
    content = pdf_bytes()
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "pdf": len(content)}

    assert upload_check(upload("slides.pdf", content), PDF).size == len(content)


@pytest.mark.django_db
def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.UPLOAD_REQUEST_MAX_BYTES = 10_000

    page = client.post(reverse("account_login"), data=b"x", content_type="text/plain", CONTENT_LENGTH="10001")
    api = client.post("/api/v1/auth/token", data=b"x", content_type="text/plain", CONTENT_LENGTH="10001")

    assert page.status_code == 413 and "This upload is too large: the limit is 9.8\xa0KB." in page.text
    assert api.status_code == 413
    assert api.json() == {"detail": "This upload is too large: the limit is 9.8\xa0KB.", "code": "upload_too_large"}


@pytest.mark.django_db
def test_an_oversized_body_is_never_read(rf, settings):
    settings.UPLOAD_REQUEST_MAX_BYTES = 10_000
    request = rf.post("/api/v1/uploads", data=b"", content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(50 * 1024**3)

    class Unreadable:
        def read(self, *arguments):
            raise AssertionError("the body was read")

        readline = read

    request._stream = Unreadable()
    reached = []

    response = UploadSizeLimitMiddleware(lambda request: reached.append(request.POST))(request)

    assert (response.status_code, reached) == (413, [])


@pytest.mark.django_db
def test_a_request_body_within_the_limit_goes_through(client, settings):
    settings.UPLOAD_REQUEST_MAX_BYTES = 10_000

    response = client.post(reverse("account_login"), data={"login": "a@example.com", "password": "x"})

    assert response.status_code == 200


# Names and storage


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\x.mp4", "x.mp4"),
        ("C:\\Users\\me\\Desktop\\talk.mp4", "talk.mp4"),
        ("/abs/path/.hidden.txt", "hidden.txt"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        ("evil\u202egpj.exe", "evilgpj.exe"),  # a right-to-left override would show "exe.jpg"
        ("line\nbreak\x00.pdf", "linebreak.pdf"),
        ("Лекция 1.mp4", "Лекция 1.mp4"),
        ("a" * 300 + ".mp4", "a" * 116 + ".mp4"),
        ("b" * 300, "b" * 120),
    ],
)
def test_the_name_shown_is_a_harmless_last_path_part(name, shown):
    assert display_name(name) == shown


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\x.mp4", "/tmp/evil.sh", "~/.ssh/authorized_keys"])
def test_a_hostile_name_changes_nothing_but_the_shown_name(media_root, name):
    content = b"ssh-ed25519 AAAA attacker\n"

    stored = upload_store(upload_check(upload(name, content), RESOURCE), folder="resources/7")

    assert re.fullmatch(r"resources/7/[0-9a-f]{32}\.txt", stored)
    assert [path.relative_to(media_root).as_posix() for path in media_root.rglob("*") if path.is_file()] == [stored]
    assert default_storage.open(stored).read() == content


def test_a_stored_video_keeps_its_bytes_under_a_random_name(samples, media_root):
    content = samples.read("video.mp4")
    checked = upload_check(upload("talk.mp4", content), VIDEO)

    first = upload_store(checked, folder="lectures/3")
    second = upload_store(upload_check(upload("talk.mp4", content), VIDEO), folder="lectures/3")

    assert re.fullmatch(r"lectures/3/[0-9a-f]{32}\.mp4", first) and first != second
    assert (media_root / first).read_bytes() == content


def test_a_big_upload_is_stored_from_its_temporary_file(samples, media_root):
    content = samples.read("video.mp4")

    stored = upload_store(upload_check(upload_on_disk("talk.mp4", content), VIDEO), folder="lectures/3")

    assert Path(media_root / stored).read_bytes() == content


@pytest.mark.parametrize("folder", ["../outside", "/etc", "lectures/../../x"])
def test_only_folders_inside_the_storage_are_taken(folder):
    checked = upload_check(upload("slides.pdf", pdf_bytes()), PDF)

    with pytest.raises(ValueError, match="not a storage folder"):
        upload_store(checked, folder=folder)
