"""Who may see a course. Every view and API operation goes through these."""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.http import Http404

from agora.accounts.models import User
from agora.accounts.roles import ADMIN, MODERATOR
from agora.catalog import selectors
from agora.catalog.models import Course, CourseMember, CourseStatus, Lecture, Module, Question, Resource

# Apps above the catalog add who else may read a lecture's files: learning registers enrollment.
LECTURE_ACCESS_GRANTERS: list[Callable[[User, Lecture], bool]] = []
# How a part of a course reaches its revision (whose course it is); loaded with the part.
COURSE_PART_REVISION = {
    Module: "revision",
    Lecture: "module__revision",
    Question: "lecture__module__revision",
    Resource: "lecture__module__revision",
}


def access_course_for_view(course: Course | None) -> Course:
    """The public course page and its API: published courses only. Drafts, courses in review,
    rejected and blocked ones do not exist for anyone there (their team previews them in authoring)."""
    if course is None:
        raise Http404
    if course.status != CourseStatus.PUBLISHED:
        raise Http404
    return course


def access_course_for_wishlist(user: User, course_id: int) -> Course:
    """Anyone signed in may wish for a course they can see; a wishlist is always the user's own."""
    if not user.is_authenticated:
        raise Http404
    course = selectors.course_list_published().filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def access_lecture_media(user: User | AnonymousUser, lecture: Lecture) -> Lecture:
    """A lecture's files (media, resources): free previews of a published course's approved revision
    to anyone; everything else to its course team, moderators and admins, and whoever a registered
    granter lets in. Anyone else gets 404: the file does not exist for them. `lecture` comes with its
    module, revision and course loaded."""
    if _lecture_is_public_preview(lecture):
        return lecture
    if not user.is_authenticated:
        raise Http404
    if CourseMember.objects.filter(course_id=lecture.module.revision.course_id, user_id=user.pk).exists():
        return lecture
    if _reviews_courses(user):
        return lecture
    if any(granter(user, lecture) for granter in LECTURE_ACCESS_GRANTERS):
        return lecture
    raise Http404


def _lecture_is_public_preview(lecture: Lecture) -> bool:
    course = lecture.module.revision.course
    if not lecture.is_free_preview:
        return False
    if course.status != CourseStatus.PUBLISHED:
        return False
    return lecture.module.revision_id == course.published_revision_id


def access_course_for_edit(user: User | AnonymousUser, course_id: int) -> CourseMember:
    """The authoring pages and their API: the course's team only. Anyone else, staff included, is
    told the course does not exist. The member comes with its course; its `role` says whether it may
    change the team (services refuse co-authors there)."""
    if not user.is_authenticated:
        raise Http404
    member = CourseMember.objects.select_related("course").filter(course_id=course_id, user_id=user.pk).first()
    if member is None:
        raise Http404
    return member


def access_course_for_preview(user: User | AnonymousUser, course_id: int) -> Course:
    """A course's latest revision as a learner would see it, whatever its status: for its team, and
    for moderators and admins (the review page links here). Anyone else gets 404."""
    if not user.is_authenticated:
        raise Http404
    on_team = Exists(CourseMember.objects.filter(course_id=OuterRef("pk"), user_id=user.pk))
    course = Course.objects.annotate(on_team=on_team).filter(pk=course_id).first()
    if course is None:
        raise Http404
    if course.on_team:  # type: ignore[attr-defined]
        return course
    if _reviews_courses(user):
        return course
    raise Http404


def access_course_part[Part: (Module, Lecture, Question, Resource)](course: Course, model: type[Part], pk: int) -> Part:
    """A module, lecture, question or resource of any revision of `course` (with its revision loaded);
    one of another course is not found, so ids cannot reach across courses."""
    path = COURSE_PART_REVISION[model]
    part = model.objects.select_related(path).filter(**{f"{path}__course_id": course.pk}, pk=pk).first()
    if part is None:
        raise Http404
    return part


def _reviews_courses(user: User) -> bool:
    return user.is_superuser or user.groups.filter(name__in=[MODERATOR, ADMIN]).exists()
