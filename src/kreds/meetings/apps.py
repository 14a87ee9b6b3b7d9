from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "kreds.meetings"
    label = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kreds.meetings import panels  # noqa: F401 - registers the case overview panel
