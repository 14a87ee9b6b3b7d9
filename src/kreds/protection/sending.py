"""Outbox messages are rendered for their recipient (issue 18): the worker runs every sender inside
:func:`envelope`, which declares the row's recipient as the reader (sending), so whatever the sender builds — the
e-mail, its calendar file, its PDF — passes the recipient's guard; a message that would tell a must-not-learn
person a protected detail is withheld and :func:`refused` records it."""

from __future__ import annotations

from contextlib import AbstractContextManager

from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.core import disclosure
from kreds.core.disclosure import Reader
from kreds.meetings.sending import reader_for
from kreds.outbox.models import Outbox
from kreds.participants.models import LinkPurpose


def reader_of_row(row: Outbox) -> Reader | None:
    """Who reads the row's message: the participant, the holder of the link, or the member of staff."""
    if row.participant is not None:
        return reader_for(row.participant, sending=True)
    if row.link is not None:
        link = row.link
        kind = "child" if link.purpose == LinkPurpose.CHILD else "person"
        return Reader(kind=kind, case_id=link.case_id, person_id=link.person_id, sending=True)  # type: ignore[arg-type]
    if row.user_id is not None:
        return Reader(kind="staff", user_id=row.user_id, sending=True)
    return None


def envelope(row: Outbox) -> AbstractContextManager[object]:
    return disclosure.reading_as(lambda: reader_of_row(row))


def refused(row: Outbox, reason: str) -> None:
    """The audit event of a message withheld from its recipient (who, which message; never the value)."""
    case = row.meeting.case if row.meeting is not None else (row.link.case if row.link is not None else None)
    recipient = row.participant.public_id if row.participant is not None else (row.link.public_id if row.link else "")
    record(
        Action.PROTECTION_SEND_REFUSED,
        actor=None,
        actor_label="Kreds",
        municipality=case.municipality if case is not None else None,
        object_type="outbox",
        object_id=str(row.pk),
        person_concerned=str(case.child.public_id) if case is not None else "",
        details={"kind": row.kind, "recipient": str(recipient), "reason": reason},
    )
