"""The authoring pages under /studio/: the course team edits the course's draft. Each view checks
access (the team only; anyone else gets 404), calls one authoring service and shows the result; a
revision in review shows read only. "My courses" and a course's overview are publishing's pages."""

from agora.catalog.views_authoring.course import course_edit, course_new, cover_remove, cover_upload
from agora.catalog.views_authoring.curriculum import (
    curriculum,
    lecture_add,
    lecture_delete,
    lecture_move,
    module_add,
    module_delete,
    module_move,
    module_rename,
)
from agora.catalog.views_authoring.lecture import (
    lecture_edit,
    lecture_media,
    question_add,
    question_delete,
    question_move,
    question_update,
    resource_add,
    resource_remove,
)
from agora.catalog.views_authoring.preview import preview, preview_lecture
from agora.catalog.views_authoring.team import team, team_add, team_remove

__all__ = [
    "course_edit",
    "course_new",
    "cover_remove",
    "cover_upload",
    "curriculum",
    "lecture_add",
    "lecture_delete",
    "lecture_edit",
    "lecture_media",
    "lecture_move",
    "module_add",
    "module_delete",
    "module_move",
    "module_rename",
    "preview",
    "preview_lecture",
    "question_add",
    "question_delete",
    "question_move",
    "question_update",
    "resource_add",
    "resource_remove",
    "team",
    "team_add",
    "team_remove",
]
