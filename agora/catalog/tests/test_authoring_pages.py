"""The authoring pages under /studio/: what the course team sees and does, what everyone else is
refused, read-only revisions in review, the cost in queries and escaped user text."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from agora.accounts.roles import ACCOUNTANT, MODERATOR
from agora.accounts.tests.factories import UserFactory
from agora.catalog.models import (
    Course,
    CourseMember,
    CourseRevision,
    Lecture,
    MemberRole,
    Module,
    Option,
    Question,
    Resource,
    Skill,
    SkillArea,
)
from agora.catalog.tests.factories import CategoryFactory, course_draft, course_published, revision_submit
from agora.catalog.tests.media_samples import image_bytes, not_videos, pdf_bytes, upload
from agora.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SIGNED_IN = 3  # session, user, and the menu's permissions (one query: accounts/backends.py)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def course():
    """A draft: Module 1 (Lecture 1.1 video, 1.2 video), Module 2 (Lecture 2.1 quiz with a question
    and a resource), a co-author on the team."""
    course = course_draft(description="Learn **Python**.")
    quiz = Lecture.objects.get(module__revision__course=course, kind="quiz")
    question = Question.objects.create(lecture=quiz, text="2 + 2?", explanation="Count.", position=0)
    Option.objects.create(question=question, text="4", is_correct=True, position=0)
    Option.objects.create(question=question, text="5", position=1)
    Resource.objects.create(lecture=quiz, title="Cheat sheet", file="resources/sheet.pdf")
    CourseMember.objects.create(course=course, user=UserFactory(), role=MemberRole.CO_AUTHOR, revenue_share_bp=0)
    return course


def _co_author(course):
    return CourseMember.objects.get(course=course, role=MemberRole.CO_AUTHOR).user


def _lecture(course, title):
    return Lecture.objects.get(module__revision__course=course, title=f"Lecture {title}")


def _module(course, number):
    return Module.objects.get(revision__course=course, title=f"Module {number}")


def _outline(course):
    revision = CourseRevision.objects.filter(course=course).order_by("-number").first()
    return [
        (module.title, list(module.lectures.order_by("position").values_list("title", flat=True)))
        for module in revision.modules.order_by("position")
    ]


def _messages(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


# Starting a course


def test_a_signed_in_person_creates_a_course_and_lands_on_its_details(client):
    author = UserFactory()
    category = CategoryFactory(name="Web")
    client.force_login(author)

    form = client.get(reverse("catalog:studio-course-new"))
    response = client.post(
        reverse("catalog:studio-course-new"),
        {"title": "Django for Teams", "kind": "self_paced", "category": category.pk, "language": "de"},
    )

    course = Course.objects.get(title="Django for Teams")
    assert form.status_code == 200
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:studio-course-edit", args=[course.pk]
    )
    revision = course.revisions.get()
    assert (revision.category, revision.language, course.created_by) == (category, "de", author)


def test_a_course_without_a_title_is_not_created(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("catalog:studio-course-new"), {"title": "  ", "kind": "self_paced", "language": "en"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not Course.objects.exists()


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("catalog:studio-course-new"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Details


def test_the_details_page_shows_the_draft_and_saves_it(client, course, django_assert_num_queries):
    area = SkillArea.objects.create(name="Back-end", slug="back-end")
    django_skill = Skill.objects.create(area=area, name="Django", slug="django")
    client.force_login(course.created_by)
    url = reverse("catalog:studio-course-edit", args=[course.pk])

    # member with course, latest revision, categories, skills with areas, the revision's skills
    with django_assert_num_queries(5 + SIGNED_IN):
        page = client.get(url)
    response = client.post(
        url,
        {
            "title": "Python, properly",
            "subtitle": "",
            "description": "New **text**",
            "category_id": "",
            "skill_ids": [django_skill.pk],
            "level": "beginner",
            "language": "en",
            "kind": "self_paced",
            "learning_outcomes": "Write scripts\r\n\r\nRead code",
            "requirements": "",
            "price": "19.90",
            "discount_price": "9.90",
            "discount_ends_at": "",
            "access_days": "",
        },
    )

    assert page.status_code == 200
    assert 'value="Python for Beginners"' in page.content.decode()
    assert response.status_code == 302
    revision = course.revisions.get()
    assert (revision.title, revision.description, revision.price, revision.discount_price) == (
        "Python, properly", "New **text**", 1990, 990
    )  # fmt: skip
    assert revision.learning_outcomes == ["Write scripts", "Read code"]
    assert list(revision.skills.all()) == [django_skill]


def test_the_details_page_costs_the_same_with_many_categories_and_skills(client, course, django_assert_num_queries):
    parents = [CategoryFactory() for _ in range(5)]
    for parent in parents:
        for _ in range(4):
            CategoryFactory(parent=parent)
    area = SkillArea.objects.create(name="Data", slug="data")
    skills = [Skill.objects.create(area=area, name=f"Skill {number}", slug=f"skill-{number}") for number in range(30)]
    course.revisions.get().skills.set(skills[:10])
    client.force_login(course.created_by)

    with django_assert_num_queries(5 + SIGNED_IN):
        client.get(reverse("catalog:studio-course-edit", args=[course.pk]))


def test_a_refused_detail_shows_under_its_field(client, course):
    client.force_login(course.created_by)

    response = client.post(
        reverse("catalog:studio-course-edit", args=[course.pk]),
        {"title": "T", "level": "all", "language": "en", "kind": "self_paced", "price": "10", "discount_price": "10"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["discount_price"] == ["The discount price must be below the price."]
    assert course.revisions.get().price == 0


def test_a_cover_is_uploaded_from_the_details_page(client, course):
    client.force_login(course.created_by)

    response = client.post(
        reverse("catalog:studio-cover", args=[course.pk]), {"cover-file": upload("cover.png", image_bytes("PNG"))}
    )
    refused = client.post(
        reverse("catalog:studio-cover", args=[course.pk]),
        {"cover-file": upload("cover.png", b"not an image")},
        follow=True,
    )

    assert response.status_code == 302 and response["Location"].endswith("/edit/#cover")
    assert course.revisions.get().cover.name.startswith("covers/")
    assert "Upload a JPEG, PNG, WebP or GIF image." in _messages(refused)


# Curriculum


def test_the_curriculum_page_lists_modules_and_lectures_at_a_fixed_cost(client, course, django_assert_num_queries):
    client.force_login(_co_author(course))
    url = reverse("catalog:studio-course-curriculum", args=[course.pk])

    with django_assert_num_queries(4 + SIGNED_IN):  # member with course, latest revision, modules, lectures
        page = client.get(url)
    revision = course.revisions.get()
    for position in range(2, 12):
        module = Module.objects.create(revision=revision, title=f"More {position}", position=position)
        Lecture.objects.bulk_create(Lecture(module=module, title=f"L{n}", position=n) for n in range(8))
    with django_assert_num_queries(4 + SIGNED_IN):
        bigger = client.get(url)

    text = page.content.decode()
    assert page.status_code == 200 and bigger.status_code == 200
    for expected in ["Module 1", "Lecture 1.1", "Lecture 2.1", "15 min", "Free preview", "Add module"]:
        assert expected in text
    assert text.count('class="studio-lecture"') == 3
    assert text.index("Lecture 1.2") < text.index("Lecture 2.1")


def test_move_buttons_reorder_without_javascript(client, course):
    client.force_login(course.created_by)
    first = _lecture(course, "1.1")

    down = client.post(reverse("catalog:studio-lecture-move", args=[course.pk, first.pk]), {"direction": "down"})
    across = client.post(reverse("catalog:studio-lecture-move", args=[course.pk, first.pk]), {"direction": "down"})
    module_up = client.post(
        reverse("catalog:studio-module-move", args=[course.pk, _module(course, 2).pk]), {"direction": "up"}, follow=True
    )

    assert down.status_code == 302 and down["Location"].endswith(f"/curriculum/#lecture-{first.key}")
    assert across.status_code == 302
    assert _outline(course) == [("Module 2", ["Lecture 1.1", "Lecture 2.1"]), ("Module 1", ["Lecture 1.2"])]
    assert _messages(module_up) == [
        "Lecture “Lecture 1.1” is moved.", "Lecture “Lecture 1.1” is moved.", "Module “Module 2” is moved."
    ]  # fmt: skip


def test_a_move_past_the_end_is_refused_with_a_message(client, course):
    client.force_login(course.created_by)

    response = client.post(
        reverse("catalog:studio-lecture-move", args=[course.pk, _lecture(course, "2.1").pk]),
        {"direction": "down"},
        follow=True,
    )

    assert _messages(response) == ["It is already at that end."]
    assert _outline(course) == [("Module 1", ["Lecture 1.1", "Lecture 1.2"]), ("Module 2", ["Lecture 2.1"])]


def test_htmx_gets_the_curriculum_in_place_with_the_outcome_announced(client, course):
    client.force_login(course.created_by)
    lecture = _lecture(course, "2.1")

    response = client.post(
        reverse("catalog:studio-lecture-move", args=[course.pk, lecture.pk]),
        {"position": "0", "module": str(_module(course, 1).pk)},  # what a drop posts
        headers={"HX-Request": "true"},
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith('<p id="studio-status"') and 'hx-swap-oob="true"' in text
    assert "Lecture “Lecture 2.1” is moved." in text
    assert '<section id="curriculum"' in text and "<html" not in text
    assert _outline(course) == [("Module 1", ["Lecture 2.1", "Lecture 1.1", "Lecture 1.2"]), ("Module 2", [])]


def test_modules_and_lectures_are_added_renamed_and_deleted_from_the_page(client, course):
    client.force_login(course.created_by)
    module = _module(course, 2)

    client.post(reverse("catalog:studio-module-add", args=[course.pk]), {"title": "Extras"})
    client.post(reverse("catalog:studio-lecture-add", args=[course.pk, module.pk]), {"title": "Read", "kind": "text"})
    client.post(reverse("catalog:studio-module-rename", args=[course.pk, module.pk]), {"title": "Practice"})
    client.post(reverse("catalog:studio-lecture-delete", args=[course.pk, _lecture(course, "1.2").pk]))
    refused = client.post(reverse("catalog:studio-module-add", args=[course.pk]), {"title": ""}, follow=True)
    client.post(reverse("catalog:studio-module-delete", args=[course.pk, _module(course, 1).pk]))

    assert _outline(course) == [("Practice", ["Lecture 2.1", "Read"]), ("Extras", [])]
    assert _messages(refused) == [
        "Module “Extras” is added.",
        "Lecture “Read” is added.",
        "The module is renamed “Practice”.",
        "Lecture “Lecture 1.2” is deleted.",
        "This field is required.",
    ]


# Lecture


def test_the_lecture_page_shows_a_quiz_at_a_fixed_cost(client, course, django_assert_num_queries):
    client.force_login(course.created_by)
    quiz = _lecture(course, "2.1")
    url = reverse("catalog:studio-lecture", args=[course.pk, quiz.pk])

    # member, lecture, latest revision, resources, questions, options
    with django_assert_num_queries(6 + SIGNED_IN):
        page = client.get(url)
    for position in range(1, 8):
        question = Question.objects.create(lecture=quiz, text=f"Q{position}", position=position)
        Option.objects.bulk_create(Option(question=question, text=f"O{n}", position=n) for n in range(4))
        Resource.objects.create(lecture=quiz, title=f"R{position}", file="resources/r.pdf", position=position)
    with django_assert_num_queries(6 + SIGNED_IN):
        client.get(url)

    text = page.content.decode()
    for expected in ["2 + 2?", "Count.", 'value="4"', "Cheat sheet", "Pass mark", "New question"]:
        assert expected in text
    assert 'name="question-' in text and 'name="new-question-option_rows"' in text


def test_a_video_lecture_page_costs_fewer_queries(client, course, django_assert_num_queries):
    client.force_login(course.created_by)
    url = reverse("catalog:studio-lecture", args=[course.pk, _lecture(course, "1.1").pk])

    with django_assert_num_queries(4 + SIGNED_IN):  # member, lecture, latest revision, resources
        page = client.get(url)

    text = page.content.decode()
    assert 'accept="video/*"' in text and "data-upload" in text and "Questions" not in text


def test_a_text_lecture_is_written_and_its_length_estimated(client, course):
    client.force_login(course.created_by)
    lecture = _text_lecture(course)

    response = client.post(
        reverse("catalog:studio-lecture", args=[course.pk, lecture.pk]),
        {"title": "Reading", "text": "word " * 250, "is_free_preview": "on"},
    )

    lecture.refresh_from_db()
    assert response.status_code == 302
    assert (lecture.title, lecture.duration_seconds, lecture.is_free_preview) == ("Reading", 120, True)


def _text_lecture(course):
    return Lecture.objects.create(module=_module(course, 1), title="Read", kind="text", position=2)


def test_files_are_uploaded_to_a_lecture_with_plain_forms(client, course):
    client.force_login(course.created_by)
    pdf = Lecture.objects.create(module=_module(course, 1), title="Slides", kind="pdf", position=2)

    media = client.post(
        reverse("catalog:studio-lecture-media", args=[course.pk, pdf.pk]), {"media-file": upload("s.pdf", pdf_bytes())}
    )
    resource = client.post(
        reverse("catalog:studio-resource-add", args=[course.pk, pdf.pk]),
        {"resource-file": upload("notes.pdf", pdf_bytes()), "resource-title": "Notes"},
    )
    removed = client.post(
        reverse("catalog:studio-resource-remove", args=[course.pk, Resource.objects.get(title="Cheat sheet").pk])
    )

    pdf.refresh_from_db()
    assert media["Location"].endswith(f"/lectures/{pdf.pk}/#media") and pdf.media.name.endswith(".pdf")
    assert resource["Location"].endswith("#resources") and removed.status_code == 302
    assert list(Resource.objects.values_list("title", flat=True)) == ["Notes"]


# Refused uploads: wrong content, too large, a path in the name


def _stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def _upload_state(course):
    return (*_state(course), AuditEntry.objects.count(), _stored_files())


def _pdf_lecture(course):
    return Lecture.objects.create(module=_module(course, 1), title="Slides", kind="pdf", position=2)


NOT_A_VIDEO = {
    "a PDF renamed .mp4": "Upload a video: MP4, MOV, WebM or MKV.",
    "random bytes named .mp4": "Upload a video: MP4, MOV, WebM or MKV.",
    "an MP4 header over random bytes": (
        "This file is not a playable video. Export it again as MP4 (H.264) or WebM and upload that."
    ),
}


@pytest.mark.parametrize("sample", NOT_A_VIDEO)
def test_a_renamed_non_video_is_refused_on_the_lecture_page(client, course, sample):
    client.force_login(course.created_by)
    video = _lecture(course, "1.1")
    before = _upload_state(course)

    response = client.post(
        reverse("catalog:studio-lecture-media", args=[course.pk, video.pk]),
        {"media-file": upload("talk.mp4", not_videos()[sample], "video/mp4")},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("catalog:studio-lecture", args=[course.pk, video.pk]) + "#media", 302)]
    assert _messages(response) == [NOT_A_VIDEO[sample]]
    assert NOT_A_VIDEO[sample] in response.content.decode()
    assert _upload_state(course) == before


def test_a_file_over_its_kinds_limit_is_refused_on_the_lecture_page(client, course, settings):
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "pdf": 1024, "resource": 1024}
    client.force_login(course.created_by)
    pdf = _pdf_lecture(course)
    before = _upload_state(course)

    media = client.post(
        reverse("catalog:studio-lecture-media", args=[course.pk, pdf.pk]),
        {"media-file": upload("slides.pdf", pdf_bytes("x" * 2000))},
        follow=True,
    )
    resource = client.post(
        reverse("catalog:studio-resource-add", args=[course.pk, pdf.pk]),
        {"resource-file": upload("notes.pdf", pdf_bytes("x" * 2000)), "resource-title": "Notes"},
        follow=True,
    )

    for response in (media, resource):
        assert response.status_code == 200
        assert _messages(response) == ["The file is larger than 1.0\xa0KB."]
        assert "The file is larger than 1.0\xa0KB." in response.content.decode()
    assert _upload_state(course) == before


def test_a_request_over_the_upload_limit_gets_a_413_page(client, course, settings):
    settings.UPLOAD_REQUEST_MAX_BYTES = 2048
    client.force_login(course.created_by)
    pdf = _pdf_lecture(course)
    before = _upload_state(course)

    answers = [
        client.post(
            reverse("catalog:studio-lecture-media", args=[course.pk, pdf.pk]),
            {"media-file": upload("slides.pdf", pdf_bytes("x" * 4000))},
        ),
        client.post(
            reverse("catalog:studio-resource-add", args=[course.pk, pdf.pk]),
            {"resource-file": upload("notes.pdf", pdf_bytes("x" * 4000))},
        ),
    ]

    for response in answers:
        assert response.status_code == 413
        assert "This upload is too large: the limit is 2.0\xa0KB." in response.content.decode()
    assert _upload_state(course) == before


@pytest.mark.parametrize("file_name", ["../../etc/passwd.pdf", "..\\..\\etc\\passwd.pdf", "/etc/passwd.pdf"])
def test_a_path_in_the_file_name_is_never_used_by_the_pages(client, course, tmp_path, file_name):
    client.force_login(course.created_by)
    pdf = _pdf_lecture(course)

    media = client.post(
        reverse("catalog:studio-lecture-media", args=[course.pk, pdf.pk]),
        {"media-file": upload(file_name, pdf_bytes())},
    )
    resource = client.post(
        reverse("catalog:studio-resource-add", args=[course.pk, pdf.pk]),
        {"resource-file": upload(file_name, pdf_bytes())},
    )
    page = client.get(reverse("catalog:studio-lecture", args=[course.pk, pdf.pk])).content.decode()

    assert media.status_code == resource.status_code == 302
    pdf.refresh_from_db()
    stored = Resource.objects.get(lecture=pdf)
    root = Path(settings.MEDIA_ROOT).resolve()
    for name, folder in [(pdf.media.name, "lectures"), (stored.file.name, "resources")]:
        assert re.fullmatch(rf"{folder}/{course.pk}/[0-9a-f]{{32}}\.pdf", name), name
        assert (root / name).resolve().is_relative_to(root) and (root / name).is_file()
    assert _stored_files() == sorted([pdf.media.name, stored.file.name])
    assert [path for path in tmp_path.rglob("passwd*")] == []
    assert stored.title == "passwd.pdf"
    shown = page.split('id="resources"')[1].split("</section>")[0]
    assert "passwd.pdf" in shown and "etc" not in shown, shown


def test_a_question_is_built_and_a_refused_one_comes_back_in_place(client, course):
    client.force_login(course.created_by)
    quiz = _lecture(course, "2.1")
    url = reverse("catalog:studio-question-add", args=[course.pk, quiz.pk])
    answers = {
        "new-question-option_rows": "3",
        "new-question-option_0_text": "Paris",
        "new-question-option_1_text": "Lyon",
        "new-question-option_2_text": "",
    }

    refused = client.post(url, {"new-question-kind": "single", "new-question-text": "Capital?", **answers})
    saved = client.post(
        url,
        {
            "new-question-kind": "single",
            "new-question-text": "Capital?",
            "new-question-option_0_correct": "on",
            **answers,
        },
    )

    assert refused.status_code == 200
    assert "Mark exactly one answer as correct." in refused.content.decode()
    assert 'value="Lyon"' in refused.content.decode()
    question = Question.objects.get(text="Capital?")
    assert saved.status_code == 302 and saved["Location"].endswith(f"#question-{question.key}")
    assert list(question.options.values_list("text", "is_correct")) == [("Paris", True), ("Lyon", False)]


def test_a_question_is_rewritten_moved_and_deleted_from_the_page(client, course):
    client.force_login(course.created_by)
    question = Question.objects.get(text="2 + 2?")
    prefix = f"question-{question.key}"
    client.post(
        reverse("catalog:studio-question-add", args=[course.pk, question.lecture_id]),
        {
            "new-question-kind": "short_text",
            "new-question-text": "Say hi",
            "new-question-option_rows": "1",
            "new-question-option_0_text": "hi",
        },
    )

    client.post(
        reverse("catalog:studio-question", args=[course.pk, question.pk]),
        {
            f"{prefix}-kind": "multiple",
            f"{prefix}-text": "Even?",
            f"{prefix}-option_rows": "2",
            f"{prefix}-option_0_text": "2",
            f"{prefix}-option_0_correct": "on",
            f"{prefix}-option_1_text": "3",
        },
    )
    client.post(reverse("catalog:studio-question-move", args=[course.pk, question.pk]), {"direction": "down"})
    order = list(Question.objects.order_by("position").values_list("text", flat=True))
    client.post(reverse("catalog:studio-question-delete", args=[course.pk, question.pk]))

    assert order == ["Say hi", "Even?"]
    assert list(Question.objects.values_list("text", flat=True)) == ["Say hi"]


def test_the_lecture_address_of_an_approved_revision_leads_to_its_draft_copy(client):
    course = course_published()
    approved = Lecture.objects.get(module__revision=course.published_revision, title="Lecture 1.1")
    client.force_login(course.created_by)

    same = client.get(reverse("catalog:studio-lecture", args=[course.pk, approved.pk]))
    saved = client.post(reverse("catalog:studio-lecture", args=[course.pk, approved.pk]), {"title": "Welcome"})
    draft_copy = Lecture.objects.get(module__revision__number=2, key=approved.key)
    followed = client.get(reverse("catalog:studio-lecture", args=[course.pk, approved.pk]))

    assert same.status_code == 200 and "Learners see this version" in same.content.decode()
    assert saved["Location"] == reverse("catalog:studio-lecture", args=[course.pk, draft_copy.pk])
    assert followed["Location"] == saved["Location"]
    assert (draft_copy.title, Lecture.objects.get(pk=approved.pk).title) == ("Welcome", "Lecture 1.1")


# Team


def test_a_course_admin_manages_the_team_and_a_co_author_only_sees_it(client, course, django_assert_num_queries):
    co_author = _co_author(course)
    newcomer = UserFactory(email="new@example.com")
    url = reverse("catalog:studio-course-team", args=[course.pk])
    client.force_login(co_author)
    with django_assert_num_queries(3 + SIGNED_IN):  # member, the team with users, latest revision
        seen = client.get(url)
    refused = client.post(
        reverse("catalog:studio-team-add", args=[course.pk]),
        {"email": newcomer.email, "role": "co_author"},
        follow=True,
    )
    client.force_login(course.created_by)

    added = client.post(
        reverse("catalog:studio-team-add", args=[course.pk]), {"email": "new@example.com", "role": "co_author"}
    )
    shares = client.post(
        url,
        {
            f"role_{course.created_by.pk}": "admin",
            f"share_{course.created_by.pk}": "60",
            f"role_{co_author.pk}": "admin",
            f"share_{co_author.pk}": "33.33",
            f"role_{newcomer.pk}": "co_author",
            f"share_{newcomer.pk}": "6.67",
        },
    )
    not_whole = client.post(
        url,
        {
            f"role_{course.created_by.pk}": "admin",
            f"share_{course.created_by.pk}": "60",
            f"role_{co_author.pk}": "admin",
            f"share_{co_author.pk}": "30",
            f"role_{newcomer.pk}": "co_author",
            f"share_{newcomer.pk}": "0",
        },
    )

    assert (
        'name="share_' not in seen.content.decode()
        and "Only course admins can change the team." in seen.content.decode()
    )
    assert _messages(refused) == ["Only a course admin can change the team."]
    assert added.status_code == 302 and shares.status_code == 302
    assert not_whole.status_code == 200 and "The revenue shares must add up to 100 %." in not_whole.content.decode()
    team = dict(CourseMember.objects.filter(course=course).values_list("user_id", "revenue_share_bp"))
    assert team == {course.created_by.pk: 6000, co_author.pk: 3333, newcomer.pk: 667}


def test_someone_without_a_share_is_taken_off_the_team(client, course):
    co_author = _co_author(course)
    client.force_login(course.created_by)

    response = client.post(reverse("catalog:studio-team-remove", args=[course.pk, co_author.pk]), follow=True)

    assert _messages(response) == ["They are off the team."]
    assert list(CourseMember.objects.filter(course=course).values_list("user", flat=True)) == [course.created_by.pk]


# Preview


@pytest.fixture
def moderator():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATOR))
    return user


def test_the_team_and_moderators_preview_the_latest_revision(client, course, moderator, django_assert_num_queries):
    client.force_login(course.created_by)
    url = reverse("catalog:studio-course-preview", args=[course.pk])

    # course, latest revision, skills, modules, lectures, team
    with django_assert_num_queries(6 + SIGNED_IN):
        as_team = client.get(url)
    client.force_login(moderator)
    with django_assert_num_queries(7 + SIGNED_IN):  # and the moderator's roles
        as_moderator = client.get(url)

    for response in (as_team, as_moderator):
        text = response.content.decode()
        assert response.status_code == 200
        assert "Preview of version 1 (Draft)" in text and "<strong>Python</strong>" in text
        assert reverse("catalog:studio-course-preview-lecture", args=[course.pk, _lecture(course, "2.1").pk]) in text


def test_the_preview_groups_skills_by_area_at_the_same_cost(client, course, django_assert_num_queries):
    front_end = SkillArea.objects.create(name="Front-end", slug="front-end", position=0)
    back_end = SkillArea.objects.create(name="Back-end", slug="back-end", position=1)
    course.revisions.get().skills.add(
        Skill.objects.create(area=back_end, name="Django", slug="django"),
        Skill.objects.create(area=front_end, name="Vue", slug="vue"),
        Skill.objects.create(area=front_end, name="React", slug="react"),
    )
    client.force_login(course.created_by)

    with django_assert_num_queries(6 + SIGNED_IN):  # as without skills: they come with their areas
        page = client.get(reverse("catalog:studio-course-preview", args=[course.pk])).content.decode()

    section = page.split('id="skills-title"')[1].split("</section>")[0]
    groups = [
        (area, re.findall(r'<li class="chip chip--brand">([^<]+)</li>', chips))
        for area, chips in re.findall(r"<dt>([^<]+)</dt>\s*<dd>(.*?)</dd>", section, flags=re.DOTALL)
    ]
    assert groups == [("Front-end", ["React", "Vue"]), ("Back-end", ["Django"])]


def test_a_lecture_preview_plays_through_the_protected_address(client, course, django_assert_num_queries):
    client.force_login(course.created_by)
    video = _lecture(course, "1.1")
    Lecture.objects.filter(pk=video.pk).update(media="lectures/1/clip.mp4")
    quiz = _lecture(course, "2.1")

    played = client.get(reverse("catalog:studio-course-preview-lecture", args=[course.pk, video.pk]))
    # course, lecture, latest revision, resources, questions, options
    with django_assert_num_queries(6 + SIGNED_IN):
        quizzed = client.get(reverse("catalog:studio-course-preview-lecture", args=[course.pk, quiz.pk]))

    assert f'src="{reverse("catalog:lecture-media", args=[video.pk])}"' in played.content.decode()
    text = quizzed.content.decode()
    assert "2 + 2?" in text and "Correct" in text and "Count." in text
    assert reverse("catalog:resource-file", args=[Resource.objects.get().pk]) in text


# Who may: refusals


def _routes(course):
    """Every studio route of `course`, with the form a POST sends (nothing valid is needed: the
    refusal comes first)."""
    module, lecture = _module(course, 1), _lecture(course, "2.1")
    question, resource = Question.objects.get(), Resource.objects.get()
    pages = [
        ("catalog:studio-course-edit", [course.pk]),
        ("catalog:studio-course-curriculum", [course.pk]),
        ("catalog:studio-lecture", [course.pk, lecture.pk]),
        ("catalog:studio-course-team", [course.pk]),
    ]
    posts = [
        ("catalog:studio-cover", [course.pk]),
        ("catalog:studio-cover-remove", [course.pk]),
        ("catalog:studio-module-add", [course.pk]),
        ("catalog:studio-module-rename", [course.pk, module.pk]),
        ("catalog:studio-module-delete", [course.pk, module.pk]),
        ("catalog:studio-module-move", [course.pk, module.pk]),
        ("catalog:studio-lecture-add", [course.pk, module.pk]),
        ("catalog:studio-lecture-move", [course.pk, lecture.pk]),
        ("catalog:studio-lecture-delete", [course.pk, lecture.pk]),
        ("catalog:studio-lecture-media", [course.pk, lecture.pk]),
        ("catalog:studio-resource-add", [course.pk, lecture.pk]),
        ("catalog:studio-resource-remove", [course.pk, resource.pk]),
        ("catalog:studio-question-add", [course.pk, lecture.pk]),
        ("catalog:studio-question", [course.pk, question.pk]),
        ("catalog:studio-question-delete", [course.pk, question.pk]),
        ("catalog:studio-question-move", [course.pk, question.pk]),
        ("catalog:studio-team-add", [course.pk]),
        ("catalog:studio-team-remove", [course.pk, course.created_by.pk]),
    ]
    previews = [
        ("catalog:studio-course-preview", [course.pk]),
        ("catalog:studio-course-preview-lecture", [course.pk, lecture.pk]),
    ]
    return pages, posts, previews


def _state(course):
    return (
        list(CourseRevision.objects.filter(course=course).values()),
        list(Module.objects.values()),
        list(Lecture.objects.values()),
        list(Question.objects.values()),
        list(Option.objects.values()),
        list(Resource.objects.values()),
        list(CourseMember.objects.values()),
    )


@pytest.mark.parametrize("who", ["learner", "other creator", "accountant"])
def test_everyone_off_the_team_gets_404_on_every_studio_page_and_post(client, course, who):
    if who == "other creator":
        person = course_draft().created_by
    else:
        person = UserFactory(is_staff=who == "accountant")
        if who == "accountant":
            person.groups.add(Group.objects.get(name=ACCOUNTANT))
    client.force_login(person)
    pages, posts, previews = _routes(course)
    before = _state(course)

    answers = {name: client.get(reverse(name, args=args)).status_code for name, args in pages + previews}
    answers |= {
        f"POST {name}": client.post(
            reverse(name, args=args), {"title": "x", "direction": "up", "position": "0"}
        ).status_code
        for name, args in [*posts, pages[0], pages[2], pages[3]]
    }

    assert set(answers.values()) == {404}, answers
    assert _state(course) == before


def test_ids_of_another_course_are_not_reachable_through_ones_own(client, course):
    own = course_draft()
    client.force_login(own.created_by)
    foreign_lecture, foreign_module = _lecture(course, "2.1"), _module(course, 1)
    before = _state(course)

    answers = [
        client.get(reverse("catalog:studio-lecture", args=[own.pk, foreign_lecture.pk])).status_code,
        client.get(reverse("catalog:studio-course-preview-lecture", args=[own.pk, foreign_lecture.pk])).status_code,
        client.post(reverse("catalog:studio-module-delete", args=[own.pk, foreign_module.pk])).status_code,
        client.post(
            reverse("catalog:studio-lecture-move", args=[own.pk, _lecture(own, "1.1").pk]),
            {"position": "0", "module": foreign_module.pk},
            follow=True,
        ).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert _state(course) == before


# Read only while in review


def test_a_revision_in_review_shows_read_only_and_refuses_changes(client, course):
    revision_submit(course.revisions.get())
    client.force_login(course.created_by)
    before = _state(course)

    details = client.get(reverse("catalog:studio-course-edit", args=[course.pk])).content.decode()
    curriculum = client.get(reverse("catalog:studio-course-curriculum", args=[course.pk])).content.decode()
    lecture = client.get(
        reverse("catalog:studio-lecture", args=[course.pk, _lecture(course, "2.1").pk])
    ).content.decode()
    refused = client.post(reverse("catalog:studio-module-add", args=[course.pk]), {"title": "More"}, follow=True)
    saved = client.post(
        reverse("catalog:studio-course-edit", args=[course.pk]),
        {"title": "T", "level": "all", "language": "en", "kind": "self_paced", "price": "0"},
    )

    for text in (details, curriculum, lecture):
        assert "In review: read only" in text
    assert '<fieldset class="studio-fieldset" disabled>' in details and "Save details" not in details
    assert "Add module" not in curriculum and "data-sortable-root" not in curriculum and "Move “" not in curriculum
    assert "Add question" not in lecture and "Delete lecture" not in lecture
    assert _messages(refused) == ["A revision of this course is in review."]
    assert "A revision of this course is in review." in saved.content.decode()
    assert _state(course) == before


# User text is escaped or sanitised


XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'


def test_titles_and_texts_are_escaped_in_studio_and_preview_pages(client, course):
    revision = course.revisions.get()
    CourseRevision.objects.filter(pk=revision.pk).update(
        title=XSS, subtitle=XSS, description=f"{XSS}\n\n[x](javascript:alert(1))"
    )
    Module.objects.filter(revision=revision).update(title=XSS)
    Lecture.objects.filter(module__revision=revision).update(title=XSS)
    text_lecture = Lecture.objects.create(
        module=_module_any(course), title=XSS, kind="text", position=9, text=f"{XSS}\n\n**safe**"
    )
    Question.objects.update(text=XSS, explanation=XSS)
    Option.objects.update(text=XSS)
    Resource.objects.update(title=XSS)
    client.force_login(course.created_by)
    quiz = Lecture.objects.get(kind="quiz")
    urls = [
        reverse("catalog:studio-course-edit", args=[course.pk]),
        reverse("catalog:studio-course-curriculum", args=[course.pk]),
        reverse("catalog:studio-lecture", args=[course.pk, quiz.pk]),
        reverse("catalog:studio-lecture", args=[course.pk, text_lecture.pk]),
        reverse("catalog:studio-course-team", args=[course.pk]),
        reverse("catalog:studio-course-preview", args=[course.pk]),
        reverse("catalog:studio-course-preview-lecture", args=[course.pk, quiz.pk]),
        reverse("catalog:studio-course-preview-lecture", args=[course.pk, text_lecture.pk]),
    ]

    for url in urls:
        elements = _elements(client.get(url).content.decode())
        assert [attributes for tag, attributes in elements if tag == "script" and "src" not in attributes] == [], url
        assert [tag for tag, attributes in elements if any(name.startswith("on") for name in attributes)] == [], url
        assert [tag for tag, attributes in elements if tag == "img" and attributes.get("src") == "x"] == [], url
        assert [tag for tag, attributes in elements if (attributes.get("href") or "").startswith("javascript")] == []
    preview = client.get(urls[-1]).content.decode()
    assert "<strong>safe</strong>" in preview and "&lt;script&gt;" in preview


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every element of a page as (tag, attributes), the way a browser would see them."""
    elements: list[tuple[str, dict[str, str | None]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            elements.append((tag, dict(attrs)))

    Collector().feed(html)
    return elements


def _module_any(course):
    return Module.objects.filter(revision__course=course).first()


def test_publishing_pages_link_to_the_studio_and_back(client, course):
    client.force_login(course.created_by)

    page = client.get(reverse("catalog:studio-course-edit", args=[course.pk])).content.decode()

    assert f'href="{reverse("publishing:studio")}"' in page
    assert f'href="{reverse("publishing:studio-course", args=[course.pk])}"' in page
