from django.urls import include, path

from agora.catalog import media_views, views, views_authoring

app_name = "catalog"

# The authoring pages (the course team's studio); "My courses" and a course's overview are publishing's.
studio = [
    path("new/", views_authoring.course_new, name="studio-course-new"),
    path("<int:course_id>/edit/", views_authoring.course_edit, name="studio-course-edit"),
    path("<int:course_id>/cover/", views_authoring.cover_upload, name="studio-cover"),
    path("<int:course_id>/cover/remove/", views_authoring.cover_remove, name="studio-cover-remove"),
    path("<int:course_id>/curriculum/", views_authoring.curriculum, name="studio-course-curriculum"),
    path("<int:course_id>/modules/", views_authoring.module_add, name="studio-module-add"),
    path("<int:course_id>/modules/<int:module_id>/rename/", views_authoring.module_rename, name="studio-module-rename"),
    path("<int:course_id>/modules/<int:module_id>/delete/", views_authoring.module_delete, name="studio-module-delete"),
    path("<int:course_id>/modules/<int:module_id>/move/", views_authoring.module_move, name="studio-module-move"),
    path("<int:course_id>/modules/<int:module_id>/lectures/", views_authoring.lecture_add, name="studio-lecture-add"),
    path("<int:course_id>/lectures/<int:lecture_id>/", views_authoring.lecture_edit, name="studio-lecture"),
    path("<int:course_id>/lectures/<int:lecture_id>/move/", views_authoring.lecture_move, name="studio-lecture-move"),
    path(
        "<int:course_id>/lectures/<int:lecture_id>/delete/",
        views_authoring.lecture_delete,
        name="studio-lecture-delete",
    ),
    path(
        "<int:course_id>/lectures/<int:lecture_id>/media/", views_authoring.lecture_media, name="studio-lecture-media"
    ),
    path(
        "<int:course_id>/lectures/<int:lecture_id>/resources/", views_authoring.resource_add, name="studio-resource-add"
    ),
    path(
        "<int:course_id>/resources/<int:resource_id>/remove/",
        views_authoring.resource_remove,
        name="studio-resource-remove",
    ),
    path(
        "<int:course_id>/lectures/<int:lecture_id>/questions/", views_authoring.question_add, name="studio-question-add"
    ),
    path("<int:course_id>/questions/<int:question_id>/", views_authoring.question_update, name="studio-question"),
    path(
        "<int:course_id>/questions/<int:question_id>/delete/",
        views_authoring.question_delete,
        name="studio-question-delete",
    ),
    path(
        "<int:course_id>/questions/<int:question_id>/move/", views_authoring.question_move, name="studio-question-move"
    ),
    path("<int:course_id>/team/", views_authoring.team, name="studio-course-team"),
    path("<int:course_id>/team/add/", views_authoring.team_add, name="studio-team-add"),
    path("<int:course_id>/team/<int:user_id>/remove/", views_authoring.team_remove, name="studio-team-remove"),
    path("<int:course_id>/preview/", views_authoring.preview, name="studio-course-preview"),
    path(
        "<int:course_id>/preview/lectures/<int:lecture_id>/",
        views_authoring.preview_lecture,
        name="studio-course-preview-lecture",
    ),
]

urlpatterns = [
    path("courses/", views.course_list, name="course-list"),
    path("courses/category/<slug:slug>/", views.category_detail, name="category"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("authors/<int:user_id>/", views.author_detail, name="author"),
    path("wishlist/", views.wishlist, name="wishlist"),
    path("wishlist/<int:course_id>/add/", views.wishlist_add, name="wishlist-add"),
    path("wishlist/<int:course_id>/remove/", views.wishlist_remove, name="wishlist-remove"),
    path("lectures/<int:lecture_id>/media", media_views.lecture_media, name="lecture-media"),
    path("resources/<int:resource_id>/file", media_views.resource_file, name="resource-file"),
    path("studio/courses/", include(studio)),
]
