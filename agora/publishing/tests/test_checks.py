"""Each automatic check passes on a ready course and fails, with a reason naming what to fix, on one
change; all of them together cost a fixed number of queries."""

import datetime

import pytest
from django.utils import timezone, translation

from agora.catalog.models import Lecture, LectureKind, Module, Option, Question, QuestionKind
from agora.publishing.checks import CHECK_LABELS, CHECKS, checks_run, link_is_well_formed, markdown_links
from agora.publishing.models import CheckResult
from agora.publishing.selectors import revision_content_load
from agora.publishing.tests.factories import course_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def revision():
    return course_ready().revisions.get()


def outcomes(revision) -> dict:
    loaded = revision_content_load(revision.pk)[revision.pk]
    with translation.override("en"):
        return {outcome.check_name: (outcome.passed, outcome.reason) for outcome in checks_run(loaded)}


def lecture(revision, kind) -> Lecture:
    return Lecture.objects.filter(module__revision=revision, kind=kind).first()


def test_a_ready_course_passes_every_check(revision):
    assert outcomes(revision) == {name: (True, "") for name in CHECK_LABELS}
    assert len(CHECKS) == len(CHECK_LABELS) == 11


def test_no_module(revision):
    Module.objects.filter(revision=revision).delete()

    assert outcomes(revision)["modules"] == (False, "Add at least one module, then put lectures in it.")


def test_an_empty_module(revision):
    Module.objects.create(revision=revision, title="Later", position=9)

    assert outcomes(revision)["modules"] == (False, "Add lectures to these modules or delete them: “Later”.")


def test_too_few_lectures(revision, settings):
    settings.PUBLISHING_MIN_LECTURES = 4

    assert outcomes(revision)["lecture_count"] == (
        False,
        "Add more lectures: the course has 3 and needs at least 4.",
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Short", "Make the title longer: it has 5 characters and needs at least 8."),
        ("x" * 101, "Shorten the title to at most 100 characters; it has 101."),
        ("  Exactly8  ", ""),
    ],
)
def test_title_length(revision, title, expected):
    revision.title = title
    revision.save()

    assert outcomes(revision)["title"] == (expected == "", expected)


def test_description_too_short(revision):
    revision.description = "Too short."
    revision.save()

    passed, reason = outcomes(revision)["description"]

    assert not passed
    assert reason.startswith("Write a longer description: it has 10 characters and needs at least 200.")


def test_no_cover(revision):
    revision.cover = ""
    revision.save()

    assert outcomes(revision)["cover"] == (
        False,
        "Upload a cover image: it is the first thing people see in the catalog.",
    )


@pytest.mark.parametrize(
    ("price", "discount", "ends_in_days", "expected"),
    [
        (0, None, None, ""),  # free
        (199, None, None, ""),
        (99_999, 199, 3, ""),
        (150, None, None, "Set a price between $1.99 and $999.99, or 0 to make the course free."),
        (100_000, None, None, "Set a price between $1.99 and $999.99, or 0 to make the course free."),
        (1999, 100, None, "Set the discount price to at least $1.99, or remove the discount."),
        (1999, 999, -1, "The discount ended on"),
    ],
)
def test_price(revision, price, discount, ends_in_days, expected):
    revision.price, revision.discount_price = price, discount
    revision.discount_ends_at = timezone.now() + datetime.timedelta(days=ends_in_days) if ends_in_days else None
    revision.save()

    passed, reason = outcomes(revision)["price"]

    assert passed == (expected == "")
    assert reason.startswith(expected) and (reason == "") == (expected == "")


def test_a_discount_not_below_the_price_fails_even_if_the_database_would_refuse_it(revision):
    """The database refuses such a revision; the check says what to do should one get through in memory."""
    loaded = revision_content_load(revision.pk)[revision.pk]
    loaded.discount_price = loaded.price
    price = next(outcome for outcome in checks_run(loaded) if outcome.check_name == "price")

    assert price.reason == "Make the discount price lower than the price, or remove the discount."


@pytest.mark.parametrize(("media", "seconds"), [("", 600), ("lectures/1/intro.mp4", 0)])
def test_a_video_without_a_probed_file(revision, media, seconds):
    Lecture.objects.filter(pk=lecture(revision, LectureKind.VIDEO).pk).update(media=media, duration_seconds=seconds)

    assert outcomes(revision)["videos"] == (False, "Upload a playable video to these lectures: “Lecture 1.1”.")


def test_a_pdf_without_its_file(revision):
    module = Module.objects.filter(revision=revision).first()
    Lecture.objects.create(module=module, title="Slides", kind=LectureKind.PDF, position=9)
    Lecture.objects.create(module=module, title="Notes", kind=LectureKind.PDF, position=10, media="lectures/n.pdf")

    assert outcomes(revision)["pdfs"] == (False, "Upload the PDF file of these lectures: “Slides”.")


def test_empty_lectures_each_say_what_is_missing(revision):
    module = Module.objects.filter(revision=revision).first()
    Lecture.objects.filter(pk=lecture(revision, LectureKind.TEXT).pk).update(text="   ")
    Lecture.objects.create(module=module, title="Empty quiz", kind=LectureKind.QUIZ, position=5)
    Lecture.objects.create(module=module, title="Homework", kind=LectureKind.ASSIGNMENT, position=6)
    quiz = lecture(revision, LectureKind.QUIZ)
    no_answer = Question.objects.create(lecture=quiz, text="Which?", position=1)
    Option.objects.create(question=no_answer, text="A", position=0)
    Option.objects.create(question=no_answer, text="B", position=1)
    two_right = Question.objects.create(lecture=quiz, text="One?", position=2, kind=QuestionKind.SINGLE)
    Option.objects.create(question=two_right, text="A", is_correct=True, position=0)
    Option.objects.create(question=two_right, text="B", is_correct=True, position=1)
    lonely = Question.objects.create(lecture=quiz, text="Only?", position=3, kind=QuestionKind.MULTIPLE)
    Option.objects.create(question=lonely, text="A", is_correct=True, position=0)
    typed = Question.objects.create(lecture=quiz, text="Type it", position=4, kind=QuestionKind.SHORT_TEXT)
    Option.objects.create(question=typed, text="print", is_correct=True, position=0)

    assert outcomes(revision)["lectures_complete"] == (
        False,
        "Write the text of these lectures: “Lecture 1.2”. "
        "Add questions to these quizzes: “Empty quiz”. "
        "Mark the correct answer of these questions: “Lecture 2.1 #2”. "
        "These one-answer questions have several correct answers; keep one: “Lecture 2.1 #3”. "
        "Give these questions at least two answers: “Lecture 2.1 #4”. "
        "Write the instructions of these assignments: “Homework”.",
    )


def test_many_offenders_are_cut_short(revision):
    module = Module.objects.filter(revision=revision).first()
    Lecture.objects.bulk_create(
        Lecture(module=module, title=f"V{n}", kind=LectureKind.VIDEO, position=10 + n) for n in range(7)
    )

    _passed, reason = outcomes(revision)["videos"]

    assert reason == "Upload a playable video to these lectures: “V0”, “V1”, “V2”, “V3”, “V4”, …."


def test_malformed_links_in_the_description_and_lectures(revision):
    revision.description += " [home](javascript:alert(1)) [rel](/courses/) [ok](https://example.com/a?b=1)"
    revision.save()
    Lecture.objects.filter(pk=lecture(revision, LectureKind.TEXT).pk).update(
        text="See [here](http://localhost) and [there](https://no-dot) and <mailto:ada@example.com>."
    )

    passed, reason = outcomes(revision)["links"]

    assert not passed
    assert reason == (
        "Fix these links in the description: “javascript:alert(1)”, “/courses/”. "
        "Fix these links in lecture texts: “https://no-dot (Lecture 1.2)”. "
        "Each link must start with http:// or https:// and name a site, like https://example.com/page."
    )


@pytest.mark.parametrize(
    ("href", "well_formed"),
    [
        ("https://example.com", True),
        ("http://sub.example.org/path?q=1#x", True),
        ("https://xn--e1afmkfd.xn--p1ai/", True),
        ("http://localhost:8000/", True),
        ("mailto:ada@example.com", True),
        ("mailto:not-an-address", False),
        ("ftp://example.com/file", False),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("example.com", False),
        ("https://exa mple.com", False),
        ("", False),
    ],
)
def test_link_form(href, well_formed):
    assert link_is_well_formed(href) is well_formed


def test_links_are_read_as_the_markdown_renderer_reads_them():
    text = (
        "[a](https://a.example) <https://b.example> [c][ref] `[d](https://code.example)` plain https://e.example"
        "\n\n[ref]: https://c.example"
    )

    assert markdown_links(text) == ["https://a.example", "https://b.example", "https://c.example"]


def test_banned_words_in_the_course_and_its_lectures(revision, settings):
    settings.PUBLISHING_BANNED_WORDS = ["casino", "free money"]
    revision.subtitle = "Win at the CASINO"
    revision.description += " Get free money now."
    revision.save()
    Lecture.objects.filter(pk=lecture(revision, LectureKind.TEXT).pk).update(text="The casino of variables.")
    Lecture.objects.filter(pk=lecture(revision, LectureKind.VIDEO).pk).update(title="Casinos are fine")  # not a word

    assert outcomes(revision)["banned_words"] == (
        False,
        "Remove these words from the title, subtitle and description: “casino”, “free money”. "
        "Remove these words from the lectures “Lecture 1.2”: “casino”.",
    )


def test_no_banned_words_configured_passes(revision, settings):
    settings.PUBLISHING_BANNED_WORDS = []
    revision.title = "Casino night"
    revision.save()

    assert outcomes(revision)["banned_words"] == (True, "")


def test_reasons_are_kept_untranslated_and_read_in_the_readers_language():
    """A stored reason is its message id and parameters; each reader gets it in their language (here a
    message the Russian catalogue already has, standing in for the checks' own)."""
    result = CheckResult(check_name="cover", passed=False, problems=[{"message": "Not found.", "params": {}}])

    with translation.override("ru"):
        russian = result.reason
    with translation.override("en"):
        english = result.reason

    assert (english, russian) == ("Not found.", "Не найдено.")


def test_stored_problems_keep_message_ids_and_parameters(revision, settings):
    settings.PUBLISHING_MIN_LECTURES = 5
    loaded = revision_content_load(revision.pk)[revision.pk]

    with translation.override("ru"):
        count = next(outcome for outcome in checks_run(loaded) if outcome.check_name == "lecture_count")

    assert [(problem.message, problem.params) for problem in count.problems] == [
        ("Add more lectures: the course has %(count)s and needs at least %(minimum)s.", {"count": 3, "minimum": 5})
    ]


def test_the_checks_cost_the_same_queries_for_any_size(revision, django_assert_num_queries):
    with django_assert_num_queries(7):  # revision, skills, modules, lectures, resources, questions, options
        checks_run(revision_content_load(revision.pk)[revision.pk])
    module = Module.objects.create(revision=revision, title="More", position=5)
    for position in range(30):
        quiz = Lecture.objects.create(module=module, title=f"Q{position}", kind=LectureKind.QUIZ, position=position)
        question = Question.objects.create(lecture=quiz, text="?", position=0)
        Option.objects.create(question=question, text="Yes", is_correct=True)

    with django_assert_num_queries(7):
        checks_run(revision_content_load(revision.pk)[revision.pk])
