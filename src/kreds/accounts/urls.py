from django.urls import path

from kreds.accounts import views

app_name = "accounts"

urlpatterns = [
    path("log-ind/", views.login_view, name="login"),
    path("log-ud/", views.logout_view, name="logout"),
    path("to-faktor/", views.otp_verify, name="otp_verify"),
    path("to-faktor/opsaet/", views.otp_enrol, name="otp_enrol"),
    path("min-konto/", views.security, name="security"),
    path("brugere/", views.user_list, name="user_list"),
    path("brugere/ny/", views.user_create, name="user_create"),
    path("brugere/<uuid:public_id>/", views.user_detail, name="user_detail"),
    path("brugere/<uuid:public_id>/<slug:action>/", views.user_action, name="user_action"),
    path(
        "brugere/<uuid:public_id>/roller/<uuid:membership_id>/fjern/",
        views.membership_remove,
        name="membership_remove",
    ),
]
