from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "kreds.meetings"
    label = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kreds.core.schedule import MINUTE, register
        from kreds.meetings import archive  # noqa: F401 - registers its part of a closed case's archive extract
        from kreds.meetings.tasks import dispatch_due

        # The 14-day agreement summaries, staff reminders and retries of lost messages (DOMAIN §5).
        register("meetings.dispatch_due", dispatch_due, every=5 * MINUTE)
        from kreds.meetings import panels  # noqa: F401 - registers the case overview panel
