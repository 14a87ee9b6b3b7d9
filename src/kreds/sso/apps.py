from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "kreds.sso"
    label = "sso"
    verbose_name = "Municipal sign-on"
    default_auto_field = "django.db.models.BigAutoField"
