"""The worker side of the outbox: send e-mail rows, each exactly once, by the sender registered for its kind.

Exactly once: every message is an :class:`Outbox` row with a unique key, created in the same transaction as the
decision to send (:func:`kreds.outbox.services.queue`). A row is sent inside a transaction that holds its row lock
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL): a second worker, a duplicate task or a retry skips a row that
is being sent and finds a sent row marked ``sent_at``. So several workers can send at the same time. The one window
left is a crash between the mail server accepting the message and the commit; the row then shows an attempt
without ``sent_at`` and is retried, which can duplicate that single message (docs/design/network-meeting.md).
Letters (channel ``letter``) are never sent here: staff print them from the meeting page.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone

from kreds.core.disclosure import Withheld
from kreds.outbox.constants import MAX_ATTEMPTS, Channel
from kreds.outbox.models import Outbox
from kreds.outbox.registry import envelope_for, sender_for, withheld

log = logging.getLogger(__name__)
RETRY_AFTER = datetime.timedelta(minutes=10)
BATCH = 500


def _claim(rows: QuerySet[Outbox]) -> Outbox | None:
    # Only the outbox row is locked (PostgreSQL refuses FOR UPDATE on the nullable side of the joins); a row another
    # worker holds is skipped, not waited for. SQLite has no row locks: it runs one writer at a time anyway.
    return (
        rows.select_for_update(of=("self",), skip_locked=True)
        .select_related("meeting", "participant", "user", "link")
        .order_by("created_at", "pk")
        .first()
    )


def _send_locked(row: Outbox) -> str:
    """Send one claimed row (inside the claiming transaction)."""
    if row.sent_at is not None:
        return "already sent"
    if row.channel == Channel.LETTER:
        return "letter"  # printed by staff from the meeting page, never sent by the worker
    row.attempts += 1
    sender = sender_for(row.kind)
    if sender is None:
        row.mark_not_sent(f"no sender registered for {row.kind!r}")
        log.error("Outbox %s: no sender registered for kind %r", row.pk, row.kind)
        return "failed"
    try:
        with transaction.atomic(), envelope_for(row):  # a sender that raises loses its own writes, not the attempt
            return sender(row)
    except Withheld as refused:  # it would tell the recipient what they must not learn (issue 18)
        row.attempts = MAX_ATTEMPTS  # the same text would be refused again: not retried, kept with the reason
        row.mark_not_sent(refused.reason)
        withheld(row, refused.reason)
        return "withheld"
    except Exception as exc:
        row.mark_not_sent(f"failed: {type(exc).__name__}")  # the type only: the text may hold an address
        log.warning("Sending outbox %s failed: %s", row.pk, type(exc).__name__)
        return "failed"


def send_row(outbox_id: int) -> str:
    """Send one row unless it is sent, a letter, or being sent by another worker right now ("busy")."""
    with transaction.atomic():
        row = _claim(Outbox.objects.filter(pk=outbox_id))
        if row is not None:
            return _send_locked(row)
    if Outbox.objects.filter(pk=outbox_id, sent_at__isnull=True).exists():
        return "busy"  # locked by another worker, which sends it or records why not
    return "already sent"


def pending(now: datetime.datetime | None = None) -> QuerySet[Outbox]:
    """E-mail rows not sent whose task was lost (worker killed) or failed, due to be tried again."""
    now = now or timezone.now()
    return Outbox.objects.filter(
        sent_at__isnull=True,
        channel=Channel.EMAIL,
        attempts__lt=MAX_ATTEMPTS,
        created_at__lte=now - RETRY_AFTER,
    )


def retry_rows(now: datetime.datetime | None = None) -> list[Outbox]:
    return list(pending(now).order_by("created_at", "pk")[:BATCH])


def send_pending(now: datetime.datetime | None = None, *, limit: int = BATCH) -> dict[str, int]:
    """Claim and send due rows one at a time until none is left (each row at most once per call).

    Several workers may run this at the same time: each claims rows the others do not hold.
    """
    tried: list[int] = []
    results: dict[str, int] = {}
    while len(tried) < limit:
        with transaction.atomic():
            row = _claim(pending(now).exclude(pk__in=tried))
            if row is None:
                break
            tried.append(row.pk)
            result = _send_locked(row)
        results[result] = results.get(result, 0) + 1
    return results


@task()
def send_outbox(outbox_id: int) -> str:
    """Enqueued after commit for each e-mail row (kreds.outbox.services.queue)."""
    return send_row(outbox_id)


@task()
def send_due() -> int:
    """Periodic (every few minutes from run_worker): send again the rows whose task was lost or failed."""
    return sum(send_pending().values())
