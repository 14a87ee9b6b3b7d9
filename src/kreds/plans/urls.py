from django.urls import path

from kreds.plans import views

app_name = "plans"

urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("plan/barnets-plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("plan/gem/", views.plan_save, name="plan_save"),
    path("plan/maal/", views.goal_add, name="goal_add"),
    path("plan/maal/<uuid:goal_id>/opnaaet/", views.goal_achieved, name="goal_achieved"),
    path("plan/maal/<uuid:goal_id>/ret/", views.goal_edit, name="goal_edit"),
    path("plan/maal/<uuid:goal_id>/bidrag/", views.contribution_add, name="contribution_add"),
    path("plan/bidrag/<uuid:contribution_id>/", views.contribution_status, name="contribution_status"),
    path("plan/bidrag/<uuid:contribution_id>/ret/", views.contribution_edit, name="contribution_edit"),
    path("plan/opfoelgning/", views.review_add, name="review_add"),
    path("aftaler/", views.tasks, name="tasks"),
    path("aftaler/hvem-goer-hvad.pdf", views.tasks_pdf, name="tasks_pdf"),
    path("aftaler/send/<uuid:person_id>/", views.send_tasks, name="send_tasks"),
    path("aftaler/link/<uuid:person_id>/", views.person_letter, name="person_letter"),
]
