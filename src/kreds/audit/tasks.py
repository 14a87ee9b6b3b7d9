from django.tasks import task

from kreds.audit.services import purge_expired_reads


@task()
def purge_expired_reads_task() -> int:
    """Daily: erase the payload of read events past the retention period (run_worker schedules it)."""
    return purge_expired_reads()
