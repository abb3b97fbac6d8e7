"""The curriculum editor and the lecture editor in Chromium: what only a browser shows. A creator
reorders lectures by keyboard (the focus stays on the button pressed, across modules) and by drag and
drop (across modules too), adds answer rows to a quiz question, and uploads a file with a progress
bar; the server ends up with what the page shows."""

import re

import pytest
from playwright.sync_api import Page, expect

from agora.accounts.tests.factories import PASSWORD
from agora.catalog.models import Lecture, Module, Resource
from agora.catalog.tests.factories import course_draft
from agora.catalog.tests.media_samples import pdf_bytes
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course(settings, tmp_path):
    """Module 1: Lecture 1.1, Lecture 1.2; Module 2: Lecture 2.1 (a quiz)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return course_draft(title="Keyboard and mouse")


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def outline() -> list[tuple[str, list[str]]]:
    return [
        (module.title, list(module.lectures.order_by("position").values_list("title", flat=True)))
        for module in Module.objects.order_by("position")
    ]


def page_outline(page: Page) -> list[list[str]]:
    return page.locator(".studio-lectures").evaluate_all(
        "lists => lists.map(list => [...list.querySelectorAll('.studio-lecture__title')].map(a => a.textContent))"
    )


def test_lectures_move_by_keyboard_and_by_drag_and_drop(page: Page, course):
    log_in(page, course.created_by.email)
    page.goto(f"/studio/courses/{course.pk}/curriculum/")
    first = Lecture.objects.get(title="Lecture 1.1")

    down = page.get_by_role("button", name="Move “Lecture 1.1” down")
    down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#studio-status")).to_have_text("Lecture “Lecture 1.1” is moved.")
    expect(down).to_be_focused()
    page.keyboard.press("Enter")  # past the end of Module 1: the start of Module 2
    second_module = Module.objects.get(title="Module 2")
    expect(page.locator(f"#module-{second_module.key} #lecture-{first.key}")).to_be_visible()
    expect(down).to_be_focused()
    assert "#" not in page.url, "the move was a full-page submit, not an in-place swap"
    page.keyboard.press("Enter")  # to the very end: "down" is disabled now, so "up" takes the focus
    expect(page.get_by_role("button", name="Move “Lecture 1.1” down")).to_be_disabled()
    expect(page.get_by_role("button", name="Move “Lecture 1.1” up")).to_be_focused()
    keyboard = outline()

    lecture = page.locator(f"#lecture-{Lecture.objects.get(title='Lecture 2.1').key}")
    target = page.locator(f"#lecture-{Lecture.objects.get(title='Lecture 1.2').key}")
    lecture.locator("[data-drag-handle]").drag_to(target, target_position={"x": 40, "y": 2})
    expect(page.locator("#studio-status")).to_have_text("Lecture “Lecture 2.1” is moved.")
    screenshot(page, "authoring-curriculum")

    assert keyboard == [("Module 1", ["Lecture 1.2"]), ("Module 2", ["Lecture 2.1", "Lecture 1.1"])]
    assert outline() == [("Module 1", ["Lecture 2.1", "Lecture 1.2"]), ("Module 2", ["Lecture 1.1"])]
    assert page_outline(page) == [["Lecture 2.1", "Lecture 1.2"], ["Lecture 1.1"]]
    assert Lecture.objects.get(title="Lecture 1.1").key == first.key


def test_a_module_is_dragged_above_another(page: Page, course):
    log_in(page, course.created_by.email)
    page.goto(f"/studio/courses/{course.pk}/curriculum/")
    second, first = (Module.objects.get(title=title) for title in ("Module 2", "Module 1"))

    handle = page.locator(f"#module-{second.key} > .studio-module__head [data-drag-handle]")
    handle.drag_to(page.locator(f"#module-{first.key} > .studio-module__head"), target_position={"x": 40, "y": 2})

    expect(page.locator("#studio-status")).to_have_text("Module “Module 2” is moved.")
    assert [title for title, _lectures in outline()] == ["Module 2", "Module 1"]


def test_a_quiz_question_gets_more_answer_rows_and_a_file_uploads_with_progress(page: Page, course, tmp_path):
    quiz = Lecture.objects.get(title="Lecture 2.1")
    sheet = tmp_path / "cheat-sheet.pdf"
    sheet.write_bytes(pdf_bytes())
    log_in(page, course.created_by.email)
    page.goto(f"/studio/courses/{course.pk}/lectures/{quiz.pk}/")

    new_question = page.locator("#new-question")
    new_question.get_by_label("Question", exact=True).fill("Which are primes?")
    new_question.get_by_label("Kind").select_option("multiple")
    for _ in range(2):
        new_question.get_by_role("button", name="Add an answer").click()
    answers = new_question.locator("[data-answer-row] input[type=text]")
    expect(answers).to_have_count(6)
    for index, text in enumerate(["2", "3", "4", "5", "6", "7"]):
        answers.nth(index).fill(text)
    for index in (0, 1, 3, 5):
        new_question.locator("[data-answer-row]").nth(index).get_by_role("checkbox").check()
    new_question.get_by_role("button", name="Add question").click()
    expect(page.locator(".messages")).to_contain_text("The question is saved.")

    resources = page.locator("#resources")
    resources.get_by_label("File").set_input_files(sheet)
    resources.get_by_role("button", name="Add file").click()
    expect(page.locator(".messages")).to_contain_text("The file is added to the lecture's resources.")
    expect(page.locator("#resources")).to_contain_text("cheat-sheet.pdf")
    screenshot(page, "authoring-lecture")

    options = quiz.questions.get().options.order_by("position").values_list("text", "is_correct")
    assert list(options) == [("2", True), ("3", True), ("4", False), ("5", True), ("6", False), ("7", True)]
    assert list(Resource.objects.values_list("title", flat=True)) == ["cheat-sheet.pdf"]
    assert not page.url.endswith("#resources")  # studio.js sent it: a plain post would follow the redirect there


def test_the_studio_fits_a_phone_without_sideways_scrolling(page: Page, course):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, course.created_by.email)
    lecture = Lecture.objects.get(title="Lecture 1.1")
    studio = f"/studio/courses/{course.pk}"
    parts = ["edit", "curriculum", f"lectures/{lecture.pk}", "team", "preview"]

    for address in ["/studio/", f"{studio}/", *(f"{studio}/{part}/" for part in parts)]:
        page.goto(address)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{address} is {width} px wide"
