"""The sandbox's hosted card form: checked the way a card network's page checks it."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.payments.sandbox.cards import card_number_normalise, expiry_valid, luhn_valid


class SandboxCardForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "cc-number", "placeholder": "1234 1234 1234 1234"}
        ),
    )
    expiry = forms.CharField(
        label=_("Expiry"),
        max_length=7,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-exp", "placeholder": "MM / YY"}),
    )
    cvc = forms.CharField(
        label=_("CVC"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-csc", "placeholder": "123"}),
    )
    name = forms.CharField(
        label=_("Name on card"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "cc-name"})
    )

    def clean_number(self) -> str:
        number = card_number_normalise(self.cleaned_data["number"])
        if not luhn_valid(number):
            raise forms.ValidationError(_("Your card number is incorrect."), code="invalid_number")
        return number

    def clean_expiry(self) -> str:
        expiry: str = self.cleaned_data["expiry"]
        if not expiry_valid(expiry, today=timezone.localdate()):
            raise forms.ValidationError(_("Your card's expiry date is invalid or in the past."), code="invalid_expiry")
        return expiry

    def clean_cvc(self) -> str:
        cvc: str = self.cleaned_data["cvc"].strip()
        if not cvc.isdigit() or len(cvc) not in (3, 4):
            raise forms.ValidationError(_("Your card's security code is incomplete."), code="invalid_cvc")
        return cvc

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(_("Enter the name on the card."), code="required")
        return name

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sandbox_%s")
        super().__init__(*args, **kwargs)
