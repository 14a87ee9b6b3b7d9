from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "kreds.conferences"
    label = "conferences"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.conferences import panels  # noqa: F401 - registers the case overview panel
        from kreds.conferences.hooks import register_hooks

        register_hooks()
        from django.utils.translation import gettext_lazy as _

        from kreds.conferences.sending import COORDINATOR, send_coordinator_notice
        from kreds.outbox import registry

        registry.register(COORDINATOR, send_coordinator_notice, label=_("Allocated as coordinator"))
