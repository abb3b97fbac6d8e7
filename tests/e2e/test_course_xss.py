"""A course's text is its authors' (titles, subtitle, description, lists, modules, lectures, lecture
text, quiz questions): in Chromium, nothing of it runs or becomes markup on the pages that show it —
the team's overview (check results quote lecture titles) and preview, the moderators' queue and
review page, and once approved the public course page, the catalog and the author's page.

The content is written through the authoring services (the studio's forms are clicked through in
test_course_journey.py) and reviewed through the moderators' page."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, expect

from agora.accounts.roles import MODERATOR
from agora.accounts.tests.factories import PASSWORD, UserFactory
from agora.catalog import services
from agora.catalog import services_authoring as authoring
from agora.catalog.models import Course, CourseStatus, Lecture, LectureKind, QuestionKind
from agora.catalog.tests.factories import course_published, revision_submit
from agora.publishing.services import revision_submit as checks_submit
from tests.e2e.xss import INJECTED_MARKUP, MARKDOWN_PAYLOADS, PAYLOADS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MARKDOWN = "\n\n".join([*PAYLOADS, *MARKDOWN_PAYLOADS])
TEXT_MAX = 200  # the shortest limit of the fields written (subtitle); titles take 120 or 200
# After a frame and a turn of the event loop, so that autofocus and toggle handlers would have run.
XSS_FLAG = "() => new Promise(done => requestAnimationFrame(() => setTimeout(() => done(window.__xss ?? null))))"


def course_full_of_payloads(author) -> Course:
    """A draft whose every text field holds payloads: one module per payload, holding a text lecture of
    that title whose text is all of them, and a quiz whose question and answers are payloads."""
    course = services.course_create(actor=author, title=PAYLOADS[0])
    authoring.revision_details_update(
        course=course,
        actor=author,
        data={
            "subtitle": " ".join(PAYLOADS)[:TEXT_MAX],
            "description": MARKDOWN,
            "learning_outcomes": [payload[:160] for payload in PAYLOADS[:20]],
            "requirements": [payload[:160] for payload in PAYLOADS[:20]],
        },
    )
    for payload in PAYLOADS:
        module = authoring.module_add(course=course, actor=author, title=payload)
        lecture = authoring.lecture_add(module=module, actor=author, title=payload, kind=LectureKind.TEXT)
        authoring.lecture_update(lecture=lecture, actor=author, data={"text": MARKDOWN})
    quiz = authoring.lecture_add(module=module, actor=author, title=PAYLOADS[1], kind=LectureKind.QUIZ)
    options = [authoring.OptionData(text=payload, is_correct=index == 0) for index, payload in enumerate(PAYLOADS[:4])]
    authoring.question_add(
        lecture=quiz,
        actor=author,
        data=authoring.QuestionData(
            kind=QuestionKind.SINGLE, text=MARKDOWN[:5000], explanation=PAYLOADS[2], options=options
        ),
    )
    return course


@pytest.fixture
def payloads(settings, tmp_path):
    """The course full of payloads, submitted once (its checks fail, quoting titles) and then put in
    review; and a published course titled with each other payload, by the same author."""
    settings.MEDIA_ROOT = tmp_path / "media"
    author = UserFactory(email="mallory@example.com", display_name="Mallory Author")
    course = course_full_of_payloads(author)
    draft = course.revisions.get()
    submission = checks_submit(revision=draft, actor=author)
    assert not submission.passed  # no cover, and the javascript: links
    revision_submit(draft)
    for payload in PAYLOADS[1:]:
        course_published(author=author, title=payload)
    return course


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def person(browser: Browser, live_server, console: list[str], dialogs: list[str]) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(10_000)
    watch(other, console, dialogs)
    return other


def watch(page: Page, console: list[str], dialogs: list[str]) -> None:
    page.on("console", lambda message: message.type == "error" and console.append(f"{page.url}: {message.text}"))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))


VISITS: list[tuple[object, list[str]]] = []  # each page visited: what it ran, what markup it grew


def visit_inert(page: Page, url: str, *shown: str) -> None:
    """Open `url`: the payloads `shown` appear as text, nothing ran, nothing became markup."""
    page.goto(url)
    page.wait_for_load_state("load")
    for text in shown:
        expect(page.locator("main")).to_contain_text(text)
    VISITS.append((page.evaluate(XSS_FLAG), page.evaluate(INJECTED_MARKUP)))
    assert VISITS[-1][0] is None, url
    assert VISITS[-1][1] == [], url


def test_course_text_never_executes_in_studio_review_and_catalog(
    page: Page, browser: Browser, live_server, payloads, quality_figure
):
    VISITS.clear()
    course = payloads
    revision = course.revisions.get()
    text_lecture = Lecture.objects.filter(module__revision=revision, kind=LectureKind.TEXT).first()
    quiz = Lecture.objects.get(module__revision=revision, kind=LectureKind.QUIZ)
    moderator = UserFactory(email="mo@example.com", is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATOR))
    console: list[str] = []  # the fixture's page checks its own console; these are the others'
    dialogs: list[str] = []
    watch(page, [], dialogs)

    log_in(page, "mallory@example.com")
    visit_inert(page, f"/studio/courses/{course.pk}/", PAYLOADS[0], "javascript:window.__xss=1")
    visit_inert(page, f"/studio/courses/{course.pk}/preview/", *PAYLOADS)
    visit_inert(page, f"/studio/courses/{course.pk}/preview/lectures/{text_lecture.pk}/", PAYLOADS[0])
    visit_inert(page, f"/studio/courses/{course.pk}/preview/lectures/{quiz.pk}/", PAYLOADS[3])
    visit_inert(page, "/studio/", PAYLOADS[0])

    desk = person(browser, live_server, console, dialogs)
    log_in(desk, moderator.email)
    visit_inert(desk, "/moderation/", PAYLOADS[0])
    visit_inert(desk, f"/moderation/revisions/{revision.pk}/", *PAYLOADS)
    desk.get_by_role("button", name="Approve and publish").click()
    expect(desk.locator(".messages")).to_contain_text("is approved and published.")
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED

    visitor = person(browser, live_server, console, dialogs)
    visit_inert(visitor, f"/courses/{course.slug}/", *PAYLOADS)
    visit_inert(visitor, "/courses/", *PAYLOADS)
    expect(visitor.locator(".course-card")).to_have_count(len(PAYLOADS))
    visit_inert(visitor, f"/authors/{course.created_by_id}/", *PAYLOADS)
    for other in Course.objects.exclude(pk=course.pk):
        visit_inert(visitor, f"/courses/{other.slug}/", other.title)

    desk.context.close()
    visitor.context.close()
    quality_figure(
        "xss_course",
        payloads=len(PAYLOADS) + len(MARKDOWN_PAYLOADS),
        pages=len(VISITS),
        executions=sum(ran is not None for ran, _ in VISITS),
        injected=sum(len(markup) for _, markup in VISITS),
        dialogs=len(dialogs),
    )
    assert console == []
    assert dialogs == []
