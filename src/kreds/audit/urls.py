from django.urls import path

from kreds.audit import views

app_name = "audit"

urlpatterns = [
    path("sikkerhed/", views.security, name="security"),
    path("rolleaendringer/", views.role_changes, name="role_changes"),
]
