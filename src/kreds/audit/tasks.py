from django.tasks import task

from kreds.audit.alerts import retry_security_alerts, send_security_alert
from kreds.audit.checkpoints import write_checkpoint
from kreds.audit.services import purge_expired_reads

__all__ = ["purge_expired_reads_task", "retry_security_alerts", "send_security_alert", "write_checkpoint_task"]


@task()
def purge_expired_reads_task() -> int:
    """Daily: erase the payload of read events past the retention period (run_worker schedules it)."""
    return purge_expired_reads()


@task()
def write_checkpoint_task() -> str:
    """Hourly: write the chain head outside the database (application log, AUDIT_CHECKPOINT_DIR; ADR 0010)."""
    return write_checkpoint().line()
