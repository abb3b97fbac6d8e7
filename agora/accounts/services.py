"""Writes for accounts: registration, activation, gift-recipient accounts, claims, closing, suspension."""

from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from agora.accounts import events
from agora.accounts.models import Profile, User, UserStatus
from agora.accounts.tokens import claim_token_make
from agora.core.audit import audit_record
from agora.core.errors import ServiceError
from agora.core.events import send_on_commit
from agora.core.images import image_reencode
from agora.core.mail import email_enqueue_template

USER_FIELDS = {"display_name", "locale"}
PROFILE_FIELDS = {
    "headline",
    "specialisation",
    "about",
    "degree",
    "years_of_teaching",
    "awards_and_education",
    "work_experience",
    "working_hours",
}
AVATAR_MAX_SIDE = 512


def email_normalize(email: str) -> str:
    return email.strip().lower()


def password_check(password: str, *, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), code="weak_password", field="password") from error


def user_register(
    *, request: HttpRequest, email: str, password: str, display_name: str = "", locale: str = "en"
) -> User | None:
    """Create a `pending` account and e-mail its activation link.

    An address that already has an account gets the same answer (no account enumeration); its
    owner is told by e-mail instead, and a gift recipient gets their claim link again.
    Returns the new user, or None when the address was taken.
    """
    email = email_normalize(email)
    # Checked before the address, so a weak password is refused alike for taken and free addresses.
    password_check(password, user=User(email=email, display_name=display_name))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        _existing_account_notify(existing)
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, display_name=display_name.strip(), locale=locale, status=UserStatus.PENDING
            )
            address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            audit_record(actor=user, action="user.registered", target=user)
            address.send_confirmation(request, signup=True)
    except IntegrityError:
        return None  # the same address registered a moment ago by a concurrent request
    return user


def _existing_account_notify(user: User) -> None:
    if user.status == UserStatus.WAITING:
        claim_invitation_send(user=user)
    elif user.status != UserStatus.CLOSED:
        email_enqueue_template(
            to=user.email,
            template="accounts/email/account_exists",
            context={
                "user": user,
                "login_url": absolute_url(reverse("account_login")),
                "reset_url": absolute_url(reverse("account_reset_password")),
            },
            language=user.locale,
        )


def user_mark_activated(*, user: User) -> None:
    """The activation link was followed: `pending` → `active`. Other statuses stay as they are."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.status != UserStatus.PENDING:
            return
        locked.status = UserStatus.ACTIVE
        locked.save(update_fields=["status", "updated_at"])
        audit_record(actor=locked, action="user.activated", target=locked)
        send_on_commit(events.user_activated, user_id=locked.pk)
    user.refresh_from_db(fields=["status", "is_active"])


def user_activate_from_key(*, request: HttpRequest, key: str) -> User:
    """Follow an activation link given its key (the API's way; the web page uses allauth's view)."""
    confirmation = EmailConfirmation.objects.select_related("email_address__user").filter(key=key).first()
    if confirmation is None or confirmation.key_expired():
        raise ServiceError(_("This activation link is invalid, used or expired."), code="invalid_token")
    if confirmation.confirm(request) is None:
        raise ServiceError(_("This activation link is invalid, used or expired."), code="invalid_token")
    user = confirmation.email_address.user
    user.refresh_from_db()
    return user


def activation_resend(*, request: HttpRequest, email: str) -> None:
    """Send a fresh activation link to a pending account; silent for any other address."""
    address = (
        EmailAddress.objects.select_related("user")
        .filter(email__iexact=email_normalize(email), primary=True, verified=False, user__status=UserStatus.PENDING)
        .first()
    )
    if address is not None:
        address.send_confirmation(request, signup=False)


def waiting_user_get_or_create(*, email: str) -> tuple[User, bool]:
    """The account for a gift recipient: the existing user, or a new `waiting` one (no password)."""
    email = email_normalize(email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, None, status=UserStatus.WAITING)
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            audit_record(actor=None, action="user.waiting_created", target=user)
    except IntegrityError:
        return User.objects.get(email__iexact=email), False
    return user, True


def claim_url(user: User) -> str:
    return absolute_url(reverse("accounts:claim", args=[claim_token_make(user)]))


def claim_invitation_send(*, user: User, context: dict[str, Any] | None = None) -> None:
    """E-mail a `waiting` account its claim link (gifts add what was given in `context`)."""
    email_enqueue_template(
        to=user.email,
        template="accounts/email/claim_invitation",
        context={"user": user, "claim_url": claim_url(user), **(context or {})},
        language=user.locale,
    )


def user_claim(*, request: HttpRequest, user: User, display_name: str, password: str, locale: str) -> User:
    """The claim form was completed: `waiting` → `pending`, and the activation link goes out."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.status != UserStatus.WAITING:
            raise ServiceError(_("This account has already been claimed."), code="already_claimed")
        locked.display_name = display_name.strip()
        password_check(password, user=locked)
        locked.set_password(password)
        locked.locale = locale
        locked.status = UserStatus.PENDING
        locked.save(update_fields=["display_name", "password", "locale", "status", "updated_at"])
        audit_record(actor=locked, action="user.claimed", target=locked)
        EmailAddress.objects.get(user=locked, primary=True).send_confirmation(request, signup=True)
    return locked


def user_update(*, user: User, data: dict[str, Any], avatar: UploadedFile | None = None) -> User:
    """Change the fields a user may edit about themselves (`USER_FIELDS`, `PROFILE_FIELDS`)."""
    unknown = set(data) - USER_FIELDS - PROFILE_FIELDS - {"expertise"}
    if unknown:
        raise ServiceError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)), code="invalid_field")
    if "locale" in data and data["locale"] not in dict(settings.LANGUAGES):
        raise ServiceError(_("Choose one of the offered languages."), code="invalid_locale", field="locale")
    if "display_name" in data:  # the name people see on the author page and in the feed
        data = {**data, "display_name": (data["display_name"] or "").strip()}
        if not data["display_name"]:
            raise ServiceError(_("This field is required."), code="required", field="display_name")
    with transaction.atomic():
        user_changes = {name: value for name, value in data.items() if name in USER_FIELDS}
        for name, value in user_changes.items():
            setattr(user, name, value)
        if avatar is not None:
            user.avatar.save(f"{user.pk}.jpg", image_reencode(avatar, max_side=AVATAR_MAX_SIDE), save=False)
            user_changes["avatar"] = user.avatar
        if user_changes:
            user.save(update_fields=[*user_changes, "updated_at"])
        _profile_update(user.profile, data)
    return user


def _profile_update(profile: Profile, data: dict[str, Any]) -> None:
    changes = {name: value for name, value in data.items() if name in PROFILE_FIELDS}
    for name, value in changes.items():
        setattr(profile, name, value)
    if changes:
        profile.full_clean(exclude=["user"])
        profile.save(update_fields=[*changes, "updated_at"])
    if "expertise" in data:
        profile.expertise.set(data["expertise"])


def user_close(*, user: User, password: str) -> None:
    """Close one's own account: personal details are wiped, orders and money records stay
    (the law asks us to keep them), and logging in is refused from now on."""
    if not user.check_password(password):
        raise ServiceError(_("The password is not correct."), code="wrong_password", field="password")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.status == UserStatus.CLOSED:
            return
        locked.status = UserStatus.CLOSED
        locked.display_name = ""
        locked.avatar.delete(save=False)
        # The password hash stays, so a login attempt with it can be told that the account is closed.
        locked.save(update_fields=["status", "display_name", "avatar", "updated_at"])
        _profile_wipe(locked.profile)
        audit_record(actor=locked, action="user.closed", target=locked)
        send_on_commit(events.user_closed, user_id=locked.pk)


def _profile_wipe(profile: Profile) -> None:
    for name in PROFILE_FIELDS - {"specialisation", "years_of_teaching"}:
        setattr(profile, name, "")
    profile.specialisation = None
    profile.years_of_teaching = None
    profile.save()
    profile.expertise.clear()
    profile.social_links.all().delete()


def user_suspend(*, actor: User, user: User, reason: str) -> None:
    """Staff suspend an account: login and posting refused at once, data kept."""
    if not reason.strip():
        raise ServiceError(_("Give a reason for the suspension."), code="reason_required", field="reason")
    if user.pk == actor.pk:
        raise ServiceError(_("You cannot suspend yourself."), code="self_suspension")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.is_suspended = True
        locked.suspension_reason = reason.strip()
        locked.save(update_fields=["is_suspended", "suspension_reason", "updated_at"])
        audit_record(actor=actor, action="user.suspended", target=locked, reason=reason.strip())
        send_on_commit(events.user_suspended, user_id=locked.pk, reason=reason.strip())


def user_unsuspend(*, actor: User, user: User, reason: str) -> None:
    if not reason.strip():
        raise ServiceError(_("Give a reason for lifting the suspension."), code="reason_required", field="reason")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.is_suspended = False
        locked.suspension_reason = ""
        locked.save(update_fields=["is_suspended", "suspension_reason", "updated_at"])
        audit_record(actor=actor, action="user.unsuspended", target=locked, reason=reason.strip())


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
