from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_precision
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agora.catalog.models import CourseLanguage, CourseLevel
from agora.catalog.selectors import DEFAULT_SORT, DURATION_LABELS, FREE, PAID, SORT_LABELS, CatalogFilters

RATINGS = {"4.5": 450, "4.0": 400, "3.5": 350, "3.0": 300}
MAX_PRICE = Decimal("1000000")


def minor_units(amount: Decimal) -> int:
    """12.50 → 1250 in a currency with cents (settings.PLATFORM_CURRENCY)."""
    return int(amount.scaleb(get_currency_precision(settings.PLATFORM_CURRENCY)))


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class FilterGroup:
    """One fieldset of the catalog's filters, ready for a plain template loop (Django's widget
    templates cost a millisecond a field, on the page everyone opens first)."""

    name: str
    label: str
    input_type: str  # "radio" or "checkbox"
    options: list[FilterOption]


class CatalogFilterForm(forms.Form):
    """The catalog's filters, read from the query string. A value that does not parse is left out,
    never an error page: these addresses get shared, bookmarked and typed."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sort = forms.ChoiceField(label=_("Sort by"), choices=list(SORT_LABELS.items()), required=False)
    price = forms.ChoiceField(
        label=_("Price"),
        choices=[("", _("Any")), (FREE, _("Free")), (PAID, pgettext_lazy("price filter", "Paid"))],
        required=False,
        widget=forms.RadioSelect,
    )
    price_min = forms.DecimalField(
        label=_("From"), required=False, min_value=0, max_value=MAX_PRICE, decimal_places=2, max_digits=9
    )
    price_max = forms.DecimalField(
        label=_("To"), required=False, min_value=0, max_value=MAX_PRICE, decimal_places=2, max_digits=9
    )
    rating = forms.ChoiceField(
        label=_("Rating"),
        choices=[("", _("Any"))] + [(value, _("%(stars)s and up") % {"stars": value}) for value in RATINGS],
        required=False,
        widget=forms.RadioSelect,
    )
    level = forms.MultipleChoiceField(
        label=_("Level"), choices=CourseLevel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.MultipleChoiceField(
        label=_("Language"), choices=CourseLanguage.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    duration = forms.MultipleChoiceField(
        label=_("Length"),
        choices=list(DURATION_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    certificate = forms.BooleanField(label=_("With a certificate"), required=False)
    author = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    GROUPS = ("price", "rating", "level", "language", "duration")

    def groups(self) -> list[FilterGroup]:
        self.is_valid()
        groups = []
        for name in self.GROUPS:
            field = self.fields[name]
            chosen = self.cleaned_data.get(name) or ("" if name in ("price", "rating") else [])
            selected = set(chosen) if isinstance(chosen, list) else {chosen}
            multiple = isinstance(field, forms.MultipleChoiceField)
            options = [
                FilterOption(value=str(value), label=str(label), checked=value in selected)
                for value, label in field.choices  # type: ignore[attr-defined]
            ]
            groups.append(FilterGroup(name, str(field.label), "checkbox" if multiple else "radio", options))
        return groups

    def sort_options(self) -> list[FilterOption]:
        self.is_valid()
        chosen = self.cleaned_data.get("sort") or DEFAULT_SORT
        return [FilterOption(str(value), str(label), value == chosen) for value, label in SORT_LABELS.items()]

    def filters(self, *, category_ids: tuple[int, ...] = ()) -> CatalogFilters:
        self.is_valid()
        data = self.cleaned_data  # only the fields that parsed
        price_min, price_max = data.get("price_min"), data.get("price_max")
        return CatalogFilters(
            category_ids=category_ids,
            price=data.get("price") or "",
            price_min=None if price_min is None else minor_units(price_min),
            price_max=None if price_max is None else minor_units(price_max),
            levels=tuple(data.get("level") or ()),
            languages=tuple(data.get("language") or ()),
            rating_min=RATINGS.get(data.get("rating") or ""),
            durations=tuple(data.get("duration") or ()),
            certificate=bool(data.get("certificate")),
            author_id=data.get("author"),
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or DEFAULT_SORT,
        )
