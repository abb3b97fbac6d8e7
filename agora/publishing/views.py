"""The studio (a course team's "My courses" and course overview, with submit and withdraw) and the
moderators' pages (queue, review page with approve and reject, finding a course to block or unblock).

Studio pages are the team's: any other course is not found. Moderator pages are for the moderator and
admin roles only; for everyone else they do not exist (404), as the other staff pages.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agora.accounts.models import User
from agora.catalog.models import Course, CourseRevision, CourseStatus, RevisionStatus
from agora.core.errors import ServiceError
from agora.core.forms import form_add_service_error
from agora.publishing import access, selectors, services
from agora.publishing.forms import CourseSearchForm, ReasonForm

STUDIO_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 25
COURSES_PAGE_SIZE = 25


# The studio ------------------------------------------------------------------------------------------


@login_required
@require_GET
def studio(request: HttpRequest) -> HttpResponse:
    courses = selectors.course_list_for_studio(request.user)  # type: ignore[arg-type]
    page = Paginator(courses, STUDIO_PAGE_SIZE).get_page(request.GET.get("page"))
    for course in page:  # the newest revision's cover, which the course shows only once approved
        course.latest_cover_url = default_storage.url(course.latest_cover) if course.latest_cover else ""  # type: ignore[attr-defined]
    return render(request, "publishing/studio.html", {"page": page})


@login_required
@require_GET
def studio_course(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.access_course_for_team(request.user, course_id)
    revisions = selectors.revision_list_for_course(course)
    context = {
        "course": course,
        "revisions": revisions,
        "open_revision": next((r for r in revisions if r.status in _OPEN), None),
        "latest": revisions[0] if revisions else None,
        "rejection": _rejection_shown(revisions),
        "submission": selectors.submission_latest(course=course),
        "course_block": selectors.block_open_for_course(course) if course.status == CourseStatus.BLOCKED else None,
    }
    return render(request, "publishing/studio_course.html", context)


_OPEN = (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW)


def _rejection_shown(revisions: list[CourseRevision]) -> Any:
    """The decision to show on the course page: the rejection of the last reviewed revision, while the
    team works on its successor (a later submission or approval hides it)."""
    reviewed = next((revision for revision in revisions if revision.status != RevisionStatus.DRAFT), None)
    if reviewed is None or reviewed.status != RevisionStatus.REJECTED:
        return None
    return getattr(reviewed, "review_decision", None)


@login_required
@require_POST
def studio_course_submit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.access_course_for_team(request.user, course_id)
    draft = selectors.revision_open_for_course(course)
    if draft is None or draft.status != RevisionStatus.DRAFT:
        messages.error(request, _("There is no draft to submit."))
        return redirect("publishing:studio-course", course_id=course.pk)
    try:
        submission = services.revision_submit(revision=draft, actor=cast(User, request.user))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if submission.passed:
            messages.success(request, _("Submitted: every check passed and the moderators will review it."))
        else:
            messages.warning(request, _("Some checks failed. Fix what they say below, then submit again."))
    return redirect("publishing:studio-course", course_id=course.pk)


@login_required
@require_POST
def studio_course_withdraw(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.access_course_for_team(request.user, course_id)
    revision = selectors.revision_open_for_course(course)
    if revision is None or revision.status != RevisionStatus.IN_REVIEW:
        messages.error(request, _("Nothing of this course is in review."))
        return redirect("publishing:studio-course", course_id=course.pk)
    try:
        services.revision_withdraw(revision=revision, actor=cast(User, request.user))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn from review: it is a draft again."))
    return redirect("publishing:studio-course", course_id=course.pk)


# The moderators --------------------------------------------------------------------------------------


def moderators_only[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Moderators and admins only; everyone else finds nothing here."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.access_moderation(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return cast(V, wrapped)


@require_GET
@moderators_only
def moderation_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.revision_list_in_review(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publishing/moderation_queue.html", {"page": page})


@require_GET
@moderators_only
def moderation_revision(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = access.access_revision_for_review(request.user, selectors.revision_get_for_review(revision_id))
    return _review_render(request, revision, ReasonForm())


@require_POST
@moderators_only
def moderation_revision_approve(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = access.access_revision_for_review(request.user, selectors.revision_get_for_review(revision_id))
    try:
        services.review_approve(revision=revision, moderator=cast(User, request.user))
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("publishing:moderation-revision", revision_id=revision.pk)
    messages.success(request, _("“%(title)s” is approved and published.") % {"title": revision.title})
    return redirect("publishing:moderation-queue")


@require_POST
@moderators_only
def moderation_revision_reject(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = access.access_revision_for_review(request.user, selectors.revision_get_for_review(revision_id))
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.review_reject(
                revision=revision, moderator=cast(User, request.user), reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("“%(title)s” is rejected; the team is told why.") % {"title": revision.title})
            return redirect("publishing:moderation-queue")
    return _review_render(request, revision, form)


def _review_render(request: HttpRequest, revision: CourseRevision, reject_form: ReasonForm) -> HttpResponse:
    review = selectors.revision_review_load(revision)
    context = {
        "revision": revision,
        "course": revision.course,
        "content": review.content,
        "base": review.base,
        "diff": review.diff,
        "submission": review.submission,
        "history": review.history,
        "reject_form": reject_form,
        "can_decide": revision.status == RevisionStatus.IN_REVIEW,
    }
    return render(request, "publishing/moderation_revision.html", context)


def blockers_only[V: Callable[..., HttpResponseBase]](view: V) -> V:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.access_course_blocking(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return cast(V, wrapped)


@require_GET
@blockers_only
def moderation_courses(request: HttpRequest) -> HttpResponse:
    return _courses_render(request)


@require_POST
@blockers_only
def moderation_course_block(request: HttpRequest, course_id: int) -> HttpResponse:
    return _block_change(request, course_id, services.course_block, _("“%(title)s” is blocked."))


@require_POST
@blockers_only
def moderation_course_unblock(request: HttpRequest, course_id: int) -> HttpResponse:
    return _block_change(request, course_id, services.course_unblock, _("“%(title)s” is back in the catalog."))


def _block_change(request: HttpRequest, course_id: int, change: Callable[..., Course], done: str) -> HttpResponse:
    course = Course.objects.filter(pk=course_id, status__in=selectors.MODERATED_STATUSES).first()
    if course is None:
        raise Http404
    form = _reason_form(course, request.POST)
    if form.is_valid():
        try:
            change(course=course, moderator=cast(User, request.user), reason=form.cleaned_data["reason"])
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, done % {"title": course.title})
            return redirect(reverse("publishing:moderation-courses") + "?" + urlencode({"find": course.slug}))
    return _courses_render(request, refused=(course, form))


def _courses_render(request: HttpRequest, refused: tuple[Course, ReasonForm] | None = None) -> HttpResponse:
    """The list of courses, each with its block or unblock form; a refused form comes first, with its errors."""
    search = CourseSearchForm(request.GET)
    filters = search.filters()
    courses = selectors.course_list_for_moderation(**filters)
    page = Paginator(courses, COURSES_PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(course, _reason_form(course), _open_block(course)) for course in page]
    if refused is not None:
        course, form = refused
        others = [item for item in items if item[0].pk != course.pk]
        items = [(course, form, selectors.block_open_for_course(course)), *others]
    asked = {"find": filters.get("query", ""), "status": filters.get("status", "")}
    query = urlencode({name: value for name, value in asked.items() if value})
    context = {"page": page, "items": items, "search": search, "query": query}
    return render(request, "publishing/moderation_courses.html", context)


def _reason_form(course: Course, data: Any = None) -> ReasonForm:
    return ReasonForm(data, auto_id=f"id_course_{course.pk}_%s")


def _open_block(course: Course) -> Any:
    blocks = getattr(course, "open_blocks", [])
    return blocks[0] if blocks else None
