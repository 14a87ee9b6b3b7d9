from django.urls import include, path
from django.views.i18n import set_language

from kreds.audit import urls as audit_urls
from kreds.cases import views as case_views
from kreds.conferences import views as conference_views
from kreds.core import views as core_views
from kreds.meetings import views as meeting_views
from kreds.site import views as site_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("tilgaengelighed/", core_views.accessibility_statement, name="accessibility"),
    path("demo/post/", core_views.sent_mail, name="sent_mail"),
    path("demo/post/<str:name>/bilag/<int:number>/", core_views.sent_mail_attachment, name="sent_mail_attachment"),
    path("", site_views.home, name="home"),
    path("konto/", include("kreds.accounts.urls")),
    path("", include("kreds.sso.urls")),
    path("sager/", include("kreds.cases.urls")),
    # The case's access log belongs to cases (the shared audit app imports no domain app); it keeps its place
    # and its name under audit.
    path(
        "audit/",
        include(
            (
                [
                    *audit_urls.urlpatterns,
                    path("sag/<uuid:public_id>/", case_views.case_access_log, name="case_access_log"),
                ],
                "audit",
            )
        ),
    ),
    path("sager/<uuid:public_id>/netvaerk/", include("kreds.network.urls")),
    path("sager/<uuid:public_id>/beskyttelse/", include("kreds.protection.urls")),
    path("indstillinger/sektorer/", include("kreds.network.settings_views")),
    path("sager/<uuid:public_id>/moeder/", include("kreds.meetings.case_urls")),
    path("moeder/", include("kreds.meetings.urls")),
    path("l/", include("kreds.participants.urls")),
    path("sager/<uuid:public_id>/familieraadslagning/", include("kreds.conferences.case_urls")),
    path("familieraadslagning/", include("kreds.conferences.urls")),
    path("dokumenter/", include("kreds.documents.urls")),
    path("sager/<uuid:public_id>/sos/", include("kreds.safety.urls")),
    path("sager/<uuid:public_id>/barnets-stemme/", include("kreds.voice.urls")),
    path("sager/<uuid:public_id>/", include("kreds.plans.urls")),
    path("sager/<uuid:public_id>/", include("kreds.placements.urls")),
    path("frister/", include("kreds.plans.deadline_urls")),
    path("indsigt/", include("kreds.insights.urls")),
    path("indstillinger/familieraadslagning/", include("kreds.conferences.settings_urls")),
    path("indstillinger/anbringelse/", include("kreds.placements.settings_urls")),
    path("om/netvaerksmoede/", meeting_views.leaflet_page, name="leaflet"),
    path("om/familieraadslagning/", conference_views.leaflet_page, name="fgc_leaflet"),
]

handler400 = "kreds.core.views.bad_request"
handler403 = "kreds.core.views.permission_denied"
handler404 = "kreds.core.views.page_not_found"
handler500 = "kreds.core.views.server_error"
