from django.urls import path

from agora.devmail import views

app_name = "devmail"
urlpatterns = [
    path("", views.message_list, name="list"),
    path("api/messages", views.message_list_json, name="api-messages"),
    path("<int:message_id>/", views.message_detail, name="detail"),
    path("<int:message_id>/html", views.message_html, name="html"),
]
