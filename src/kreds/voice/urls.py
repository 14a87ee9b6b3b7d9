from django.urls import path

from kreds.voice import views

app_name = "voice"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("tre-huse/", views.houses_add, name="houses_add"),
    path("tre-huse/<uuid:houses_id>/tjekket/", views.houses_checked, name="houses_checked"),
    path("barnets-side/", views.link_issue, name="link_issue"),
    path("barnets-side/luk/", views.link_revoke, name="link_revoke"),
    path("svar/<uuid:input_id>/", views.review, name="review"),
    path("ord-og-billeder/", views.words, name="words"),
    path("ord-og-billeder.pdf", views.words_pdf, name="words_pdf"),
]
