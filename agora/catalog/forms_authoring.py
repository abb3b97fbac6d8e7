"""Forms of the authoring pages. They parse what a person typed (prices in currency units, lists one
per line, lengths in minutes) into what the authoring services take; the services judge the rest."""

from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agora.catalog.forms import minor_units
from agora.catalog.models import (
    BASIS_POINTS,
    Category,
    CourseKind,
    CourseLanguage,
    CourseLevel,
    CourseMember,
    CourseRevision,
    Lecture,
    LectureKind,
    MemberRole,
    Question,
    QuestionKind,
    Skill,
    SubmissionKind,
)
from agora.catalog.services import TeamMember
from agora.catalog.services_authoring import LectureChanges, OptionData, QuestionData, RevisionDetails
from agora.catalog.services_authoring.details import PRICE_MAX, SKILLS_MAX
from agora.catalog.services_authoring.quizzes import OPTIONS_MAX

PRICE_UNITS_MAX = Decimal(PRICE_MAX).scaleb(-get_currency_precision(settings.PLATFORM_CURRENCY))
OPTION_ROWS_EXTRA = 2  # empty answer rows under a question's answers, for adding more without JavaScript
OPTION_ROWS_MIN = 4


def units(amount: int | None) -> Decimal | None:
    """1250 minor units → 12.50 in a currency with cents."""
    if amount is None:
        return None
    return Decimal(amount).scaleb(-get_currency_precision(settings.PLATFORM_CURRENCY))


def category_choices(categories: list[Category]) -> list[tuple[Any, Any]]:
    """Subcategories grouped under their parent; a top-level category without children stands alone."""
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[Any, Any]] = [("", _("Choose a category"))]
    for root in children.get(None, []):
        subcategories = children.get(root.pk, [])
        if subcategories:
            choices.append((root.name, [(child.pk, child.name) for child in subcategories]))
        else:
            choices.append((root.pk, root.name))
    return choices


def _category_field(categories: list[Category]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Category"),
        choices=category_choices(categories),
        coerce=int,
        empty_value=None,
        required=False,
    )


class CourseCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices, initial=CourseKind.SELF_PACED)
    category = forms.TypedChoiceField(label=_("Category"), required=False)
    language = forms.ChoiceField(label=_("Language taught in"), choices=CourseLanguage.choices)

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category_field(categories)
        self.categories = {category.pk: category for category in categories}

    def chosen_category(self) -> Category | None:
        return self.categories.get(self.cleaned_data["category"])


class LinesField(forms.CharField):
    """A list of short strings, one a line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value


class CourseDetailsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    subtitle = forms.CharField(label=_("Subtitle"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown: **bold**, *italic*, lists, links and headings."),
    )
    category_id = forms.TypedChoiceField(label=_("Category"), required=False)
    skill_ids = forms.TypedMultipleChoiceField(
        label=_("Skills learners gain"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Up to %(count)s.") % {"count": SKILLS_MAX},
    )
    level = forms.ChoiceField(label=_("Level"), choices=CourseLevel.choices)
    language = forms.ChoiceField(label=_("Language taught in"), choices=CourseLanguage.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    learning_outcomes = LinesField(
        label=_("What learners will learn"), required=False, help_text=_("One a line, up to 20.")
    )
    requirements = LinesField(label=_("Requirements"), required=False, help_text=_("One a line, up to 20."))
    price = forms.DecimalField(
        label=_("Price (%(currency)s)") % {"currency": settings.PLATFORM_CURRENCY},
        min_value=0,
        max_value=PRICE_UNITS_MAX,
        decimal_places=get_currency_precision(settings.PLATFORM_CURRENCY),
        help_text=_("0 for a free course."),
    )
    discount_price = forms.DecimalField(
        label=_("Discount price (%(currency)s)") % {"currency": settings.PLATFORM_CURRENCY},
        min_value=0,
        max_value=PRICE_UNITS_MAX,
        decimal_places=get_currency_precision(settings.PLATFORM_CURRENCY),
        required=False,
    )
    discount_ends_at = forms.DateTimeField(
        label=_("Discount ends"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: the discount lasts until you remove it."),
    )
    gives_certificate = forms.BooleanField(label=_("Certificate of completion"), required=False)
    access_days = forms.IntegerField(
        label=_("Access (days)"),
        min_value=1,
        max_value=36_500,
        required=False,
        help_text=_("Empty for lifetime access."),
    )

    def __init__(
        self, *args: Any, revision: CourseRevision, categories: list[Category], skills: list[Skill], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", self._initial(revision))
        super().__init__(*args, **kwargs)
        self.fields["category_id"] = _category_field(categories)
        self.fields["skill_ids"].choices = [(skill.pk, skill.name) for skill in skills]  # type: ignore[attr-defined]
        self.skill_areas = {skill.pk: skill.area.name for skill in skills}

    @staticmethod
    def _initial(revision: CourseRevision) -> dict[str, Any]:
        return {
            **{name: getattr(revision, name) for name in ("title", "subtitle", "description")},
            **{name: getattr(revision, name) for name in ("level", "language", "kind", "gives_certificate")},
            "category_id": revision.category_id,
            "skill_ids": [skill.pk for skill in revision.skills.all()],
            "learning_outcomes": revision.learning_outcomes,
            "requirements": revision.requirements,
            "price": units(revision.price),
            "discount_price": units(revision.discount_price),
            "discount_ends_at": revision.discount_ends_at,
            "access_days": revision.access_days,
        }

    def skill_groups(self) -> list[tuple[str, list[Any]]]:
        """The skill checkboxes grouped by area, for one fieldset each."""
        groups: dict[str, list[Any]] = {}
        for checkbox in self["skill_ids"]:
            groups.setdefault(self.skill_areas[checkbox.data["value"]], []).append(checkbox)
        return list(groups.items())

    def details(self) -> RevisionDetails:
        data = self.cleaned_data
        details: RevisionDetails = {
            "title": data["title"],
            "subtitle": data["subtitle"],
            "description": data["description"],
            "category_id": data["category_id"],
            "skill_ids": data["skill_ids"],
            "level": data["level"],
            "language": data["language"],
            "kind": data["kind"],
            "learning_outcomes": data["learning_outcomes"],
            "requirements": data["requirements"],
            "price": minor_units(data["price"]),
            "discount_price": None if data["discount_price"] is None else minor_units(data["discount_price"]),
            "discount_ends_at": data["discount_ends_at"],
            "gives_certificate": data["gives_certificate"],
            "access_days": data["access_days"],
        }
        return details


class FileForm(forms.Form):
    """One file to upload (a cover, a lecture's video or PDF); the service checks what it is."""

    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, label: str, accept: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label
        self.fields["file"].widget.attrs["accept"] = accept


class ResourceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False, help_text=_("Empty: the file's name."))


class MoveForm(forms.Form):
    """Where to move an item: one step up or down (the buttons), or to a position, for a lecture
    possibly in another module (drag and drop)."""

    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False)
    position = forms.IntegerField(min_value=0, max_value=10_000, required=False)
    module = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("direction") and data.get("position") is None:
            raise forms.ValidationError(_("Say where to move it."), code="required")
        return data


class LectureForm(forms.Form):
    """A lecture's own fields: those of its kind only (services_authoring.LECTURE_FIELDS)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    is_free_preview = forms.BooleanField(
        label=_("Free preview"), required=False, help_text=_("Anyone can watch or read it on the course page.")
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=200_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Markdown. The reading time is estimated from the words (200 a minute)."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=0, max_value=24 * 60, help_text=_("How long it takes, about.")
    )
    pass_mark_percent = forms.IntegerField(
        label=_("Pass mark (%)"), min_value=0, max_value=100, required=False, help_text=_("Empty: no pass mark.")
    )
    assignment_instructions = forms.CharField(
        label=_("Instructions"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    submission_kind = forms.ChoiceField(label=_("What learners submit"), choices=SubmissionKind.choices)

    KIND_FIELDS = {
        LectureKind.VIDEO: {"title", "is_free_preview"},
        LectureKind.TEXT: {"title", "is_free_preview", "text"},
        LectureKind.PDF: {"title", "is_free_preview", "duration_minutes"},
        LectureKind.QUIZ: {"title", "is_free_preview", "duration_minutes", "pass_mark_percent"},
        LectureKind.ASSIGNMENT: {
            "title", "is_free_preview", "duration_minutes", "assignment_instructions", "submission_kind",
        },
    }  # fmt: skip

    def __init__(self, *args: Any, lecture: Lecture, **kwargs: Any) -> None:
        initial = {
            name: getattr(lecture, name)
            for name in ("title", "is_free_preview", "text", "pass_mark_percent", "assignment_instructions")
        }
        initial["duration_minutes"] = round(lecture.duration_seconds / 60)
        initial["submission_kind"] = lecture.submission_kind or SubmissionKind.TEXT
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for name in set(self.fields) - self.KIND_FIELDS[lecture.kind]:  # type: ignore[index]
            del self.fields[name]

    def changes(self) -> LectureChanges:
        data = dict(self.cleaned_data)
        if "duration_minutes" in data:
            data["duration_seconds"] = data.pop("duration_minutes") * 60
        return LectureChanges(**data)  # type: ignore[typeddict-item]


class QuestionForm(forms.Form):
    """A question with rows of answers: text and whether it is correct (for short text, the accepted
    answers). Rows left empty are dropped; JavaScript adds rows, the server adds a few empty ones."""

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown after answering."),
    )
    option_rows = forms.IntegerField(min_value=1, max_value=OPTIONS_MAX, widget=forms.HiddenInput)
    max_rows = OPTIONS_MAX

    def __init__(self, data: Any = None, *, question: Question | None = None, prefix: str) -> None:
        super().__init__(data, prefix=prefix)
        options = list(question.options.all()) if question is not None else []
        self.row_count = self._rows(len(options))
        self.initial = {"option_rows": self.row_count}
        if question is not None:
            self.initial.update(kind=question.kind, text=question.text, explanation=question.explanation)
            for index, option in enumerate(options):
                self.initial[f"option_{index}_text"] = option.text
                self.initial[f"option_{index}_correct"] = option.is_correct
        for index in range(self.row_count):
            self.fields[f"option_{index}_text"] = forms.CharField(
                label=_("Answer %(number)s") % {"number": index + 1}, max_length=500, required=False
            )
            self.fields[f"option_{index}_correct"] = forms.BooleanField(label=_("Correct"), required=False)

    def _rows(self, existing: int) -> int:
        """As many rows as the form that was sent had, else the answers and a few empty rows."""
        if self.is_bound:
            sent = str(self.data.get(self.add_prefix("option_rows"), ""))
            return max(1, min(int(sent), OPTIONS_MAX)) if sent.isdigit() else OPTION_ROWS_MIN
        return min(max(existing + OPTION_ROWS_EXTRA, OPTION_ROWS_MIN), OPTIONS_MAX)

    def answer_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"option_{index}_text"], self[f"option_{index}_correct"]) for index in range(self.row_count)]

    def question_data(self) -> QuestionData:
        data = self.cleaned_data
        options = [
            OptionData(text=data[f"option_{index}_text"], is_correct=data[f"option_{index}_correct"])
            for index in range(self.row_count)
        ]
        return QuestionData(kind=data["kind"], text=data["text"], explanation=data["explanation"], options=options)


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of their Agora account"))
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.CO_AUTHOR)


class TeamForm(forms.Form):
    """Every member's role and share, in percent with two decimals (basis points for the services)."""

    def __init__(self, *args: Any, team: list[CourseMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        for member in team:
            name = member.user.name
            self.fields[f"role_{member.user_id}"] = forms.ChoiceField(
                label=_("Role of %(name)s") % {"name": name}, choices=MemberRole.choices, initial=member.role
            )
            self.fields[f"share_{member.user_id}"] = forms.DecimalField(
                label=_("Share of %(name)s (%%)") % {"name": name},
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=Decimal(member.revenue_share_bp) / 100,
            )

    def rows(self) -> list[tuple[CourseMember, forms.BoundField, forms.BoundField]]:
        return [(member, self[f"role_{member.user_id}"], self[f"share_{member.user_id}"]) for member in self.team]

    def members(self) -> list[TeamMember]:
        return [
            TeamMember(
                user=member.user,
                role=self.cleaned_data[f"role_{member.user_id}"],
                revenue_share_bp=int(self.cleaned_data[f"share_{member.user_id}"] * BASIS_POINTS / 100),
            )
            for member in self.team
        ]
