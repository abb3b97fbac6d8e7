"""Modules, lectures, their media and resources in the course's draft. Positions count from 0 in
their parent; a move rewrites the positions of its parent(s) in one transaction."""

from typing import Any, TypedDict

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.catalog.models import Course, Lecture, LectureKind, Module, Resource, SubmissionKind
from agora.catalog.services import text_duration_estimate
from agora.catalog.services_authoring.drafts import (
    course_of,
    draft_for,
    files_release,
    lecture_in,
    member_get,
    module_in,
    position_insert,
    positions_write,
    resource_in,
    text_clean,
)
from agora.catalog.uploads import UploadKind, lecture_folder, resource_folder, upload_check, upload_store
from agora.core.audit import audit_record
from agora.core.errors import ServiceError

TITLE_MAX_LENGTH = 200
DURATION_MAX = 24 * 3600
MEDIA_KINDS: dict[str, UploadKind] = {LectureKind.VIDEO: UploadKind.VIDEO, LectureKind.PDF: UploadKind.PDF}
# Lengths the author estimates; a video's comes from the file and a text's from its words.
ESTIMATED_KINDS = {LectureKind.PDF, LectureKind.QUIZ, LectureKind.ASSIGNMENT}


class LectureChanges(TypedDict, total=False):
    """What lecture_update accepts; which fields apply depends on the lecture's kind (LECTURE_FIELDS)."""

    title: str
    is_free_preview: bool
    text: str  # text lectures: Markdown; the length follows from the words
    duration_seconds: int  # pdf, quiz, assignment: the author's estimate
    pass_mark_percent: int | None  # quizzes
    assignment_instructions: str  # assignments
    submission_kind: str  # assignments: text, file or link


COMMON_FIELDS = {"title", "is_free_preview"}
LECTURE_FIELDS: dict[str, set[str]] = {
    LectureKind.VIDEO: COMMON_FIELDS,
    LectureKind.TEXT: COMMON_FIELDS | {"text"},
    LectureKind.PDF: COMMON_FIELDS | {"duration_seconds"},
    LectureKind.QUIZ: COMMON_FIELDS | {"duration_seconds", "pass_mark_percent"},
    LectureKind.ASSIGNMENT: COMMON_FIELDS | {"duration_seconds", "assignment_instructions", "submission_kind"},
}


def module_add(*, course: Course, actor: User, title: str) -> Module:
    """A new module at the end of the curriculum."""
    title = text_clean(title, field="title", max_length=TITLE_MAX_LENGTH)
    with transaction.atomic():
        draft = draft_for(course, actor)
        last = Module.objects.filter(revision=draft).aggregate(last=Max("position"))["last"]
        module = Module.objects.create(revision=draft, title=title, position=0 if last is None else last + 1)
        audit_record(actor=actor, action="catalog.module_added", target=course, revision=draft.number, title=title)
    return module


def module_rename(*, module: Module, actor: User, title: str) -> Module:
    title = text_clean(title, field="title", max_length=TITLE_MAX_LENGTH)
    with transaction.atomic():
        module = module_in(draft_for(course_of(module), actor), module)
        module.title = title
        module.save(update_fields=["title"])
    return module


def module_delete(*, module: Module, actor: User) -> None:
    """Delete a module with its lectures; the modules after it move up."""
    course = course_of(module)
    with transaction.atomic():
        draft = draft_for(course, actor)
        module = module_in(draft, module)
        files = [*Lecture.objects.filter(module=module).values_list("media", flat=True)]
        files += Resource.objects.filter(lecture__module=module).values_list("file", flat=True)
        module.delete()
        positions_write(list(Module.objects.filter(revision=draft)))
        files_release(files)
        audit_record(
            actor=actor, action="catalog.module_deleted", target=course, revision=draft.number, key=str(module.key)
        )


def module_move(*, module: Module, actor: User, position: int) -> Module:
    """Put a module at `position` (0 is the first) and the others in order around it."""
    with transaction.atomic():
        draft = draft_for(course_of(module), actor)
        module = module_in(draft, module)
        positions_write(position_insert(list(Module.objects.filter(revision=draft)), module, position))
    return module


def lecture_add(*, module: Module, actor: User, title: str, kind: str) -> Lecture:
    """A new lecture of `kind` at the end of `module`."""
    title = text_clean(title, field="title", max_length=TITLE_MAX_LENGTH)
    if kind not in LectureKind.values:
        raise ServiceError(_("Choose one of the offered kinds."), code="invalid_choice", field="kind")
    course = course_of(module)
    with transaction.atomic():
        draft = draft_for(course, actor)
        module = module_in(draft, module)
        last = Lecture.objects.filter(module=module).aggregate(last=Max("position"))["last"]
        lecture = Lecture.objects.create(
            module=module,
            title=title,
            kind=kind,
            position=0 if last is None else last + 1,
            submission_kind=SubmissionKind.TEXT if kind == LectureKind.ASSIGNMENT else "",
        )
        audit_record(
            actor=actor, action="catalog.lecture_added", target=course, revision=draft.number, key=str(lecture.key)
        )
    return lecture


def lecture_update(*, lecture: Lecture, actor: User, data: LectureChanges) -> Lecture:
    """Change a lecture's fields; only those of its kind (LECTURE_FIELDS) are accepted."""
    with transaction.atomic():
        lecture = lecture_in(draft_for(course_of(lecture), actor), lecture)
        foreign = set(data) - LECTURE_FIELDS[lecture.kind]
        if foreign:
            message = _("A lecture of this kind has no %s.") % ", ".join(sorted(foreign))
            raise ServiceError(message, code="field_not_for_kind", field=sorted(foreign)[0])
        changes = {name: _lecture_value(name, value) for name, value in data.items()}
        if "text" in changes:
            changes["duration_seconds"] = text_duration_estimate(changes["text"])
        for name, value in changes.items():
            setattr(lecture, name, value)
        lecture.save(update_fields=list(changes))
    return lecture


def _lecture_value(name: str, value: Any) -> Any:
    if name == "title":
        return text_clean(value, field=name, max_length=TITLE_MAX_LENGTH)
    if name in ("text", "assignment_instructions"):
        return text_clean(value, field=name, max_length=200_000 if name == "text" else 20_000, required=False)
    if name == "submission_kind" and value not in SubmissionKind.values:
        raise ServiceError(_("Choose one of the offered kinds."), code="invalid_choice", field=name)
    if name == "pass_mark_percent" and value is not None and not 0 <= value <= 100:
        raise ServiceError(_("A pass mark is from 0 to 100 %."), code="out_of_range", field=name)
    if name == "duration_seconds" and not 0 <= value <= DURATION_MAX:
        raise ServiceError(_("A lecture lasts at most 24 hours."), code="out_of_range", field=name)
    if name == "is_free_preview":
        return bool(value)
    return value


def lecture_delete(*, lecture: Lecture, actor: User) -> None:
    """Delete a lecture (its questions and resources with it); the lectures after it move up."""
    course = course_of(lecture)
    with transaction.atomic():
        draft = draft_for(course, actor)
        lecture = lecture_in(draft, lecture)
        files = [lecture.media.name, *lecture.resources.values_list("file", flat=True)]
        lecture.delete()
        positions_write(list(Lecture.objects.filter(module_id=lecture.module_id)))
        files_release(files)
        audit_record(
            actor=actor, action="catalog.lecture_deleted", target=course, revision=draft.number, key=str(lecture.key)
        )


def lecture_move(*, lecture: Lecture, actor: User, position: int, module: Module | None = None) -> Lecture:
    """Put a lecture at `position` of `module` (its own module when not given), closing the gap it
    leaves behind. The lecture keeps its key, so learners' progress stays with it."""
    with transaction.atomic():
        draft = draft_for(course_of(lecture), actor)
        lecture = lecture_in(draft, lecture)
        target = lecture.module if module is None else module_in(draft, module)
        if target.pk != lecture.module_id:
            source_id = lecture.module_id
            lecture.module = target
            lecture.save(update_fields=["module"])
            positions_write(list(Lecture.objects.filter(module_id=source_id)))
        positions_write(position_insert(list(Lecture.objects.filter(module=target)), lecture, position))
    return lecture


def lecture_media_set(*, lecture: Lecture, actor: User, file: UploadedFile) -> Lecture:
    """The video or PDF of a lecture, checked by its content first (outside the course's lock); a
    video's length becomes the lecture's."""
    course = course_of(lecture)
    member_get(course.pk, actor)
    upload_kind = MEDIA_KINDS.get(lecture.kind)
    if upload_kind is None:
        raise ServiceError(_("Only video and PDF lectures have a file."), code="media_not_for_kind", field="file")
    checked = upload_check(file, upload_kind)
    with transaction.atomic():
        draft = draft_for(course, actor)
        lecture = lecture_in(draft, lecture)
        previous = lecture.media.name
        lecture.media.name = upload_store(checked, folder=lecture_folder(course.pk))
        if upload_kind == UploadKind.VIDEO:
            lecture.duration_seconds = checked.duration_seconds
        lecture.save(update_fields=["media", "duration_seconds"])
        files_release([previous])
        audit_record(
            actor=actor, action="catalog.lecture_media_set", target=course, revision=draft.number, key=str(lecture.key)
        )
    return lecture


def resource_add(*, lecture: Lecture, actor: User, file: UploadedFile, title: str = "") -> Resource:
    """A downloadable file at the end of a lecture's resources; its title is the file's name unless given."""
    course = course_of(lecture)
    member_get(course.pk, actor)
    checked = upload_check(file, UploadKind.RESOURCE)
    title = text_clean(title, field="title", max_length=TITLE_MAX_LENGTH, required=False) or checked.original_name
    with transaction.atomic():
        draft = draft_for(course, actor)
        lecture = lecture_in(draft, lecture)
        last = Resource.objects.filter(lecture=lecture).aggregate(last=Max("position"))["last"]
        resource = Resource.objects.create(
            lecture=lecture,
            title=title[:TITLE_MAX_LENGTH],
            file=upload_store(checked, folder=resource_folder(course.pk)),
            position=0 if last is None else last + 1,
        )
        audit_record(
            actor=actor, action="catalog.resource_added", target=course, revision=draft.number, key=str(resource.key)
        )
    return resource


def resource_remove(*, resource: Resource, actor: User) -> None:
    course = course_of(resource)
    with transaction.atomic():
        draft = draft_for(course, actor)
        resource = resource_in(draft, resource)
        resource.delete()
        files_release([resource.file.name])
        audit_record(
            actor=actor, action="catalog.resource_removed", target=course, revision=draft.number, key=str(resource.key)
        )
