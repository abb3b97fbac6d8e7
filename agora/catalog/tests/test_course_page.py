"""The public course page and its API twin: what a visitor sees, and what no one sees."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from agora.accounts.tests.factories import UserFactory
from agora.catalog import services
from agora.catalog.markdown import ALLOWED_TAGS, markdown_render
from agora.catalog.models import Course, CourseRevision, CourseStatus, MemberRole, Skill, SkillArea
from agora.catalog.services import TeamMember
from agora.catalog.tests.factories import CategoryFactory, course_draft, course_published, revision_submit

pytestmark = pytest.mark.django_db

XSS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    "[click](javascript:window.__xss=1)",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe srcdoc='<script>parent.__xss=1</script>'></iframe>",
    "<svg/onload=window.__xss=1>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<details open ontoggle="window.__xss=1">',
    "{{ 7|add:7 }}{% debug %}",
]


@pytest.fixture
def course():
    parent = CategoryFactory(name="Development", slug="development")
    category = CategoryFactory(name="Web", slug="web", parent=parent)
    area = SkillArea.objects.create(name="Front-end", slug="front-end")
    react = Skill.objects.create(area=area, name="React", slug="react")
    course = course_draft(
        title="React in Depth",
        subtitle="Hooks, state and effects",
        description="## Why\n\nBecause **components**.",
        requirements=["JavaScript basics"],
        learning_outcomes=["Build a to-do app", "Test components"],
        category=category,
        price=5000,
        discount_price=1500,
        discount_ends_at=timezone.now() + datetime.timedelta(days=4),
        gives_certificate=True,
        access_days=90,
        curriculum=[[("video", 754, True), ("text", 300, False)], [("quiz", 180, False), ("assignment", 900, False)]],
    )
    revision = course.revisions.get()
    revision.skills.add(react)
    co_author = UserFactory(display_name="Grace Co")
    co_author.profile.headline = "Compiler person"
    co_author.profile.save()
    services.course_team_set(
        course=course,
        members=[
            TeamMember(course.created_by, MemberRole.ADMIN, 6000),
            TeamMember(co_author, MemberRole.CO_AUTHOR, 4000),
        ],
        actor=course.created_by,
    )
    revision_submit(revision)
    return services.revision_approve_apply(revision=revision)


def test_the_course_page_shows_listing_curriculum_team_and_price(client, course):
    response = client.get(reverse("catalog:course", args=[course.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    for text in [
        "React in Depth", "Hooks, state and effects", "Development", "Web", "React", "JavaScript basics",
        "Build a to-do app", "Module 1", "Lecture 1.1", "12:34", "Free preview", "Grace Co", "Compiler person",
        "$15.00", "$50.00", "Discount ends", "Certificate of completion", "Access for 90 days", "2 modules, 4 lectures",
        "<strong>components</strong>", "Add to wishlist",
    ]:  # fmt: skip
        assert text in page, text
    assert page.count("Free preview") == 1


def skill_groups(page: str) -> list[tuple[str, list[str]]]:
    """The "Skills you'll gain" section as (area, skills) pairs, in the page's order."""
    section = page.split('id="skills-title"')[1].split("</section>")[0]
    return [
        (area, re.findall(r'<li class="chip chip--brand">([^<]+)</li>', chips))
        for area, chips in re.findall(r"<dt>([^<]+)</dt>\s*<dd>(.*?)</dd>", section, flags=re.DOTALL)
    ]


def test_the_course_page_groups_skills_by_area(client, course, django_assert_num_queries):
    back_end = SkillArea.objects.create(name="Back-end", slug="back-end", position=2)
    data = SkillArea.objects.create(name="Data", slug="data", position=1)
    course.published_revision.skills.add(
        Skill.objects.create(area=back_end, name="Node.js", slug="node"),
        Skill.objects.create(area=data, name="SQL", slug="sql"),
        Skill.objects.create(area=back_end, name="Django", slug="django"),
        Skill.objects.create(area=SkillArea.objects.get(slug="front-end"), name="CSS", slug="css"),
    )

    with django_assert_num_queries(6):  # as test_query_counts.py pins it: the skills come with their areas
        page = client.get(reverse("catalog:course", args=[course.slug])).content.decode()

    assert skill_groups(page) == [
        ("Front-end", ["CSS", "React"]),  # position 0
        ("Data", ["SQL"]),
        ("Back-end", ["Django", "Node.js"]),
    ]


def test_the_course_api_gives_the_curriculum_with_stable_keys(client, course):
    body = client.get(f"/api/v1/courses/{course.slug}").json()

    revision = course.published_revision
    modules = list(revision.modules.order_by("position"))
    assert [module["key"] for module in body["modules"]] == [str(module.key) for module in modules]
    assert [lecture["kind"] for lecture in body["modules"][1]["lectures"]] == ["quiz", "assignment"]
    assert body["modules"][0]["lectures"][0] == {
        "key": str(modules[0].lectures.get(position=0).key),
        "title": "Lecture 1.1",
        "kind": "video",
        "duration_seconds": 754,
        "is_free_preview": True,
    }
    assert (body["modules"][0]["duration_seconds"], body["content_seconds"], body["lecture_count"]) == (1054, 2134, 4)
    assert [member["name"] for member in body["team"]] == [course.created_by.name, "Grace Co"]
    assert (body["skills"], body["requirements"], body["description_html"]) == (
        ["React"], ["JavaScript basics"], "<h3>Why</h3>\n<p>Because <strong>components</strong>.</p>\n"
    )  # fmt: skip


@pytest.mark.parametrize(
    "status", [CourseStatus.DRAFT, CourseStatus.IN_REVIEW, CourseStatus.REJECTED, CourseStatus.BLOCKED]
)
def test_a_course_that_is_not_published_does_not_exist_for_anyone(client, course, status):
    Course.objects.filter(pk=course.pk).update(status=status)
    author = course.created_by

    assert client.get(reverse("catalog:course", args=[course.slug])).status_code == 404
    assert client.get(f"/api/v1/courses/{course.slug}").status_code == 404
    client.force_login(author)
    assert client.get(reverse("catalog:course", args=[course.slug])).status_code == 404


def test_a_draft_never_published_is_not_found_and_neither_is_an_unknown_slug(client):
    draft = course_draft(title="Secret plans")

    assert client.get(reverse("catalog:course", args=[draft.slug])).status_code == 404
    assert client.get(reverse("catalog:course", args=["no-such-course"])).status_code == 404
    assert client.get("/api/v1/courses/no-such-course").json()["code"] == "not_found"


def test_learners_keep_seeing_the_approved_revision_while_a_new_one_is_drafted(client, course):
    draft = services.revision_draft_open(course=course, actor=course.created_by)
    draft.title, draft.description = "React, rewritten", "Brand new text"
    draft.save()
    revision_submit(draft)

    page = client.get(reverse("catalog:course", args=[course.slug])).content.decode()

    assert "React in Depth" in page and "React, rewritten" not in page and "Brand new text" not in page


class _Elements(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _unsafe(html: str) -> list:
    """Elements or attributes that could run script: anything but the allowed tags, on* handlers, or
    links to javascript:/data: addresses."""
    problems = []
    for tag, attrs in _Elements(html).found:
        if tag not in ALLOWED_TAGS:
            problems.append(tag)
        problems += [name for name in attrs if name.startswith("on")]
        problems += [
            value for value in attrs.values() if value and value.strip().lower().startswith(("javascript", "data"))
        ]
    return problems


@pytest.mark.parametrize("payload", XSS)
def test_markdown_in_a_description_cannot_run_script(client, payload):
    course = course_published(title="Safe", description=f"Intro {payload} outro")

    page = client.get(reverse("catalog:course", args=[course.slug])).content.decode()

    description = re.search(r'<h2 id="description-title">.*?<div class="prose">(.*?)</div>\s*</section>', page, re.S)[1]
    assert _unsafe(description) == [] and _unsafe(markdown_render(payload)) == []
    assert "Intro" in description and "outro" in description


def test_description_links_are_marked_nofollow_and_images_dropped():
    html = markdown_render("[site](https://example.com) ![pixel](https://tracker.example.com/p.gif)")

    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">site</a>' in html
    assert "<img" not in html


def test_an_approved_revisions_description_is_rendered_once(client, course):
    client.get(reverse("catalog:course", args=[course.slug]))
    CourseRevision.objects.filter(pk=course.published_revision_id).update(description="Changed in the database")

    page = client.get(reverse("catalog:course", args=[course.slug])).content.decode()

    assert "<strong>components</strong>" in page  # cached: an approved revision never changes
