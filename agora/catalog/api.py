"""The catalog API (tag "catalog"): the course list with the catalog's filters and sorts, a course with
its curriculum, an author with their courses, the category tree and the skills by area (the ids the
studio's `category_id` and `skill_ids` take), and one's own wishlist (bearer token).

Lists page with opaque cursors (`next_cursor`, `previous_cursor`): the same cost at any depth. Prices
are integers in minor units with their currency; ratings are averages between 0 and 5.
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from agora.accounts import access as account_access
from agora.accounts import selectors as account_selectors
from agora.accounts.api import ProfileOut
from agora.accounts.models import Profile, User
from agora.catalog import access, selectors, services
from agora.catalog.cursors import Cursor, CursorInvalid, cursor_decode
from agora.catalog.models import Category, Course, CourseMember
from agora.catalog.selectors import PAGE_SIZE, SORTS, AuthorTotals, CatalogFilters, CategoryTree
from agora.core.api import ErrorOut, InputSchema, JWTAuth
from agora.core.errors import ServiceError

catalog_router = Router(tags=["catalog"])
wishlist_router = Router(tags=["catalog"], auth=JWTAuth())
catalog_router.add_router("/wishlist", wishlist_router)

MAX_LIMIT = 100
REFUSED = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
# The models' and selectors' choices, spelled out for the OpenAPI document (test_api_choices checks them).
Level = Literal["beginner", "intermediate", "advanced", "all"]
Language = Literal["en", "ru", "es", "de", "fr", "pt", "uk"]
Duration = Literal["0-1", "1-3", "3-6", "6-17", "17-plus"]
SortName = Literal["popular", "rating", "newest", "price_low", "price_high"]


class CourseFilterIn(Schema):
    category: str | None = Field(default=None, max_length=80, description="A category's slug (with its subcategories).")
    price: Literal["free", "paid"] | None = None
    price_min: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Minor units.")
    price_max: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Minor units.")
    level: list[Level] = Field(default_factory=list)
    language: list[Language] = Field(default_factory=list)
    rating_min: float | None = Field(default=None, ge=0, le=5)
    duration: list[Duration] = Field(
        default_factory=list, description="Hours of content: 0-1, 1-3, 3-6, 6-17, 17-plus."
    )
    certificate: bool = False
    author: int | None = Field(default=None, ge=1, le=2**63 - 1, description="Courses of this author's teams.")
    q: str | None = Field(default=None, max_length=100, description="Words in the title or subtitle.")
    sort: SortName = "popular"
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=PAGE_SIZE, ge=1, le=MAX_LIMIT)


class MoneyOut(Schema):
    amount: int = Field(description="Minor units (cents).")
    currency: str


class CategoryOut(Schema):
    slug: str
    name: str


class CategoryNodeOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    url: str = Field(description="The category's catalog page.")
    parent_id: int | None
    children: list["CategoryNodeOut"] = Field(description="Subcategories, in their order.")


class SkillOut(Schema):
    id: int
    slug: str
    name: str


class SkillAreaOut(Schema):
    id: int
    slug: str
    name: str
    skills: list[SkillOut]


class PersonOut(Schema):
    id: int
    name: str
    avatar: str | None


class CourseCardOut(Schema):
    id: int
    slug: str
    url: str
    title: str
    subtitle: str
    kind: str
    level: str
    language: str
    category: CategoryOut | None
    price: MoneyOut = Field(description="The list price.")
    current_price: MoneyOut = Field(description="What a buyer pays now (the discount price while it lasts).")
    discount_ends_at: datetime | None
    gives_certificate: bool
    access_days: int | None = Field(description="Null: lifetime access.")
    content_seconds: int
    module_count: int
    lecture_count: int
    has_downloadable_resources: bool
    student_count: int
    rating_average: float
    rating_count: int
    published_at: datetime | None
    cover: str | None
    authors: list[PersonOut]


class CoursePageOut(Schema):
    items: list[CourseCardOut]
    count: int = Field(description=f"Matching courses, counted up to {selectors.COUNT_CAP}.")
    count_is_capped: bool = Field(description="True when more courses match than `count` says.")
    next_cursor: str | None
    previous_cursor: str | None


class LectureOut(Schema):
    key: UUID
    title: str
    kind: str
    duration_seconds: int
    is_free_preview: bool


class ModuleOut(Schema):
    key: UUID
    title: str
    duration_seconds: int
    lectures: list[LectureOut]


class TeamMemberOut(PersonOut):
    role: str
    headline: str


class CourseDetailOut(CourseCardOut):
    description: str = Field(description="Markdown, as the authors wrote it.")
    description_html: str = Field(description="The description rendered and sanitised.")
    requirements: list[str]
    learning_outcomes: list[str]
    skills: list[str]
    updated_at: datetime | None = Field(description="When this content was approved.")
    modules: list[ModuleOut]
    team: list[TeamMemberOut]


class AuthorTotalsOut(Schema):
    course_count: int
    student_count: int
    rating_average: float
    rating_count: int


class AuthorOut(PersonOut):
    url: str
    profile: ProfileOut
    totals: AuthorTotalsOut
    courses: list[CourseCardOut] = Field(
        description=f"The most popular {PAGE_SIZE}; filter the course list by `author` for all."
    )


class WishlistIn(InputSchema):
    course_id: int = Field(ge=1, le=2**63 - 1)


class WishlistItemOut(Schema):
    added_at: datetime
    course: CourseCardOut


class WishlistPageOut(Schema):
    items: list[WishlistItemOut]
    count: int


@catalog_router.get("/courses", response={200: CoursePageOut, **REFUSED})
def course_list(request: HttpRequest, filters: Query[CourseFilterIn]) -> dict[str, Any]:
    """Published courses, filtered and sorted like the catalog page; follow `next_cursor` for more."""
    tree = selectors.category_tree()
    category = None
    if filters.category:
        category = tree.by_slug.get(filters.category)
        if category is None:
            raise Http404
    catalog_filters = CatalogFilters(
        category_ids=tree.subtree_ids(category) if category else (),
        price=filters.price or "",
        price_min=filters.price_min,
        price_max=filters.price_max,
        levels=tuple(filters.level),
        languages=tuple(filters.language),
        rating_min=None if filters.rating_min is None else round(filters.rating_min * 100),
        durations=tuple(filters.duration),
        certificate=filters.certificate,
        author_id=filters.author,
        query=(filters.q or "").strip(),
        sort=filters.sort,
    )
    page = selectors.course_page_for_catalog(
        catalog_filters, cursor=_cursor(filters.cursor, filters.sort), viewer=None, limit=filters.limit
    )
    return {
        "items": [_card(course) for course in page.courses],
        "count": page.count,
        "count_is_capped": page.count_is_capped,
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


def _cursor(text: str | None, sort_name: str) -> Cursor | None:
    if not text:
        return None
    try:
        return cursor_decode(text, sort_name=sort_name, sort=SORTS[sort_name])
    except CursorInvalid:
        raise ServiceError(
            _("This cursor is not valid for this order."), code="invalid_cursor", field="cursor"
        ) from None


@catalog_router.get("/courses/{slug}", response={200: CourseDetailOut, **REFUSED})
def course_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A published course with its curriculum (titles, kinds and lengths of the lectures)."""
    course = access.access_course_for_view(selectors.course_get_by_slug(slug, viewer=None))
    selectors.course_page_load(course)
    revision = course.published_revision
    assert revision is not None  # a published course has one (database constraint)
    team: list[CourseMember] = list(course.members.all())  # type: ignore[attr-defined]
    return {
        **_card(course, team=team),
        "description": revision.description,
        "description_html": selectors.revision_description_html(revision),
        "requirements": [str(item) for item in revision.requirements],
        "learning_outcomes": [str(item) for item in revision.learning_outcomes],
        "skills": [skill.name for skill in revision.skills.all()],
        "updated_at": revision.approved_at,
        "modules": [
            {
                "key": module.key,
                "title": module.title,
                "duration_seconds": module.duration_seconds,
                "lectures": [
                    {
                        "key": lecture.key,
                        "title": lecture.title,
                        "kind": lecture.kind,
                        "duration_seconds": lecture.duration_seconds,
                        "is_free_preview": lecture.is_free_preview,
                    }
                    for lecture in module.lectures.all()
                ],
            }
            for module in revision.modules.all()
        ],
        "team": [{**_person(member.user), "role": member.role, "headline": _headline(member.user)} for member in team],
    }


@catalog_router.get("/categories", response={200: list[CategoryNodeOut], **REFUSED})
def category_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The category tree: top-level categories with their subcategories, in their order. A course goes in
    a category without subcategories (`category_id` of the studio's operations); the course list's
    `category` filter takes a slug and includes the subcategories."""
    tree = selectors.category_tree()
    return [_category_node(root, tree) for root in tree.roots]


@catalog_router.get("/skills", response={200: list[SkillAreaOut], **REFUSED})
def skill_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every skill in its area (Front-end → React), in their order: the ids the studio's `skill_ids` take."""
    return [
        {
            "id": area.pk,
            "slug": area.slug,
            "name": area.name,
            "skills": [{"id": skill.pk, "slug": skill.slug, "name": skill.name} for skill in skills],
        }
        for area, skills in selectors.skill_list_by_area()
    ]


@catalog_router.get("/authors/{int:user_id}", response={200: AuthorOut, **REFUSED})
def author_detail(request: HttpRequest, user_id: int) -> dict[str, Any]:
    """A public author page: profile, figures over their published courses, and the most popular ones."""
    author = account_access.access_author_for_view(user_id)
    profile = account_selectors.profile_get(author)
    totals = selectors.author_totals_for([author.pk]).get(author.pk, AuthorTotals())
    return {
        **_person(author),
        "url": reverse("catalog:author", args=[author.pk]),
        "profile": _profile(profile),
        "totals": {
            "course_count": totals.course_count,
            "student_count": totals.student_count,
            "rating_average": totals.rating,
            "rating_count": totals.rating_count,
        },
        "courses": [_card(course) for course in selectors.course_list_for_author(author, viewer=None)],
    }


@wishlist_router.get("", response={200: WishlistPageOut, **REFUSED})
def wishlist(
    request: HttpRequest,
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=100_000),
) -> dict[str, Any]:
    """One's own wishlist, newest first (published courses only)."""
    items = selectors.wishlist_list_for_user(_current_user(request))
    return {
        "items": [
            {"added_at": item.created_at, "course": _card(item.course)} for item in items[offset : offset + limit]
        ],
        "count": items.count(),
    }


@wishlist_router.post("", response={200: WishlistItemOut, 201: WishlistItemOut, **REFUSED})
def wishlist_add(request: HttpRequest, payload: WishlistIn) -> Status:
    """Add a published course to one's wishlist: 201 when added, 200 when it was there already."""
    user = _current_user(request)
    course = access.access_course_for_wishlist(user, payload.course_id)
    item, created = services.wishlist_add(user=user, course=course)
    course = selectors.course_for_card(course.pk)
    return Status(201 if created else 200, {"added_at": item.created_at, "course": _card(course)})


@wishlist_router.delete("/{course_id}", response={204: None, **REFUSED})
def wishlist_remove(request: HttpRequest, course_id: int) -> Status:
    """Take a course off one's own wishlist; 404 when it is not on it."""
    if not services.wishlist_remove(user=_current_user(request), course_id=course_id):
        raise Http404
    return Status(204, None)


def _category_node(category: Category, tree: CategoryTree) -> dict[str, Any]:
    return {
        "id": category.pk,
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "url": reverse("catalog:category", args=[category.slug]),
        "parent_id": category.parent_id,
        "children": [_category_node(child, tree) for child in tree.children.get(category.pk, [])],
    }


def _current_user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]  # set by JWTAuth


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": user.name, "avatar": user.avatar.url if user.avatar else None}


def _headline(user: User) -> str:
    profile = getattr(user, "profile", None)
    return profile.headline if profile is not None else ""


def _card(course: Course, team: list[CourseMember] | None = None) -> dict[str, Any]:
    members = team if team is not None else list(course.members.all())  # type: ignore[attr-defined]
    category = course.category
    return {
        "id": course.pk,
        "slug": course.slug,
        "url": reverse("catalog:course", args=[course.slug]),
        "title": course.title,
        "subtitle": course.subtitle,
        "kind": course.kind,
        "level": course.level,
        "language": course.language,
        "category": {"slug": category.slug, "name": category.name} if category else None,
        "price": {"amount": course.price, "currency": course.currency},
        "current_price": {"amount": course.price_at(), "currency": course.currency},
        "discount_ends_at": course.discount_ends_at if course.discount_is_active() else None,
        "gives_certificate": course.gives_certificate,
        "access_days": course.access_days,
        "content_seconds": course.content_seconds,
        "module_count": course.module_count,
        "lecture_count": course.lecture_count,
        "has_downloadable_resources": course.has_downloadable_resources,
        "student_count": course.student_count,
        "rating_average": course.rating,
        "rating_count": course.rating_count,
        "published_at": course.published_at,
        "cover": course.cover.url if course.cover else None,
        "authors": [_person(member.user) for member in members],
    }


def _profile(profile: Profile) -> dict[str, Any]:
    return {
        "headline": profile.headline,
        "specialisation": profile.specialisation.name if profile.specialisation else None,
        "expertise": [expertise.name for expertise in profile.expertise.all()],
        "about": profile.about,
        "degree": profile.degree,
        "years_of_teaching": profile.years_of_teaching,
        "awards_and_education": profile.awards_and_education,
        "work_experience": profile.work_experience,
        "working_hours": profile.working_hours,
        "social_links": [{"network": link.network.name, "url": link.url} for link in profile.social_links.all()],
    }
