from django.urls import path

from kreds.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.my_meetings, name="mine"),
    path("<uuid:meeting_id>/", views.meeting_detail, name="detail"),
    path("<uuid:meeting_id>/rediger/", views.meeting_edit, name="edit"),
    path("<uuid:meeting_id>/aflys/", views.meeting_cancel, name="cancel"),
    path("<uuid:meeting_id>/deltagere/", views.participants, name="participants"),
    path("<uuid:meeting_id>/deltagere/<uuid:participant_id>/", views.participant_edit, name="participant_edit"),
    path(
        "<uuid:meeting_id>/deltagere/<uuid:participant_id>/fjern/", views.participant_remove, name="participant_remove"
    ),
    path("<uuid:meeting_id>/deltagere/<uuid:participant_id>/flyt/", views.participant_move, name="participant_move"),
    path("<uuid:meeting_id>/breve/<int:letter_id>/", views.letter, name="letter"),
    path("<uuid:meeting_id>/breve/<int:letter_id>/klaret/", views.letter_handled, name="letter_handled"),
    path("<uuid:meeting_id>/deltagere/<uuid:participant_id>/stop-link/", views.link_revoke, name="link_revoke"),
    path("<uuid:meeting_id>/inviter/", views.invite, name="invite"),
    path("<uuid:meeting_id>/kalender.ics", views.meeting_ics, name="ics"),
    path("<uuid:meeting_id>/afvikling/", views.run, name="run"),
    path("<uuid:meeting_id>/afvikling/taler/", views.speaker, name="speaker"),
    path("<uuid:meeting_id>/afvikling/fremmoede/", views.attendance, name="attendance"),
    path("<uuid:meeting_id>/afvikling/aftale/", views.agreement_add, name="agreement_add"),
    path("<uuid:meeting_id>/afvikling/afslut/", views.complete, name="complete"),
    path("<uuid:meeting_id>/aftaler/<uuid:agreement_id>/fjern/", views.agreement_remove, name="agreement_remove"),
    path("<uuid:meeting_id>/aftaler/<uuid:agreement_id>/status/", views.agreement_status, name="agreement_status"),
    path("<uuid:meeting_id>/referat/", views.minutes, name="minutes"),
    path("<uuid:meeting_id>/referat.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<uuid:meeting_id>/referat/send/", views.minutes_send, name="minutes_send"),
    path("<uuid:meeting_id>/referat/barnet/", views.child_minutes, name="child_minutes"),
    path("<uuid:meeting_id>/referat/barnet.pdf", views.child_minutes_pdf, name="child_minutes_pdf"),
    path("<uuid:meeting_id>/journalisering.zip", views.export, name="export"),
    path("<uuid:meeting_id>/journalisering/", views.journalise, name="journalise"),
]
