"""E-mail change: the new address gets a confirmation link and becomes the login and primary address
(`User.email`) only when that link is followed; until then the old address stays in use.

The web page is allauth's (ACCOUNT_CHANGE_EMAIL) with its AddEmailForm; the API asks through the same
form here, so both refuse, rate-limit and mail alike, and one confirmation link works for either.
Like sign-up, the request answers the same whether or not another account uses the address (no
account enumeration); such a link is refused when it is followed (`email_change_allowed`).
"""

from allauth.account import signals
from allauth.account.forms import AddEmailForm
from allauth.account.models import EmailAddress
from django.http import HttpRequest
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.errors import ServiceError


def email_change_request(*, request: HttpRequest, user: User, email: str, current_password: str) -> EmailAddress:
    """Mail a confirmation link to `email`, replacing any change asked for before (its link dies). The
    current password is asked for, as for a password change: a stolen token alone cannot move the
    account to another mailbox."""
    if not user.check_password(current_password):
        raise ServiceError(_("The password is not correct."), code="wrong_password", field="current_password")
    form = AddEmailForm(user=user, data={"email": email})
    if not form.is_valid():
        message = " ".join(form.errors.get("email", [])) or _("Enter a valid e-mail address.")
        raise ServiceError(message, code="invalid_email", field="email")
    address: EmailAddress = form.save(request)
    signals.email_added.send(sender=EmailAddress, request=request, user=user, email_address=address)
    return address


def email_change_allowed(*, email_address: EmailAddress) -> bool:
    """Whether following this address's link may make it the user's login address: not while another
    account logs in with it (a pending or waiting account's address is not verified yet either)."""
    return not User.objects.filter(email__iexact=email_address.email).exclude(pk=email_address.user_id).exists()
