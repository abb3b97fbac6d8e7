"""Courses that pass (or are one change away from failing) the automatic checks, and staff in roles."""

from django.contrib.auth.models import Group

from agora.accounts.models import User
from agora.accounts.roles import ADMIN, MODERATOR
from agora.accounts.tests.factories import UserFactory
from agora.catalog.models import Course, CourseRevision, Lecture, LectureKind, Option, Question, RevisionStatus
from agora.catalog.tests.factories import course_draft
from agora.publishing import services

DESCRIPTION = (
    "A practical course for people who want to write clear, friendly Python. We start from the basics, "
    "build three small projects and finish with tests. See [the docs](https://docs.python.org/3/) as we go."
)
# Two modules: a video and a text lecture, then a quiz.
CURRICULUM = [
    [(LectureKind.VIDEO, 600, True), (LectureKind.TEXT, 120, False)],
    [(LectureKind.QUIZ, 180, False)],
]


def staff(role: str = MODERATOR, **fields: object) -> User:
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def moderator(**fields: object) -> User:
    return staff(MODERATOR, **fields)


def admin(**fields: object) -> User:
    return staff(ADMIN, **fields)


def draft_ready(revision: CourseRevision) -> CourseRevision:
    """Give a draft what the checks ask for: a cover, a long description, files, text, a quiz question."""
    revision.cover = "covers/python.png"
    revision.description = DESCRIPTION
    revision.price = 1999
    revision.save()
    for lecture in Lecture.objects.filter(module__revision=revision):
        if lecture.kind == LectureKind.VIDEO:
            lecture.media = f"lectures/{revision.course_id}/intro.mp4"
        elif lecture.kind == LectureKind.TEXT:
            lecture.text = "Variables name values. Read more at <https://www.python.org/>."
        elif lecture.kind == LectureKind.QUIZ and not lecture.questions.exists():
            question = Question.objects.create(lecture=lecture, text="What does print do?", position=0)
            Option.objects.create(question=question, text="Shows text", is_correct=True, position=0)
            Option.objects.create(question=question, text="Deletes files", position=1)
        lecture.save()
    return revision


def course_ready(*, author: User | None = None, title: str = "Python for Beginners", **listing: object) -> Course:
    """A draft course whose draft passes every check."""
    course = course_draft(author=author, title=title, curriculum=CURRICULUM, **listing)  # type: ignore[arg-type]
    draft_ready(course.revisions.get())
    return course


def draft_of(course: Course) -> CourseRevision:
    return CourseRevision.objects.get(course=course, status=RevisionStatus.DRAFT)


def course_in_review(**kwargs: object) -> Course:
    course = course_ready(**kwargs)  # type: ignore[arg-type]
    submission = services.revision_submit(revision=draft_of(course), actor=course.created_by)
    assert submission.passed, [result.reason for result in submission.results.all()]
    return Course.objects.get(pk=course.pk)


def course_live(*, by: User | None = None, **kwargs: object) -> Course:
    """A course published through submission and a moderator's approval."""
    course = course_in_review(**kwargs)
    revision = CourseRevision.objects.get(course=course, status=RevisionStatus.IN_REVIEW)
    services.review_approve(revision=revision, moderator=by or moderator())
    return Course.objects.get(pk=course.pk)
