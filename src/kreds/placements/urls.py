from django.urls import path

from kreds.placements import views

app_name = "placements"

urlpatterns = [
    path("anbringelse/", views.exploration, name="exploration"),
    path("anbringelse/start/", views.start, name="start"),
    path("anbringelse/kandidat/", views.add_candidate, name="add_candidate"),
    path("anbringelse/luk/", views.close, name="close"),
    path("anbringelse/afgoerelse/", views.decide, name="decide"),
    path("anbringelse/kandidat/<uuid:candidate_id>/", views.candidate, name="candidate"),
    path("anbringelse/kandidat/<uuid:candidate_id>/status/", views.candidate_status, name="candidate_status"),
    path("anbringelse/kandidat/<uuid:candidate_id>/tjek/<slug:key>/", views.candidate_check, name="candidate_check"),
    path("anbringelse/kandidat/<uuid:candidate_id>/dokument/", views.candidate_document, name="candidate_document"),
    path("samvaer/", views.contacts, name="contacts"),
    path("samvaer/pdf/", views.contacts_pdf, name="contacts_pdf"),
    path("samvaer/ny/", views.contact_add, name="contact_add"),
    path("samvaer/<uuid:contact_id>/", views.contact_change, name="contact_change"),
    path("samvaer/<uuid:contact_id>/pause/", views.suspend, name="suspend"),
    path("samvaer/<uuid:contact_id>/pause/<uuid:suspension_id>/slut/", views.end_suspension, name="end_suspension"),
]
