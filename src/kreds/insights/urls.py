from django.urls import path

from kreds.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:unit_id>/", views.unit, name="unit"),
    path("<uuid:unit_id>/tal/<slug:key>/", views.figure, name="figure"),
    path("<uuid:unit_id>/eksport.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("<uuid:unit_id>/eksport.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
]
