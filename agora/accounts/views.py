from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from agora.accounts import access, selectors, services
from agora.accounts.forms import (
    ClaimForm,
    CloseAccountForm,
    EmailForm,
    ProfileForm,
    ReasonForm,
    SignupForm,
    SocialLinkFormSet,
    UserForm,
)
from agora.accounts.models import User
from agora.accounts.tokens import claim_token_user
from agora.core.errors import ServiceError
from agora.core.forms import form_add_service_error
from agora.core.ratelimit import RateLimited, ratelimit_consume, ratelimit_request

SIGNUP_RATE = "10/h"
RESEND_RATE_PER_IP = "10/h"
RESEND_RATE_PER_EMAIL = "3/h"
STAFF_PAGE_SIZE = 50
CLOSE_RATE = "5/5m"  # password guesses from a signed-in session


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit_request(request, action="signup", rate_per_ip=SIGNUP_RATE)
            services.user_register(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                locale=get_language() or "en",
            )
        except RateLimited:
            return _too_many(request)
        except ServiceError as error:
            form_add_service_error(form, error, field_map={"password": "password1"})
        else:
            request.session["signup_email"] = form.cleaned_data["email"]
            return redirect("accounts:signup-done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get("signup_email", "")
    return render(request, "accounts/signup_done.html", {"form": EmailForm(initial={"email": email}), "email": email})


@require_POST
def activation_resend(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/signup_done.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    try:
        ratelimit_request(
            request, action="resend", rate_per_ip=RESEND_RATE_PER_IP, rate_per_key=RESEND_RATE_PER_EMAIL, key=email
        )
    except RateLimited:
        return _too_many(request)
    services.activation_resend(request=request, email=email)
    messages.info(
        request, _("If %(email)s has an account waiting for activation, a new link is on its way.") % {"email": email}
    )
    request.session["signup_email"] = email
    return redirect("accounts:signup-done")


@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, token: str) -> HttpResponse:
    user = claim_token_user(token)
    if user is None:
        return render(request, "accounts/claim_invalid.html", status=400)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_claim(
                request=request,
                user=user,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
                locale=get_language() or "en",
            )
        except ServiceError as error:
            form_add_service_error(form, error, field_map={"password": "password1"})
        else:
            request.session["signup_email"] = user.email
            return redirect("accounts:signup-done")
    return render(request, "accounts/claim.html", {"form": form, "claimed_user": user})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"profile": selectors.profile_get(request.user)})  # type: ignore[arg-type]


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    profile = selectors.profile_get(user)
    data = request.POST if request.method == "POST" else None
    user_form = UserForm(data, request.FILES or None, instance=user)
    profile_form = ProfileForm(data, instance=profile)
    links = SocialLinkFormSet(data, instance=profile, prefix="links")
    if request.method == "POST" and user_form.is_valid() and profile_form.is_valid() and links.is_valid():
        try:
            with transaction.atomic():
                services.user_update(
                    user=user,
                    data={**_model_form_data(user_form), **_model_form_data(profile_form)},
                    avatar=user_form.cleaned_data.get("avatar"),
                )
                links.save()
        except ServiceError as error:
            form_add_service_error(user_form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    if request.method == "POST":
        user.refresh_from_db()  # the invalid form changed the in-memory user; the header shows the saved one
    context = {"user_form": user_form, "profile_form": profile_form, "links": links}
    return render(request, "accounts/profile_edit.html", context)


def _model_form_data(form: UserForm | ProfileForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.cleaned_data}


@login_required
@require_http_methods(["GET", "POST"])
def account_close(request: HttpRequest) -> HttpResponse:
    form = CloseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit_consume(action="close", key=str(request.user.pk), rate=CLOSE_RATE)
            services.user_close(user=request.user, password=form.cleaned_data["password"])  # type: ignore[arg-type]
        except RateLimited:
            return _too_many(request)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            logout(request)
            return render(request, "accounts/closed.html")
    return render(request, "accounts/close.html", {"form": form})


@login_required
def staff_user_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(access.SUSPEND_PERMISSION):
        raise Http404
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.user_list_for_staff(query), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_user_list.html", {"page": page, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def staff_user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        target = access.access_user_for_suspension(request.user, user_id)  # type: ignore[arg-type]
    except ServiceError:
        raise Http404 from None
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = services.user_unsuspend if target.is_suspended else services.user_suspend
        try:
            action(actor=request.user, user=target, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:staff-user", user_id=target.pk)
    history = selectors.audit_list_for_user(target)
    return render(request, "accounts/staff_user_detail.html", {"target": target, "form": form, "history": history})


@require_http_methods(["GET", "POST"])
def dev_waiting_account(request: HttpRequest) -> HttpResponse:
    """Test trigger (default mode only): what a gift will do for an unknown recipient."""
    if not settings.DEV_TOOLS:
        raise Http404
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, _created = services.waiting_user_get_or_create(email=form.cleaned_data["email"])
        services.claim_invitation_send(user=user)
        messages.info(request, _("A claim link was sent to %(email)s.") % {"email": user.email})
        return redirect("accounts:dev-waiting")
    return render(request, "accounts/dev_waiting.html", {"form": form})


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the account too so mail comes in that language."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_update(user=request.user, data={"locale": language})  # type: ignore[arg-type]
    return response
