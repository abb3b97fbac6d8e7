"""Password actions for API clients: log in, change the password, ask for a reset link, set a new
password with its key.

The web uses allauth's views for these; these functions use the same allauth machinery (its
login lockout counters, its change-password form, its reset e-mail, its reset tokens), so a limit
spent on the web is spent for the API too, and a reset link works on either. allauth's pages store
a new password through `password_store` (the account adapter: audited as `user.password_changed`); the
API's reset sets it here under the same row lock that spends the key (audited as `user.password_reset`).
"""

from functools import partial

from allauth.account import signals
from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm, ResetPasswordForm, default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import url_str_to_user_pk
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from agora.accounts.models import User, UserStatus
from agora.accounts.services import email_normalize, password_check
from agora.core.audit import audit_record
from agora.core.errors import PermissionDenied, ServiceError
from agora.core.ratelimit import RateLimited

# The longest window of ACCOUNT_RATE_LIMITS["login_failed"] (5 wrong passwords per address in 5 minutes).
LOGIN_LOCKOUT_SECONDS = 5 * 60


class CredentialsRefused(ServiceError):
    status = 401


def user_authenticate(*, request: HttpRequest, email: str, password: str) -> User:
    """The user these credentials belong to, checked like the web login (and counted against
    the same lockout). An account that may not log in is named only after a correct password."""
    adapter = get_adapter(request)
    try:
        user = adapter.authenticate(request, email=email_normalize(email), password=password)
    except ValidationError as error:  # allauth's lockout: too many failed attempts
        raise RateLimited(retry_after=LOGIN_LOCKOUT_SECONDS) from error
    # allauth also finds a user by an address they asked to change to; it is no login address until confirmed.
    if not isinstance(user, User) or user.email.lower() != email_normalize(email):
        raise CredentialsRefused(_("The e-mail address or the password is not correct."), code="invalid_credentials")
    _login_status_check(user)
    update_last_login(User, user)
    return user


def _login_status_check(user: User) -> None:
    if user.status == UserStatus.CLOSED:
        raise PermissionDenied(_("This account is closed."), code="account_closed")
    if user.is_suspended:
        raise PermissionDenied(_("This account is suspended; write to support to learn why."), code="account_suspended")
    if user.status != UserStatus.ACTIVE:
        message = _("Activate your account first: follow the link we e-mailed you, or ask for a new one.")
        raise PermissionDenied(message, code="account_pending")


def password_change(*, request: HttpRequest, user: User, current_password: str, new_password: str) -> User:
    """Set a new password after checking the current one, with the web page's own form. Every token
    issued before stops working (they carry a fingerprint of the password hash)."""
    data = {"oldpassword": current_password, "password1": new_password, "password2": new_password}
    form = ChangePasswordForm(user=user, data=data)
    if not form.is_valid():
        if "oldpassword" in form.errors:
            raise ServiceError(_("The password is not correct."), code="wrong_password", field="current_password")
        raise ServiceError(" ".join(form.errors.get("password1", [])), code="weak_password", field="password")
    with transaction.atomic():
        form.save()  # allauth's write: AccountAdapter.set_password → password_store
        transaction.on_commit(partial(_password_change_finish, request, user))
    return user


def _password_change_finish(request: HttpRequest, user: User) -> None:
    """What allauth does after a change on the web, less the session (API clients have none)."""
    get_adapter(request).send_notification_mail("account/email/password_changed", user)
    signals.password_changed.send(sender=User, request=request, user=user)


def password_store(*, user: User, password: str) -> None:
    """Store a new password (checked by the caller) and audit it; `user` gets the new hash too."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.save(update_fields=["password", "updated_at"])
        audit_record(actor=locked, action="user.password_changed", target=locked)
    user.password = locked.password


def password_reset_request(*, request: HttpRequest, email: str) -> None:
    """E-mail a reset link to the active account with this address. Unknown addresses get a
    message saying there is no account, so the caller's answer is the same either way."""
    form = ResetPasswordForm(data={"email": email})
    if form.is_valid():
        form.save(request)


def password_reset_confirm(*, request: HttpRequest, uid: str, key: str, password: str) -> User:
    """Set a new password with the uid and key of a reset link. The key is spent by the change
    (it signs the old password hash and last login) and expires after PASSWORD_RESET_TIMEOUT."""
    user = _reset_user(uid)
    if user is None or not default_token_generator.check_token(user, key):
        raise _invalid_reset_key()
    password_check(password, user=user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(locked, key):  # spent a moment ago by another request
            raise _invalid_reset_key()
        locked.set_password(password)
        locked.save(update_fields=["password", "updated_at"])
        audit_record(actor=locked, action="user.password_reset", target=locked)
        transaction.on_commit(partial(_password_reset_finish, request, locked))
    return locked


def _password_reset_finish(request: HttpRequest, user: User) -> None:
    """What allauth does after a reset on the web: lift the login lockout, tell listeners and the user."""
    adapter = get_adapter(request)
    for address in EmailAddress.objects.filter(user_id=user.pk):
        adapter._delete_login_attempts_cached_email(request, email=address.email)
    signals.password_reset.send(sender=User, request=request, user=user)
    adapter.send_notification_mail("account/email/password_reset", user)


def _reset_user(uid: str) -> User | None:
    try:
        return User.objects.filter(pk=url_str_to_user_pk(uid)).first()
    except (ValueError, ValidationError):
        return None


def _invalid_reset_key() -> ServiceError:
    return ServiceError(_("This password reset link is invalid, used or expired."), code="invalid_token")
