from typing import Any

from django.apps import AppConfig
from django.core import checks

HOUR = 3600


def check_chain_key(**kwargs: Any) -> list[checks.CheckMessage]:
    """A malformed AUDIT_CHAIN_KEY fails ``check`` (and so ``check --deploy`` and every ``runserver``) at start."""
    from django.core.exceptions import ImproperlyConfigured

    from kreds.audit.keys import key_ring

    try:
        key_ring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="audit.E001")]
    return []


class AuditConfig(AppConfig):
    name = "kreds.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: an app's modules may load only once the app registry is ready.
        from kreds.audit.tasks import purge_expired_reads_task, retry_security_alerts, write_checkpoint_task
        from kreds.core.schedule import DAY, MINUTE, register

        register("audit.purge_expired_reads", purge_expired_reads_task, every=DAY)
        register("audit.write_checkpoint", write_checkpoint_task, every=HOUR)
        register("audit.retry_security_alerts", retry_security_alerts, every=5 * MINUTE)
        checks.register(check_chain_key)
