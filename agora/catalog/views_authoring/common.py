"""What the authoring pages share: the frame's context, the acting user, the course's parts by id,
and how a plain form post reports its outcome."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.catalog import access
from agora.catalog.forms_authoring import MoveForm
from agora.catalog.models import CourseMember, CourseRevision, Lecture, MemberRole, Module, Question, Resource
from agora.catalog.selectors_authoring import revision_is_editable
from agora.core.errors import ServiceError


def studio_context(member: CourseMember, revision: CourseRevision, tab: str) -> dict[str, Any]:
    """What every studio page's frame shows: the course, the revision worked on and whether it can change."""
    return {
        "course": member.course,
        "member": member,
        "is_course_admin": member.role == MemberRole.ADMIN,
        "revision": revision,
        "editable": revision_is_editable(revision),
        "tab": tab,
    }


def actor_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def report(request: HttpRequest, action: Callable[[], object], *, done: str, form: Any = None) -> None:
    """Run a service for a plain form post and say how it went on the next page; a `form` that does
    not validate shows its first error instead."""
    if form is not None and not form.is_valid():
        messages.error(request, first_error(form))
        return
    try:
        action()
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)


def first_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check the form and try again.")


def position_asked(form: MoveForm, index: int, count: int) -> int:
    """The position a move form asks for: one step from `index`, or the position it names."""
    if not form.is_valid():
        raise ServiceError(first_error(form), code="invalid", field="position")
    direction = form.cleaned_data["direction"]
    if not direction:
        return form.cleaned_data["position"]
    position = index - 1 if direction == "up" else index + 1
    if not 0 <= position < count:
        raise ServiceError(_("It is already at that end."), code="position_invalid", field="position")
    return position


def course_part[Part: (Module, Lecture, Question, Resource)](member: CourseMember, model: type[Part], pk: int) -> Part:
    return access.access_course_part(member.course, model, pk)
