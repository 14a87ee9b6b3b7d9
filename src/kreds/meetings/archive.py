"""Each meeting's minutes (or the family's plan of a conference) in a closed case's archive extract."""

from __future__ import annotations

from django.utils import timezone

from kreds.cases.archive import ArchiveFile, register
from kreds.cases.models import Case
from kreds.meetings import sending
from kreds.meetings.constants import MeetingStatus
from kreds.meetings.models import Meeting


@register
def minutes(case: Case) -> list[ArchiveFile]:
    out = []
    sent = Meeting.objects.filter(case=case, status__in=[MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED])
    for meeting in sent.select_related("case__child", "case__municipality").order_by("starts_at", "id"):
        day = timezone.localtime(meeting.starts_at).date().isoformat()
        out.append(
            ArchiveFile(
                f"moeder/{day}-{sending.document_filename(meeting)}",
                sending.minutes_pdf(meeting),
                sending.document_title(meeting),
                "minutes",
                day,
            )
        )
    return out
