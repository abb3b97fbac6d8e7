"""Payout method details: checked (e-mail, IBAN with its checksum, Stripe account id), masked for
display, and stored encrypted with Fernet (`PAYOUT_ENCRYPTION_KEY`, or a key derived from SECRET_KEY)."""

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from agora.core.errors import ServiceError
from agora.payments.models import PayoutMethodKind

IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
STRIPE_ACCOUNT = re.compile(r"^acct_[A-Za-z0-9]{6,64}$")
MASK = "••••"


@dataclass(frozen=True, slots=True)
class CheckedDetails:
    details: dict[str, str]  # what is stored, encrypted
    masked: str  # what is shown
    label: str


def details_check(*, kind: str, details: Mapping[str, object]) -> CheckedDetails:
    """Normalise and check the details of one kind of payout method; refusals name the field."""
    text = {name: str(value).strip() for name, value in details.items() if isinstance(value, str | int)}
    label = text.get("label", "")[:80]
    if kind == PayoutMethodKind.PAYPAL:
        email = text.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            message = _("Enter a valid PayPal e-mail address.")
            raise ServiceError(message, code="invalid_details", field="email") from None
        local, _at, domain = email.partition("@")
        masked = f"{local[0]}{MASK[:3]}@{domain}"
        return CheckedDetails({"email": email}, masked, label or f"PayPal {masked}")
    if kind == PayoutMethodKind.BANK:
        iban = re.sub(r"[\s-]", "", text.get("iban", "")).upper()
        if not iban_valid(iban):
            raise ServiceError(_("Enter a valid IBAN."), code="invalid_details", field="iban")
        holder = " ".join((text.get("account_holder") or text.get("holder_name", "")).split())
        if not holder or len(holder) > 100:
            raise ServiceError(_("Enter the account holder's name."), code="invalid_details", field="account_holder")
        masked = f"{MASK} {iban[-4:]}"
        return CheckedDetails({"iban": iban, "account_holder": holder}, masked, label or f"{iban[:2]} {masked}")
    if kind == PayoutMethodKind.STRIPE_ACCOUNT:
        account_id = text.get("account_id", "")
        if not STRIPE_ACCOUNT.match(account_id):
            raise ServiceError(
                _("Enter a Stripe connected account id (acct_…)."), code="invalid_details", field="account_id"
            )
        masked = f"acct_{MASK} {account_id[-4:]}"
        return CheckedDetails({"account_id": account_id}, masked, label or f"Stripe {masked}")
    raise ServiceError(_("Unknown kind of payout method."), code="invalid_kind", field="kind")


def iban_valid(iban: str) -> bool:
    """ISO 13616: the shape, then the rearranged number modulo 97 is 1."""
    if not IBAN_SHAPE.match(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(character, 36)) for character in rearranged)
    return int(digits) % 97 == 1


def details_encrypt(details: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(details, sort_keys=True).encode()).decode()


def details_decrypt(token: str) -> dict[str, str]:
    decrypted: dict[str, str] = json.loads(_fernet().decrypt(token.encode()))
    return decrypted


def _fernet() -> Fernet:
    key = settings.PAYOUT_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(f"agora.payments.payout-details:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)
