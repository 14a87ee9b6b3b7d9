from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kreds.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kreds.audit.tasks import purge_expired_reads_task
        from kreds.core.schedule import DAY, register

        register("audit.purge_expired_reads", purge_expired_reads_task, every=DAY)
