"""Quiz questions of a quiz lecture in the course's draft, with their options: for single and multiple
choice the answers to pick from (one, or at least one, correct); for short text the accepted answers."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.catalog.models import Lecture, LectureKind, Option, Question, QuestionKind
from agora.catalog.services_authoring.drafts import (
    course_of,
    draft_for,
    lecture_in,
    position_insert,
    positions_write,
    question_in,
    text_clean,
)
from agora.core.audit import audit_record
from agora.core.errors import ServiceError

OPTIONS_MAX = 10
OPTION_MAX_LENGTH = 500
TEXT_MAX_LENGTH = 5000


@dataclass(frozen=True)
class OptionData:
    text: str
    is_correct: bool = False  # ignored for short-text questions: every answer given is accepted


@dataclass(frozen=True)
class QuestionData:
    kind: str
    text: str
    options: Sequence[OptionData]
    explanation: str = ""  # shown after answering


def question_add(*, lecture: Lecture, actor: User, data: QuestionData) -> Question:
    """A new question at the end of a quiz."""
    options = _options_clean(data)
    course = course_of(lecture)
    with transaction.atomic():
        draft = draft_for(course, actor)
        lecture = lecture_in(draft, lecture)
        if lecture.kind != LectureKind.QUIZ:
            raise ServiceError(_("Only quizzes have questions."), code="questions_only_in_quizzes")
        last = Question.objects.filter(lecture=lecture).aggregate(last=Max("position"))["last"]
        question = Question(lecture=lecture, position=0 if last is None else last + 1)
        _question_write(question, data, options)
        audit_record(
            actor=actor, action="catalog.question_added", target=course, revision=draft.number, key=str(question.key)
        )
    return question


def question_update(*, question: Question, actor: User, data: QuestionData) -> Question:
    """Rewrite a question: kind, text, explanation and the whole list of options."""
    options = _options_clean(data)
    with transaction.atomic():
        question = question_in(draft_for(course_of(question), actor), question)
        question.options.all().delete()
        _question_write(question, data, options)
    return question


def question_delete(*, question: Question, actor: User) -> None:
    course = course_of(question)
    with transaction.atomic():
        draft = draft_for(course, actor)
        question = question_in(draft, question)
        question.delete()
        positions_write(list(Question.objects.filter(lecture_id=question.lecture_id)))
        audit_record(
            actor=actor, action="catalog.question_deleted", target=course, revision=draft.number, key=str(question.key)
        )


def question_move(*, question: Question, actor: User, position: int) -> Question:
    with transaction.atomic():
        question = question_in(draft_for(course_of(question), actor), question)
        positions_write(
            position_insert(list(Question.objects.filter(lecture_id=question.lecture_id)), question, position)
        )
    return question


def _question_write(question: Question, data: QuestionData, options: list[OptionData]) -> None:
    question.kind = data.kind
    question.text = text_clean(data.text, field="text", max_length=TEXT_MAX_LENGTH)
    question.explanation = text_clean(data.explanation, field="explanation", max_length=TEXT_MAX_LENGTH, required=False)
    question.save()
    Option.objects.bulk_create(
        Option(question=question, text=option.text, is_correct=option.is_correct, position=position)
        for position, option in enumerate(options)
    )


def _options_clean(data: QuestionData) -> list[OptionData]:
    """The options as stored, or a refusal saying what a question of this kind needs."""
    if data.kind not in QuestionKind.values:
        raise ServiceError(_("Choose one of the offered kinds."), code="invalid_choice", field="kind")
    short_text = data.kind == QuestionKind.SHORT_TEXT
    options = []
    for option in data.options:
        text = text_clean(option.text, field="options", max_length=OPTION_MAX_LENGTH, required=False)
        if text:
            options.append(OptionData(text=text, is_correct=short_text or option.is_correct))
    if len({option.text.casefold() for option in options}) != len(options):
        raise ServiceError(_("Each answer can be given once."), code="options_duplicate", field="options")
    if len(options) > OPTIONS_MAX:
        message = _("At most %(count)s answers.") % {"count": OPTIONS_MAX}
        raise ServiceError(message, code="options_too_many", field="options")
    _options_rule_check(data.kind, options)
    return options


def _options_rule_check(kind: str, options: list[OptionData]) -> None:
    correct = sum(option.is_correct for option in options)
    if kind == QuestionKind.SHORT_TEXT and not options:
        raise ServiceError(_("Give at least one accepted answer."), code="answers_missing", field="options")
    if kind != QuestionKind.SHORT_TEXT and len(options) < 2:
        raise ServiceError(_("Give at least two answers to choose from."), code="options_too_few", field="options")
    if kind == QuestionKind.SINGLE and correct != 1:
        raise ServiceError(_("Mark exactly one answer as correct."), code="correct_not_one", field="options")
    if kind == QuestionKind.MULTIPLE and correct < 1:
        raise ServiceError(_("Mark at least one answer as correct."), code="correct_missing", field="options")
