"""One lecture: its fields, its video or PDF, its resources and its quiz questions."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.catalog import access, selectors_authoring
from agora.catalog import services_authoring as authoring
from agora.catalog.forms_authoring import FileForm, LectureForm, MoveForm, QuestionForm, ResourceForm
from agora.catalog.models import CourseMember, CourseRevision, Lecture, LectureKind, Question, Resource
from agora.catalog.selectors_authoring import revision_latest
from agora.catalog.views_authoring.common import actor_of, course_part, position_asked, report, studio_context
from agora.core.errors import ServiceError
from agora.core.forms import form_add_service_error

MEDIA_ACCEPT: dict[str, str] = {LectureKind.VIDEO: "video/*", LectureKind.PDF: "application/pdf"}


@login_required
@require_http_methods(["GET", "POST"])
def lecture_edit(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    lecture = course_part(member, Lecture, lecture_id)
    revision = revision_latest(member.course)
    if request.method == "GET" and lecture.module.revision_id != revision.pk:
        return _lecture_redirect(revision, lecture)
    form = LectureForm(request.POST or None, lecture=lecture)
    if request.method == "POST" and form.is_valid():
        try:
            saved = authoring.lecture_update(lecture=lecture, actor=actor_of(request), data=form.changes())
        except ServiceError as error:
            form_add_service_error(form, error, field_map={"duration_seconds": "duration_minutes"})
        else:
            messages.success(request, _("The lecture is saved."))
            return redirect("catalog:studio-lecture", course_id, saved.pk)
    return _lecture_page(request, member, revision, lecture, form=form)


def _lecture_redirect(revision: CourseRevision, lecture: Lecture) -> HttpResponse:
    """An address of the lecture in an earlier revision leads to its copy in the latest one."""
    counterpart = selectors_authoring.lecture_counterpart(revision, lecture)
    if counterpart is None:
        raise Http404
    return redirect("catalog:studio-lecture", revision.course_id, counterpart.pk)


def question_prefix(question: Question | None) -> str:
    """Each question's form on the lecture page has its own field names (and ids)."""
    return f"question-{question.key}" if question is not None else "new-question"


def _lecture_page(
    request: HttpRequest,
    member: CourseMember,
    revision: CourseRevision,
    lecture: Lecture,
    *,
    form: LectureForm | None = None,
    sent: QuestionForm | None = None,
) -> HttpResponse:
    """The lecture editor; a question form that was `sent` and refused comes back in its place."""
    selectors_authoring.lecture_content_load(lecture)

    def question_form(question: Question | None) -> QuestionForm:
        prefix = question_prefix(question)
        return sent if sent is not None and sent.prefix == prefix else QuestionForm(question=question, prefix=prefix)

    accept = MEDIA_ACCEPT.get(lecture.kind)
    media_label = _("Video") if lecture.kind == LectureKind.VIDEO else _("PDF")
    context = {
        **studio_context(member, revision, "curriculum"),
        "lecture": lecture,
        "form": form or LectureForm(lecture=lecture),
        "media_form": FileForm(label=media_label, accept=accept, prefix="media") if accept else None,
        "resource_form": ResourceForm(prefix="resource"),
        "questions": [(question, question_form(question)) for question in lecture.question_list],  # type: ignore[attr-defined]
        "new_question_form": question_form(None),
    }
    return render(request, "catalog/studio/lecture.html", context)


def _lecture_done(request: HttpRequest, course_id: int, lecture: Lecture | None, anchor: str) -> HttpResponse:
    """Back to the lecture (its copy in the draft, when the action opened one)."""
    if lecture is None:
        return redirect("catalog:studio-course-curriculum", course_id)
    return redirect(reverse("catalog:studio-lecture", args=[course_id, lecture.pk]) + anchor)


def _lecture_now(member: CourseMember, lecture: Lecture) -> Lecture | None:
    return selectors_authoring.lecture_counterpart(revision_latest(member.course), lecture)


@login_required
@require_POST
def lecture_media(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    lecture = course_part(member, Lecture, lecture_id)
    form = FileForm(request.POST, request.FILES, label=_("File"), accept="", prefix="media")
    report(
        request,
        lambda: authoring.lecture_media_set(lecture=lecture, actor=actor_of(request), file=form.cleaned_data["file"]),
        done=_("The file is uploaded."),
        form=form,
    )
    return _lecture_done(request, course_id, _lecture_now(member, lecture), "#media")


@login_required
@require_POST
def resource_add(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    lecture = course_part(member, Lecture, lecture_id)
    form = ResourceForm(request.POST, request.FILES, prefix="resource")
    report(
        request,
        lambda: authoring.resource_add(
            lecture=lecture, actor=actor_of(request), file=form.cleaned_data["file"], title=form.cleaned_data["title"]
        ),
        done=_("The file is added to the lecture's resources."),
        form=form,
    )
    return _lecture_done(request, course_id, _lecture_now(member, lecture), "#resources")


@login_required
@require_POST
def resource_remove(request: HttpRequest, course_id: int, resource_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    resource = course_part(member, Resource, resource_id)
    report(
        request,
        lambda: authoring.resource_remove(resource=resource, actor=actor_of(request)),
        done=_("“%(title)s” is removed.") % {"title": resource.title},
    )
    return _lecture_done(request, course_id, _lecture_now(member, resource.lecture), "#resources")


@login_required
@require_POST
def question_add(request: HttpRequest, course_id: int, lecture_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    lecture = course_part(member, Lecture, lecture_id)
    return _question_save(
        request,
        member,
        lecture,
        None,
        lambda form: authoring.question_add(lecture=lecture, actor=actor_of(request), data=form.question_data()),
    )


@login_required
@require_POST
def question_update(request: HttpRequest, course_id: int, question_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    question = course_part(member, Question, question_id)
    return _question_save(
        request,
        member,
        question.lecture,
        question,
        lambda form: authoring.question_update(question=question, actor=actor_of(request), data=form.question_data()),
    )


def _question_save(
    request: HttpRequest,
    member: CourseMember,
    lecture: Lecture,
    question: Question | None,
    save: Callable[[QuestionForm], Question],
) -> HttpResponse:
    """Save a question; a refused one comes back in its place on the lecture page with the reason."""
    form = QuestionForm(request.POST, question=question, prefix=question_prefix(question))
    if form.is_valid():
        try:
            saved = save(form)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("The question is saved."))
            return redirect(
                reverse("catalog:studio-lecture", args=[member.course_id, saved.lecture_id]) + f"#question-{saved.key}"
            )
    revision = revision_latest(member.course)
    if lecture.module.revision_id != revision.pk:  # the revision changed meanwhile: start again from its copy
        return _lecture_redirect(revision, lecture)
    return _lecture_page(request, member, revision, lecture, sent=form)


@login_required
@require_POST
def question_delete(request: HttpRequest, course_id: int, question_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    question = course_part(member, Question, question_id)
    report(
        request,
        lambda: authoring.question_delete(question=question, actor=actor_of(request)),
        done=_("The question is deleted."),
    )
    return _lecture_done(request, course_id, _lecture_now(member, question.lecture), "#questions")


@login_required
@require_POST
def question_move(request: HttpRequest, course_id: int, question_id: int) -> HttpResponse:
    member = access.access_course_for_edit(request.user, course_id)
    question = course_part(member, Question, question_id)
    form = MoveForm(request.POST)

    def move() -> object:
        siblings = list(Question.objects.filter(lecture_id=question.lecture_id).values_list("pk", flat=True))
        position = position_asked(form, siblings.index(question.pk), len(siblings))
        return authoring.question_move(question=question, actor=actor_of(request), position=position)

    report(request, move, done=_("The question is moved."))
    return _lecture_done(request, course_id, _lecture_now(member, question.lecture), f"#question-{question.key}")
