from django.tasks import task

from kreds.documents.services import purge_orphans


@task()
def purge_orphan_files() -> int:
    """Daily: remove stored files that no document points at (an upload whose transaction rolled back)."""
    return purge_orphans()
