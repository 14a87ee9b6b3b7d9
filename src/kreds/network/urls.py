from django.urls import path

from kreds.network import views

app_name = "network"

urlpatterns = [
    path("", views.network_map, name="map"),
    path("liste/", views.network_list, name="list"),
    path("person/ny/", views.person_add, name="person_add"),
    path("person/<uuid:person_id>/", views.person_edit, name="person_edit"),
    path("person/<uuid:person_id>/fjern/", views.person_remove, name="person_remove"),
    path("person/<uuid:person_id>/flyt/", views.person_move, name="person_move"),
    path("person/<uuid:person_id>/relation/", views.relation_set, name="relation_set"),
    path("samtykke/", views.consent, name="consent"),
    path("samtykke/<uuid:consent_id>/tilbagekald/", views.consent_withdraw, name="consent_withdraw"),
    path("sammenlign/", views.compare, name="compare"),
    path("kort.svg", views.svg_download, name="svg"),
    path("kort.pdf", views.pdf_download, name="pdf"),
]
