from django.urls import path

from kreds.conferences import views

app_name = "conferences"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("tal/", views.figures, name="figures"),
    path("<uuid:conference_id>/", views.detail, name="detail"),
    path("<uuid:conference_id>/tildel/", views.allocate, name="allocate"),
    path("<uuid:conference_id>/henvisning/", views.referral_edit, name="referral_edit"),
    path("<uuid:conference_id>/tilbagekald/", views.withdraw, name="withdraw"),
    path("<uuid:conference_id>/luk/", views.close, name="close"),
    path("<uuid:conference_id>/trivsel/", views.wellbeing, name="wellbeing"),
    path("<uuid:conference_id>/forberedelse/", views.prepare, name="prepare"),
    path("<uuid:conference_id>/forberedelse/tidspunkt/", views.schedule, name="schedule"),
    path("<uuid:conference_id>/forberedelse/ny-person/", views.person_add, name="person_add"),
    path("<uuid:conference_id>/forberedelse/<uuid:participant_id>/", views.invitee, name="invitee"),
    path("<uuid:conference_id>/forberedelse/<uuid:participant_id>/kontakt/", views.contact_add, name="contact_add"),
    path("<uuid:conference_id>/afvikling/", views.run, name="run"),
    path("<uuid:conference_id>/afvikling/information/", views.information_add, name="information_add"),
    path("<uuid:conference_id>/afvikling/egen-tid/", views.private_time, name="private_time"),
    path("<uuid:conference_id>/afvikling/fremmoede/", views.attendance, name="attendance"),
    path("<uuid:conference_id>/afvikling/plan/", views.item_add, name="item_add"),
    path("<uuid:conference_id>/afvikling/plan/<uuid:item_id>/fjern/", views.item_remove, name="item_remove"),
    path("<uuid:conference_id>/afvikling/plan/<uuid:item_id>/opfoelgning/", views.item_review, name="item_review"),
    path("<uuid:conference_id>/afvikling/afslut/", views.complete, name="complete"),
    path("<uuid:conference_id>/opfoelgning/", views.follow_up, name="follow_up"),
    path("<uuid:conference_id>/opfoelgning/flyt/", views.follow_up_move, name="follow_up_move"),
    path("<uuid:conference_id>/opfoelgning/aflys/", views.follow_up_cancel, name="follow_up_cancel"),
    path("<uuid:conference_id>/godkendelse/", views.approval, name="approval"),
    path("<uuid:conference_id>/godkendelse/<uuid:item_id>/stoette/", views.support, name="support"),
    path("<uuid:conference_id>/godkendelse/<uuid:item_id>/beslutning/", views.decide, name="decide"),
    path("<uuid:conference_id>/godkendelse/send/", views.finalise, name="finalise"),
    path("<uuid:conference_id>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("<uuid:conference_id>/udgifter/", views.costs, name="costs"),
    path("<uuid:conference_id>/udgifter/<uuid:cost_id>/fjern/", views.cost_remove, name="cost_remove"),
]
