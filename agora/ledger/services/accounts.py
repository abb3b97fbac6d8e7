"""Opening ledger accounts: a user's wallet accounts and the platform's system accounts."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.errors import ServiceError
from agora.ledger.models import USER_KINDS, Account, AccountKind

SYSTEM_KINDS = frozenset(AccountKind) - USER_KINDS


def wallet_account_ensure(*, user: User, kind: AccountKind, currency: str) -> Account:
    """The user's account of this kind and currency (available, held or receivable), opened on first use."""
    if kind not in USER_KINDS:
        raise ServiceError(_("A user owns only wallet accounts."), code="invalid_account_kind", field="kind")
    return _account_ensure(owner=user, kind=kind, gateway="", currency=currency)


def system_account_ensure(*, kind: AccountKind, currency: str, gateway: str = "") -> Account:
    """The platform's account of this role: commission, payouts in transit, outside world, or the
    clearing account of one gateway (`gateway="stripe"`)."""
    if kind not in SYSTEM_KINDS:
        raise ServiceError(_("This kind of account belongs to a user."), code="invalid_account_kind", field="kind")
    if (kind == AccountKind.GATEWAY_CLEARING) != bool(gateway):
        raise ServiceError(_("Only a clearing account names its gateway."), code="invalid_gateway", field="gateway")
    return _account_ensure(owner=None, kind=kind, gateway=gateway, currency=currency)


def _account_ensure(*, owner: User | None, kind: str, gateway: str, currency: str) -> Account:
    if len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise ServiceError(_("A currency is a three-letter code."), code="invalid_currency", field="currency")
    lookup = {"owner": owner, "kind": kind, "gateway": gateway, "currency": currency}
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup)
    except IntegrityError:  # opened a moment ago by a concurrent request
        return Account.objects.get(**lookup)
