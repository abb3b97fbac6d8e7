"""The course team and its revenue shares: course admins change them, co-authors see them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.catalog import access, selectors_authoring
from agora.catalog import services_authoring as authoring
from agora.catalog.forms_authoring import MemberAddForm, TeamForm
from agora.catalog.models import CourseMember
from agora.catalog.selectors_authoring import revision_latest
from agora.catalog.views_authoring.common import actor_of, report, studio_context
from agora.core.errors import ServiceError
from agora.core.forms import form_add_service_error


@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, course_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    members = selectors_authoring.team_list(member.course)
    form = TeamForm(request.POST or None, team=members)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.course_team_update(course=member.course, actor=actor_of(request), members=form.members())
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("The team is saved."))
            return redirect("catalog:studio-course-team", course_id)
    context = {
        **studio_context(member, revision_latest(member.course), "team"),
        "team": members,
        "form": form,
        "add_form": MemberAddForm(),
    }
    return render(request, "catalog/studio/team.html", context)


@login_required
@require_POST
def team_add(request: HttpRequest, course_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    form = MemberAddForm(request.POST)
    report(
        request,
        lambda: authoring.course_member_add(
            course=member.course,
            actor=actor_of(request),
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        ),
        done=_("They are on the team now, with no share yet: give them one below."),
        form=form,
    )
    return redirect("catalog:studio-course-team", course_id)


@login_required
@require_POST
def team_remove(request: HttpRequest, course_id: int, user_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    report(
        request,
        lambda: authoring.course_member_remove(course=member.course, actor=actor_of(request), user_id=user_id),
        done=_("They are off the team."),
    )
    if user_id == request.user.pk and not CourseMember.objects.filter(course_id=course_id, user_id=user_id).exists():
        return redirect("publishing:studio")
    return redirect("catalog:studio-course-team", course_id)
