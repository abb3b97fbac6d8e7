"""A visitor plays a course's free preview in Chromium: the player reads the video's index, seeks by
HTTP Range requests and lands on the time asked for."""

import pytest
from playwright.sync_api import Page, expect

from agora.catalog.models import Lecture, LectureKind
from agora.catalog.tests.factories import course_published
from agora.catalog.tests.media_samples import media_samples_make, upload
from agora.catalog.uploads import UploadKind, lecture_folder, upload_check, upload_store
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WHEN_LOADED = """video => video.readyState >= 1 ? video.duration
    : new Promise(done => video.addEventListener("loadedmetadata", () => done(video.duration)))"""
AFTER_SEEKING = """(video, time) => new Promise(done => {
    video.addEventListener("seeked", () => done(video.currentTime), {once: true});
    video.currentTime = time;
})"""


@pytest.fixture
def preview(settings, tmp_path, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path / "media"
    samples = media_samples_make(tmp_path_factory.getbasetemp() / "media-samples")
    course = course_published(title="Seeking in Chromium", curriculum=[[(LectureKind.VIDEO, 2, True)]])
    lecture = Lecture.objects.get(module__revision=course.published_revision)
    checked = upload_check(upload("preview.mp4", samples.read("video.mp4")), UploadKind.VIDEO)
    lecture.media.name = upload_store(checked, folder=lecture_folder(course.pk))
    lecture.save(update_fields=["media"])
    return course


def test_a_visitor_plays_and_seeks_a_free_preview(page: Page, preview):
    answers: list[tuple[str, int, str]] = []  # (Range asked, status, Content-Range) of the video's requests
    page.on(
        "response",
        lambda response: (
            response.url.endswith("/media")
            and answers.append(
                (response.request.headers.get("range", ""), response.status, response.headers.get("content-range", ""))
            )
        ),
    )

    page.goto(f"/courses/{preview.slug}/")
    video = page.get_by_label("Preview: Lecture 1.1")
    expect(video).to_be_visible()
    duration = video.evaluate(WHEN_LOADED)
    landed = video.evaluate(AFTER_SEEKING, 1.5)
    screenshot(page, "media-preview")

    assert duration == pytest.approx(2.0, abs=0.1)
    assert landed == pytest.approx(1.5, abs=0.01)
    assert video.evaluate("v => v.error") is None
    assert answers and all(asked.startswith("bytes=") and status == 206 for asked, status, _ in answers)
    assert answers[0][2].startswith("bytes 0-")
