"""What goes out to participants: e-mails, the .ics file, the minutes PDF and the invitation letter.

Everything a participant receives is built here from :func:`meeting_facts`, so the e-mail, the letter, the
calendar file and the personal page say the same. Nothing here ever reads the child's CPR number; outgoing text
is checked for CPR-shaped numbers when it is written (see ``services._no_cpr``).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from kreds.core.mail import email
from kreds.core.pdf import compile_typst
from kreds.core.text import one_line, printable
from kreds.meetings import kinds
from kreds.meetings.constants import MINUTES_WORKING_DAYS, OutboxKind, ParticipantRole, Rsvp
from kreds.meetings.leaflet import leaflet as network_meeting_leaflet
from kreds.meetings.models import Agreement, Meeting, Outbox, Participant
from kreds.participants.services import token_for

TYPST_DIR = Path(__file__).resolve().parent / "typst"


def local(dt: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(dt)


def leaflet_for(meeting: Meeting) -> tuple[str, Any]:
    """The leaflet that goes with invitations to this kind of meeting."""
    hooks = kinds.hooks_for(meeting)
    return hooks.leaflet() if hooks else network_meeting_leaflet()


def leaflet_url_name(meeting: Meeting) -> str:
    hooks = kinds.hooks_for(meeting)
    return hooks.leaflet_url_name if hooks else "leaflet"


def purpose_label(meeting: Meeting) -> str:
    """What the meeting's purpose is called: for a family group conference it is the questions for the plan."""
    return _("The questions the family's plan must answer") if meeting.is_fgc else _("Purpose")


def ics_filename(meeting: Meeting) -> str:
    if meeting.is_fgc:
        return "opfoelgende-familieraadslagning.ics" if meeting.is_follow_up else "familieraadslagning.ics"
    return "opfoelgningsmoede.ics" if meeting.is_follow_up else "netvaerksmoede.ics"


def document_title(meeting: Meeting) -> str:
    if meeting.is_fgc:
        return _("The family's plan")
    return _("Minutes of %(kind)s") % {"kind": str(meeting.get_kind_display()).lower()}


def document_filename(meeting: Meeting) -> str:
    hooks = kinds.hooks_for(meeting)
    return hooks.document_filename if hooks else "referat.pdf"


def when_text(meeting: Meeting) -> str:
    from django.utils.dateformat import format as date_format

    start, end = local(meeting.starts_at), local(meeting.ends_at)
    return _("%(weekday)s %(day)s from %(start)s to %(end)s") % {
        "weekday": date_format(start, "l"),
        "day": start.strftime("%d.%m.%Y"),
        "start": start.strftime("%H.%M"),
        "end": end.strftime("%H.%M"),
    }


def link_url(participant: Participant) -> str:
    assert participant.link is not None
    return settings.SITE_URL + reverse("participants:home", kwargs={"token": token_for(participant.link)})


def others_for(participant: Participant) -> list[dict[str, str]]:
    """Who else is invited: names and roles only (contact details are never shared in invitations)."""
    return [
        {"name": p.name, "role": p.relation or str(p.get_role_display())}
        for p in participant.meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")
        if p.pk != participant.pk
    ]


def agreements_for_summary(meeting: Meeting) -> list[Agreement]:
    """For a follow-up meeting: the agreements of the earlier meetings in the course, with their status."""
    from kreds.meetings.services import agreements_to_review

    return agreements_to_review(meeting) if meeting.previous_id else list(meeting.agreements.all())


def ics(meeting: Meeting, participant: Participant | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Kreds//Netvaerksmoede//DA")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.public_id}@kreds")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", str(meeting.get_kind_display()))
    event.add("location", one_line(meeting.place))
    description = f"{purpose_label(meeting)}: {printable(meeting.purpose)}"
    if participant is not None and participant.link_id:
        description += "\n\n" + _("Your personal page: %(url)s") % {"url": link_url(participant)}
    event.add("description", description)
    cal.add_component(event)
    return bytes(cal.to_ical())


def _typst(template: str, data: dict[str, Any], **extra: str) -> bytes:
    return compile_typst(TYPST_DIR / template, data, **extra)


def _footer(meeting: Meeting) -> str:
    return f"{meeting.case.municipality.name} · Kreds"


def minutes_data(meeting: Meeting) -> dict[str, Any]:
    people = [p for p in meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")]
    attended = {True: _("Attended"), False: _("Did not attend"), None: _("Not recorded")}
    data = {
        "title": document_title(meeting),
        "subtitle": _("About %(name)s · %(when)s · %(place)s")
        % {"name": meeting.case.child.first_name, "when": when_text(meeting), "place": meeting.place},
        "municipality": meeting.case.municipality.name,
        "footer": _footer(meeting),
        "purpose_title": _("Purpose"),
        "purpose": meeting.purpose,
        "roles_title": _("Roles"),
        "roles": [
            [_("Neutral facilitator"), meeting.facilitator.get_full_name() if meeting.facilitator else "—"],
            [_("Minute taker"), meeting.minute_taker.get_full_name() if meeting.minute_taker else "—"],
            [_("Inviter"), meeting.inviter or "—"],
        ],
        "participants_title": _("Participants"),
        "participants_header": [_("Name"), _("Role"), _("Attendance")],
        "participants": [[p.name, p.relation or str(p.get_role_display()), str(attended[p.attended])] for p in people],
        "phases": [
            {
                "title": _("1. Descriptive part: the situation now and the changes wished for"),
                "text": meeting.notes_descriptive,
            },
            {"title": _("2. Reflective part: how can we get there?"), "text": meeting.notes_reflective},
            {"title": _("3. Agreements part"), "text": meeting.notes_agreements},
        ],
        "agreements_title": _("Agreements: who does what by when"),
        "agreements_header": [_("Who"), _("What"), _("By when"), _("Status")],
        "agreements": [
            [a.responsible_name, a.what, a.due_on.strftime("%d.%m.%Y"), str(a.get_status_display())]
            for a in meeting.agreements.all()
        ],
        "reviewed_title": _("Agreements from the earlier meeting"),
        "reviewed": [
            [a.responsible_name, a.what, a.due_on.strftime("%d.%m.%Y"), str(a.get_status_display())]
            for a in (agreements_for_summary(meeting) if meeting.previous_id else [])
        ],
        "no_agreements": _("No agreements were recorded."),
        "follow_up_title": _("Follow-up meeting"),
        "follow_up": meeting.follow_up_on.strftime("%d.%m.%Y") if meeting.follow_up_on else "—",
        "approved": (
            _("Approved %(date)s by %(name)s")
            % {
                "date": local(meeting.minutes_approved_at).strftime("%d.%m.%Y %H.%M"),
                "name": meeting.minutes_approved_by.get_full_name() if meeting.minutes_approved_by else "",
            }
            if meeting.minutes_approved_at
            else _("Draft, not yet approved")
        ),
    }
    return data


def minutes_pdf(meeting: Meeting) -> bytes:
    """The document participants get after the meeting: the minutes, or what the meeting's kind registers."""
    hooks = kinds.hooks_for(meeting)
    if hooks is not None:
        return hooks.document_pdf(meeting)
    return _typst("minutes.typ", minutes_data(meeting))


def letter_pdf(participant: Participant) -> bytes:
    """The invitation as a printable letter (DOMAIN §5), with the personal link as text and QR code."""
    meeting = participant.meeting
    url = link_url(participant)
    title, sections = leaflet_for(meeting)
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#000000", light="#ffffff")
    data = {
        "title": _("Invitation to %(kind)s") % {"kind": str(meeting.get_kind_display()).lower()},
        "municipality": meeting.case.municipality.name,
        "footer": _footer(meeting),
        "recipient": [participant.name, *[line.strip() for line in participant.address.split(",") if line.strip()]],
        "date": timezone.localdate().strftime("%d.%m.%Y"),
        "greeting": _("Dear %(name)s,") % {"name": participant.name},
        "intro": (
            _(
                "You are invited to a family group conference about %(child)s. The family and the network make "
                "their own plan for %(child)s, and the professionals support it."
            )
            if meeting.is_fgc
            else _(
                "You are invited to a meeting about %(child)s, where family, network and professionals meet to "
                "make a good plan together."
            )
        )
        % {"child": meeting.case.child.first_name},
        "facts": [
            [purpose_label(meeting), meeting.purpose],
            [_("When"), when_text(meeting)],
            [_("Where"), meeting.place],
            [
                _("Coordinator") if meeting.is_fgc else _("Meeting leader"),
                meeting.facilitator.get_full_name() if meeting.facilitator else "—",
            ],
        ],
        "others_title": _("Also invited"),
        "others": [f"{o['name']} ({o['role']})" for o in others_for(participant)],
        "link_title": _("Your personal page"),
        "link_text": (
            _(
                "Answer whether you are coming, and later read the family's plan and your own part of it, on "
                "your personal page. Scan the code or type the address. Do not share it: it is only for you."
            )
            if meeting.is_fgc
            else _(
                "Answer whether you are coming, and later read the minutes and your agreements, on your "
                "personal page. Scan the code or type the address. Do not share it: it is only for you."
            )
        ),
        "url": url,
        "leaflet_title": title,
        "leaflet": [{"heading": s.heading, "paragraphs": list(s.paragraphs)} for s in sections],
    }
    return _typst("letter.typ", data, qr=qr)


def _render(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, context).strip() + "\n"


def build_email(row: Outbox) -> EmailMultiAlternatives:
    """The e-mail for an outbox row (the caller has checked consent right before)."""
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
    if row.kind == OutboxKind.INVITATION:
        title, sections = leaflet_for(meeting)
        context.update({"others": others_for(participant), "leaflet_title": title, "leaflet": sections})
        if meeting.is_fgc:
            subject = _("Invitation: family group conference about %(child)s on %(date)s")
        else:
            subject = _("Invitation: meeting about %(child)s on %(date)s")
        subject %= {"child": context["child"], "date": date}
        body = _render("meetings/email/invitation.txt", context)
        attachments.append((ics_filename(meeting), ics(meeting, participant), "text/calendar"))
    elif row.kind == OutboxKind.MINUTES:
        if meeting.is_fgc:
            subject = _("The family's plan: family group conference about %(child)s on %(date)s")
        else:
            subject = _("Minutes: meeting about %(child)s on %(date)s")
        subject %= {"child": context["child"], "date": date}
        context["own"] = list(meeting.agreements.filter(responsible=participant))
        body = _render("meetings/email/minutes.txt", context)
        attachments.append((document_filename(meeting), minutes_pdf(meeting), "application/pdf"))
    elif row.kind == OutboxKind.SUMMARY:
        if meeting.is_fgc:
            subject = _("The plan before the follow-up conference on %(date)s") % {"date": date}
        else:
            subject = _("Agreements before the follow-up meeting on %(date)s") % {"date": date}
        context["agreements"] = agreements_for_summary(meeting)
        body = _render("meetings/email/summary.txt", context)
        attachments.append((ics_filename(meeting), ics(meeting, participant), "text/calendar"))
    else:  # pragma: no cover - staff reminders are built in tasks
        raise ValueError(row.kind)
    message = email(subject=subject, body=body, to=[participant.email])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def minutes_timeliness(meeting: Meeting) -> dict[str, Any] | None:
    """'Sent within 2 working days' or the delay in working days (DOMAIN §5, §12)."""
    from kreds.core.workdays import add_working_days, working_days_late

    if meeting.held_at is None:
        return None
    held_on = local(meeting.starts_at).date()
    deadline = add_working_days(held_on, MINUTES_WORKING_DAYS)
    if meeting.minutes_sent_at is None:
        today = timezone.localdate()
        late = working_days_late(today, held_on, MINUTES_WORKING_DAYS)
        return {"sent": False, "deadline": deadline, "late": late}
    sent_on = local(meeting.minutes_sent_at).date()
    return {"sent": True, "deadline": deadline, "late": working_days_late(sent_on, held_on, MINUTES_WORKING_DAYS)}


def rsvp_counts(meeting: Meeting) -> dict[str, int]:
    counts = {"yes": 0, "no": 0, "none": 0}
    for p in meeting.participants.filter(removed_at__isnull=True).exclude(role=ParticipantRole.CASEWORKER):
        counts["yes" if p.rsvp == Rsvp.YES else "no" if p.rsvp == Rsvp.NO else "none"] += 1
    return counts


def in_language(language: str | None = None) -> Any:
    return translation.override(language or settings.LANGUAGE_CODE)
