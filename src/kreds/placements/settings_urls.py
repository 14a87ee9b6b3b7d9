from django.urls import path

from kreds.placements import views

app_name = "placement_settings"

urlpatterns = [
    path("", views.settings_page, name="edit"),
]
