from django.urls import path

from kreds.safety import views

app_name = "safety"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("ny-version/", views.edit, name="edit"),
    path("versioner/<int:number>/", views.version, name="version"),
    path("skalering/", views.scaling_add, name="scaling_add"),
    path("kortlaegning.pdf", views.pdf, name="pdf"),
    path("sikkerhedsplan/", views.plan, name="plan"),
    path("sikkerhedsplan/aftalt/", views.plan_agree, name="plan_agree"),
    path("sikkerhedsplan/regel/", views.rule_add, name="rule_add"),
    path("sikkerhedsplan/<uuid:rule_id>/", views.rule_status, name="rule_status"),
]
