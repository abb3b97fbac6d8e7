from django.urls import path

from agora.publishing import views

app_name = "publishing"
urlpatterns = [
    path("studio/", views.studio, name="studio"),
    path("studio/courses/<int:course_id>/", views.studio_course, name="studio-course"),
    path("studio/courses/<int:course_id>/submit/", views.studio_course_submit, name="studio-course-submit"),
    path("studio/courses/<int:course_id>/withdraw/", views.studio_course_withdraw, name="studio-course-withdraw"),
    path("moderation/", views.moderation_queue, name="moderation-queue"),
    path("moderation/revisions/<int:revision_id>/", views.moderation_revision, name="moderation-revision"),
    path(
        "moderation/revisions/<int:revision_id>/approve/",
        views.moderation_revision_approve,
        name="moderation-revision-approve",
    ),
    path(
        "moderation/revisions/<int:revision_id>/reject/",
        views.moderation_revision_reject,
        name="moderation-revision-reject",
    ),
    path("moderation/courses/", views.moderation_courses, name="moderation-courses"),
    path("moderation/courses/<int:course_id>/block/", views.moderation_course_block, name="moderation-course-block"),
    path(
        "moderation/courses/<int:course_id>/unblock/",
        views.moderation_course_unblock,
        name="moderation-course-unblock",
    ),
]
