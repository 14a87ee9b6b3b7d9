from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kreds.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.cases import restriction_panel  # noqa: F401 - registers the restriction panel
