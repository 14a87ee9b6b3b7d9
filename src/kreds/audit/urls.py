from django.urls import path

from kreds.audit import views

app_name = "audit"

urlpatterns = [
    path("sag/<uuid:public_id>/", views.case_access_log_view, name="case_access_log"),
    path("sikkerhed/", views.security, name="security"),
    path("rolleaendringer/", views.role_changes, name="role_changes"),
]
