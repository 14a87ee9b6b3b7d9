from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "kreds.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kreds.core import schedule
        from kreds.insights.digest import replaces_reminder, send_digest
        from kreds.insights.tasks import queue_digests, refresh_snapshots
        from kreds.meetings.constants import OutboxKind
        from kreds.meetings.tasks import register_reminder_filter, register_sender

        register_sender(OutboxKind.DIGEST, send_digest)
        register_reminder_filter(replaces_reminder)
        schedule.register("insights.queue_digests", queue_digests, every=3600)
        schedule.register("insights.refresh_snapshots", refresh_snapshots, every=3600)
