from django.urls import path

from kreds.documents import views

app_name = "documents"

urlpatterns = [
    path("<uuid:document_id>/", views.download, name="download"),
]
