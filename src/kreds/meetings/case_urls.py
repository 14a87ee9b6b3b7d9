from django.urls import path

from kreds.meetings import views

app_name = "case_meetings"

urlpatterns = [
    path("", views.case_meetings, name="list"),
    path("nyt/", views.meeting_create, name="create"),
]
