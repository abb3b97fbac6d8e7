from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agora.accounts.models import Profile, SocialLink, SocialNetwork, User


class PasswordPairForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common or all-digit password."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class SignupForm(PasswordPairForm):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(
        label=_("Your name"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    field_order = ["email", "display_name", "password1", "password2"]


class ClaimForm(PasswordPairForm):
    display_name = forms.CharField(
        label=_("Your name"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    field_order = ["display_name", "password1", "password2"]


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class UserForm(forms.ModelForm):
    avatar = forms.ImageField(label=_("Avatar"), required=False, help_text=_("JPEG, PNG, WebP or GIF, up to 5 MB."))

    class Meta:
        model = User
        fields = ["display_name", "locale"]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "headline",
            "specialisation",
            "expertise",
            "about",
            "degree",
            "years_of_teaching",
            "awards_and_education",
            "work_experience",
            "working_hours",
        ]
        widgets = {
            "about": forms.Textarea(attrs={"rows": 5}),
            "awards_and_education": forms.Textarea(attrs={"rows": 3}),
            "work_experience": forms.Textarea(attrs={"rows": 3}),
            "expertise": forms.CheckboxSelectMultiple,
        }


class SocialLinkForm(forms.ModelForm):
    class Meta:
        model = SocialLink
        fields = ["network", "url"]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        network, url = cleaned.get("network"), cleaned.get("url")
        if network and url and not url.startswith(network.url_prefix):
            self.add_error(
                "url",
                _("A %(network)s link starts with %(prefix)s") % {"network": network, "prefix": network.url_prefix},
            )
        return cleaned


class SocialLinkBaseFormSet(forms.BaseInlineFormSet):
    """Reads the staff's list of networks once for all link forms, not once per form."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", "---------"), *((network.pk, str(network)) for network in SocialNetwork.objects.all())]
        for form in self.forms:
            form.fields["network"].choices = choices  # type: ignore[attr-defined]


SocialLinkFormSet = forms.inlineformset_factory(
    Profile, SocialLink, form=SocialLinkForm, formset=SocialLinkBaseFormSet, extra=1, max_num=10, can_delete=True
)


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(label=_("I understand that I will not be able to log in again."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
