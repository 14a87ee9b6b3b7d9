"""What the meeting screens do beyond the meeting's own steps (``services``): stop a personal link, print a
letter, export the minutes for the ESDH. Each runs in one transaction and is audited as before; the views only
fetch, check and respond."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.core import disclosure
from kreds.core.disclosure import Withheld
from kreds.core.exceptions import KredsError
from kreds.meetings import notices, sending, services
from kreds.meetings.constants import MessageKind
from kreds.meetings.models import Meeting, Participant
from kreds.outbox.models import Outbox
from kreds.participants import services as links


@transaction.atomic
def revoke_link(*, actor: User, meeting: Meeting, participant: Participant) -> bool:
    """Stop the participant's personal link (lost phone, wrong address); a new one is made with the next letter
    or e-mail. False if there was no active link to stop."""
    link = participant.link
    if link is None or not link.is_active:
        return False
    links.revoke(link, reason="revoked by staff")
    participant.link = None
    participant.save(update_fields=["link", "updated_at"])
    record(
        Action.LINK_REVOKE,
        actor=actor,
        municipality=meeting.case.municipality,
        object_type="meeting",
        object_id=str(meeting.public_id),
        person_concerned=str(meeting.case.child.public_id),
        details={"participant": str(participant.public_id)},
    )
    return True


@transaction.atomic
def print_letter(*, actor: User, meeting: Meeting, row: Outbox) -> bytes:
    """The letter due for printing as a PDF with the participant's personal link (issued if needed); the letter
    is then recorded as printed. Refused when it may not be printed now (consent withdrawn, participant removed);
    empty when it would tell its recipient a protected detail they must not learn (recorded on the letter)."""
    participant = row.participant
    assert participant is not None
    problem = services.letter_problem(row)
    if problem:
        raise KredsError(_("The letter was not made:") + " " + problem)
    if row.kind != MessageKind.CANCELLATION:
        services.ensure_link(participant, actor=actor)
    participant.meeting = meeting
    try:
        # The letter is written for its recipient, not for the member of staff printing it (issue 18).
        with sending.in_language(), disclosure.reading_as(sending.reader_for(participant, sending=True)):
            pdf = notices.letter_pdf(row.kind, participant)
    except Withheld as refused:
        services.record_letter_withheld(actor=actor, row=row, reason=refused.reason)
        return b""
    services.record_letter_printed(actor=actor, row=row)
    return pdf


def _metadata(meeting: Meeting, pdf: bytes) -> dict[str, Any]:
    """Metadata for the municipality's ESDH (journalisation). No CPR number: the ESDH links by case number. The
    PDF's size and SHA-256, as in the archive extract's ``sag.json``, so the ESDH can check what it received."""
    return {
        "schema": "kreds.meeting-minutes/1",
        "municipality": {"name": meeting.case.municipality.name, "code": meeting.case.municipality.code},
        "case": {"external_ref": meeting.case.external_ref, "kreds_id": str(meeting.case.public_id)},
        "document": {
            "title": sending.document_title(meeting),
            "file": sending.document_filename(meeting),
            "format": "PDF/A-2b",
            "bytes": len(pdf),
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "kind": meeting.kind,
            "meeting_id": str(meeting.public_id),
            "held_on": timezone.localtime(meeting.starts_at).date().isoformat(),
            "follow_up_on": meeting.follow_up_on.isoformat() if meeting.follow_up_on else None,
            "minutes_approved_at": meeting.minutes_approved_at.isoformat() if meeting.minutes_approved_at else None,
            "minutes_sent_at": meeting.minutes_sent_at.isoformat() if meeting.minutes_sent_at else None,
            "participants": meeting.participants.filter(removed_at__isnull=True).count(),
            "agreements": meeting.agreements.count(),
        },
        "exported_at": timezone.now().isoformat(),
    }


@transaction.atomic
def export_minutes(*, actor: User, meeting: Meeting) -> bytes:
    """The minutes PDF/A plus a JSON metadata file, zipped for the ESDH; the export is audited."""
    buffer = io.BytesIO()
    pdf = sending.minutes_pdf(meeting)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(sending.document_filename(meeting), pdf)
        archive.writestr("metadata.json", json.dumps(_metadata(meeting, pdf), ensure_ascii=False, indent=2))
    record(
        Action.MEETING_EXPORT,
        actor=actor,
        municipality=meeting.case.municipality,
        object_type="meeting",
        object_id=str(meeting.public_id),
        person_concerned=str(meeting.case.child.public_id),
    )
    return buffer.getvalue()
