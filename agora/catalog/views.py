from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agora.accounts import access as account_access
from agora.accounts import selectors as account_selectors
from agora.accounts.models import User
from agora.catalog import access, selectors, services
from agora.catalog.cursors import Cursor, CursorInvalid, cursor_decode
from agora.catalog.forms import CatalogFilterForm
from agora.catalog.models import Category, Course
from agora.catalog.page_cache import page_markers, visitor_page_cache
from agora.catalog.selectors import PAGE_SIZE, SORTS, AuthorTotals, CatalogFilters, CategoryTree

RESULTS_TARGET = "catalog-results"


@require_GET
@visitor_page_cache
def course_list(request: HttpRequest) -> HttpResponse:
    return _catalog(request, selectors.category_tree(), category=None)


@require_GET
@visitor_page_cache
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tree = selectors.category_tree()
    category = tree.by_slug.get(slug)
    if category is None:
        raise Http404
    return _catalog(request, tree, category=category)


def _catalog(request: HttpRequest, tree: CategoryTree, *, category: Category | None) -> HttpResponse:
    form = CatalogFilterForm(request.GET)
    filters = form.filters(category_ids=tree.subtree_ids(category) if category else ())
    cursor = _cursor(request.GET.get("cursor", ""), filters.sort)
    page = selectors.course_page_for_catalog(filters, cursor=cursor, viewer=request.user)  # type: ignore[arg-type]
    asked = QueryDict(mutable=True)  # what was asked for, without the form's empty fields
    for name, values in request.GET.lists():
        asked.setlist(name, [value for value in values if value])
    query = asked.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "tree": tree,
        "category": category,
        "parent": tree_parent(tree, category),
        "query_string": query.urlencode(),
        "filtered": filters != CatalogFilters(category_ids=filters.category_ids, sort=filters.sort),
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and htmx.target == RESULTS_TARGET and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "catalog/course_list.html" + ("#results" if partial else "")
    response = render(request, template, {**context, **page_markers(request)})
    if partial:  # the address bar shows the filters without the empty fields of the form
        response["HX-Push-Url"] = request.path + (f"?{asked.urlencode()}" if asked else "")
    patch_vary_headers(response, ["HX-Request"])
    return response


def tree_parent(tree: CategoryTree, category: Category | None) -> Category | None:
    if category is None or category.parent_id is None:
        return None
    return next((candidate for candidate in tree.by_slug.values() if candidate.pk == category.parent_id), None)


def _cursor(text: str, sort_name: str) -> Cursor | None:
    """The page asked for; a cursor that does not parse (or of another order) means the first page."""
    if not text:
        return None
    try:
        return cursor_decode(text[:500], sort_name=sort_name, sort=SORTS[sort_name])
    except CursorInvalid:
        return None


@require_GET
@visitor_page_cache
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = access.access_course_for_view(selectors.course_get_by_slug(slug, viewer=request.user))  # type: ignore[arg-type]
    selectors.course_page_load(course)
    revision = course.published_revision
    assert revision is not None  # a published course has one (database constraint)
    team = list(course.members.all())  # type: ignore[attr-defined]
    totals = selectors.author_totals_for([member.user_id for member in team])
    for member in team:
        member.totals = totals.get(member.user_id, AuthorTotals())  # type: ignore[attr-defined]
    # Sanitised by nh3 in markdown_render: only a short list of tags and safe links survive.
    description = mark_safe(selectors.revision_description_html(revision))  # noqa: S308
    context = {"course": course, "revision": revision, "team": team, "description": description}
    return render(request, "catalog/course_detail.html", {**context, **page_markers(request)})


@require_GET
def author_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    author = account_access.access_author_for_view(user_id)
    context = {
        "profile": account_selectors.profile_get(author),
        "courses": selectors.course_list_for_author(author, viewer=request.user),  # type: ignore[arg-type]
        "totals": selectors.author_totals_for([author.pk]).get(author.pk, AuthorTotals()),
    }
    return render(request, "catalog/author_detail.html", context)


@login_required
@require_GET
def wishlist(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.wishlist_list_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    courses = [item.course for item in page]
    for course in courses:
        course.in_wishlist = True  # type: ignore[attr-defined]
    return render(request, "catalog/wishlist.html", {"page": page, "courses": courses})


@login_required
@require_POST
def wishlist_add(request: HttpRequest, course_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    course = access.access_course_for_wishlist(user, course_id)
    services.wishlist_add(user=user, course=course)
    return _wishlist_answer(request, course, in_wishlist=True, message=_("Added to your wishlist."))


@login_required
@require_POST
def wishlist_remove(request: HttpRequest, course_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    services.wishlist_remove(user=user, course_id=course_id)
    course = selectors.course_list_published().filter(pk=course_id).first()
    return _wishlist_answer(request, course, in_wishlist=False, message=_("Removed from your wishlist."))


def _wishlist_answer(request: HttpRequest, course: Course | None, *, in_wishlist: bool, message: str) -> HttpResponse:
    """htmx swaps the button in place; without JavaScript the browser goes back where it came from."""
    if getattr(request, "htmx", False) and course is not None:
        course.in_wishlist = in_wishlist  # type: ignore[attr-defined]
        context = {"course": course, "swapped": True, "compact": request.POST.get("compact") == "1"}
        return render(request, "catalog/includes/wishlist_button.html", context)
    messages.success(request, message)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("catalog:course", args=[course.slug]) if course else reverse("catalog:wishlist")
    return redirect(next_url)
