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
