"""Demo media: real videos and PDFs, stored like uploads, playable by visitors on preview lectures,
figures kept consistent, made once, and skipped politely without ffmpeg."""

import subprocess

import pytest
from django.urls import reverse

from agora.catalog.models import Course, CourseStatus, Lecture, LectureKind, Resource
from agora.catalog.services import revision_figures_compute
from agora.catalog.tests.media_samples import upload
from agora.catalog.uploads import UploadKind, upload_check
from agora.demo import media
from agora.demo.accounts import demo_accounts_load
from agora.demo.catalog import demo_catalog_load
from agora.demo.media import demo_media_load, pdf_handbook

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def cache(tmp_path_factory):
    """Videos are made once for the whole run, as var/demo-media/ keeps them between runs."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture
def catalog(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_accounts_load()
    demo_catalog_load(course_count=24)


def test_preview_lectures_get_real_videos_that_visitors_can_play(catalog, cache, client, tmp_path):
    notes = []

    result = demo_media_load(cache_dir=cache, log=notes.append)

    previews = Lecture.objects.filter(is_free_preview=True, kind=LectureKind.VIDEO).exclude(media="")
    assert result.videos == previews.count() >= 10 and notes == []
    for lecture in previews:
        assert lecture.kind == LectureKind.VIDEO and lecture.duration_seconds == media.VIDEO_SECONDS
        assert lecture.media.name.startswith(f"lectures/{lecture.module.revision.course_id}/")
    response = client.get(reverse("catalog:lecture-media", args=[previews[0].pk]), headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and response["Content-Type"] == "video/mp4"
    command = ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0"]
    probe = subprocess.run([*command, previews[0].media.path], capture_output=True, text=True, check=True)
    assert sorted(probe.stdout.split()) == ["aac", "h264,640,360"]


def test_pdf_lectures_and_handbooks_are_stored_like_uploads(catalog, cache, tmp_path, client):
    result = demo_media_load(cache_dir=cache)

    pdf_lectures = Lecture.objects.filter(kind=LectureKind.PDF, module__revision__course__status="published")
    handbooks = Resource.objects.filter(title="Course handbook (PDF)")
    assert result.pdfs == pdf_lectures.count() > 0
    assert not pdf_lectures.filter(media="").exists()
    assert handbooks.count() == result.videos
    for name in [*pdf_lectures.values_list("media", flat=True), *handbooks.values_list("file", flat=True)]:
        assert name.endswith(".pdf")
    preview = client.get(reverse("catalog:resource-file", args=[handbooks[0].pk]))
    assert preview.status_code == 200 and b"".join(preview.streaming_content).startswith(b"%PDF-1.4")


def test_the_figures_still_match_what_the_services_derive(catalog, cache, tmp_path):
    demo_media_load(cache_dir=cache)

    for course in Course.objects.filter(status=CourseStatus.PUBLISHED).select_related("published_revision"):
        figures = revision_figures_compute(course.published_revision)
        assert (course.content_seconds, course.has_downloadable_resources) == (
            figures.content_seconds,
            figures.has_downloadable_resources,
        )
        for module in course.published_revision.modules.all():
            assert module.duration_seconds == figures.module_seconds[module.pk]


def test_a_second_load_adds_nothing_and_makes_no_video(catalog, cache, tmp_path, monkeypatch):
    first = demo_media_load(cache_dir=cache)
    stored = sorted(path.name for path in (tmp_path / "media").rglob("*") if path.is_file())
    made = []
    monkeypatch.setattr(media, "_video_make", lambda *arguments: made.append(arguments))

    second = demo_media_load(cache_dir=cache)

    assert first.videos > 0 and (second.videos, second.pdfs, made) == (0, 0, [])
    assert sorted(path.name for path in (tmp_path / "media").rglob("*") if path.is_file()) == stored


def test_videos_come_from_the_cache_once_made(catalog, cache, tmp_path, monkeypatch):
    demo_media_load(cache_dir=cache)
    Lecture.objects.filter(kind=LectureKind.VIDEO).update(media="")  # as on a fresh database
    made = []
    monkeypatch.setattr(media, "_video_make", lambda *arguments: made.append(arguments))

    again = demo_media_load(cache_dir=cache)

    assert again.videos > 0 and made == []


def test_without_ffmpeg_videos_are_skipped_with_a_note(catalog, cache, tmp_path, monkeypatch):
    monkeypatch.setattr(media, "FFMPEG", "no-such-ffmpeg")
    notes = []

    result = demo_media_load(cache_dir=cache, log=notes.append)

    assert result.videos == 0 and result.pdfs > 0
    assert notes == [
        "Demo media: ffmpeg is not installed, so the preview lectures have no videos (apt install ffmpeg)."
    ]
    assert not Lecture.objects.filter(kind=LectureKind.VIDEO).exclude(media="").exists()


def test_the_handbook_is_a_pdf_our_own_checks_accept():
    content = pdf_handbook("Python (for) Beginners \\ 2", "Course handbook")

    checked = upload_check(upload("handbook.pdf", content), UploadKind.PDF)

    assert checked.extension == ".pdf"
    assert b"(Python \\(for\\) Beginners \\\\ 2) Tj" in content
    table_at = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert content[table_at:].startswith(b"xref\n0 7\n")
    for number, line in enumerate(content[table_at:].split(b"\n")[3:9], start=1):
        assert content[int(line[:10]) :].startswith(b"%d 0 obj" % number)


def test_an_ffmpeg_without_drawtext_makes_the_video_without_captions(tmp_path, monkeypatch):
    filters = []
    real_ffmpeg = media._ffmpeg

    def ffmpeg_without_drawtext(output, background, video_filter):
        filters.append(video_filter)
        if "drawtext" in video_filter:
            raise subprocess.CalledProcessError(8, "ffmpeg", stderr=b"No such filter: 'drawtext'")
        real_ffmpeg(output, background, video_filter)

    monkeypatch.setattr(media, "_ffmpeg", ffmpeg_without_drawtext)

    video = media._video_cached(tmp_path / "cache", "Captions fail here")

    assert upload_check(upload("video.mp4", video), UploadKind.VIDEO).duration_seconds == media.VIDEO_SECONDS
    assert len(filters) == 2 and "drawtext" in filters[0] and filters[1] == ""
