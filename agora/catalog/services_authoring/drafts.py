"""Every edit goes to the course's draft revision, by the course team only. An edit may name a module,
lecture, question or resource of the latest revision even when that one is approved or rejected: the
draft is opened (copied, keys kept) and the edit lands on the copy with the same key."""

from collections.abc import Iterable, Sequence
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.catalog import services
from agora.catalog.models import (
    Course,
    CourseMember,
    CourseRevision,
    Lecture,
    MemberRole,
    Module,
    Question,
    Resource,
)
from agora.core.errors import NotFound, PermissionDenied, ServiceError


def revision_for_edit(*, course: Course, actor: User) -> CourseRevision:
    """The course's draft to edit: the open draft, or a new one copied (keys kept) from the latest
    revision, approved or rejected. Only for the course team; refused while a revision is in review."""
    with transaction.atomic():
        return draft_for(course, actor)


def member_get(course_id: int, actor: User) -> CourseMember:
    """The actor's place on the course's team. Anyone else is told there is no such course."""
    member = None
    if actor.is_authenticated:
        member = CourseMember.objects.filter(course_id=course_id, user_id=actor.pk).first()
    if member is None:
        raise NotFound(_("No such course."), code="not_found")
    return member


def admin_check(course_id: int, actor: User) -> CourseMember:
    member = member_get(course_id, actor)
    if member.role != MemberRole.ADMIN:
        raise PermissionDenied(_("Only a course admin can change the team."), code="course_admin_only")
    return member


def draft_for(course: Course, actor: User) -> CourseRevision:
    """Inside the caller's transaction: check the actor is on the team and open the draft. The course
    row stays locked until the transaction ends, so edits of one course never interleave."""
    member_get(course.pk, actor)
    return services.revision_draft_open(course=course, actor=actor)


def module_in(draft: CourseRevision, module: Module) -> Module:
    found = Module.objects.filter(revision=draft, key=module.key).first()
    if found is None:
        raise NotFound(_("This module is no longer in the course."), code="not_found")
    return found


def lecture_in(draft: CourseRevision, lecture: Lecture) -> Lecture:
    found = Lecture.objects.select_related("module").filter(module__revision=draft, key=lecture.key).first()
    if found is None:
        raise NotFound(_("This lecture is no longer in the course."), code="not_found")
    return found


def question_in(draft: CourseRevision, question: Question) -> Question:
    found = (
        Question.objects.select_related("lecture")
        .filter(lecture__module__revision=draft, lecture__key=question.lecture.key, key=question.key)
        .first()
    )
    if found is None:
        raise NotFound(_("This question is no longer in the quiz."), code="not_found")
    return found


def resource_in(draft: CourseRevision, resource: Resource) -> Resource:
    found = Resource.objects.filter(lecture__module__revision=draft, key=resource.key).first()
    if found is None:
        raise NotFound(_("This file is no longer in the lecture."), code="not_found")
    return found


def course_of(item: Module | Lecture | Question | Resource) -> Course:
    """The course an item of any of its revisions belongs to, in one query."""
    if isinstance(item, Module):
        return Course.objects.get(revisions=item.revision_id)
    lecture_id = item.pk if isinstance(item, Lecture) else item.lecture_id
    return Course.objects.get(revisions__modules__lectures=lecture_id)


def text_clean(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise ServiceError(_("This field is required."), code="required", field=field)
    if len(text) > max_length:
        message = _("At most %(count)s characters.") % {"count": max_length}
        raise ServiceError(message, code="too_long", field=field)
    return text


def position_insert[T: (Module, Lecture, Question)](items: Sequence[T], item: T, position: int) -> list[T]:
    """`items` in their order with `item` (taken out of them if there) put at index `position`."""
    rest = [other for other in items if other.pk != item.pk]
    if not 0 <= position <= len(rest):
        raise ServiceError(_("There is no such position."), code="position_invalid", field="position")
    rest.insert(position, item)
    return rest


def positions_write[T: (Module, Lecture, Question)](items: Sequence[T]) -> None:
    """Number `items` 0, 1, 2… in their order, in one statement; the unique position constraints are
    deferred to the commit, so positions may swap."""
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["position"])


def files_release(names: Iterable[str | None]) -> None:
    """Delete stored files that no revision names any more, once the transaction that dropped them
    commits (a file is shared by name between revisions: the approved one may still show it)."""
    unique = {name for name in names if name}
    if unique:
        transaction.on_commit(partial(_files_delete_unused, unique))


def _files_delete_unused(names: set[str]) -> None:
    used = {
        *Lecture.objects.filter(media__in=names).values_list("media", flat=True),
        *Resource.objects.filter(file__in=names).values_list("file", flat=True),
        *CourseRevision.objects.filter(cover__in=names).values_list("cover", flat=True),
        *Course.objects.filter(cover__in=names).values_list("cover", flat=True),
    }
    for name in names - used:
        default_storage.delete(name)
