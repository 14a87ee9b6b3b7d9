from __future__ import annotations

from django.tasks import task

from kreds.insights.digest import queue
from kreds.insights.snapshots import refresh_snapshot, refresh_snapshots
from kreds.outbox.tasks import send_outbox

__all__ = ["queue_digests", "refresh_snapshot", "refresh_snapshots"]


@task()
def queue_digests() -> int:
    """Periodic (hourly, from run_worker): queue this week's digests and hand them to the outbox sender."""
    rows = queue()
    for row in rows:
        send_outbox.enqueue(row.pk)
    return len(rows)
