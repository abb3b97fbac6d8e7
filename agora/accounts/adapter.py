"""django-allauth hooks: our mail outbox, our statuses, and clear answers for refused logins."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.signup import send_unknown_account_mail
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.core import context as globals_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.shortcuts import get_current_site
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agora.accounts.models import Profile, User, UserStatus
from agora.accounts.services import user_mark_activated
from agora.accounts.services_email import email_change_allowed
from agora.accounts.services_password import password_store
from agora.core.mail import email_enqueue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every allauth message goes through the outbox and its job, like all our mail."""
        context = {"email": email, "current_site": get_current_site(globals_context.request), **context}
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"), "")
        email_enqueue(to=email, subject=str(message.subject), text=str(message.body), html=str(html))

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        """The activation or e-mail change link: verify the address, make it the login address,
        activate a pending account, spend the link. An address another account logs in with is
        refused (allauth checks only verified addresses; a pending or waiting account's is not)."""
        refused = {"email": email_address.email}
        if not email_change_allowed(email_address=email_address):
            self.add_message(request, messages.ERROR, "account/messages/email_confirmation_failed.txt", refused)
            return False
        try:
            with transaction.atomic():
                confirmed = super().confirm_email(request, email_address)
        except IntegrityError:  # another account took the address between the check and the save
            self.add_message(request, messages.ERROR, "account/messages/email_confirmation_failed.txt", refused)
            return False
        if confirmed:
            EmailConfirmation.objects.filter(email_address__user_id=email_address.user_id).delete()
            user_mark_activated(user=email_address.user)
        return confirmed

    def set_password(self, user: AbstractBaseUser, password: str) -> None:
        """allauth's change, set and reset pages store the password as the API does."""
        password_store(user=user, password=password)  # type: ignore[arg-type]

    def send_password_reset_mail(self, user: AbstractBaseUser, email: str, context: dict[str, Any]) -> None:
        """A reset link goes only to the address the account logs in with. allauth also finds a user
        by an address they asked to change to; until confirmed, its mailbox may be anyone's, so it
        gets what an unknown address gets."""
        if user.email.lower() != email.lower():  # type: ignore[attr-defined]
            send_unknown_account_mail(self.request, email)
            return
        super().send_password_reset_mail(user, email, context)

    def respond_user_inactive(self, request: HttpRequest, user: Any) -> HttpResponse:
        """Shown only after a correct password, so it tells nothing to someone guessing."""
        return render(request, "account/account_inactive.html", {"inactive_user": user}, status=403)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> User:
        """An address the identity provider verified needs no activation link."""
        user = super().save_user(request, sociallogin, form)
        if user.status == UserStatus.PENDING and EmailAddress.objects.filter(user=user, verified=True).exists():
            user_mark_activated(user=user)
        Profile.objects.get_or_create(user=user)
        return user
