"""The curriculum editor: modules and lectures added, renamed, deleted and reordered. Each action
answers htmx with the curriculum in place (the outcome announced); a plain post is redirected back."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agora.catalog import access, selectors_authoring
from agora.catalog import services_authoring as authoring
from agora.catalog.forms_authoring import MoveForm
from agora.catalog.models import CourseMember, Lecture, LectureKind, Module
from agora.catalog.selectors_authoring import revision_latest
from agora.catalog.views_authoring.common import actor_of, course_part, first_error, position_asked, studio_context
from agora.core.errors import ServiceError

CURRICULUM_TEMPLATE = "catalog/studio/curriculum.html"


@login_required
@require_GET
def curriculum(request: HttpRequest, course_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    return _curriculum_page(request, member)


def _curriculum_page(request: HttpRequest, member: CourseMember, *, status: str = "") -> HttpResponse:
    revision = revision_latest(member.course)
    context = {
        **studio_context(member, revision, "curriculum"),
        "modules": selectors_authoring.curriculum_list(revision),
        "lecture_kinds": LectureKind.choices,
        "status": status,
    }
    template = CURRICULUM_TEMPLATE + ("#curriculum" if getattr(request, "htmx", False) else "")
    return render(request, template, context)


def _curriculum_answer(
    request: HttpRequest, member: CourseMember, action: Callable[[], object], done: str, anchor: str = ""
) -> HttpResponse:
    """Run a curriculum action: htmx gets the curriculum in place with the outcome announced; a
    plain post goes back to the curriculum (at `anchor`) with the outcome as a message."""
    try:
        action()
    except ServiceError as error:
        outcome, failed = error.message, True
    else:
        outcome, failed = done, False
    if getattr(request, "htmx", False):
        return _curriculum_page(request, member, status=outcome)
    (messages.error if failed else messages.success)(request, outcome)
    return redirect(reverse("catalog:studio-course-curriculum", args=[member.course_id]) + anchor)


@login_required
@require_POST
def module_add(request: HttpRequest, course_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    title = request.POST.get("title", "")
    return _curriculum_answer(
        request,
        member,
        lambda: authoring.module_add(course=member.course, actor=actor_of(request), title=title),
        _("Module “%(title)s” is added.") % {"title": title.strip()},
    )


@login_required
@require_POST
def module_rename(request: HttpRequest, course_id: int, module_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    module = course_part(member, Module, module_id)
    title = request.POST.get("title", "")
    return _curriculum_answer(
        request,
        member,
        lambda: authoring.module_rename(module=module, actor=actor_of(request), title=title),
        _("The module is renamed “%(title)s”.") % {"title": title.strip()},
        anchor=f"#module-{module.key}",
    )


@login_required
@require_POST
def module_delete(request: HttpRequest, course_id: int, module_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    module = course_part(member, Module, module_id)
    return _curriculum_answer(
        request,
        member,
        lambda: authoring.module_delete(module=module, actor=actor_of(request)),
        _("Module “%(title)s” is deleted.") % {"title": module.title},
    )


@login_required
@require_POST
def module_move(request: HttpRequest, course_id: int, module_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    module = course_part(member, Module, module_id)
    form = MoveForm(request.POST)

    def move() -> object:
        modules = list(module.revision.modules.order_by("position"))
        index = [other.pk for other in modules].index(module.pk)
        position = position_asked(form, index, len(modules))
        return authoring.module_move(module=module, actor=actor_of(request), position=position)

    done = _("Module “%(title)s” is moved.") % {"title": module.title}
    return _curriculum_answer(request, member, move, done, anchor=f"#module-{module.key}")


@login_required
@require_POST
def lecture_add(request: HttpRequest, course_id: int, module_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    module = course_part(member, Module, module_id)
    title, kind = request.POST.get("title", ""), request.POST.get("kind", "")
    return _curriculum_answer(
        request,
        member,
        lambda: authoring.lecture_add(module=module, actor=actor_of(request), title=title, kind=kind),
        _("Lecture “%(title)s” is added.") % {"title": title.strip()},
        anchor=f"#module-{module.key}",
    )


@login_required
@require_POST
def lecture_move(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    lecture = course_part(member, Lecture, lecture_id)
    form = MoveForm(request.POST)

    def move() -> object:
        module, position = _lecture_target(member, lecture, form)
        return authoring.lecture_move(lecture=lecture, actor=actor_of(request), module=module, position=position)

    done = _("Lecture “%(title)s” is moved.") % {"title": lecture.title}
    return _curriculum_answer(request, member, move, done, anchor=f"#lecture-{lecture.key}")


def _lecture_target(member: CourseMember, lecture: Lecture, form: MoveForm) -> tuple[Module, int]:
    """Where a lecture goes: one step up or down (past the end of its module into the next one's
    start, past the start into the previous one's end), or the module and position it names."""
    if not form.is_valid():
        raise ServiceError(first_error(form), code="invalid", field="position")
    if not form.cleaned_data["direction"]:
        module_id = form.cleaned_data["module"] or lecture.module_id
        return course_part(member, Module, module_id), form.cleaned_data["position"]
    modules = selectors_authoring.curriculum_list(lecture.module.revision)
    at = next(index for index, module in enumerate(modules) if module.pk == lecture.module_id)
    siblings = [other.pk for other in modules[at].lectures.all()]
    index = siblings.index(lecture.pk) + (-1 if form.cleaned_data["direction"] == "up" else 1)
    if 0 <= index < len(siblings):
        return modules[at], index
    neighbour = at - 1 if index < 0 else at + 1
    if not 0 <= neighbour < len(modules):
        raise ServiceError(_("It is already at that end."), code="position_invalid", field="position")
    return modules[neighbour], (len(modules[neighbour].lectures.all()) if index < 0 else 0)


@login_required
@require_POST
def lecture_delete(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    lecture = course_part(member, Lecture, lecture_id)
    return _curriculum_answer(
        request,
        member,
        lambda: authoring.lecture_delete(lecture=lecture, actor=actor_of(request)),
        _("Lecture “%(title)s” is deleted.") % {"title": lecture.title},
    )
