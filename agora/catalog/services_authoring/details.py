"""The course's own fields in its draft: listing, description, lists, prices, access, cover."""

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.catalog.models import (
    Category,
    Course,
    CourseKind,
    CourseLanguage,
    CourseLevel,
    CourseRevision,
    Skill,
)
from agora.catalog.services_authoring.drafts import draft_for, files_release, member_get, text_clean
from agora.catalog.uploads import UploadKind, upload_check, upload_store
from agora.core.audit import audit_record
from agora.core.errors import ServiceError

LIST_ITEMS_MAX = 20
LIST_ITEM_MAX_LENGTH = 160
SKILLS_MAX = 15
PRICE_MAX = 100_000_000  # minor units: 1,000,000.00 in a currency with cents
ACCESS_DAYS_MAX = 36_500
COVER_FOLDER = "covers"


class RevisionDetails(TypedDict, total=False):
    """What revision_details_update accepts; a key left out keeps its value. Prices in minor units."""

    title: str
    subtitle: str
    description: str  # Markdown
    category_id: int | None  # a category without subcategories
    skill_ids: list[int]
    level: str
    language: str
    kind: str
    requirements: list[str]
    learning_outcomes: list[str]
    price: int
    discount_price: int | None
    discount_ends_at: datetime.datetime | None
    gives_certificate: bool
    access_days: int | None  # None: lifetime access


def revision_details_update(*, course: Course, actor: User, data: RevisionDetails) -> CourseRevision:
    """Change any of the course's fields in its draft (opened if needed); all or nothing."""
    unknown = set(data) - set(RevisionDetails.__annotations__)
    if unknown:
        message = _("These fields cannot be changed: %s") % ", ".join(sorted(unknown))
        raise ServiceError(message, code="invalid_field")
    with transaction.atomic():
        draft = draft_for(course, actor)
        skills = _skills_get(data["skill_ids"] or []) if "skill_ids" in data else None
        changes = {name: _CLEANERS[name](value) for name, value in data.items() if name != "skill_ids"}
        _prices_check(draft, changes)
        for name, value in changes.items():
            setattr(draft, name, value)
        draft.save(update_fields=[*changes, "updated_at"])
        if skills is not None:
            draft.skills.set(skills)
        audit_record(
            actor=actor,
            action="catalog.revision_details_updated",
            target=course,
            revision=draft.number,
            fields=sorted(data),
        )
    return draft


def revision_cover_set(*, course: Course, actor: User, file: UploadedFile) -> CourseRevision:
    """A new cover image for the draft, checked and re-encoded first (outside the course's lock)."""
    member_get(course.pk, actor)
    checked = upload_check(file, UploadKind.IMAGE)
    with transaction.atomic():
        draft = draft_for(course, actor)
        previous = draft.cover.name
        draft.cover.name = upload_store(checked, folder=COVER_FOLDER)
        draft.save(update_fields=["cover", "updated_at"])
        files_release([previous])
        audit_record(actor=actor, action="catalog.revision_cover_set", target=course, revision=draft.number)
    return draft


def revision_cover_remove(*, course: Course, actor: User) -> CourseRevision:
    with transaction.atomic():
        draft = draft_for(course, actor)
        previous = draft.cover.name
        draft.cover.name = ""
        draft.save(update_fields=["cover", "updated_at"])
        files_release([previous])
        audit_record(actor=actor, action="catalog.revision_cover_removed", target=course, revision=draft.number)
    return draft


def _choice(choices: type[CourseKind] | type[CourseLevel] | type[CourseLanguage], field: str) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if value not in choices.values:
            raise ServiceError(_("Choose one of the offered values."), code="invalid_choice", field=field)
        return value

    return clean


def _text(field: str, max_length: int, *, required: bool = False) -> Callable[[Any], str]:
    """None (the API's null) clears a text, and is refused where one is required."""
    return lambda value: text_clean(value or "", field=field, max_length=max_length, required=required)


def _lines(field: str) -> Callable[[Any], list[str]]:
    def clean(values: Any) -> list[str]:
        items = [
            text_clean(value, field=field, max_length=LIST_ITEM_MAX_LENGTH, required=False) for value in values or []
        ]
        items = [item for item in items if item]
        if len(items) > LIST_ITEMS_MAX:
            message = _("At most %(count)s items.") % {"count": LIST_ITEMS_MAX}
            raise ServiceError(message, code="too_many", field=field)
        return items

    return clean


def _whole(field: str, low: int, high: int, *, optional: bool = False) -> Callable[[Any], int | None]:
    def clean(value: Any) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            message = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
            raise ServiceError(message, code="out_of_range", field=field)
        return value

    return clean


def _category(value: Any) -> Category | None:
    if value is None:
        return None
    category = Category.objects.filter(pk=value).first()
    if category is None:
        raise ServiceError(_("Choose one of the offered categories."), code="invalid_choice", field="category_id")
    if Category.objects.filter(parent=category).exists():
        message = _("Choose a subcategory: learners browse courses by the most specific subject.")
        raise ServiceError(message, code="category_not_leaf", field="category_id")
    return category


def _skills_get(skill_ids: list[int]) -> list[Skill]:
    unique = set(skill_ids)
    if len(unique) > SKILLS_MAX:
        message = _("At most %(count)s skills.") % {"count": SKILLS_MAX}
        raise ServiceError(message, code="too_many", field="skill_ids")
    skills = list(Skill.objects.filter(pk__in=unique))
    if len(skills) != len(unique):
        raise ServiceError(_("Choose skills from the list."), code="invalid_choice", field="skill_ids")
    return skills


def _moment(value: Any) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        raise ServiceError(_("Give the time with its time zone."), code="invalid_datetime", field="discount_ends_at")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ServiceError(_("Choose one of the offered values."), code="invalid_choice", field="gives_certificate")
    return value


_CLEANERS: Mapping[str, Callable[[Any], Any]] = {
    "title": _text("title", 120, required=True),
    "subtitle": _text("subtitle", 200),
    "description": _text("description", 20_000),
    "category_id": lambda value: getattr(_category(value), "pk", None),
    "level": _choice(CourseLevel, "level"),
    "language": _choice(CourseLanguage, "language"),
    "kind": _choice(CourseKind, "kind"),
    "requirements": _lines("requirements"),
    "learning_outcomes": _lines("learning_outcomes"),
    "price": _whole("price", 0, PRICE_MAX),
    "discount_price": _whole("discount_price", 0, PRICE_MAX, optional=True),
    "discount_ends_at": _moment,
    "gives_certificate": _boolean,
    "access_days": _whole("access_days", 1, ACCESS_DAYS_MAX, optional=True),
}


def _prices_check(draft: CourseRevision, changes: Mapping[str, Any]) -> None:
    """The rules PostgreSQL enforces, as messages: a discount below the price, an end only with a
    discount, and a new end in the future."""
    price = changes.get("price", draft.price)
    discount = changes.get("discount_price", draft.discount_price)
    ends_at = changes.get("discount_ends_at", draft.discount_ends_at)
    if discount is not None and discount >= price:
        raise ServiceError(
            _("The discount price must be below the price."), code="discount_not_below_price", field="discount_price"
        )
    if ends_at is not None and discount is None:
        raise ServiceError(
            _("A discount end needs a discount price."), code="discount_end_without_discount", field="discount_ends_at"
        )
    if ends_at is not None and ends_at != draft.discount_ends_at and ends_at <= timezone.now():
        raise ServiceError(
            _("The discount must end in the future."), code="discount_end_past", field="discount_ends_at"
        )
