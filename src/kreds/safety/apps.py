from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "kreds.safety"
    label = "safety"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.safety import (
            archive,  # noqa: F401 - registers its part of a closed case's archive extract
            panels,  # noqa: F401 - registers the case overview panel
        )
