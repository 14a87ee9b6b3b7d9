from django.urls import path

from kreds.cases import restriction_views, views

app_name = "cases"

urlpatterns = [
    path("", views.my_cases, name="my_cases"),
    path("ny/", views.case_create, name="create"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path("<uuid:public_id>/rediger/", views.case_edit, name="edit"),
    path("<uuid:public_id>/luk/", views.case_close, name="close"),
    path("<uuid:public_id>/genaabn/", views.case_reopen, name="reopen"),
    path("<uuid:public_id>/arkiv/", views.case_archive, name="archive"),
    path("<uuid:public_id>/arkiv/udtraek.zip", views.case_archive_zip, name="archive_zip"),
    path("<uuid:public_id>/team/", views.case_team, name="team"),
    path("<uuid:public_id>/team/<uuid:user_id>/fjern/", views.case_unassign, name="unassign"),
    path("<uuid:public_id>/henvis/", views.case_refer, name="refer"),
    path("<uuid:public_id>/sikkerhed/", views.case_safety, name="safety"),
    path("<uuid:public_id>/cpr/", views.case_reveal_cpr, name="reveal_cpr"),
    path("<uuid:public_id>/begraens/", restriction_views.case_restrict, name="restrict"),
    path("<uuid:public_id>/begraens/ophaev/", restriction_views.case_unrestrict, name="unrestrict"),
    path("<uuid:public_id>/begraenset/", restriction_views.case_break_glass, name="break_glass"),
    path("<uuid:public_id>/soeskende/", views.case_siblings, name="siblings"),
    path("<uuid:public_id>/soeskende/<uuid:child_id>/fjern/", views.case_sibling_unlink, name="sibling_unlink"),
]
