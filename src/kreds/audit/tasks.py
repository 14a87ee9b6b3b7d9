from django.tasks import task

from kreds.audit.checkpoints import write_checkpoint
from kreds.audit.services import purge_expired_reads


@task()
def purge_expired_reads_task() -> int:
    """Daily: erase the payload of read events past the retention period (run_worker schedules it)."""
    return purge_expired_reads()


@task()
def write_checkpoint_task() -> str:
    """Hourly: write the chain head outside the database (application log, AUDIT_CHECKPOINT_DIR; ADR 0010)."""
    return write_checkpoint().line()


@task()
def send_security_alert(alert_id: int) -> str:
    """Mail the municipality's administrators about a burst of refused accesses (exactly once: the row is locked,
    and marked sent in the same transaction)."""
    from kreds.audit.alerts import send

    return send(alert_id)


@task()
def retry_security_alerts() -> int:
    """Every few minutes: alerts whose task was lost or failed are sent again, a bounded number of times."""
    from kreds.audit.alerts import due_for_retry

    due = due_for_retry()
    for alert_id in due:
        send_security_alert.enqueue(alert_id)
    return len(due)
