"""Starting a course, and the draft's own fields and cover."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.catalog import access, selectors_authoring, services
from agora.catalog import services_authoring as authoring
from agora.catalog.forms_authoring import CourseCreateForm, CourseDetailsForm, FileForm
from agora.catalog.models import Category
from agora.catalog.selectors_authoring import revision_latest
from agora.catalog.views_authoring.common import actor_of, report, studio_context
from agora.core.errors import ServiceError
from agora.core.forms import form_add_service_error

IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"


@login_required
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    form = CourseCreateForm(request.POST or None, categories=list(Category.objects.all()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.course_create(
                actor=actor_of(request),
                title=data["title"],
                kind=data["kind"],
                category=form.chosen_category(),
                language=data["language"],
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Your course is created. Tell learners what it is about."))
            return redirect("catalog:studio-course-edit", course.pk)
    return render(request, "catalog/studio/course_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    revision = revision_latest(member.course)
    form = CourseDetailsForm(
        request.POST or None,
        revision=revision,
        categories=list(Category.objects.all()),
        skills=selectors_authoring.skill_choices(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            authoring.revision_details_update(course=member.course, actor=actor_of(request), data=form.details())
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("The course details are saved."))
            return redirect("catalog:studio-course-edit", course_id)
    context = {
        **studio_context(member, revision, "details"),
        "form": form,
        "cover_form": FileForm(label=_("Cover image"), accept=IMAGE_TYPES, prefix="cover"),
    }
    return render(request, "catalog/studio/course_edit.html", context)


@login_required
@require_POST
def cover_upload(request: HttpRequest, course_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    form = FileForm(request.POST, request.FILES, label=_("Cover image"), accept=IMAGE_TYPES, prefix="cover")
    report(
        request,
        lambda: authoring.revision_cover_set(
            course=member.course, actor=actor_of(request), file=form.cleaned_data["file"]
        ),
        done=_("The cover is saved."),
        form=form,
    )
    return redirect(reverse("catalog:studio-course-edit", args=[course_id]) + "#cover")


@login_required
@require_POST
def cover_remove(request: HttpRequest, course_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    report(
        request,
        lambda: authoring.revision_cover_remove(course=member.course, actor=actor_of(request)),
        done=_("The cover is removed."),
    )
    return redirect(reverse("catalog:studio-course-edit", args=[course_id]) + "#cover")
