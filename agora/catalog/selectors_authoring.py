"""Reads of the authoring pages and their API: a course's latest revision (the draft, the one in
review, or else the last approved or rejected one) and its content, in a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from agora.catalog.models import (
    Course,
    CourseMember,
    CourseRevision,
    Lecture,
    LectureKind,
    Module,
    Option,
    Question,
    RevisionStatus,
    Skill,
)
from agora.catalog.selectors import skills_by_area

# Editing is refused while a revision is in review; any other latest revision is edited in (or as)
# the course's draft.
LOCKED_STATUSES = (RevisionStatus.IN_REVIEW,)


def revision_latest(course: Course) -> CourseRevision:
    """The revision the team works on and previews (revisions are numbered; the open one is the last)."""
    return CourseRevision.objects.select_related("category").filter(course=course).order_by("-number")[:1].get()


def revisions_latest_by_course(course_ids: list[int]) -> dict[int, CourseRevision]:
    """Each course's latest revision, in one query."""
    revisions = (
        CourseRevision.objects.filter(course_id__in=course_ids).order_by("course_id", "-number").distinct("course_id")
    )
    return {revision.course_id: revision for revision in revisions}


def revision_is_editable(revision: CourseRevision) -> bool:
    return revision.status not in LOCKED_STATUSES


def curriculum_list(revision: CourseRevision) -> list[Module]:
    """Modules with their lectures (without their long texts), each module's length as it stands (in
    its unsaved `duration_seconds`) and, on each lecture, whether it is the very first (`at_start`) or
    last (`at_end`) of the course: one step up or down moves a lecture across modules. Two queries."""
    lectures = Lecture.objects.defer("text", "assignment_instructions").order_by("position")
    modules = list(revision.modules.order_by("position").prefetch_related(Prefetch("lectures", lectures)))
    every_lecture = [lecture for module in modules for lecture in module.lectures.all()]
    for lecture in every_lecture:
        lecture.at_start = lecture is every_lecture[0]  # type: ignore[attr-defined]
        lecture.at_end = lecture is every_lecture[-1]  # type: ignore[attr-defined]
    for module in modules:  # a draft's stored figures are only refreshed when it is approved
        module.duration_seconds = sum(lecture.duration_seconds for lecture in module.lectures.all())
    return modules


def lecture_counterpart(revision: CourseRevision, lecture: Lecture) -> Lecture | None:
    """The lecture with the same key in `revision` (a lecture keeps its key from copy to copy)."""
    return Lecture.objects.filter(module__revision=revision, key=lecture.key).first()


def lecture_content_load(lecture: Lecture) -> None:
    """A lecture's resources, and a quiz's questions with their options: one query, or three for a quiz."""
    lecture.resource_list = list(lecture.resources.order_by("position", "id"))  # type: ignore[attr-defined]
    questions: QuerySet[Question] | list[Question] = []
    if lecture.kind == LectureKind.QUIZ:
        options = Prefetch("options", Option.objects.order_by("position", "id"))
        questions = lecture.questions.order_by("position").prefetch_related(options)
    lecture.question_list = list(questions)  # type: ignore[attr-defined]


def team_list(course: Course) -> list[CourseMember]:
    return list(CourseMember.objects.filter(course=course).select_related("user").order_by("position", "id"))


def revision_preview_load(revision: CourseRevision) -> list[Module]:
    """What the course page shows, for any revision: its skills with their areas and curriculum (three
    queries)."""
    revision.skill_list = list(skills_by_area(revision.skills.all()))  # type: ignore[attr-defined]
    return curriculum_list(revision)


def skill_choices() -> list[Skill]:
    return list(skills_by_area())
