"""The one way a message is decided: :func:`queue` creates its outbox row, once per key (ADR 0013)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from kreds.outbox.constants import Channel
from kreds.outbox.models import Outbox
from kreds.outbox.registry import is_registered
from kreds.outbox.tasks import send_outbox

if TYPE_CHECKING:
    from kreds.accounts.models import User
    from kreds.meetings.models import Meeting, Participant
    from kreds.participants.models import ParticipantLink


def queue(
    kind: str,
    key: str,
    *,
    participant: Participant | None = None,
    meeting: Meeting | None = None,
    user: User | None = None,
    link: ParticipantLink | None = None,
    channel: Channel = Channel.EMAIL,
    send: bool = True,
) -> Outbox | None:
    """Decide to send a message: the row for ``key``, or None if that message was decided before.

    Call it in the transaction that makes the decision, so the message exists exactly when the change does. The
    recipient is one of ``participant`` (with the ``meeting`` it is about), ``user`` (staff) or ``link`` (the holder
    of a personal link). An e-mail is handed to the worker after commit (``send=False``: the caller hands the rows
    over itself); a letter waits until staff print it. Safe inside ``atomic`` blocks: a duplicate key rolls back
    only its own savepoint.
    """
    if not is_registered(kind):
        raise ValueError(f"Outbox kind {kind!r} has no registered sender.")
    if sum(r is not None for r in (participant, user, link)) != 1:
        raise ValueError("An outbox row has exactly one recipient: a participant, a user or a link.")
    if meeting is not None and participant is None:
        raise ValueError("Only a participant's message is about a meeting.")
    if Outbox.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            row = Outbox.objects.create(
                key=key,
                kind=kind,
                meeting=meeting,
                participant=participant,
                user=user,
                link=link,
                channel=channel,
            )
    except IntegrityError:
        # Another transaction queued the same key a moment ago; anything else is a real error.
        if Outbox.objects.filter(key=key).exists():
            return None
        raise
    if send and channel == Channel.EMAIL:
        transaction.on_commit(lambda: send_outbox.enqueue(row.pk))
    return row
