"""Authoring the curriculum: modules, lectures, their files and quiz questions, in the draft revision.
Keys never change on edit; positions are rewritten in one transaction; items named from an approved
revision land on their copies in the new draft."""

import pytest
from django.core.files.storage import default_storage

from agora.accounts.tests.factories import UserFactory
from agora.catalog import services_authoring as authoring
from agora.catalog.models import Lecture, LectureKind, Module, Option, Question, Resource
from agora.catalog.services import revision_approve_apply
from agora.catalog.services_authoring import OptionData, QuestionData
from agora.catalog.tests.factories import course_draft, course_published, revision_submit
from agora.catalog.tests.media_samples import media_samples_make, pdf_bytes, upload
from agora.core.errors import ServiceError
from agora.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    return media_samples_make(tmp_path_factory.getbasetemp() / "media-samples")


def _refused(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    return caught.value


def _outline(revision):
    """(module title, [lecture titles]) in order, with each list's positions checked to be 0, 1, 2…"""
    outline = []
    modules = list(Module.objects.filter(revision=revision).order_by("position"))
    assert [module.position for module in modules] == list(range(len(modules)))
    for module in modules:
        lectures = list(module.lectures.order_by("position"))
        assert [lecture.position for lecture in lectures] == list(range(len(lectures)))
        outline.append((module.title, [lecture.title for lecture in lectures]))
    return outline


@pytest.fixture
def course():
    """Module 1: Lecture 1.1 (video), 1.2 (video); Module 2: Lecture 2.1 (quiz)."""
    return course_draft()


def _module(course, number):
    return Module.objects.get(revision__course=course, title=f"Module {number}")


def _lecture(course, title):
    return Lecture.objects.get(module__revision__course=course, title=f"Lecture {title}")


# Modules


def test_modules_are_added_at_the_end_renamed_and_deleted_with_their_lectures(course):
    actor = course.created_by
    added = authoring.module_add(course=course, actor=actor, title=" Extras ")
    authoring.module_rename(module=_module(course, 1), actor=actor, title="Basics")

    authoring.module_delete(module=_module(course, 2), actor=actor)

    revision = course.revisions.get()
    assert _outline(revision) == [("Basics", ["Lecture 1.1", "Lecture 1.2"]), ("Extras", [])]
    assert added.key == Module.objects.get(title="Extras").key
    assert not Lecture.objects.filter(title="Lecture 2.1").exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"catalog.module_added", "catalog.module_deleted"} <= actions


def test_a_module_moves_to_a_position_and_the_others_make_room(course):
    actor = course.created_by
    authoring.module_add(course=course, actor=actor, title="Module 3")
    keys = {module.title: module.key for module in Module.objects.filter(revision__course=course)}

    authoring.module_move(module=_module(course, 3), actor=actor, position=0)
    after_first = _outline(course.revisions.get())
    authoring.module_move(module=_module(course, 3), actor=actor, position=1)  # swaps with Module 1

    assert [title for title, _lectures in after_first] == ["Module 3", "Module 1", "Module 2"]
    assert [title for title, _lectures in _outline(course.revisions.get())] == ["Module 1", "Module 3", "Module 2"]
    assert {module.title: module.key for module in Module.objects.filter(revision__course=course)} == keys


@pytest.mark.parametrize("position", [-1, 2])
def test_a_move_past_the_ends_is_refused(course, position):
    error = _refused(authoring.module_move, module=_module(course, 1), actor=course.created_by, position=position)

    assert (error.code, error.field) == ("position_invalid", "position")
    assert [title for title, _lectures in _outline(course.revisions.get())] == ["Module 1", "Module 2"]


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_module_needs_a_title_of_sensible_length(course, title):
    error = _refused(authoring.module_rename, module=_module(course, 1), actor=course.created_by, title=title)

    assert error.field == "title"
    assert _module(course, 1).title == "Module 1"


def test_someone_else_cannot_touch_the_curriculum(course):
    other_creator = course_draft().created_by
    module = _module(course, 1)
    lecture = _lecture(course, "1.1")

    errors = [
        _refused(authoring.module_add, course=course, actor=other_creator, title="Mine"),
        _refused(authoring.module_rename, module=module, actor=other_creator, title="Mine"),
        _refused(authoring.module_delete, module=module, actor=other_creator),
        _refused(authoring.module_move, module=module, actor=other_creator, position=1),
        _refused(authoring.lecture_add, module=module, actor=other_creator, title="Mine", kind="text"),
        _refused(authoring.lecture_update, lecture=lecture, actor=other_creator, data={"title": "Mine"}),
        _refused(authoring.lecture_delete, lecture=lecture, actor=other_creator),
        _refused(authoring.lecture_move, lecture=lecture, actor=other_creator, position=1),
    ]

    assert {(error.code, error.status) for error in errors} == {("not_found", 404)}
    assert _outline(course.revisions.get()) == [
        ("Module 1", ["Lecture 1.1", "Lecture 1.2"]), ("Module 2", ["Lecture 2.1"])
    ]  # fmt: skip


# Lectures


def test_lectures_are_added_at_the_end_of_their_module(course):
    lecture = authoring.lecture_add(
        module=_module(course, 1), actor=course.created_by, title="Homework", kind=LectureKind.ASSIGNMENT
    )

    assert (lecture.position, lecture.kind, lecture.submission_kind) == (2, "assignment", "text")
    assert _outline(course.revisions.get())[0] == ("Module 1", ["Lecture 1.1", "Lecture 1.2", "Homework"])


def test_a_lecture_kind_must_be_one_of_the_five(course):
    error = _refused(authoring.lecture_add, module=_module(course, 1), actor=course.created_by, title="X", kind="game")

    assert (error.code, error.field) == ("invalid_choice", "kind")


def test_a_text_lecture_gets_its_reading_time_from_its_words(course):
    lecture = authoring.lecture_add(module=_module(course, 1), actor=course.created_by, title="Read", kind="text")

    updated = authoring.lecture_update(
        lecture=lecture,
        actor=course.created_by,
        data={"title": "Read me", "text": "word " * 450, "is_free_preview": True},
    )

    updated.refresh_from_db()
    assert (updated.title, updated.duration_seconds, updated.is_free_preview) == ("Read me", 180, True)


def test_each_kind_has_its_own_fields(course):
    actor = course.created_by
    quiz = _lecture(course, "2.1")
    assignment = authoring.lecture_add(module=_module(course, 2), actor=actor, title="Do", kind="assignment")

    authoring.lecture_update(lecture=quiz, actor=actor, data={"pass_mark_percent": 70, "duration_seconds": 300})
    authoring.lecture_update(
        lecture=assignment,
        actor=actor,
        data={"assignment_instructions": "Build it.", "submission_kind": "link", "duration_seconds": 1800},
    )
    refused = _refused(authoring.lecture_update, lecture=_lecture(course, "1.1"), actor=actor, data={"text": "Hi"})

    quiz.refresh_from_db()
    assignment.refresh_from_db()
    assert (quiz.pass_mark_percent, quiz.duration_seconds) == (70, 300)
    assert (assignment.assignment_instructions, assignment.submission_kind, assignment.duration_seconds) == (
        "Build it.", "link", 1800
    )  # fmt: skip
    assert (refused.code, refused.field) == ("field_not_for_kind", "text")
    assert _lecture(course, "1.1").text == ""


@pytest.mark.parametrize(
    ("title", "data", "code"),
    [
        ("2.1", {"pass_mark_percent": 101}, "out_of_range"),
        ("2.1", {"duration_seconds": 25 * 3600}, "out_of_range"),
        ("2.1", {"title": " "}, "required"),
    ],
)
def test_bad_lecture_fields_are_refused(course, title, data, code):
    before = list(Lecture.objects.order_by("pk").values())

    error = _refused(authoring.lecture_update, lecture=_lecture(course, title), actor=course.created_by, data=data)

    assert error.code == code
    assert list(Lecture.objects.order_by("pk").values()) == before


def test_a_lecture_moves_within_its_module_and_to_another(course):
    actor = course.created_by
    keys = {lecture.title: lecture.key for lecture in Lecture.objects.all()}

    authoring.lecture_move(lecture=_lecture(course, "1.2"), actor=actor, position=0)
    swapped = _outline(course.revisions.get())
    authoring.lecture_move(lecture=_lecture(course, "1.2"), actor=actor, module=_module(course, 2), position=1)

    assert swapped[0] == ("Module 1", ["Lecture 1.2", "Lecture 1.1"])
    assert _outline(course.revisions.get()) == [
        ("Module 1", ["Lecture 1.1"]), ("Module 2", ["Lecture 2.1", "Lecture 1.2"])
    ]  # fmt: skip
    assert {lecture.title: lecture.key for lecture in Lecture.objects.all()} == keys


def test_a_lecture_cannot_move_into_another_course(course):
    elsewhere = course_draft(author=course.created_by)

    error = _refused(
        authoring.lecture_move,
        lecture=_lecture(course, "1.1"),
        actor=course.created_by,
        module=Module.objects.filter(revision__course=elsewhere).first(),
        position=0,
    )

    assert error.code == "not_found"
    assert _outline(course.revisions.get())[0] == ("Module 1", ["Lecture 1.1", "Lecture 1.2"])


def test_deleting_a_lecture_closes_the_gap(course):
    authoring.lecture_delete(lecture=_lecture(course, "1.1"), actor=course.created_by)

    assert _outline(course.revisions.get()) == [("Module 1", ["Lecture 1.2"]), ("Module 2", ["Lecture 2.1"])]


def test_an_edit_named_from_the_approved_revision_lands_on_its_copy_in_the_new_draft():
    course = course_published()
    approved = course.published_revision
    approved_lecture = Lecture.objects.get(module__revision=approved, title="Lecture 1.2")
    approved_module = Module.objects.get(revision=approved, title="Module 2")

    moved = authoring.lecture_move(
        lecture=approved_lecture, actor=course.created_by, module=approved_module, position=0
    )
    authoring.module_rename(module=approved_module, actor=course.created_by, title="Practice")

    draft = course.revisions.get(number=2)
    assert moved.module.revision_id == draft.pk and moved.key == approved_lecture.key
    assert _outline(draft) == [("Module 1", ["Lecture 1.1"]), ("Practice", ["Lecture 1.2", "Lecture 2.1"])]
    assert _outline(approved) == [("Module 1", ["Lecture 1.1", "Lecture 1.2"]), ("Module 2", ["Lecture 2.1"])]


def test_an_item_deleted_from_the_draft_cannot_be_edited_through_its_old_copy():
    course = course_published()
    approved_lecture = Lecture.objects.get(module__revision=course.published_revision, title="Lecture 1.1")
    authoring.lecture_delete(lecture=approved_lecture, actor=course.created_by)

    error = _refused(authoring.lecture_update, lecture=approved_lecture, actor=course.created_by, data={"title": "X"})

    assert (error.code, error.status) == ("not_found", 404)


# Media and resources


def test_a_video_is_stored_in_the_course_folder_with_its_length(course, samples):
    lecture = _lecture(course, "1.1")

    saved = authoring.lecture_media_set(
        lecture=lecture, actor=course.created_by, file=upload("clip.mp4", samples.read("video.mp4"))
    )

    saved.refresh_from_db()
    assert saved.media.name.startswith(f"lectures/{course.pk}/") and saved.media.name.endswith(".mp4")
    assert saved.duration_seconds == 2
    assert default_storage.exists(saved.media.name)


def test_a_pdf_lecture_takes_a_pdf_and_keeps_its_estimated_length(course):
    actor = course.created_by
    lecture = authoring.lecture_add(module=_module(course, 1), actor=actor, title="Slides", kind="pdf")
    authoring.lecture_update(lecture=lecture, actor=actor, data={"duration_seconds": 600})

    saved = authoring.lecture_media_set(lecture=lecture, actor=actor, file=upload("s.pdf", pdf_bytes()))
    wrong = _refused(authoring.lecture_media_set, lecture=lecture, actor=actor, file=upload("s.pdf", b"<html>"))

    saved.refresh_from_db()
    assert saved.media.name.endswith(".pdf") and saved.duration_seconds == 600
    assert (wrong.code, wrong.field) == ("upload_wrong_type", "file")


def test_quizzes_and_texts_have_no_media_file(course):
    error = _refused(
        authoring.lecture_media_set,
        lecture=_lecture(course, "2.1"),
        actor=course.created_by,
        file=upload("a.pdf", pdf_bytes()),
    )

    assert (error.code, error.field) == ("media_not_for_kind", "file")


def test_replacing_a_video_deletes_the_old_file_unless_the_approved_revision_shows_it(
    samples, django_capture_on_commit_callbacks
):
    course = course_draft()
    actor = course.created_by
    video = upload("clip.mp4", samples.read("video.mp4"))
    with django_capture_on_commit_callbacks(execute=True):
        first = authoring.lecture_media_set(lecture=_lecture(course, "1.1"), actor=actor, file=video).media.name
    revision_submit(course.revisions.get())
    revision_approve_apply(revision=course.revisions.get())
    with django_capture_on_commit_callbacks(execute=True):
        second = authoring.lecture_media_set(
            lecture=_lecture_in(course, 1, "1.1"), actor=actor, file=upload("b.mp4", samples.read("video.mp4"))
        ).media.name
    with django_capture_on_commit_callbacks(execute=True):
        authoring.lecture_media_set(
            lecture=_lecture_in(course, 2, "1.1"), actor=actor, file=upload("c.mp4", samples.read("video.mp4"))
        )

    assert default_storage.exists(first)  # the approved revision still plays it
    assert not default_storage.exists(second)  # only the draft had it


def _lecture_in(course, number, title):
    return Lecture.objects.get(
        module__revision__course=course, module__revision__number=number, title=f"Lecture {title}"
    )


def test_resources_are_added_and_removed(course, django_capture_on_commit_callbacks):
    actor = course.created_by
    lecture = _lecture(course, "1.1")

    sheet = authoring.resource_add(lecture=lecture, actor=actor, file=upload("Cheat sheet.pdf", pdf_bytes()))
    notes = authoring.resource_add(lecture=lecture, actor=actor, file=upload("n.pdf", pdf_bytes()), title=" Notes ")
    with django_capture_on_commit_callbacks(execute=True):
        authoring.resource_remove(resource=sheet, actor=actor)

    assert (sheet.title, notes.title, notes.position) == ("Cheat sheet.pdf", "Notes", 1)
    assert notes.file.name.startswith(f"resources/{course.pk}/")
    assert list(Resource.objects.values_list("title", flat=True)) == ["Notes"]
    assert not default_storage.exists(sheet.file.name) and default_storage.exists(notes.file.name)


def test_a_resource_that_could_run_is_refused(course):
    error = _refused(
        authoring.resource_add,
        lecture=_lecture(course, "1.1"),
        actor=course.created_by,
        file=upload("run.html", b"<html><script>alert(1)</script></html>"),
    )

    assert (error.code, error.field) == ("upload_wrong_type", "file")
    assert not Resource.objects.exists()


def test_a_resource_of_the_approved_revision_is_removed_from_the_new_draft_only():
    course = course_published()
    approved_lecture = Lecture.objects.get(module__revision=course.published_revision, title="Lecture 1.1")
    resource = Resource.objects.create(lecture=approved_lecture, title="Sheet", file="resources/sheet.pdf")

    authoring.resource_remove(resource=resource, actor=course.created_by)

    assert list(Resource.objects.values_list("lecture__module__revision__number", flat=True)) == [1]


# Quizzes


def _options(question):
    return list(Option.objects.filter(question=question).order_by("position").values_list("text", "is_correct"))


def test_questions_of_each_kind_are_built_with_their_answers(course):
    quiz = _lecture(course, "2.1")
    actor = course.created_by

    single = authoring.question_add(
        lecture=quiz,
        actor=actor,
        data=QuestionData(
            kind="single",
            text="2 + 2?",
            explanation="Count.",
            options=[OptionData("4", True), OptionData(" ", False), OptionData("5")],
        ),
    )
    multiple = authoring.question_add(
        lecture=quiz,
        actor=actor,
        data=QuestionData(
            kind="multiple", text="Even?", options=[OptionData("2", True), OptionData("4", True), OptionData("5")]
        ),
    )
    short = authoring.question_add(
        lecture=quiz,
        actor=actor,
        data=QuestionData(kind="short_text", text="Capital of France?", options=[OptionData("Paris")]),
    )

    assert [question.position for question in (single, multiple, short)] == [0, 1, 2]
    assert (single.explanation, _options(single)) == ("Count.", [("4", True), ("5", False)])
    assert _options(multiple) == [("2", True), ("4", True), ("5", False)]
    assert _options(short) == [("Paris", True)]


@pytest.mark.parametrize(
    ("kind", "options", "code"),
    [
        ("single", [OptionData("4", True), OptionData("5", True)], "correct_not_one"),
        ("single", [OptionData("4"), OptionData("5")], "correct_not_one"),
        ("single", [OptionData("4", True)], "options_too_few"),
        ("multiple", [OptionData("4"), OptionData("5")], "correct_missing"),
        ("short_text", [OptionData(" ")], "answers_missing"),
        ("single", [OptionData("Yes", True), OptionData("yes")], "options_duplicate"),
        ("single", [OptionData(str(number), number == 0) for number in range(11)], "options_too_many"),
        ("essay", [OptionData("4", True), OptionData("5")], "invalid_choice"),
    ],
)
def test_a_question_its_answers_do_not_fit_is_refused(course, kind, options, code):
    error = _refused(
        authoring.question_add,
        lecture=_lecture(course, "2.1"),
        actor=course.created_by,
        data=QuestionData(kind=kind, text="Q?", options=options),
    )

    assert error.code == code
    assert not Question.objects.exists()


def test_only_quizzes_have_questions(course):
    data = QuestionData(kind="short_text", text="Q?", options=[OptionData("A")])

    error = _refused(authoring.question_add, lecture=_lecture(course, "1.1"), actor=course.created_by, data=data)

    assert error.code == "questions_only_in_quizzes"


def test_a_question_is_rewritten_moved_and_deleted_keeping_its_key(course):
    quiz = _lecture(course, "2.1")
    actor = course.created_by
    first = authoring.question_add(
        lecture=quiz, actor=actor, data=QuestionData(kind="short_text", text="One?", options=[OptionData("1")])
    )
    second = authoring.question_add(
        lecture=quiz, actor=actor, data=QuestionData(kind="short_text", text="Two?", options=[OptionData("2")])
    )

    updated = authoring.question_update(
        question=first,
        actor=actor,
        data=QuestionData(kind="multiple", text="One or two?", options=[OptionData("1", True), OptionData("2", True)]),
    )
    authoring.question_move(question=second, actor=actor, position=0)
    order = list(Question.objects.order_by("position").values_list("text", flat=True))
    authoring.question_delete(question=second, actor=actor)

    assert (updated.key, updated.kind, _options(updated)) == (first.key, "multiple", [("1", True), ("2", True)])
    assert order == ["Two?", "One or two?"]
    assert list(Question.objects.values_list("text", "position")) == [("One or two?", 0)]


def test_a_question_of_the_approved_revision_is_edited_in_the_new_draft():
    course = course_published()
    approved_quiz = Lecture.objects.get(module__revision=course.published_revision, kind="quiz")
    question = Question.objects.create(lecture=approved_quiz, text="Old?", position=0)
    Option.objects.create(question=question, text="A", is_correct=True)

    updated = authoring.question_update(
        question=question,
        actor=course.created_by,
        data=QuestionData(kind="short_text", text="New?", options=[OptionData("B")]),
    )

    question.refresh_from_db()
    assert (question.text, _options(question)) == ("Old?", [("A", True)])
    assert (updated.key, updated.text, updated.lecture.module.revision.number) == (question.key, "New?", 2)


def test_a_learner_cannot_write_questions(course):
    error = _refused(
        authoring.question_add,
        lecture=_lecture(course, "2.1"),
        actor=UserFactory(),
        data=QuestionData(kind="short_text", text="Q?", options=[OptionData("A")]),
    )

    assert error.code == "not_found"
    assert not Question.objects.exists()
