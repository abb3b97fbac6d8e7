"""What changed between two revisions of a course, matched by the stable keys of modules, lectures and
questions (decision 0005): a structured diff for the review page and the API, and a one-line
changelog ("v3: 2 lectures added, quiz “Basics” changed, price changed") stored on the revision.

Both revisions must be loaded with `selectors.revision_content_load` (their whole content is compared
in memory, so the diff costs the loading's fixed number of queries).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from babel.lists import format_list
from django.utils.translation import get_language, ngettext, to_locale
from django.utils.translation import gettext as _

from agora.catalog.models import CourseRevision, Lecture, LectureKind, Module, Question
from agora.core.templatetags.formatting import localdate, money

ADDED, REMOVED, CHANGED, MOVED = "added", "removed", "changed", "moved"
NAMED_AT_MOST = 3  # changed items named one by one in a changelog; more are counted
CHANGELOG_MAX_LENGTH = 5000
# Course fields compared, in the order the review page lists them.
COURSE_FIELDS = [
    "title", "subtitle", "category", "level", "language", "kind", "price", "discount_price", "discount_ends_at",
    "gives_certificate", "access_days", "cover", "description", "requirements", "learning_outcomes", "skills",
]  # fmt: skip
LECTURE_FIELDS = [
    "title", "kind", "text", "media", "duration_seconds", "is_free_preview", "pass_mark_percent",
    "assignment_instructions", "submission_kind",
]  # fmt: skip
QUESTION_FIELDS = ["kind", "text", "explanation"]


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    """A module, lecture or question (found by its key) that was added, removed, changed or moved.
    A changed item may have moved as well (`moved`)."""

    key: UUID
    change: str  # ADDED, REMOVED, CHANGED or MOVED
    title: str  # the new one (the old one for a removed item)
    parent: str = ""  # the module of a lecture, the quiz of a question
    kind: str = ""  # a lecture's kind
    fields: tuple[str, ...] = ()  # what changed, by label
    moved: bool = False


@dataclass
class RevisionDiff:
    old_number: int
    new_number: int
    fields: list[FieldChange] = field(default_factory=list)
    modules: list[ItemChange] = field(default_factory=list)
    lectures: list[ItemChange] = field(default_factory=list)
    questions: list[ItemChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.modules or self.lectures or self.questions)


def revision_diff(old: CourseRevision, new: CourseRevision) -> RevisionDiff:
    diff = RevisionDiff(old_number=old.number, new_number=new.number, fields=_field_changes(old, new))
    old_modules, new_modules = _modules(old), _modules(new)
    old_lectures, new_lectures = _lectures(old), _lectures(new)
    old_questions, new_questions = _questions(old), _questions(new)
    diff.questions = _item_changes(old_questions, new_questions, compare=_question_fields, title_of=_question_title)
    changed_quizzes = {_lecture_key_of(change.key, old_questions, new_questions) for change in diff.questions}
    diff.lectures = _item_changes(
        old_lectures,
        new_lectures,
        compare=lambda a, b: _lecture_fields(a, b, questions_changed=a.key in changed_quizzes),
        title_of=lambda lecture: lecture.title,
    )
    diff.modules = _item_changes(old_modules, new_modules, compare=_module_fields, title_of=lambda m: m.title)
    return diff


# Flattening a revision into keyed items, each knowing its parent's key and title --------------------


def _modules(revision: CourseRevision) -> dict[UUID, Module]:
    return {module.key: module for module in revision.modules.all()}


def _lectures(revision: CourseRevision) -> dict[UUID, Lecture]:
    lectures = {}
    for module in revision.modules.all():
        for lecture in module.lectures.all():
            lecture.parent_key, lecture.parent_title = module.key, module.title  # type: ignore[attr-defined]
            lectures[lecture.key] = lecture
    return lectures


def _questions(revision: CourseRevision) -> dict[UUID, Question]:
    questions = {}
    for lecture in _lectures(revision).values():
        for question in lecture.questions.all():
            question.parent_key, question.parent_title = lecture.key, lecture.title  # type: ignore[attr-defined]
            questions[question.key] = question
    return questions


def _lecture_key_of(question_key: UUID, old: dict[UUID, Question], new: dict[UUID, Question]) -> UUID:
    question = new.get(question_key) or old[question_key]
    return question.parent_key  # type: ignore[attr-defined,no-any-return]


def _question_title(question: Question) -> str:
    text = " ".join(question.text.split())
    return text if len(text) <= 80 else text[:79] + "…"


# Comparing -------------------------------------------------------------------------------------------


def _item_changes[T: Any](
    old: dict[UUID, T],
    new: dict[UUID, T],
    *,
    compare: Callable[[T, T], list[str]],
    title_of: Callable[[T], str],
) -> list[ItemChange]:
    """Added, removed, changed and moved items, in the new revision's order (removed ones last)."""
    moved = _moved_keys(old, new)
    changes = []
    for key, item in new.items():
        parent = getattr(item, "parent_title", "")
        kind = getattr(item, "kind", "") if isinstance(item, Lecture) else ""
        if key not in old:
            changes.append(ItemChange(key, ADDED, title_of(item), parent, kind))
            continue
        fields = tuple(compare(old[key], item))
        if fields or key in moved:
            change = CHANGED if fields else MOVED
            changes.append(ItemChange(key, change, title_of(item), parent, kind, fields, moved=key in moved))
    for key, item in old.items():
        if key not in new:
            kind = getattr(item, "kind", "") if isinstance(item, Lecture) else ""
            changes.append(ItemChange(key, REMOVED, title_of(item), getattr(item, "parent_title", ""), kind))
    return changes


def _moved_keys(old: dict[UUID, Any], new: dict[UUID, Any]) -> set[UUID]:
    """Items kept in both that went to another parent, or that changed places among their siblings
    (those outside the longest run kept in order, so one insertion does not "move" everything after it)."""
    moved = set()
    parents = {getattr(item, "parent_key", None) for item in new.values()}
    for parent in parents:
        new_order = [key for key, item in new.items() if getattr(item, "parent_key", None) == parent and key in old]
        old_order = [key for key, item in old.items() if getattr(item, "parent_key", None) == parent and key in new]
        moved |= set(new_order) - set(old_order)  # came from another parent
        kept_siblings = [key for key in old_order if key in set(new_order)]
        moved |= set(kept_siblings) - set(_longest_common_run(kept_siblings, new_order))
    return moved


def _longest_common_run(first: Sequence[UUID], second: Sequence[UUID]) -> list[UUID]:
    """The longest common subsequence of two orders (dynamic programming; courses are small)."""
    lengths = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            lengths[i + 1][j + 1] = lengths[i][j] + 1 if a == b else max(lengths[i][j + 1], lengths[i + 1][j])
    run, i, j = [], len(first), len(second)
    while i and j:
        if first[i - 1] == second[j - 1]:
            run.append(first[i - 1])
            i, j = i - 1, j - 1
        elif lengths[i - 1][j] >= lengths[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return run[::-1]


def _module_fields(old: Module, new: Module) -> list[str]:
    return [_label(Module, "title")] if old.title != new.title else []


def _lecture_fields(old: Lecture, new: Lecture, *, questions_changed: bool) -> list[str]:
    fields = [
        _label(Lecture, name)
        for name in LECTURE_FIELDS
        if getattr(old, _attribute(Lecture, name)) != getattr(new, _attribute(Lecture, name))
    ]
    if _resources(old) != _resources(new):
        fields.append(_("resources"))
    if questions_changed:
        fields.append(_("questions"))
    return fields


def _resources(lecture: Lecture) -> list[tuple[str, str]]:
    return [(resource.title, resource.file.name or "") for resource in lecture.resources.all()]


def _question_fields(old: Question, new: Question) -> list[str]:
    fields = [_label(Question, name) for name in QUESTION_FIELDS if getattr(old, name) != getattr(new, name)]
    if _options(old) != _options(new):
        fields.append(_("answers"))
    return fields


def _options(question: Question) -> list[tuple[str, bool]]:
    return [(option.text, option.is_correct) for option in question.options.all()]


def _attribute(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).attname)


def _label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _field_changes(old: CourseRevision, new: CourseRevision) -> list[FieldChange]:
    changes = []
    for name in COURSE_FIELDS:
        before, after = _shown(old, name), _shown(new, name)
        if before != after:
            label = _label(CourseRevision, name)
            changes.append(FieldChange(name, label, before, after))
    return changes


def _shown(revision: CourseRevision, name: str) -> str:
    """A course field as people read it (the same words in both revisions when nothing changed)."""
    value = getattr(revision, name)
    if name == "skills":
        return ", ".join(sorted(skill.name for skill in value.all()))
    if name in ("requirements", "learning_outcomes"):
        return "\n".join(value)
    if name in ("price", "discount_price"):
        return money(value, revision.currency) if value is not None else ""
    if name == "discount_ends_at":
        return localdate(value)
    if name == "cover":
        return value.name or ""
    if name == "gives_certificate":
        return _("Yes") if value else _("No")
    if name == "access_days":
        return ngettext("%(days)d day", "%(days)d days", value) % {"days": value} if value else _("Lifetime")
    if name in ("level", "language", "kind"):
        return str(getattr(revision, f"get_{name}_display")())
    return "" if value is None else str(value)


# The changelog ---------------------------------------------------------------------------------------


def changelog_text(new: CourseRevision, diff: RevisionDiff | None) -> str:
    """ "v3: 2 lectures added, quiz “Basics” changed, price changed" — in the active language. Without a
    revision to compare with: "v1: first version, 2 modules, 5 lectures"."""
    parts: list[str]
    if diff is None:
        modules = list(new.modules.all())
        lectures = sum(len(module.lectures.all()) for module in modules)
        parts = [
            _("first version"),
            ngettext("%(count)d module", "%(count)d modules", len(modules)) % {"count": len(modules)},
            ngettext("%(count)d lecture", "%(count)d lectures", lectures) % {"count": lectures},
        ]
    else:
        parts = [*_item_parts(diff.modules, "module"), *_item_parts(diff.lectures, "lecture"), *_field_parts(diff)]
    text = f"v{new.number}: " + (", ".join(parts) if parts else _("no changes"))
    return text[:CHANGELOG_MAX_LENGTH]


_COUNTED = {
    ("module", ADDED): lambda n: ngettext("%(count)d module added", "%(count)d modules added", n),
    ("module", REMOVED): lambda n: ngettext("%(count)d module removed", "%(count)d modules removed", n),
    ("module", CHANGED): lambda n: ngettext("%(count)d module renamed", "%(count)d modules renamed", n),
    ("module", MOVED): lambda n: ngettext("%(count)d module moved", "%(count)d modules moved", n),
    ("lecture", ADDED): lambda n: ngettext("%(count)d lecture added", "%(count)d lectures added", n),
    ("lecture", REMOVED): lambda n: ngettext("%(count)d lecture removed", "%(count)d lectures removed", n),
    ("lecture", CHANGED): lambda n: ngettext("%(count)d lecture changed", "%(count)d lectures changed", n),
    ("lecture", MOVED): lambda n: ngettext("%(count)d lecture moved", "%(count)d lectures moved", n),
}


def _item_parts(changes: list[ItemChange], noun: str) -> list[str]:
    parts: list[str] = []
    for change in (ADDED, REMOVED, CHANGED, MOVED):
        items = [item for item in changes if item.change == change]
        if not items:
            continue
        if change == CHANGED and len(items) <= NAMED_AT_MOST:
            parts.extend(_named_change(item, noun) for item in items)
        else:
            parts.append(_COUNTED[noun, change](len(items)) % {"count": len(items)})
    return parts


def _named_change(item: ItemChange, noun: str) -> str:
    if noun == "module":
        return _("module “%(title)s” renamed") % {"title": item.title}
    if item.kind == LectureKind.QUIZ:
        return _("quiz “%(title)s” changed") % {"title": item.title}
    if item.kind == LectureKind.ASSIGNMENT:
        return _("assignment “%(title)s” changed") % {"title": item.title}
    return _("lecture “%(title)s” changed") % {"title": item.title}


def _field_parts(diff: RevisionDiff) -> list[str]:
    if not diff.fields:
        return []
    labels = [change.label for change in diff.fields]
    return [_("%(fields)s changed") % {"fields": format_list(labels, locale=to_locale(get_language() or "en"))}]
