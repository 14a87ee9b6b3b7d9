from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "kreds.outbox"
    label = "outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.core.schedule import MINUTE, register
        from kreds.outbox.tasks import send_due

        # Rows whose task was lost (worker killed) or failed are sent again, a bounded number of times.
        register("outbox.send_due", send_due, every=5 * MINUTE)
