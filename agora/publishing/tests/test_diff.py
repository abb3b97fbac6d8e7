"""The changelog and the structured diff between two revisions, matched by stable keys."""

import pytest
from django.utils import translation

from agora.catalog.models import CourseRevision, Lecture, LectureKind, Module, Option, Question
from agora.catalog.services_authoring import revision_for_edit
from agora.publishing.diff import ADDED, CHANGED, MOVED, REMOVED, changelog_text, revision_diff
from agora.publishing.selectors import revision_content_load
from agora.publishing.tests.factories import course_live, course_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    return course_live(title="Python Basics")


@pytest.fixture
def draft(published):
    return revision_for_edit(course=published, actor=published.created_by)


def compare(old: CourseRevision, new: CourseRevision):
    loaded = revision_content_load(old.pk, new.pk)
    with translation.override("en"):
        diff = revision_diff(loaded[old.pk], loaded[new.pk])
        return diff, changelog_text(loaded[new.pk], diff)


def lecture(revision, title) -> Lecture:
    return Lecture.objects.get(module__revision=revision, title=title)


def test_an_unchanged_copy_has_no_changes(published, draft):
    diff, changelog = compare(published.published_revision, draft)

    assert diff.is_empty
    assert changelog == "v2: no changes"


def test_the_example_of_the_issue(published, draft):
    """ "v2: 2 lectures added, quiz “Basics” changed, price changed" (the quiz's question changed)."""
    module = Module.objects.filter(revision=draft).order_by("position").first()
    Lecture.objects.create(module=module, title="Loops", kind=LectureKind.TEXT, text="for", position=5)
    Lecture.objects.create(module=module, title="Functions", kind=LectureKind.TEXT, text="def", position=6)
    quiz = Lecture.objects.get(module__revision=draft, kind=LectureKind.QUIZ)
    Lecture.objects.filter(module__revision__in=[draft, published.published_revision], kind=LectureKind.QUIZ).update(
        title="Basics"
    )
    Question.objects.filter(lecture=quiz).update(text="What does print() do?")
    draft.price = 2999
    draft.save()

    diff, changelog = compare(published.published_revision, draft)

    assert changelog == "v2: 2 lectures added, quiz “Basics” changed, price changed"
    assert [(field.name, field.old, field.new) for field in diff.fields] == [("price", "$19.99", "$29.99")]
    assert [(item.change, item.title, item.parent) for item in diff.lectures] == [
        (ADDED, "Loops", "Module 1"),
        (ADDED, "Functions", "Module 1"),
        (CHANGED, "Basics", "Module 2"),
    ]
    assert diff.lectures[2].fields == ("questions",)
    assert [(item.change, item.title, item.parent, item.fields) for item in diff.questions] == [
        (CHANGED, "What does print() do?", "Basics", ("question",))
    ]


def test_removed_renamed_moved_and_changed_items(published, draft):
    first, second = Module.objects.filter(revision=draft).order_by("position")
    first.title = "Getting started"
    first.save()
    Lecture.objects.filter(pk=lecture(draft, "Lecture 1.2").pk).update(text="A better text.")
    Lecture.objects.filter(pk=lecture(draft, "Lecture 2.1").pk).update(module=first, position=7)  # to module 1
    second.delete()
    question = Question.objects.get(lecture__module__revision=draft)
    Option.objects.filter(question=question, is_correct=False).update(text="Formats the disk")

    diff, changelog = compare(published.published_revision, draft)

    assert [(item.change, item.title) for item in diff.modules] == [(CHANGED, "Getting started"), (REMOVED, "Module 2")]
    assert [(item.change, item.title, item.fields, item.moved) for item in diff.lectures] == [
        (CHANGED, "Lecture 1.2", ("text",), False),
        (CHANGED, "Lecture 2.1", ("questions",), True),  # now in another module
    ]
    assert [(item.change, item.fields) for item in diff.questions] == [(CHANGED, ("answers",))]
    assert changelog == (
        "v2: 1 module removed, module “Getting started” renamed, lecture “Lecture 1.2” changed, "
        "quiz “Lecture 2.1” changed"
    )


def test_a_swap_moves_one_of_the_two(published, draft):
    video, text = lecture(draft, "Lecture 1.1"), lecture(draft, "Lecture 1.2")
    text.position, video.position = 0, 1
    Lecture.objects.bulk_update([text, video], ["position"])

    diff, changelog = compare(published.published_revision, draft)

    assert len(diff.lectures) == 1 and diff.lectures[0].change == MOVED
    assert diff.lectures[0].title in ("Lecture 1.1", "Lecture 1.2")
    assert changelog == "v2: 1 lecture moved"


def test_an_insertion_does_not_move_what_follows(published, draft):
    module = Module.objects.filter(revision=draft).order_by("position").first()
    Lecture.objects.filter(module=module).update(position=models_shift())
    Lecture.objects.create(module=module, title="Welcome", kind=LectureKind.TEXT, text="Hi", position=0)

    diff, changelog = compare(published.published_revision, draft)

    assert [(item.change, item.title) for item in diff.lectures] == [(ADDED, "Welcome")]
    assert changelog == "v2: 1 lecture added"


def models_shift():
    from django.db.models import F

    return F("position") + 10


def test_many_changes_are_counted_and_fields_listed(published, draft, monkeypatch):
    monkeypatch.setattr("agora.publishing.diff.NAMED_AT_MOST", 2)
    Lecture.objects.filter(module__revision=draft).update(is_free_preview=True, title="Same title")
    draft.title, draft.subtitle, draft.gives_certificate = "Python Basics, Second Edition", "New", True
    draft.save()

    _diff, changelog = compare(published.published_revision, draft)

    assert changelog == "v2: 3 lectures changed, title, subtitle, and certificate of completion changed"


def test_a_first_version_says_what_it_holds():
    course = course_ready()
    loaded = revision_content_load(course.revisions.get().pk)

    with translation.override("en"):
        assert changelog_text(next(iter(loaded.values())), None) == "v1: first version, 2 modules, 3 lectures"


def test_the_changelog_is_written_in_the_given_language(published, draft):
    draft.price = 2999
    draft.save()
    loaded = revision_content_load(published.published_revision_id, draft.pk)

    with translation.override("ru"):
        diff = revision_diff(loaded[published.published_revision_id], loaded[draft.pk])
        text = changelog_text(loaded[draft.pk], diff)

    assert text == "v2: изменено: цена"  # the field's label and the wording from the Russian catalogue
    assert [(field.old, field.new) for field in diff.fields] == [("19,99\xa0$", "29,99\xa0$")]
