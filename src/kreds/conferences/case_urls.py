from django.urls import path

from kreds.conferences import views

app_name = "case_conferences"

urlpatterns = [
    path("ny/", views.refer, name="refer"),
]
