from django.apps import AppConfig


class AuthzConfig(AppConfig):
    name = "kreds.authz"
    label = "authz"
    default_auto_field = "django.db.models.BigAutoField"
