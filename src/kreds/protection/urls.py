from django.urls import path

from kreds.protection import views

app_name = "protection"

urlpatterns = [
    path("", views.protection_list, name="list"),
    path("ny/", views.protection_add, name="add"),
    path("<uuid:protection_id>/", views.protection_edit, name="edit"),
    path("<uuid:protection_id>/ophoer/", views.protection_end, name="end"),
]
