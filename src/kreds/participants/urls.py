from django.urls import path

from kreds.participants import views

app_name = "participants"

# The token is the only thing in these URLs; it is redacted from logs (kreds.core.logging).
urlpatterns = [
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/svar/", views.rsvp, name="rsvp"),
    path("<str:token>/kalender.ics", views.ics, name="ics"),
    path("<str:token>/referat.pdf", views.minutes, name="minutes"),
    path("<str:token>/evaluering/", views.evaluation, name="evaluation"),
]
