"""Demo publishing: a few courses of the named demo creators going through the real review, so the demo
moderator (moderator@agora.test) finds a queue and the creators find their courses' stories:

- two new courses waiting for review;
- one rejected with a reason, fixed and resubmitted (its changelog says what changed since);
- one published by the moderator, then updated (two lectures added, its quiz and price changed) and
  waiting as an update with its changelog;
- one draft whose checks failed, with the reasons on its course page.

Everything goes through the publishing services (checks, changelog, decisions, audit, mail); the
content is written into the drafts directly, as demo/catalog.py does. Idempotent: a course whose
first version (its title never changes once submitted) exists for its creator is left alone.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from agora.accounts.models import User
from agora.catalog.models import (
    Category,
    Course,
    CourseRevision,
    Lecture,
    LectureKind,
    Module,
    Option,
    Question,
    QuestionKind,
    RevisionStatus,
    SubmissionKind,
)
from agora.catalog.services import course_create, text_duration_estimate
from agora.catalog.services_authoring import revision_for_edit
from agora.catalog.uploads import UploadKind, upload_check, upload_store
from agora.publishing import services

MODERATOR_EMAIL = "moderator@agora.test"
QUIZ_SECONDS_PER_QUESTION = 60
ASSIGNMENT_SECONDS = 15 * 60

# A lecture: ("text", title, text), ("assignment", title, instructions) or
# ("quiz", title, [(question, [answers], index of the right answer)]).
LectureSpec = tuple[str, str, object]


@dataclass
class DemoCourse:
    owner: str
    title: str
    subtitle: str
    category: str  # a demo category's slug (left empty when the demo catalog is not loaded)
    language: str
    price: int
    description: str
    modules: list[tuple[str, list[LectureSpec]]]
    colour: tuple[int, int, int]
    story: str = "in_review"  # in_review | rejected_then_resubmitted | published_then_updated | checks_failed
    # What happens next in the story: the moderator's reason for rejecting, then the lectures added, the
    # new price and the new wording of the quiz's first question in the next version.
    reason: str = ""
    added: list[LectureSpec] = field(default_factory=list)
    new_price: int | None = None
    new_quiz_question: str = ""


def _quiz(*questions: tuple[str, list[str], int]) -> list[tuple[str, list[str], int]]:
    return list(questions)


COURSES = [
    DemoCourse(
        owner="ada@agora.test",
        title="Writing Clear Technical Documentation",
        subtitle="READMEs, tutorials and API references people actually read",
        category="communication",
        language="en",
        price=2499,
        colour=(37, 87, 181),
        description=(
            "Good documentation is the difference between a project people adopt and one they abandon. In "
            "this course you will learn to plan a documentation set, write a README that answers the first "
            "five questions, structure tutorials that work, and keep reference pages accurate as the code "
            "changes. Every module ends with an exercise on a real open-source project.\n\n"
            "## Who this course is for\n\n- Developers who write docs alongside code\n- Technical writers "
            "moving into software\n\nFurther reading: [the Diátaxis framework](https://diataxis.fr/)."
        ),
        modules=[
            (
                "Know your reader",
                [
                    (
                        "text",
                        "Four kinds of documentation",
                        "Tutorials teach, how-to guides solve, reference "
                        "describes and explanations help people understand. Mixing them is the most common reason a "
                        "page feels confusing.\n\nIn this lecture we sort twenty real pages into the four kinds.",
                    ),
                    (
                        "text",
                        "Writing a README that answers first questions",
                        "A README answers: what is this, "
                        "why would I use it, how do I install it, how do I use it, and where do I get help. Keep "
                        "each answer short and link to the rest.",
                    ),
                ],
            ),
            (
                "Tutorials and references",
                [
                    (
                        "text",
                        "A tutorial that works every time",
                        "Test your tutorial from a clean machine. Every "
                        "step should produce something the learner can see. Never say 'simply'.",
                    ),
                    (
                        "quiz",
                        "Check your understanding",
                        _quiz(
                            (
                                "Which kind of page describes every parameter of a function?",
                                ["Reference", "Tutorial", "Explanation"],
                                0,
                            ),
                            ("What should a tutorial avoid?", ["Visible results", "Words like 'simply'", "Code"], 1),
                        ),
                    ),
                    (
                        "assignment",
                        "Rewrite a README",
                        "Pick an open-source project you use. Rewrite its README "
                        "so it answers the five first questions, and share a link to your version.",
                    ),
                ],
            ),
        ],
    ),
    DemoCourse(
        owner="frida@agora.test",
        title="Colour Theory for Illustrators",
        subtitle="Harmony, contrast and mood, from the colour wheel to finished pieces",
        category="graphic-design",
        language="en",
        price=1999,
        colour=(192, 38, 45),
        description=(
            "Colour is the fastest way to set the mood of an illustration. This course takes you from the "
            "colour wheel to confident palettes: value before hue, warm and cool contrast, limited palettes "
            "and how light changes colour. Each module has a short painting exercise you can do in any "
            "medium, digital or traditional."
        ),
        modules=[
            (
                "Seeing colour",
                [
                    (
                        "text",
                        "Hue, value and saturation",
                        "Every colour has three properties. Value matters most: "
                        "a painting with the right values reads well even in black and white.",
                    ),
                    (
                        "text",
                        "Warm and cool",
                        "Warm colours advance, cool colours recede. Use the contrast to "
                        "lead the eye to your focal point.",
                    ),
                ],
            ),
            (
                "Building palettes",
                [
                    (
                        "quiz",
                        "Palette basics",
                        _quiz(
                            ("Which property should you get right first?", ["Hue", "Value", "Saturation"], 1),
                            ("Cool colours tend to…", ["Advance", "Recede", "Glow"], 1),
                        ),
                    ),
                    (
                        "assignment",
                        "A three-colour study",
                        "Paint a small landscape with three colours and white. "
                        "Upload a photo and a note on how you mixed the greens.",
                    ),
                ],
            ),
        ],
    ),
    DemoCourse(
        owner="miles@agora.test",
        title="Jazz Harmony for Curious Musicians",
        subtitle="Seventh chords, the ii–V–I and your first reharmonisations",
        category="music-theory",
        language="en",
        price=2999,
        colour=(79, 63, 217),
        story="rejected_then_resubmitted",
        reason="The course promises practice but has none yet: please add a lecture with ii–V–I exercises "
        "in a few keys, with a recording or notation learners can play along with.",
        added=[
            (
                "text",
                "Practising the ii–V–I in all keys",
                "Play the progression around the cycle of "
                "fourths: Dm7–G7–Cmaj7, then Gm7–C7–Fmaj7, and so on. Start slowly with a metronome.",
            ),
        ],
        description=(
            "Jazz harmony looks complicated until you see the handful of ideas behind it. We start with "
            "seventh chords, learn why the ii–V–I is everywhere, and finish by reharmonising a simple "
            "melody. You need to know the notes on your instrument; everything else is explained from the "
            "start, with examples you can play."
        ),
        modules=[
            (
                "Seventh chords",
                [
                    (
                        "text",
                        "Four chord qualities",
                        "Major seventh, dominant seventh, minor seventh and half "
                        "diminished: build each one on C and listen to the difference.",
                    ),
                    (
                        "text",
                        "Guide tones",
                        "The third and the seventh tell you the quality of a chord. Voice "
                        "leading them smoothly is the secret of a good comp.",
                    ),
                ],
            ),
            (
                "The ii–V–I",
                [
                    (
                        "text",
                        "Why it sounds like coming home",
                        "The dominant chord's tritone resolves inward to "
                        "the tonic's root and third. That pull is the engine of tonal harmony.",
                    ),
                    (
                        "quiz",
                        "Harmony check",
                        _quiz(
                            ("Which notes are the guide tones of G7?", ["G and D", "B and F", "D and F"], 1),
                            ("In C major, ii is…", ["Dm7", "Em7", "G7"], 0),
                        ),
                    ),
                ],
            ),
        ],
    ),
    DemoCourse(
        owner="dmitri@agora.test",
        title="Безопасная работа в химической лаборатории",
        subtitle="Реактивы, посуда и первая помощь: всё, что нужно до первого опыта",
        category="health-fitness",
        language="ru",
        price=1499,
        colour=(18, 119, 74),
        story="published_then_updated",
        new_price=1999,
        added=[
            (
                "text",
                "Работа с кислотами и щелочами",
                "Кислоту всегда вливают в воду, а не наоборот. "
                "Работайте в перчатках и очках, держите под рукой раствор соды.",
            ),
            (
                "text",
                "Утилизация отходов",
                "Отходы собирают раздельно: органические растворители, "
                "кислоты, тяжёлые металлы. Никогда не выливайте реактивы в раковину.",
            ),
        ],
        new_quiz_question="Что делать, если кислота попала на кожу?",
        description=(
            "Этот курс — обязательный минимум для всех, кто впервые приходит в химическую лабораторию. "
            "Мы разберём маркировку реактивов, правила работы с посудой и нагревательными приборами, "
            "средства защиты и порядок действий при несчастном случае. В конце — тест, после которого вы "
            "будете уверенно чувствовать себя у лабораторного стола."
        ),
        modules=[
            (
                "Правила и маркировка",
                [
                    (
                        "text",
                        "Знаки опасности на реактивах",
                        "Пиктограммы GHS говорят о главном: огонь — "
                        "горючее вещество, череп — токсичное, пробирка с каплей — едкое.",
                    ),
                    (
                        "text",
                        "Средства защиты",
                        "Халат, очки и перчатки надевают до начала работы и снимают "
                        "последними. Длинные волосы убирают.",
                    ),
                ],
            ),
            (
                "Первая помощь",
                [
                    (
                        "quiz",
                        "Проверьте себя",
                        _quiz(
                            (
                                "Что делать, если реактив попал на кожу?",
                                ["Промыть большим количеством воды", "Вытереть салфеткой", "Ничего"],
                                0,
                            ),
                            (
                                "Куда выливают отработанные растворители?",
                                ["В раковину", "В специальную ёмкость", "В мусорное ведро"],
                                1,
                            ),
                        ),
                    ),
                ],
            ),
        ],
    ),
    DemoCourse(
        owner="grace@agora.test",
        title="Compilers from Scratch",
        subtitle="",
        category="programming-languages",
        language="en",
        price=150,  # below the minimum price: one of the checks that fail
        colour=(138, 83, 0),
        story="checks_failed",
        description="Write a compiler. Notes at [my site](htp://grace.example).",
        modules=[
            (
                "Lexing",
                [
                    ("text", "Tokens", "A lexer turns characters into tokens: numbers, names, operators."),
                    ("quiz", "Tokens quiz", []),
                ],
            ),
        ],
    ),
]


def demo_publishing_load() -> int:
    """Create the demo courses that are missing; return how many were added."""
    reviewer = User.objects.filter(email=MODERATOR_EMAIL).first()
    owners = {user.email: user for user in User.objects.filter(email__in={spec.owner for spec in COURSES})}
    if reviewer is None or len(owners) < len({spec.owner for spec in COURSES}):
        return 0  # the demo accounts are not loaded
    added = 0
    for spec in COURSES:
        owner = owners[spec.owner]
        if CourseRevision.objects.filter(course__created_by=owner, number=1, title=spec.title).exists():
            continue
        STORIES[spec.story](spec, owner, reviewer)
        added += 1
    return added


# The stories ---------------------------------------------------------------------------------------------


@transaction.atomic
def _in_review(spec: DemoCourse, owner: User, reviewer: User) -> Course:
    course = _course_with_content(spec, owner)
    _submit(course, owner)
    return course


@transaction.atomic
def _rejected_then_resubmitted(spec: DemoCourse, owner: User, reviewer: User) -> None:
    course = _in_review(spec, owner, reviewer)
    services.review_reject(revision=_in_review_revision(course), moderator=reviewer, reason=spec.reason)
    draft = revision_for_edit(course=course, actor=owner)
    module = Module.objects.filter(revision=draft).order_by("-position").first()
    assert module is not None
    for offset, lecture in enumerate(spec.added):
        _lecture(module, module.lectures.count() + offset, lecture)
    _submit(course, owner)


@transaction.atomic
def _published_then_updated(spec: DemoCourse, owner: User, reviewer: User) -> None:
    course = _in_review(spec, owner, reviewer)
    services.review_approve(revision=_in_review_revision(course), moderator=reviewer)
    draft = revision_for_edit(course=course, actor=owner)
    first = Module.objects.filter(revision=draft).order_by("position").first()
    assert first is not None
    for offset, lecture in enumerate(spec.added):
        _lecture(first, first.lectures.count() + offset, lecture)
    Question.objects.filter(lecture__module__revision=draft, position=0).update(text=spec.new_quiz_question)
    draft.price = spec.new_price or draft.price
    draft.save(update_fields=["price", "updated_at"])
    _submit(course, owner)


@transaction.atomic
def _checks_failed(spec: DemoCourse, owner: User, reviewer: User) -> None:
    course = _course_with_content(spec, owner, with_cover=False)
    _submit(course, owner)


STORIES: dict[str, Callable[[DemoCourse, User, User], object]] = {
    "in_review": _in_review,
    "rejected_then_resubmitted": _rejected_then_resubmitted,
    "published_then_updated": _published_then_updated,
    "checks_failed": _checks_failed,
}


# Building a draft ------------------------------------------------------------------------------------------

OUTCOMES = {  # in the course's language
    "en": lambda topic: f"Understand {topic.lower()}",
    "ru": lambda topic: f"Разобраться в теме «{topic}»",
}


def _course_with_content(spec: DemoCourse, owner: User, *, with_cover: bool = True) -> Course:
    category = Category.objects.filter(slug=spec.category).first()
    course = course_create(actor=owner, title=spec.title, category=category, language=spec.language)
    draft = CourseRevision.objects.get(course=course)
    draft.subtitle, draft.description, draft.price = spec.subtitle, spec.description, spec.price
    draft.learning_outcomes = [OUTCOMES[spec.language](title) for title, _ in spec.modules]
    if with_cover:
        draft.cover = _cover(spec)
    draft.save()
    for position, (title, lectures) in enumerate(spec.modules):
        module = Module.objects.create(revision=draft, title=title, position=position)
        for lecture_position, lecture in enumerate(lectures):
            _lecture(module, lecture_position, lecture)
    return course


def _lecture(module: Module, position: int, spec: LectureSpec) -> Lecture:
    kind, title, content = spec
    lecture = Lecture(module=module, title=title, position=position, kind=kind, is_free_preview=position == 0)
    if kind == LectureKind.TEXT:
        lecture.text = str(content)
        lecture.duration_seconds = text_duration_estimate(lecture.text)
    elif kind == LectureKind.ASSIGNMENT:
        lecture.assignment_instructions, lecture.submission_kind = str(content), SubmissionKind.LINK
        lecture.duration_seconds = ASSIGNMENT_SECONDS
    else:
        questions: list[tuple[str, list[str], int]] = content  # type: ignore[assignment]
        lecture.pass_mark_percent = 70
        lecture.duration_seconds = QUIZ_SECONDS_PER_QUESTION * len(questions)
    lecture.save()
    if kind == LectureKind.QUIZ:
        _questions(lecture, content)  # type: ignore[arg-type]
    return lecture


def _questions(lecture: Lecture, questions: list[tuple[str, list[str], int]]) -> None:
    for position, (text, answers, right) in enumerate(questions):
        question = Question.objects.create(lecture=lecture, text=text, kind=QuestionKind.SINGLE, position=position)
        Option.objects.bulk_create(
            Option(question=question, text=answer, is_correct=index == right, position=index)
            for index, answer in enumerate(answers)
        )


def _cover(spec: DemoCourse) -> str:
    """A simple striped cover in the course's colour, stored as a creator's upload would be."""
    image = Image.new("RGB", (1280, 720), spec.colour)
    draw = ImageDraw.Draw(image)
    for stripe in range(0, 1280 + 720, 120):
        draw.line([(stripe, 0), (stripe - 720, 720)], fill=tuple(min(255, part + 40) for part in spec.colour), width=36)
    output = io.BytesIO()
    image.save(output, format="PNG")
    upload = SimpleUploadedFile("cover.png", output.getvalue(), content_type="image/png")
    return upload_store(upload_check(upload, UploadKind.IMAGE), folder="covers")


def _submit(course: Course, owner: User) -> None:
    draft = CourseRevision.objects.get(course=course, status=RevisionStatus.DRAFT)
    services.revision_submit(revision=draft, actor=owner)


def _in_review_revision(course: Course) -> CourseRevision:
    return CourseRevision.objects.get(course=course, status=RevisionStatus.IN_REVIEW)
