"""Authoring: the course team edits the course's draft revision. Every service here checks that the
actor is on the team, works in one transaction on the draft (opening it with revision_for_edit when
there is none) and refuses while a revision is in review. See docs/catalog.md, "Authoring"."""

from agora.catalog.services_authoring.curriculum import (
    LECTURE_FIELDS,
    LectureChanges,
    lecture_add,
    lecture_delete,
    lecture_media_set,
    lecture_move,
    lecture_update,
    module_add,
    module_delete,
    module_move,
    module_rename,
    resource_add,
    resource_remove,
)
from agora.catalog.services_authoring.details import (
    RevisionDetails,
    revision_cover_remove,
    revision_cover_set,
    revision_details_update,
)
from agora.catalog.services_authoring.drafts import revision_for_edit
from agora.catalog.services_authoring.quizzes import (
    OptionData,
    QuestionData,
    question_add,
    question_delete,
    question_move,
    question_update,
)
from agora.catalog.services_authoring.team import course_member_add, course_member_remove, course_team_update

__all__ = [
    "LECTURE_FIELDS",
    "LectureChanges",
    "OptionData",
    "QuestionData",
    "RevisionDetails",
    "course_member_add",
    "course_member_remove",
    "course_team_update",
    "lecture_add",
    "lecture_delete",
    "lecture_media_set",
    "lecture_move",
    "lecture_update",
    "module_add",
    "module_delete",
    "module_move",
    "module_rename",
    "question_add",
    "question_delete",
    "question_move",
    "question_update",
    "resource_add",
    "resource_remove",
    "revision_cover_remove",
    "revision_cover_set",
    "revision_details_update",
    "revision_for_edit",
]
