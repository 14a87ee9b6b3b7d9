from django.urls import path

from kreds.sso import views

app_name = "sso"

urlpatterns = [
    path("sso/<str:code>/saml/metadata/", views.saml_metadata, name="saml_metadata"),
    path("sso/<str:code>/saml/log-ind/", views.saml_login, name="saml_login"),
    path("sso/<str:code>/saml/acs/", views.saml_acs, name="saml_acs"),
    path("sso/<str:code>/saml/slo/", views.saml_sls, name="saml_sls"),
    path("sso/log-ud/", views.single_logout, name="single_logout"),
    path("sso/<str:code>/oidc/log-ind/", views.oidc_login, name="oidc_login"),
    path("sso/oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("indstillinger/log-ind/", views.settings_page, name="settings"),
    path("indstillinger/log-ind/regler/<uuid:rule_id>/fjern/", views.rule_remove, name="rule_remove"),
]
