from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "kreds.protection"
    label = "protection"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.core import disclosure as door
        from kreds.outbox import registry
        from kreds.protection import (
            disclosure,
            panels,  # noqa: F401 - registers the case overview panel
            policies,  # noqa: F401 - registers the protection rules
        )
        from kreds.protection.sending import envelope, refused

        door.install(disclosure.guard_for)
        registry.set_envelope(envelope, refused=refused)
        from kreds.meetings import extras

        extras.register("protection/meeting_section.html", disclosure.meeting_warning)
