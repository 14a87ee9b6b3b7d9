from __future__ import annotations

from django.tasks import task

from kreds.insights.digest import queue


@task()
def queue_digests() -> int:
    """Periodic (hourly, from run_worker): queue this week's digests and hand them to the outbox sender."""
    from kreds.meetings.tasks import send_outbox

    rows = queue()
    for row in rows:
        send_outbox.enqueue(row.pk)
    return len(rows)


@task()
def refresh_snapshot(snapshot_id: int) -> bool:
    """Compute a leader's page again after a leader saw figures older than snapshots.FRESH."""
    from kreds.insights.snapshots import refresh

    return refresh(snapshot_id)


@task()
def refresh_snapshots() -> int:
    """Periodic (hourly, from run_worker): keep the leaders' pages computed as of today (snapshots.refresh_due)."""
    from kreds.insights.snapshots import refresh_due

    return refresh_due()
