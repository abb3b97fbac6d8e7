"""Issue 3's course journey clicked through in Chromium: a creator builds a course in the studio (two
modules, an uploaded preview video, a text lecture and a quiz), submits it and fixes what a check
finds; a moderator rejects it with a reason, the creator fixes it and resubmits, the moderator
approves; the catalog lists it and its page plays the preview. Then the creator updates the published
course: visitors keep seeing the approved version until the update is approved, and the course's
history says what changed. Mail leaves through the real job worker."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, expect

from agora.accounts.roles import MODERATOR
from agora.accounts.tests.factories import PASSWORD, UserFactory
from agora.catalog.models import Course, CourseStatus, Lecture, RevisionStatus
from agora.catalog.tests.factories import CategoryFactory
from agora.catalog.tests.media_samples import image_bytes, media_samples_make
from tests.e2e.conftest import open_mail, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Watercolour for busy people"
DESCRIPTION = (
    "Paint loose, luminous watercolours in twenty minutes a day. You start with washes and colour "
    "mixing, then build up a small landscape in layers.\n\n"
    "The course is for **complete beginners** who have little time: every lesson ends with a small "
    "painting you can finish before dinner."
)
VIDEO, TEXT, QUIZ = "Your first wash", "Mixing colours", "Check your colours"
ALL_PASSED = re.compile(r"All \d+ checks passed")
REASON = "Tell learners what they need before they start: which paper, brushes and paints."
# What the upload's progress text says, each change once (studio.js writes it while the file is sent).
PROGRESS_WATCH = """() => {
    window.progressSeen = [];
    new MutationObserver(() => {
        const text = document.querySelector("#media .upload-progress__text");
        const said = text && text.textContent;
        if (said && window.progressSeen.at(-1) !== said) window.progressSeen.push(said);
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
WHEN_LOADED = """video => video.readyState >= 1 ? video.duration
    : new Promise(done => video.addEventListener("loadedmetadata", () => done(video.duration)))"""
AFTER_SEEKING = """(video, time) => new Promise(done => {
    video.addEventListener("seeked", () => done(video.currentTime), {once: true});
    video.currentTime = time;
})"""


@pytest.fixture
def studio(settings, tmp_path, tmp_path_factory):
    """Uploads go to a temporary media folder; a category to file the course under."""
    settings.MEDIA_ROOT = tmp_path / "media"
    CategoryFactory(name="Art and design", slug="art-and-design")
    return media_samples_make(tmp_path_factory.getbasetemp() / "media-samples")


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def studio_tab(page: Page, name: str) -> None:
    """One of the course's studio pages, from the editor's tabs or the overview's buttons."""
    page.get_by_role("link", name=name, exact=True).first.click()


def expect_message(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def lecture_add(page: Page, module: str, title: str, kind: str) -> None:
    label = f"New lecture in “{module}”"
    form = page.locator("form").filter(has=page.get_by_label(label))
    form.get_by_label(label).fill(title)
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_role("button", name="Add lecture").click()
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()


def lecture_open(page: Page, title: str) -> None:
    studio_tab(page, "Curriculum")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=2)).to_be_visible()


def lecture_text_write(page: Page, title: str, text: str, *, new_title: str = "") -> None:
    lecture_open(page, title)
    if new_title:
        page.get_by_label("Title", exact=True).fill(new_title)
    page.get_by_label("Text").fill(text)
    page.get_by_role("button", name="Save lecture").click()
    expect_message(page, "The lecture is saved.")


def submit(page: Page) -> None:
    page.get_by_role("link", name="Overview", exact=True).first.click()
    page.get_by_role("button", name="Submit for review").click()


def another_person(browser: Browser, live_server, errors: list[str]) -> Page:
    """A second browser of its own (cookies apart), its console errors collected in `errors`."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(10_000)
    other.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return other


def open_from_user_menu(page: Page, link: str) -> None:
    page.locator(".user-menu > summary").click()
    page.locator(".user-menu .menu__panel").get_by_role("link", name=link).click()


def moderator_opens(desk: Page, title: str) -> None:
    open_from_user_menu(desk, "Review queue")
    desk.get_by_role("table").get_by_role("link", name=title).click()
    expect(desk.get_by_role("heading", name=title, level=1)).to_be_visible()


def build_course(page: Page, samples) -> None:
    """From "My courses": a new course with its details, two modules, a video lecture (uploaded,
    free preview), a text lecture and a quiz with a question. No cover yet."""
    open_from_user_menu(page, "Teaching: my courses")
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Category").select_option(label="Art and design")
    page.get_by_role("button", name="Create the course").click()
    expect_message(page, "Your course is created.")

    page.locator("input[name=subtitle]").fill("Loose, luminous paintings in twenty minutes a day")
    page.locator("textarea[name=description]").fill(DESCRIPTION)
    page.get_by_label("Level").select_option(label="Beginner")
    page.locator("textarea[name=learning_outcomes]").fill("Lay a flat wash\nMix greens that look alive")
    page.locator("input[name=price]").fill("19.99")
    page.get_by_role("button", name="Save details").click()
    expect_message(page, "The course details are saved.")

    studio_tab(page, "Curriculum")
    for module in ("Getting started", "Practice"):
        page.get_by_label("New module").fill(module)
        page.get_by_role("button", name="Add module").click()
        expect(page.get_by_role("heading", name=re.compile(f"Module \\d: {module}"))).to_be_visible()
    lecture_add(page, "Getting started", VIDEO, "Video")
    lecture_add(page, "Getting started", TEXT, "Text")
    lecture_add(page, "Practice", QUIZ, "Quiz")
    screenshot(page, "studio-curriculum")

    page.get_by_role("link", name=VIDEO, exact=True).click()
    page.get_by_label("Free preview").check()
    page.get_by_role("button", name="Save lecture").click()
    expect_message(page, "The lecture is saved.")
    media = page.locator("#media")
    media.get_by_label("Video").set_input_files(
        {"name": "first-wash.mp4", "mimeType": "video/mp4", "buffer": samples.read("video.mp4")}
    )
    page.evaluate(PROGRESS_WATCH)
    with page.expect_response(lambda answer: answer.request.method == "POST" and "/media/" in answer.url) as sent:
        media.get_by_role("button", name="Upload").click()
    expect_message(page, "The file is uploaded.")
    assert sent.value.request.resource_type == "xhr"  # studio.js sent it, showing its progress
    progress = page.evaluate("() => window.progressSeen")
    assert (progress[0], progress[-1]) == ("0 %", "Uploaded, checking the file…")
    expect(page.locator("#media")).to_contain_text("A video of 0:02 is uploaded.")
    screenshot(page, "studio-lecture-upload")

    lecture_text_write(page, TEXT, "Mix **two** colours at a time, and [read more](https://example.com/mixing).")

    lecture_open(page, QUIZ)
    question = page.locator("#new-question")
    question.get_by_label("Question").fill("Which two colours make green?")
    question.get_by_label("Kind").select_option(label="One answer")
    question.get_by_label("Answer 1", exact=True).fill("Blue and yellow")
    question.get_by_label("Correct (Answer 1)").check()
    question.get_by_label("Answer 2", exact=True).fill("Red and white")
    question.get_by_role("button", name="Add question").click()
    expect_message(page, "The question is saved.")
    expect(page.get_by_role("heading", name=re.compile(r"^Question 1\b"))).to_be_visible()


def test_a_course_is_built_reviewed_published_and_updated(page: Page, browser: Browser, live_server, studio):
    creator = UserFactory(email="wanda@example.com", display_name="Wanda Watercolour")
    moderator = UserFactory(email="moe@example.com", display_name="Moe Moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATOR))

    log_in(page, creator.email)
    build_course(page, studio)
    course = Course.objects.get(title=TITLE)

    # Submitted without a cover: that check fails with what to do, and the course stays a draft.
    submit(page)
    expect_message(page, "Some checks failed.")
    failed = page.locator(".check-list__item--failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("Cover image")
    expect(failed).to_contain_text("Upload a cover image")
    screenshot(page, "submit-checks")
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT

    page.get_by_role("link", name="Details", exact=True).first.click()
    page.locator("#cover").get_by_label("Cover image").set_input_files(
        {"name": "cover.png", "mimeType": "image/png", "buffer": image_bytes("PNG", size=(1280, 720))}
    )
    page.get_by_role("button", name="Upload cover").click()
    expect_message(page, "The cover is saved.")
    expect(page.get_by_role("img", name="The current cover")).to_be_visible()
    submit(page)
    expect_message(page, "Submitted: every check passed")
    expect(page.locator(".check-summary")).to_contain_text(ALL_PASSED)

    # The moderator rejects it with a reason; the creator reads it on the course and in the mail.
    errors: list[str] = []
    desk = another_person(browser, live_server, errors)
    log_in(desk, moderator.email)
    moderator_opens(desk, TITLE)
    expect(desk.locator(".check-summary")).to_contain_text(ALL_PASSED)
    expect(desk.get_by_role("heading", name="Content")).to_be_visible()
    screenshot(desk, "moderation-review")
    desk.get_by_label("Reason").fill(REASON)
    desk.get_by_role("button", name="Reject with this reason").click()
    expect_message(desk, "is rejected; the team is told why.")

    page.reload()
    expect(page.get_by_role("status").filter(has_text="A moderator asked for changes")).to_contain_text(REASON)
    open_mail(page, creator.email, "needs changes")
    expect(page.locator("#mail-text")).to_contain_text(REASON)

    page.locator(f"#mail-text a[href$='/studio/courses/{course.pk}/']").click()  # the mail's link
    page.get_by_role("link", name="Details", exact=True).first.click()
    page.locator("textarea[name=requirements]").fill("Cold-pressed watercolour paper\nA round brush, size 8")
    page.get_by_role("button", name="Save details").click()
    expect_message(page, "The course details are saved.")
    submit(page)
    expect_message(page, "Submitted: every check passed")

    moderator_opens(desk, TITLE)
    expect(desk.locator("#diff-title")).to_contain_text("What changed since version 1")
    desk.get_by_role("button", name="Approve and publish").click()
    expect_message(desk, "is approved and published.")

    # Published: in the catalog, and its page plays the free preview to anyone, signed out too,
    # from the protected media view.
    visitor = another_person(browser, live_server, errors)
    media_answers: list[int] = []
    visitor.on("response", lambda answer: answer.url.endswith("/media") and media_answers.append(answer.status))
    visitor.goto("/courses/")
    visitor.locator(".course-card").get_by_role("link", name=TITLE, exact=True).click()
    expect(visitor.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("Cold-pressed watercolour paper")
    video = visitor.get_by_label(f"Preview: {VIDEO}")
    expect(video).to_be_visible()
    assert video.evaluate(WHEN_LOADED) == pytest.approx(2.0, abs=0.1)
    assert video.evaluate(AFTER_SEEKING, 1.0) == pytest.approx(1.0, abs=0.01)  # a frame, not a spinner
    assert video.evaluate("v => v.error") is None
    screenshot(visitor, "course-preview-video")
    assert media_answers and set(media_answers) <= {200, 206}

    # An update: a lecture renamed, one added. Until it is approved, the approved version stays up.
    open_from_user_menu(page, "Teaching: my courses")
    page.get_by_role("link", name=TITLE, exact=True).click()
    lecture_text_write(
        page,
        TEXT,
        "Mix **two** colours at a time, then let them meet on wet paper.",
        new_title="Mixing colours on paper",
    )
    studio_tab(page, "Curriculum")
    lecture_add(page, "Practice", "Glazing in layers", "Text")
    lecture_text_write(page, "Glazing in layers", "Let each layer dry before the next one.")
    submit(page)
    expect_message(page, "Submitted: every check passed")

    for viewer in (page, visitor):  # the team's own view is never a cached page
        viewer.goto("/courses/")
        card = viewer.locator(".course-card", has_text=TITLE)
        expect(card).to_contain_text("3 lectures")
        viewer.goto(f"/courses/{course.slug}/")
        expect(viewer.locator("main")).to_contain_text(TEXT)
        expect(viewer.locator("main")).not_to_contain_text("Mixing colours on paper")
        expect(viewer.locator("main")).not_to_contain_text("Glazing in layers")

    moderator_opens(desk, TITLE)
    expect(desk.locator("#diff-lectures")).to_contain_text("Glazing in layers")
    desk.get_by_role("button", name="Approve and publish").click()
    expect_message(desk, "is approved and published.")
    desk.context.close()

    for viewer in (page, visitor):
        viewer.goto("/courses/")
        expect(viewer.locator(".course-card", has_text=TITLE)).to_contain_text("4 lectures")
        viewer.goto(f"/courses/{course.slug}/")
        expect(viewer.locator("main")).to_contain_text("Mixing colours on paper")
        expect(viewer.locator("main")).to_contain_text("Glazing in layers")
    visitor.context.close()
    assert errors == []

    open_from_user_menu(page, "Teaching: my courses")
    page.get_by_role("link", name=TITLE, exact=True).click()
    history = page.locator(".revision-history")
    latest = history.locator("li").first
    expect(latest).to_contain_text("Version 3")
    expect(latest).to_contain_text("v3: 1 lecture added, lecture “Mixing colours on paper” changed")
    expect(history).to_contain_text(REASON)
    screenshot(page, "revision-history")

    course.refresh_from_db()
    assert (course.status, course.published_revision.number) == (CourseStatus.PUBLISHED, 3)
    assert list(course.revisions.order_by("number").values_list("status", flat=True)) == [
        RevisionStatus.REJECTED,
        RevisionStatus.SUPERSEDED,
        RevisionStatus.APPROVED,
    ]
    preview = Lecture.objects.get(module__revision=course.published_revision, title=VIDEO)
    assert preview.is_free_preview and preview.duration_seconds == 2 and preview.media.name.endswith(".mp4")
