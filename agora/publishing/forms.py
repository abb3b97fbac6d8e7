from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agora.catalog.models import CourseStatus
from agora.publishing.services import REASON_MAX_LENGTH


class ReasonForm(forms.Form):
    """Why a moderator rejects, blocks or unblocks: the course team reads it."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The course team reads it on their course page and in an e-mail. Say what to change."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why."), code="required")
        return reason


class CourseSearchForm(forms.Form):
    find = forms.CharField(label=_("Title or address"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Published and blocked")),
            (CourseStatus.PUBLISHED, _("Published")),
            (CourseStatus.BLOCKED, _("Blocked")),
        ],
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {"query": self.cleaned_data["find"].strip(), "status": self.cleaned_data["status"]}
