"""The latest revision as a learner would see it, for the team, moderators and admins."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from agora.catalog import access, selectors, selectors_authoring
from agora.catalog.markdown import markdown_render
from agora.catalog.models import Lecture
from agora.catalog.selectors_authoring import revision_latest


@login_required
@require_GET
def preview(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.access_course_for_preview(request.user, course_id)
    revision = revision_latest(course)
    context = {
        "course": course,
        "revision": revision,
        "modules": selectors_authoring.revision_preview_load(revision),
        "team": selectors_authoring.team_list(course),
        # Sanitised by nh3 in markdown_render: only a short list of tags and safe links survive.
        "description": mark_safe(selectors.revision_description_html(revision)),  # noqa: S308
    }
    return render(request, "catalog/studio/preview.html", context)


@login_required
@require_GET
def preview_lecture(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    course = access.access_course_for_preview(request.user, course_id)
    lecture = access.access_course_part(course, Lecture, lecture_id)
    revision = revision_latest(course)
    if lecture.module.revision_id != revision.pk:
        raise Http404
    selectors_authoring.lecture_content_load(lecture)
    context = {
        "course": course,
        "revision": revision,
        "lecture": lecture,
        # Sanitised by nh3 in markdown_render.
        "text": mark_safe(markdown_render(lecture.text)),  # noqa: S308
        "instructions": mark_safe(markdown_render(lecture.assignment_instructions)),  # noqa: S308
    }
    return render(request, "catalog/studio/preview_lecture.html", context)
