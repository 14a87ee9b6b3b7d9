from django.urls import path

from kreds.plans import views

app_name = "deadlines"

urlpatterns = [
    path("", views.deadlines, name="list"),
]
