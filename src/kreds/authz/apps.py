from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AuthzConfig(AppConfig):
    name = "kreds.authz"
    label = "authz"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        # Each domain app registers its rules in its own ``policies`` module; authz imports none of them by name.
        autodiscover_modules("policies")
