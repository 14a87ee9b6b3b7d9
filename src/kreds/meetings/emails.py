"""The e-mail for a meeting's outbox row: invitations, minutes and summaries to adults from their own templates;
changes, cancellations, reminders and everything to the child composed once in :mod:`kreds.meetings.notices`,
the same text as the letter. Built from the pieces in :mod:`kreds.meetings.sending`."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kreds.core.mail import email
from kreds.meetings import notices
from kreds.meetings.constants import MessageKind
from kreds.meetings.sending import (
    agreements_for_summary,
    document_filename,
    ics_attachment,
    leaflet_for,
    link_url,
    local,
    minutes_pdf,
    others_for,
    purpose_label,
    when_text,
)
from kreds.outbox.models import Outbox


def _render(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, context).strip() + "\n"


def build_email(row: Outbox) -> EmailMultiAlternatives:
    """The e-mail for an outbox row (the caller has checked consent right before).

    Invitations, minutes and summaries to adults have their own templates; changes, cancellations, reminders and
    everything to the child are written once in :mod:`kreds.meetings.notices`, the same text as the letter.
    """
    participant = row.participant
    assert participant is not None and row.meeting is not None
    meeting = row.meeting
    context: dict[str, Any] = {
        "meeting": meeting,
        "participant": participant,
        "child": meeting.case.child.first_name,
        "when": when_text(meeting),
        "url": link_url(participant),
        "municipality": meeting.case.municipality.name,
    }
    attachments: list[tuple[str, bytes, str]] = []
    context["purpose_label"] = purpose_label(meeting)
    date = local(meeting.starts_at).strftime("%d.%m.%Y")
    composed = row.kind in (MessageKind.CHANGE, MessageKind.CANCELLATION, MessageKind.RSVP_REMINDER) or (
        notices.is_child(participant)
    )
    if composed:
        content = notices.compose(row.kind, participant)
        subject, body = content.subject, notices.email_text(content, participant)
        if row.kind in (MessageKind.INVITATION, MessageKind.CHANGE, MessageKind.CANCELLATION, MessageKind.SUMMARY):
            attachments.append(ics_attachment(meeting, participant))
        elif row.kind == MessageKind.MINUTES:
            enclosed = notices.enclosure(row.kind, participant)
            assert enclosed is not None
            attachments.append((document_filename(meeting), enclosed, "application/pdf"))
    elif row.kind == MessageKind.INVITATION:
        title, sections = leaflet_for(meeting)
        context.update({"others": others_for(participant), "leaflet_title": title, "leaflet": sections})
        if meeting.is_fgc:
            subject = _("Invitation: family group conference about %(child)s on %(date)s")
        else:
            subject = _("Invitation: meeting about %(child)s on %(date)s")
        subject %= {"child": context["child"], "date": date}
        body = _render("meetings/email/invitation.txt", context)
        attachments.append(ics_attachment(meeting, participant))
    elif row.kind == MessageKind.MINUTES:
        if meeting.is_fgc:
            subject = _("The family's plan: family group conference about %(child)s on %(date)s")
        else:
            subject = _("Minutes: meeting about %(child)s on %(date)s")
        subject %= {"child": context["child"], "date": date}
        context["own"] = list(meeting.agreements.filter(responsible=participant))
        body = _render("meetings/email/minutes.txt", context)
        attachments.append((document_filename(meeting), minutes_pdf(meeting), "application/pdf"))
    elif row.kind == MessageKind.SUMMARY:
        if meeting.is_fgc:
            subject = _("The plan before the follow-up conference on %(date)s") % {"date": date}
        else:
            subject = _("Agreements before the follow-up meeting on %(date)s") % {"date": date}
        context["agreements"] = agreements_for_summary(meeting)
        context["in_days"] = notices.in_days(notices.days_until(meeting))
        body = _render("meetings/email/summary.txt", context)
        attachments.append(ics_attachment(meeting, participant))
    else:  # pragma: no cover - staff reminders are built in tasks
        raise ValueError(row.kind)
    message = email(subject=subject, body=body, to=[participant.email])
    for name, content_bytes, mimetype in attachments:
        message.attach(name, content_bytes, mimetype)
    return message
