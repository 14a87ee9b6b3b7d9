from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "kreds.meetings"
    label = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.core.schedule import MINUTE, register
        from kreds.meetings import archive  # noqa: F401 - registers its part of a closed case's archive extract
        from kreds.meetings.tasks import dispatch_due, register_senders

        # The 14-day agreement summaries and staff reminders (DOMAIN §5); kreds.outbox retries lost messages.
        register("meetings.dispatch_due", dispatch_due, every=5 * MINUTE)
        register_senders()  # the meetings app's kinds of outbox message
        from kreds.meetings import panels  # noqa: F401 - registers the case overview panel
