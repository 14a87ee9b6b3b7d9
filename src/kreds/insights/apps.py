from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "kreds.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from django.utils.translation import gettext_lazy as _

        from kreds.core import schedule
        from kreds.insights.digest import DIGEST, replaces_reminder, send_digest
        from kreds.insights.tasks import queue_digests, refresh_snapshots
        from kreds.meetings.tasks import register_reminder_filter
        from kreds.outbox import registry

        registry.register(DIGEST, send_digest, label=_("Weekly digest"))
        register_reminder_filter(replaces_reminder)
        schedule.register("insights.queue_digests", queue_digests, every=3600)
        schedule.register("insights.refresh_snapshots", refresh_snapshots, every=3600)
