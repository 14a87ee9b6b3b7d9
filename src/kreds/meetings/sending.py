"""What goes out to participants: e-mails, the .ics file, the minutes PDF and the invitation letter.

Everything a participant receives is built here from :func:`meeting_facts`, so the e-mail, the letter, the
calendar file and the personal page say the same. Nothing here ever reads the child's CPR number; outgoing text
is checked for CPR-shaped numbers when it is written (see ``services._no_cpr``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from kreds.core import disclosure
from kreds.core.disclosure import Reader
from kreds.core.pdf import compile_typst
from kreds.core.text import one_line, printable
from kreds.core.workdays import add_working_days, working_days_late
from kreds.meetings import kinds
from kreds.meetings.constants import MINUTES_WORKING_DAYS, MeetingStatus, ParticipantRole, Rsvp
from kreds.meetings.leaflet import leaflet as network_meeting_leaflet
from kreds.meetings.models import Agreement, Meeting, Participant
from kreds.meetings.services import agreements_to_review
from kreds.participants.services import token_for

TYPST_DIR = Path(__file__).resolve().parent / "typst"


def local(dt: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(dt)


def leaflet_for(meeting: Meeting) -> tuple[str, Any]:
    """The leaflet that goes with invitations to this kind of meeting."""
    hooks = kinds.hooks_for(meeting)
    return hooks.leaflet(meeting=meeting) if hooks else network_meeting_leaflet(meeting=meeting)


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


def reader_for(participant: Participant, *, sending: bool = False, municipality: Any = None) -> Reader:
    """The participant as the reader of what Kreds renders for them (issue 18: kreds.core.disclosure);
    ``municipality``, when the caller has it loaded, spares the guard a query where nothing is protected."""
    if participant.user_id is not None:
        return Reader(kind="staff", user_id=participant.user_id, sending=sending)
    kind: Literal["child", "person"] = "child" if participant.role == ParticipantRole.CHILD else "person"
    return Reader(
        kind=kind,
        case_id=participant.meeting.case_id,
        person_id=participant.person_id,
        sending=sending,
        municipality=municipality,
    )


def others_for(participant: Participant) -> list[dict[str, str]]:
    """Who else is invited: names and roles only (contact details are never shared in invitations); a participant
    taking part without appearing to the others (a protected person, issue 18) is left out."""
    return [
        {"name": p.name, "role": p.relation or str(p.get_role_display())}
        for p in participant.meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")
        if p.pk != participant.pk and disclosure.shows_person(p.person_id)
    ]


def agreements_for_summary(meeting: Meeting) -> list[Agreement]:
    """For a follow-up meeting: the agreements of the earlier meetings in the course, with their status. Only those
    whose minutes (a conference's: the family's plan) were approved: a draft agreement never reaches a participant."""

    rows = agreements_to_review(meeting) if meeting.previous_id else list(meeting.agreements.select_related("meeting"))
    return [a for a in rows if a.meeting.minutes_approved_at is not None]


def ics_method(meeting: Meeting, participant: Participant | None) -> str:
    if participant is None or not participant.email:
        return "PUBLISH"
    return "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"


def ics_attachment(meeting: Meeting, participant: Participant) -> tuple[str, bytes, str]:
    """The calendar file for an e-mail, with the method in its content type as calendar programs expect."""
    return (
        ics_filename(meeting),
        ics(meeting, participant),
        f"text/calendar; method={ics_method(meeting, participant)}",
    )


def ics(meeting: Meeting, participant: Participant | None = None, *, method: str | None = None) -> bytes:
    """The meeting as an iCalendar object (RFC 5545/5546) that later messages can update.

    Every copy has the same ``UID``; ``SEQUENCE`` is the meeting's, raised at each change after invitations, so a
    calendar replaces the old time when the change arrives. Mailed to a participant it is a ``REQUEST`` (or a
    ``CANCEL`` for a cancelled meeting) with the municipality as organiser and the participant as attendee; the
    staff download is a ``PUBLISH``.
    """
    cancelled = meeting.status == MeetingStatus.CANCELLED
    method = method or ics_method(meeting, participant)
    cal = Calendar()
    cal.add("prodid", "-//Kreds//Netvaerksmoede//DA")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", f"{meeting.public_id}@kreds")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", str(meeting.get_kind_display()))
    event.add("location", one_line(meeting.place))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method != "PUBLISH":
        organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL or '')[1]}")
        organizer.params["cn"] = vText(one_line(meeting.case.municipality.name))
        event.add("organizer", organizer)
        assert participant is not None
        attendee = vCalAddress(f"mailto:{participant.email}")
        attendee.params["cn"] = vText(one_line(participant.name))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")  # answers go through the personal page, not calendar replies
        event.add("attendee", attendee, encode=False)
    if cancelled:
        description = _("The meeting is cancelled.")
        if meeting.cancel_message:
            description += "\n\n" + printable(meeting.cancel_message)
    else:
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
    # A participant hidden from the others (issue 18) is left out of the copy they read, attendance included.
    people = [
        p
        for p in meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")
        if disclosure.shows_person(p.person_id)
    ]
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


def minutes_timeliness(meeting: Meeting) -> dict[str, Any] | None:
    """'Sent within 2 working days' or the delay in working days (DOMAIN §5, §12)."""

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


def rsvp_counts(meeting: Meeting, participants: Iterable[Participant] | None = None) -> dict[str, int]:
    """Answers to the invitation; from ``participants`` (the meeting's, already read) when given."""
    counts = {"yes": 0, "no": 0, "none": 0}
    if participants is None:
        participants = meeting.participants.filter(removed_at__isnull=True).exclude(role=ParticipantRole.CASEWORKER)
    else:
        participants = [p for p in participants if p.removed_at is None and p.role != ParticipantRole.CASEWORKER]
    for p in participants:
        counts["yes" if p.rsvp == Rsvp.YES else "no" if p.rsvp == Rsvp.NO else "none"] += 1
    return counts


def in_language(language: str | None = None) -> Any:
    return translation.override(language or settings.LANGUAGE_CODE)
