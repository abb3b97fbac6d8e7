"""The automatic checks a revision must pass before moderators see it (DESIGN.md §5).

Each check is a small function of a revision loaded with `selectors.revision_content_load` (a fixed
number of queries however big the course) returning a `CheckOutcome`: passed, or the problems found,
each a message the author can act on. Messages are kept untranslated with their parameters (the
`gettext_noop` ids below) and translated when someone reads them, in the reader's language.
Thresholds come from the PUBLISHING_* settings.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

from agora.catalog.models import CourseRevision, Lecture, LectureKind, QuestionKind
from agora.core.templatetags.formatting import localdate, money

TITLES_SHOWN = 5  # offending lectures or links named in a reason; the rest become "…"
_url_validator = URLValidator(schemes=["http", "https"])
# The catalog's Markdown settings, but accepting every link target so that the checks see the ones the
# renderer would silently drop (javascript:, data:, relative addresses).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
_markdown.validateLink = lambda url: True  # type: ignore[method-assign]


@dataclass(frozen=True)
class Problem:
    message: str  # a message id (translated when read) with %(name)s placeholders
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        return gettext(self.message) % self.params


@dataclass(frozen=True)
class CheckOutcome:
    check_name: str
    problems: tuple[Problem, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        return " ".join(problem.text() for problem in self.problems)


Check = Callable[[CourseRevision], CheckOutcome]


def _lectures(revision: CourseRevision) -> Iterator[Lecture]:
    for module in revision.modules.all():
        yield from module.lectures.all()


def _quoted(titles: Iterable[str]) -> str:
    """“First”, “Second”, … — at most TITLES_SHOWN of them."""
    titles = list(titles)
    shown = ", ".join(f"“{title}”" for title in titles[:TITLES_SHOWN])
    return shown + (", …" if len(titles) > TITLES_SHOWN else "")


def _outcome(name: str, *problems: Problem | None) -> CheckOutcome:
    return CheckOutcome(name, tuple(problem for problem in problems if problem is not None))


def _problem_for(items: list[str], message: str, key: str = "lectures") -> Problem | None:
    return Problem(message, {key: _quoted(items)}) if items else None


# The checks -----------------------------------------------------------------------------------------


def check_modules(revision: CourseRevision) -> CheckOutcome:
    modules = list(revision.modules.all())
    if not modules:
        return _outcome("modules", Problem(gettext_noop("Add at least one module, then put lectures in it.")))
    empty = [module.title for module in modules if not module.lectures.all()]
    message = gettext_noop("Add lectures to these modules or delete them: %(modules)s.")
    return _outcome("modules", _problem_for(empty, message, "modules"))


def check_lecture_count(revision: CourseRevision) -> CheckOutcome:
    count, minimum = sum(1 for _lecture in _lectures(revision)), settings.PUBLISHING_MIN_LECTURES
    if count >= minimum:
        return _outcome("lecture_count")
    message = gettext_noop("Add more lectures: the course has %(count)s and needs at least %(minimum)s.")
    return _outcome("lecture_count", Problem(message, {"count": count, "minimum": minimum}))


def check_title(revision: CourseRevision) -> CheckOutcome:
    return _outcome("title", _length_problem(revision.title, settings.PUBLISHING_TITLE_LENGTH, what="title"))


def check_description(revision: CourseRevision) -> CheckOutcome:
    limits = settings.PUBLISHING_DESCRIPTION_LENGTH
    return _outcome("description", _length_problem(revision.description, limits, what="description"))


_LENGTH_MESSAGES = {
    ("title", "short"): gettext_noop(
        "Make the title longer: it has %(length)s characters and needs at least %(minimum)s."
    ),
    ("title", "long"): gettext_noop("Shorten the title to at most %(maximum)s characters; it has %(length)s."),
    ("description", "short"): gettext_noop(
        "Write a longer description: it has %(length)s characters and needs at least %(minimum)s. "
        "Say who the course is for and what they will be able to do after it."
    ),
    ("description", "long"): gettext_noop(
        "Shorten the description to at most %(maximum)s characters; it has %(length)s."
    ),
}


def _length_problem(text: str, limits: tuple[int, int], *, what: str) -> Problem | None:
    length, (minimum, maximum) = len(text.strip()), limits
    if length < minimum:
        return Problem(_LENGTH_MESSAGES[what, "short"], {"length": length, "minimum": minimum})
    if length > maximum:
        return Problem(_LENGTH_MESSAGES[what, "long"], {"length": length, "maximum": maximum})
    return None


def check_cover(revision: CourseRevision) -> CheckOutcome:
    if revision.cover:
        return _outcome("cover")
    return _outcome(
        "cover", Problem(gettext_noop("Upload a cover image: it is the first thing people see in the catalog."))
    )


def check_price(revision: CourseRevision) -> CheckOutcome:
    minimum, maximum = settings.PUBLISHING_PRICE_MIN, settings.PUBLISHING_PRICE_MAX
    bounds = {"minimum": money(minimum, revision.currency), "maximum": money(maximum, revision.currency)}
    price, discount = revision.price, revision.discount_price
    problems: list[Problem | None] = []
    if price != 0 and not minimum <= price <= maximum:
        problems.append(
            Problem(
                gettext_noop("Set a price between %(minimum)s and %(maximum)s, or 0 to make the course free."), bounds
            )
        )
    if discount is not None:
        problems.append(_discount_problem(revision, discount, bounds))
    return _outcome("price", *problems)


def _discount_problem(revision: CourseRevision, discount: int, bounds: dict[str, str]) -> Problem | None:
    if discount >= revision.price:
        return Problem(gettext_noop("Make the discount price lower than the price, or remove the discount."))
    if discount < settings.PUBLISHING_PRICE_MIN:
        return Problem(gettext_noop("Set the discount price to at least %(minimum)s, or remove the discount."), bounds)
    if revision.discount_ends_at is not None and revision.discount_ends_at <= timezone.now():
        message = gettext_noop("The discount ended on %(date)s: remove it or choose a later end date.")
        return Problem(message, {"date": localdate(revision.discount_ends_at)})
    return None


def check_videos(revision: CourseRevision) -> CheckOutcome:
    """Every video lecture has its file, and the file was probed (a duration was read from it)."""
    missing = [
        lecture.title
        for lecture in _lectures(revision)
        if lecture.kind == LectureKind.VIDEO and not (lecture.media and lecture.duration_seconds > 0)
    ]
    message = gettext_noop("Upload a playable video to these lectures: %(lectures)s.")
    return _outcome("videos", _problem_for(missing, message))


def check_pdfs(revision: CourseRevision) -> CheckOutcome:
    lectures = _lectures(revision)
    missing = [lecture.title for lecture in lectures if lecture.kind == LectureKind.PDF and not lecture.media]
    return _outcome("pdfs", _problem_for(missing, gettext_noop("Upload the PDF file of these lectures: %(lectures)s.")))


def check_lectures_complete(revision: CourseRevision) -> CheckOutcome:
    """No empty lecture: text lectures have text, quizzes questions with a right answer, assignments
    instructions."""
    lectures = list(_lectures(revision))
    texts = [lecture.title for lecture in lectures if lecture.kind == LectureKind.TEXT and not lecture.text.strip()]
    quizzes = [lecture for lecture in lectures if lecture.kind == LectureKind.QUIZ]
    assignments = [
        lecture.title
        for lecture in lectures
        if lecture.kind == LectureKind.ASSIGNMENT and not lecture.assignment_instructions.strip()
    ]
    return _outcome(
        "lectures_complete",
        _problem_for(texts, gettext_noop("Write the text of these lectures: %(lectures)s.")),
        _problem_for(
            [quiz.title for quiz in quizzes if not quiz.questions.all()],
            gettext_noop("Add questions to these quizzes: %(lectures)s."),
        ),
        *_question_problems(quizzes),
        _problem_for(assignments, gettext_noop("Write the instructions of these assignments: %(lectures)s.")),
    )


def _question_problems(quizzes: list[Lecture]) -> list[Problem | None]:
    no_answer, several, few_options = [], [], []
    for quiz in quizzes:
        for number, question in enumerate(quiz.questions.all(), start=1):
            options = list(question.options.all())
            correct = sum(1 for option in options if option.is_correct)
            name = f"{quiz.title} #{number}"
            if correct == 0:
                no_answer.append(name)
            elif question.kind == QuestionKind.SINGLE and correct > 1:
                several.append(name)
            if question.kind != QuestionKind.SHORT_TEXT and len(options) < 2:
                few_options.append(name)
    return [
        _problem_for(
            no_answer, gettext_noop("Mark the correct answer of these questions: %(questions)s."), "questions"
        ),
        _problem_for(
            several,
            gettext_noop("These one-answer questions have several correct answers; keep one: %(questions)s."),
            "questions",
        ),
        _problem_for(
            few_options, gettext_noop("Give these questions at least two answers: %(questions)s."), "questions"
        ),
    ]


def check_links(revision: CourseRevision) -> CheckOutcome:
    """Links are well-formed: http or https with a real host name (their form only; nothing is fetched)."""
    in_description = [href for href in markdown_links(revision.description) if not link_is_well_formed(href)]
    in_lectures = [
        f"{href} ({lecture.title})"
        for lecture in _lectures(revision)
        for href in markdown_links(lecture.text)
        if not link_is_well_formed(href)
    ]
    hint = Problem(
        gettext_noop("Each link must start with http:// or https:// and name a site, like https://example.com/page.")
    )
    return _outcome(
        "links",
        _problem_for(in_description, gettext_noop("Fix these links in the description: %(links)s."), "links"),
        _problem_for(in_lectures, gettext_noop("Fix these links in lecture texts: %(links)s."), "links"),
        hint if in_description or in_lectures else None,
    )


def markdown_links(text: str) -> list[str]:
    """The target of every link in Markdown `text`, as written (inline, reference and <autolinks>)."""
    if not text:
        return []
    return [
        str(child.attrGet("href") or "")
        for token in _markdown.parse(text)
        for child in token.children or ()
        if child.type == "link_open"
    ]


def link_is_well_formed(href: str) -> bool:
    if href.lower().startswith("mailto:"):
        try:
            validate_email(href[len("mailto:") :])
        except ValidationError:
            return False
        return True
    try:
        _url_validator(href)
    except ValidationError:
        return False
    return bool(urlsplit(href).hostname)


def check_banned_words(revision: CourseRevision) -> CheckOutcome:
    pattern = _banned_pattern()
    if pattern is None:
        return _outcome("banned_words")
    course_words = _found(pattern, revision.title, revision.subtitle, revision.description)
    lectures = [lecture for lecture in _lectures(revision) if _found(pattern, lecture.title, lecture.text)]
    lecture_words = _found(pattern, *(f"{lecture.title}\n{lecture.text}" for lecture in lectures))
    course_problem = lecture_problem = None
    if course_words:
        message = gettext_noop("Remove these words from the title, subtitle and description: %(words)s.")
        course_problem = Problem(message, {"words": _quoted(course_words)})
    if lectures:
        titles = _quoted(lecture.title for lecture in lectures)
        message = gettext_noop("Remove these words from the lectures %(lectures)s: %(words)s.")
        lecture_problem = Problem(message, {"lectures": titles, "words": _quoted(lecture_words)})
    return _outcome("banned_words", course_problem, lecture_problem)


def _banned_pattern() -> re.Pattern[str] | None:
    words = [word for word in settings.PUBLISHING_BANNED_WORDS if word]
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(word) for word in words) + r")\b", re.IGNORECASE)


def _found(pattern: re.Pattern[str], *texts: str) -> list[str]:
    """The banned words in `texts`, lower-cased, each once, in order of appearance."""
    return list(dict.fromkeys(match.lower() for text in texts for match in pattern.findall(text)))


CHECKS: list[Check] = [
    check_modules,
    check_lecture_count,
    check_title,
    check_description,
    check_cover,
    check_price,
    check_videos,
    check_pdfs,
    check_lectures_complete,
    check_links,
    check_banned_words,
]
CHECK_LABELS = {
    "modules": _("At least one module, none empty"),
    "lecture_count": _("Enough lectures"),
    "title": _("Title length"),
    "description": _("Description length"),
    "cover": _("Cover image"),
    "price": _("A sensible price"),
    "videos": _("Every video uploaded and playable"),
    "pdfs": _("Every PDF uploaded"),
    "lectures_complete": _("No empty lectures or quizzes"),
    "links": _("Well-formed links"),
    "banned_words": _("No words that are not allowed"),
}


def checks_run(revision: CourseRevision) -> list[CheckOutcome]:
    """Every check on a revision loaded with `selectors.revision_content_load`, in a fixed order."""
    return [check(revision) for check in CHECKS]
