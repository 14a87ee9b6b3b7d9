from django.urls import path

from kreds.conferences import views

app_name = "conference_settings"

urlpatterns = [
    path("", views.settings_page, name="edit"),
]
