"""Every route is classified for every role; a walk over the URL tree fails on unclassified routes,
on refusals that let a role through, and on any server error (QUALITY.md §4)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from agora.accounts.models import UserStatus
from agora.accounts.roles import ACCOUNTANT, ADMIN, MODERATOR
from agora.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "learner", "moderator", "accountant", "admin"]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"visitor"}
SUSPENDERS = {"moderator", "admin"}
ACCOUNTANTS = {"accountant", "admin"}
MODERATORS = {"moderator", "admin"}
POST_ONLY = set()  # GET is refused (405) for every role; the POST is covered by the feature's tests

# path pattern → roles whose GET may succeed (2xx/3xx). Everyone else must be refused.
MATRIX: dict[str, set[str]] = {
    "": EVERYONE,
    "health": EVERYONE,
    "i18n/setlang/": POST_ONLY,
    "accounts/signup/": EVERYONE,  # signed-in people are sent home
    "accounts/login/": EVERYONE,
    "accounts/logout/": EVERYONE,
    "accounts/inactive/": EVERYONE,
    "accounts/reauthenticate/": SIGNED_IN,
    "accounts/email/": SIGNED_IN,
    "accounts/confirm-email/": EVERYONE,
    "accounts/password/change/": SIGNED_IN,
    "accounts/password/set/": SIGNED_IN,
    "accounts/password/reset/": EVERYONE,
    "accounts/password/reset/done/": EVERYONE,
    "accounts/password/reset/key/done/": EVERYONE,
    "accounts/login/code/confirm/": EVERYONE,
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": EVERYONE,  # says "invalid link"; its POST is refused
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": EVERYONE,  # says "bad link"
    "accounts/3rdparty/login/cancelled/": EVERYONE,
    "accounts/3rdparty/login/error/": EVERYONE,
    "accounts/3rdparty/signup/": EVERYONE,  # redirects to login without a pending social login
    "accounts/3rdparty/": SIGNED_IN,
    "accounts/social/login/cancelled/": EVERYONE,
    "accounts/social/login/error/": EVERYONE,
    "accounts/social/signup/": EVERYONE,
    "accounts/social/connections/": EVERYONE,  # a permanent redirect to accounts/3rdparty/
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/": set(),  # no such provider
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/": set(),
    "accounts/signup/done/": EVERYONE,
    "accounts/activation/resend/": POST_ONLY,
    "accounts/claim/<str:token>/": set(),  # a forged token is refused
    "accounts/profile/": SIGNED_IN,
    "accounts/profile/edit/": SIGNED_IN,
    "accounts/close/": SIGNED_IN,
    "authors/<int:user_id>/": set(),  # probed with a pending account's id: no page for anyone
    "courses/": EVERYONE,
    "courses/category/<slug:slug>/": set(),  # probed with a missing category
    "courses/<slug:slug>/": set(),  # a missing course; drafts and blocked ones: agora/catalog/tests
    "wishlist/": SIGNED_IN,
    "wishlist/<int:course_id>/add/": POST_ONLY,
    "wishlist/<int:course_id>/remove/": POST_ONLY,
    "sandbox/pay/<str:charge_id>": set(),  # a hosted page for whoever holds its unguessable link
    "sandbox/pay/<str:charge_id>/authorize": set(),
    "payments/stripe/pay/<int:payment_id>": set(),  # the payer's own payment only
    "payments/webhooks/<str:gateway>": POST_ONLY,
    "wallet/": SIGNED_IN,
    "wallet/history.csv": SIGNED_IN,  # one's own entries only
    "wallet/topups/": POST_ONLY,
    "wallet/payout-methods/": POST_ONLY,
    "wallet/payout-methods/<int:method_id>/remove/": POST_ONLY,
    "wallet/withdrawals/": POST_ONLY,
    "staff/payouts/": ACCOUNTANTS,
    "staff/payouts/<int:payout_id>/approve/": POST_ONLY,
    "staff/payouts/<int:payout_id>/reject/": POST_ONLY,
    "staff/ledger/": ACCOUNTANTS,
    "staff/ledger.csv": ACCOUNTANTS,
    "staff/payments/": ACCOUNTANTS,
    "staff/payments.csv": ACCOUNTANTS,
    "staff/reconciliation/": ACCOUNTANTS,
    "studio/": SIGNED_IN,  # one's own courses
    "studio/courses/<int:course_id>/": set(),  # a missing course; other teams' courses: agora/publishing/tests
    "studio/courses/<int:course_id>/submit/": POST_ONLY,
    "studio/courses/<int:course_id>/withdraw/": POST_ONLY,
    # Authoring, probed with a missing course: the team only (catalog/tests/test_authoring_pages.py).
    "studio/courses/new/": SIGNED_IN,
    "studio/courses/<int:course_id>/edit/": set(),
    "studio/courses/<int:course_id>/cover/": POST_ONLY,
    "studio/courses/<int:course_id>/cover/remove/": POST_ONLY,
    "studio/courses/<int:course_id>/curriculum/": set(),
    "studio/courses/<int:course_id>/modules/": POST_ONLY,
    "studio/courses/<int:course_id>/modules/<int:module_id>/rename/": POST_ONLY,
    "studio/courses/<int:course_id>/modules/<int:module_id>/delete/": POST_ONLY,
    "studio/courses/<int:course_id>/modules/<int:module_id>/move/": POST_ONLY,
    "studio/courses/<int:course_id>/modules/<int:module_id>/lectures/": POST_ONLY,
    "studio/courses/<int:course_id>/lectures/<int:lecture_id>/": set(),
    "studio/courses/<int:course_id>/lectures/<int:lecture_id>/move/": POST_ONLY,
    "studio/courses/<int:course_id>/lectures/<int:lecture_id>/delete/": POST_ONLY,
    "studio/courses/<int:course_id>/lectures/<int:lecture_id>/media/": POST_ONLY,
    "studio/courses/<int:course_id>/lectures/<int:lecture_id>/resources/": POST_ONLY,
    "studio/courses/<int:course_id>/resources/<int:resource_id>/remove/": POST_ONLY,
    "studio/courses/<int:course_id>/lectures/<int:lecture_id>/questions/": POST_ONLY,
    "studio/courses/<int:course_id>/questions/<int:question_id>/": POST_ONLY,
    "studio/courses/<int:course_id>/questions/<int:question_id>/delete/": POST_ONLY,
    "studio/courses/<int:course_id>/questions/<int:question_id>/move/": POST_ONLY,
    "studio/courses/<int:course_id>/team/": set(),
    "studio/courses/<int:course_id>/team/add/": POST_ONLY,
    "studio/courses/<int:course_id>/team/<int:user_id>/remove/": POST_ONLY,
    "studio/courses/<int:course_id>/preview/": set(),  # team, moderators and admins of an existing course
    "studio/courses/<int:course_id>/preview/lectures/<int:lecture_id>/": set(),
    "moderation/": MODERATORS,
    "moderation/revisions/<int:revision_id>/": set(),  # a missing revision; moderators' own: publishing tests
    "moderation/revisions/<int:revision_id>/approve/": POST_ONLY,
    "moderation/revisions/<int:revision_id>/reject/": POST_ONLY,
    "moderation/courses/": MODERATORS,
    "moderation/courses/<int:course_id>/block/": POST_ONLY,
    "moderation/courses/<int:course_id>/unblock/": POST_ONLY,
    "staff/users/": SUSPENDERS,
    "staff/users/<int:user_id>/": SUSPENDERS,
    "dev/accounts/waiting/": EVERYONE,  # the default mode's test trigger; absent in production
    "dev/mail/": EVERYONE,
    "dev/mail/api/messages": EVERYONE,
    "dev/mail/<int:message_id>/": set(),  # no such message
    "dev/mail/<int:message_id>/html": set(),
    "api/v1/openapi.json": EVERYONE,
    "api/v1/docs": EVERYONE,
    "api/v1/auth/register": POST_ONLY,
    "api/v1/auth/activate": POST_ONLY,
    "api/v1/auth/activation/resend": POST_ONLY,
    "api/v1/auth/token": POST_ONLY,
    "api/v1/auth/token/refresh": POST_ONLY,
    "api/v1/auth/password/reset": POST_ONLY,
    "api/v1/auth/password/reset/confirm": POST_ONLY,
    "api/v1/me": set(),  # bearer tokens only: a session is not enough
    "api/v1/me/close": POST_ONLY,
    "api/v1/me/password": POST_ONLY,
    "api/v1/me/email": POST_ONLY,
    "api/v1/courses": EVERYONE,
    "api/v1/courses/<slug>": set(),  # a missing course
    "api/v1/authors/<int:user_id>": set(),  # a pending account
    "api/v1/categories": EVERYONE,  # the public category tree
    "api/v1/skills": EVERYONE,  # the public skills by area
    "api/v1/wishlist": set(),  # bearer tokens only
    "api/v1/wishlist/<course_id>": POST_ONLY,  # DELETE with a bearer token
    "api/v1/wallet": set(),  # bearer tokens only, like every API operation below
    "api/v1/wallet/history": set(),
    "api/v1/wallet/topups": POST_ONLY,
    "api/v1/wallet/payout-methods": set(),
    "api/v1/wallet/payout-methods/<method_id>": POST_ONLY,  # DELETE
    "api/v1/wallet/withdrawals": set(),
    "api/v1/accountant/withdrawals": set(),
    "api/v1/accountant/withdrawals/<payout_id>/approve": POST_ONLY,
    "api/v1/accountant/withdrawals/<payout_id>/reject": POST_ONLY,
    "api/v1/studio/courses/<course_id>/submit": POST_ONLY,
    "api/v1/studio/courses/<course_id>/withdraw": POST_ONLY,
    "api/v1/studio/courses/<course_id>/revisions": set(),  # bearer tokens only
    "api/v1/studio/courses": set(),  # bearer tokens only, like all authoring operations below
    "api/v1/studio/courses/<course_id>": set(),
    "api/v1/studio/courses/<course_id>/cover": POST_ONLY,  # and DELETE
    "api/v1/studio/courses/<course_id>/modules": POST_ONLY,
    "api/v1/studio/courses/<course_id>/team": set(),
    "api/v1/studio/courses/<course_id>/team/<user_id>": POST_ONLY,  # DELETE
    "api/v1/studio/modules/<module_id>": POST_ONLY,  # PATCH, DELETE
    "api/v1/studio/modules/<module_id>/lectures": POST_ONLY,
    "api/v1/studio/lectures/<lecture_id>": set(),
    "api/v1/studio/lectures/<lecture_id>/media": POST_ONLY,
    "api/v1/studio/lectures/<lecture_id>/resources": POST_ONLY,
    "api/v1/studio/lectures/<lecture_id>/questions": POST_ONLY,
    "api/v1/studio/resources/<resource_id>": POST_ONLY,  # DELETE
    "api/v1/studio/questions/<question_id>": POST_ONLY,  # PUT, DELETE
    "api/v1/studio/questions/<question_id>/move": POST_ONLY,
    "api/v1/moderation/queue": set(),
    "api/v1/moderation/revisions/<revision_id>": set(),
    "api/v1/moderation/revisions/<revision_id>/approve": POST_ONLY,
    "api/v1/moderation/revisions/<revision_id>/reject": POST_ONLY,
    "api/v1/moderation/courses/<course_id>/block": POST_ONLY,
    "api/v1/moderation/courses/<course_id>/unblock": POST_ONLY,
    "api/v1/": set(),
    "^media/avatars/(?P<path>.+)$": set(),  # probed with a missing file
    "^media/covers/(?P<path>.+)$": set(),
    "lectures/<int:lecture_id>/media": set(),  # a missing lecture; who may: catalog/tests/test_protected_media.py
    "resources/<int:resource_id>/file": set(),
}
SAMPLE_ARGUMENTS = {
    "<int:user_id>": "{victim}",
    "<str:token>": "forged-token",
    "<int:message_id>": "999999",
    "<str:charge_id>": "ch_forged",
    "<int:payment_id>": "999999",
    "<str:gateway>": "sandbox",
    "<int:method_id>": "999999",
    "<int:payout_id>": "999999",
    "<method_id>": "999999",
    "<payout_id>": "999999",
    "<slug:slug>": "no-such-slug",
    "<slug>": "no-such-slug",
    "<int:course_id>": "999999",
    "<course_id>": "999999",
    "<int:revision_id>": "999999",
    "<revision_id>": "999999",
    "<module_id>": "999999",
    "<lecture_id>": "999999",
    "<resource_id>": "999999",
    "<question_id>": "999999",
    "<user_id>": "{victim}",
    "(?P<key>[-:\\w]+)": "unknown-key",
    "(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)": "zz-bad-key",
    "(?P<provider_id>[^/]+)": "nosuchprovider",
    "avatars/(?P<path>.+)": "avatars/missing.jpg",
    "covers/(?P<path>.+)": "covers/missing.jpg",
    "<int:lecture_id>": "999999",
    "<int:resource_id>": "999999",
    "<int:module_id>": "999999",
    "<int:question_id>": "999999",
}


def _routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _probe_url(route: str, victim_id: int) -> str:
    url = route
    for placeholder, value in SAMPLE_ARGUMENTS.items():
        url = url.replace(placeholder, value.format(victim=victim_id))
    return "/" + re.sub(r"[\^$]", "", url)


@pytest.fixture
def people():
    def staff(role):
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return user

    return {
        "visitor": None,
        "learner": UserFactory(),
        "moderator": staff(MODERATOR),
        "accountant": staff(ACCOUNTANT),
        "admin": staff(ADMIN),
    }


def test_every_route_is_classified(quality_figure):
    routes = {route for route in _routes() if not route.startswith("admin/")}
    quality_figure("access_routes", routes=len(routes))

    assert routes - set(MATRIX) == set(), "classify these routes in MATRIX"
    assert set(MATRIX) - routes == set(), "these MATRIX rows match no route"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_routes(client, people, role, quality_figure):
    victim = UserFactory(status=UserStatus.PENDING)
    if people[role] is not None:
        client.force_login(people[role])
    leaks, errors, probed = [], [], []
    for route, allowed in MATRIX.items():
        url = _probe_url(route, victim.pk)
        response = client.get(url)
        probed.append(url)
        if response.status_code >= 500:
            errors.append((url, response.status_code))
        refused = response.status_code >= 400 or "/accounts/login/" in response.headers.get("Location", "")
        if role not in allowed and not refused:
            leaks.append((url, response.status_code))
    quality_figure("access_matrix", cells=len(probed), leaks=len(leaks), errors=len(errors))

    assert errors == []
    assert leaks == []


def test_the_admin_site_is_for_staff_only(client, people):
    client.force_login(people["learner"])
    response = client.get("/admin/")

    assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
