from django.urls import path

from agora.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/signup/done/", views.signup_done, name="signup-done"),
    path("accounts/activation/resend/", views.activation_resend, name="activation-resend"),
    path("accounts/claim/<str:token>/", views.claim, name="claim"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/edit/", views.profile_edit, name="profile-edit"),
    path("accounts/close/", views.account_close, name="close"),
    path("staff/users/", views.staff_user_list, name="staff-users"),
    path("staff/users/<int:user_id>/", views.staff_user_detail, name="staff-user"),
    path("dev/accounts/waiting/", views.dev_waiting_account, name="dev-waiting"),
]
