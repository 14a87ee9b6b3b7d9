from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "kreds.conferences"
    label = "conferences"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kreds.conferences import panels  # noqa: F401 - registers the case overview panel
        from kreds.conferences.hooks import register_hooks

        register_hooks()
