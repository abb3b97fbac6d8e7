"""Reads of the catalog, each shaped for its page or API list and costing a fixed number of queries."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from agora.accounts.models import User
from agora.catalog.cursors import Cursor, Page, Sort, keyset_page
from agora.catalog.markdown import markdown_render
from agora.catalog.models import (
    Category,
    Course,
    CourseMember,
    CourseRevision,
    CourseStatus,
    Lecture,
    Module,
    Skill,
    SkillArea,
    WishlistItem,
)

PAGE_SIZE = 24
COUNT_CAP = 1000  # "1,000+ courses": counting past this would cost a scan of every match
HOUR = 3600

SORTS: dict[str, Sort] = {
    "popular": Sort(("student_count", "id"), descending=True),
    "rating": Sort(("rating_average", "rating_count", "id"), descending=True),
    "newest": Sort(("published_at", "id"), descending=True, datetime_fields=frozenset({"published_at"})),
    "price_low": Sort(("current_price", "id"), descending=False),
    "price_high": Sort(("current_price", "id"), descending=True),
}
SORT_LABELS = {
    "popular": _("Most popular"),
    "rating": _("Highest rated"),
    "newest": _("Newest"),
    "price_low": _("Price: low to high"),
    "price_high": _("Price: high to low"),
}
DEFAULT_SORT = "popular"
# Length of the content: (from, to) in seconds, `to` excluded.
DURATIONS: dict[str, tuple[int, int | None]] = {
    "0-1": (0, HOUR),
    "1-3": (HOUR, 3 * HOUR),
    "3-6": (3 * HOUR, 6 * HOUR),
    "6-17": (6 * HOUR, 17 * HOUR),
    "17-plus": (17 * HOUR, None),
}
DURATION_LABELS = {
    "0-1": _("Up to 1 hour"),
    "1-3": _("1–3 hours"),
    "3-6": _("3–6 hours"),
    "6-17": _("6–17 hours"),
    "17-plus": _("17+ hours"),
}
FREE, PAID = "free", "paid"


@dataclass(frozen=True)
class CatalogFilters:
    """What a visitor narrowed the catalog to. Prices in minor units, ratings in hundredths."""

    category_ids: tuple[int, ...] = ()
    price: str = ""  # "", FREE or PAID
    price_min: int | None = None
    price_max: int | None = None
    levels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    rating_min: int | None = None
    durations: tuple[str, ...] = ()
    certificate: bool = False
    author_id: int | None = None
    query: str = ""
    sort: str = DEFAULT_SORT


@dataclass
class CatalogPage:
    courses: list[Course]
    next_cursor: str | None
    previous_cursor: str | None
    count: int  # at most COUNT_CAP + 1
    count_is_capped: bool


@dataclass
class CategoryTree:
    """Every category, in one query: top-level ones with their `subcategories` attached."""

    roots: list[Category]
    by_slug: dict[str, Category]
    children: dict[int | None, list[Category]] = field(default_factory=dict)

    def subtree_ids(self, category: Category) -> tuple[int, ...]:
        ids, stack = [], [category]
        while stack:
            current = stack.pop()
            ids.append(current.pk)
            stack.extend(self.children.get(current.pk, []))
        return tuple(ids)


@dataclass(frozen=True)
class AuthorTotals:
    course_count: int = 0
    student_count: int = 0
    rating_average: int = 0  # hundredths, weighted by each course's number of ratings
    rating_count: int = 0

    @property
    def rating(self) -> float:
        return self.rating_average / 100


def category_tree() -> CategoryTree:
    categories = list(Category.objects.all())
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    for category in categories:
        category.subcategories = children.get(category.pk, [])  # type: ignore[attr-defined]
    return CategoryTree(roots=children.get(None, []), by_slug={c.slug: c for c in categories}, children=children)


def skills_by_area(skills: QuerySet[Skill] | None = None) -> QuerySet[Skill]:
    """Skills (every one, or those of `skills`) with their area, in the order the pages group them:
    Front-end → React, Vue."""
    skills = Skill.objects.all() if skills is None else skills
    return skills.select_related("area").order_by("area__position", "area__name", "name")


def skill_list_by_area() -> list[tuple[SkillArea, list[Skill]]]:
    """Every skill in its area, areas and skills in their order, in one query; an area without
    skills is left out (there is nothing in it to pick)."""
    groups: dict[int, tuple[SkillArea, list[Skill]]] = {}
    for skill in skills_by_area():
        groups.setdefault(skill.area_id, (skill.area, []))[1].append(skill)
    return list(groups.values())


def course_list_published() -> QuerySet[Course]:
    return Course.objects.filter(status=CourseStatus.PUBLISHED)


def _for_cards(courses: QuerySet[Course], viewer: User | None) -> QuerySet[Course]:
    """What a course card shows: the team's names and, for a signed-in viewer, the wishlist state."""
    courses = courses.select_related("category").prefetch_related(
        Prefetch("members", CourseMember.objects.select_related("user").order_by("position", "id"))
    )
    if viewer is not None and viewer.is_authenticated:
        in_wishlist = WishlistItem.objects.filter(user_id=viewer.pk, course_id=OuterRef("pk"))
        courses = courses.annotate(in_wishlist=Exists(in_wishlist))
    return courses


def course_list_filtered(filters: CatalogFilters) -> QuerySet[Course]:
    courses = course_list_published()
    conditions = Q()
    if filters.category_ids:
        conditions &= Q(category_id__in=filters.category_ids)
    if filters.price == FREE:
        conditions &= Q(current_price=0)
    elif filters.price == PAID:
        conditions &= Q(current_price__gt=0)
    if filters.price_min is not None:
        conditions &= Q(current_price__gte=filters.price_min)
    if filters.price_max is not None:
        conditions &= Q(current_price__lte=filters.price_max)
    if filters.levels:
        conditions &= Q(level__in=filters.levels)
    if filters.languages:
        conditions &= Q(language__in=filters.languages)
    if filters.rating_min:
        conditions &= Q(rating_average__gte=filters.rating_min)
    if filters.durations:
        conditions &= _duration_condition(filters.durations)
    if filters.certificate:
        conditions &= Q(gives_certificate=True)
    if filters.author_id is not None:
        conditions &= Q(Exists(CourseMember.objects.filter(course_id=OuterRef("pk"), user_id=filters.author_id)))
    if filters.query:
        # Until the search app (P3) brings full-text search and facets: a plain match on the title.
        words = filters.query
        conditions &= Q(title__icontains=words) | Q(subtitle__icontains=words) | Q(category__name__icontains=words)
    return courses.filter(conditions)


def _duration_condition(durations: tuple[str, ...]) -> Q:
    condition = Q()
    for name in durations:
        low, high = DURATIONS[name]
        condition |= Q(content_seconds__gte=low) & (Q() if high is None else Q(content_seconds__lt=high))
    return condition


def course_page_for_catalog(
    filters: CatalogFilters, *, cursor: Cursor | None, viewer: User | None, limit: int = PAGE_SIZE
) -> CatalogPage:
    """One page of the catalog: three queries (the page, the teams, a count capped at COUNT_CAP)."""
    matching = course_list_filtered(filters)
    page: Page[Course] = keyset_page(
        _for_cards(matching, viewer), sort_name=filters.sort, sort=SORTS[filters.sort], cursor=cursor, limit=limit
    )
    count = matching.order_by()[: COUNT_CAP + 1].count()
    return CatalogPage(
        courses=page.items,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        count=min(count, COUNT_CAP),
        count_is_capped=count > COUNT_CAP,
    )


def course_list_featured(*, viewer: User | None, limit: int = 8) -> list[Course]:
    """The home page's most popular courses: two queries."""
    courses = course_list_published().order_by("-student_count", "-rating_average", "-id")
    return list(_for_cards(courses, viewer)[:limit])


def course_for_card(course_id: int) -> Course:
    return _for_cards(Course.objects.filter(pk=course_id), None).get()


def course_get_by_slug(slug: str, *, viewer: User | None) -> Course | None:
    """The course at `slug` whatever its status (access decides who sees it), with its category."""
    courses = Course.objects.select_related("category__parent", "published_revision")
    if viewer is not None and viewer.is_authenticated:
        courses = courses.annotate(
            in_wishlist=Exists(WishlistItem.objects.filter(user_id=viewer.pk, course_id=OuterRef("pk")))
        )
    return courses.filter(slug=slug).first()


def course_page_load(course: Course) -> None:
    """Load what the course page shows about a published course: team with profiles, skills with their
    areas, the curriculum (lecture titles, kinds and lengths; not their content). Four queries."""
    lectures = Lecture.objects.defer("text", "assignment_instructions").order_by("position")
    prefetch_related_objects(
        [course],
        Prefetch("members", CourseMember.objects.select_related("user__profile").order_by("position", "id")),
    )
    if course.published_revision is not None:
        prefetch_related_objects(
            [course.published_revision],
            Prefetch("skills", skills_by_area()),
            Prefetch("modules", Module.objects.order_by("position").prefetch_related(Prefetch("lectures", lectures))),
        )


def revision_description_html(revision: CourseRevision) -> str:
    """The revision's Markdown description as sanitised HTML; approved revisions never change, so
    their HTML is cached."""
    if revision.status not in ("approved", "superseded"):
        return markdown_render(revision.description)
    key = f"catalog:revision-description:{revision.pk}"
    html = cache.get(key)
    if html is None:
        html = markdown_render(revision.description)
        cache.set(key, html, timeout=24 * 60 * 60)
    return html


def author_totals_for(user_ids: list[int]) -> dict[int, AuthorTotals]:
    """Published courses, students and the rating over all of them, per author, in one query."""
    rows = (
        course_list_published()
        .filter(members__user_id__in=user_ids)
        .values("members__user_id")
        .annotate(
            courses=Count("id"),
            students=Sum("student_count"),
            weighted=Sum(F("rating_average") * F("rating_count")),
            ratings=Sum("rating_count"),
        )
        .order_by()
    )
    totals = {}
    for row in rows:
        ratings = row["ratings"] or 0
        totals[row["members__user_id"]] = AuthorTotals(
            course_count=row["courses"],
            student_count=row["students"] or 0,
            rating_average=(2 * row["weighted"] + ratings) // (2 * ratings) if ratings else 0,  # half up
            rating_count=ratings,
        )
    return totals


def course_list_for_author(author: User, *, viewer: User | None, limit: int = PAGE_SIZE) -> list[Course]:
    """The author's published courses, most popular first (two queries)."""
    courses = course_list_filtered(CatalogFilters(author_id=author.pk)).order_by("-student_count", "-id")
    return list(_for_cards(courses, viewer)[:limit])


def wishlist_list_for_user(user: User) -> QuerySet[WishlistItem]:
    """The user's own wishlist, newest first, published courses only (a blocked one drops out)."""
    members = Prefetch("course__members", CourseMember.objects.select_related("user").order_by("position", "id"))
    return (
        WishlistItem.objects.filter(user=user, course__status=CourseStatus.PUBLISHED)
        .select_related("course__category")
        .prefetch_related(members)
        .order_by("-created_at", "-id")
    )
