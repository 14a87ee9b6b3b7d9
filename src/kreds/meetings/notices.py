"""What each message to a participant says, written once for the e-mail and the letter (DOMAIN §5).

Every message that goes by e-mail has its letter for those without e-mail (the child, a grandfather without an
address, anyone who wants paper): :func:`compose` builds the content of a message for one participant, and both
:func:`kreds.meetings.emails.build_email` and :func:`letter_pdf` lay out the same content, so the e-mail and the
letter can never say different things. The child gets a short, plain version of every message (LIX ≤ 25, see
``tests``), never the adult text with the child's name in it.

The texts fit their reader: a participant marked absent is not thanked for taking part, and a summary says how
many days there are to the follow-up meeting, not "14".
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

import pikepdf
import segno
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kreds.core.pdf import compile_typst
from kreds.core.text import safe_filename
from kreds.meetings.child_minutes import child_minutes_pdf
from kreds.meetings.constants import MessageKind, ParticipantRole, Rsvp
from kreds.meetings.models import Agreement, Meeting, Participant
from kreds.meetings.sending import (
    TYPST_DIR,
    agreements_for_summary,
    document_title,
    leaflet_for,
    link_url,
    local,
    minutes_pdf,
    others_for,
    purpose_label,
    when_text,
)
from kreds.outbox.models import Outbox


@dataclass
class Content:
    """One message to one participant, independent of how it travels."""

    subject: str
    title: str
    greeting: str
    paragraphs: list[str]
    facts: list[list[str]] = field(default_factory=list)
    table: dict[str, Any] | None = None
    others: list[str] = field(default_factory=list)
    link_text: str = ""  # empty: the message carries no personal link
    leaflet: bool = False
    enclosure: str = ""  # the document that goes with the letter (the minutes), named in the letter


def is_child(participant: Participant) -> bool:
    return participant.role == ParticipantRole.CHILD


def _what(meeting: Meeting) -> str:
    """'the meeting' or 'the family group conference', for sentences."""
    if meeting.is_fgc:
        return _("the family group conference")
    return _("the meeting")


def _day(meeting: Meeting) -> str:
    return local(meeting.starts_at).strftime("%d.%m.%Y")


def _was_when(meeting: Meeting) -> str:
    if meeting.was_starts_at is None or meeting.was_ends_at is None:
        return ""
    start, end = local(meeting.was_starts_at), local(meeting.was_ends_at)
    return _("%(weekday)s %(day)s from %(start)s to %(end)s") % {
        "weekday": date_format(start, "l"),
        "day": start.strftime("%d.%m.%Y"),
        "start": start.strftime("%H.%M"),
        "end": end.strftime("%H.%M"),
    }


def contact_line(meeting: Meeting) -> str:
    """Whom a participant can ask: the meeting leader or coordinator, else the inviter."""
    if meeting.facilitator is not None:
        role = _("the coordinator") if meeting.is_fgc else _("the meeting leader")
        return _("If you have questions, contact %(role)s, %(name)s.") % {
            "role": role,
            "name": meeting.facilitator.get_full_name(),
        }
    if meeting.inviter:
        return _("If you have questions, contact %(name)s.") % {"name": meeting.inviter}
    return _("If you have questions, contact your caseworker.")


def days_until(meeting: Meeting, today: datetime.date | None = None) -> int:
    return (local(meeting.starts_at).date() - (today or timezone.localdate())).days


def in_days(days: int) -> str:
    if days <= 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}


def _where_when(meeting: Meeting) -> list[list[str]]:
    return [[_("When"), when_text(meeting)], [_("Where"), meeting.place]]


def _agreement_rows(agreements: list[Agreement]) -> list[list[str]]:
    return [
        [a.responsible_name, a.what, a.due_on.strftime("%d.%m.%Y"), str(a.get_status_display())] for a in agreements
    ]


def _agreements_table(title: str, agreements: list[Agreement]) -> dict[str, Any] | None:
    if not agreements:
        return None
    return {
        "title": title,
        "header": [_("Who"), _("What"), _("By when"), _("Status")],
        "rows": _agreement_rows(agreements),
        "widths": [2, 5, 1.4, 1.4],
    }


def compose(kind: str, participant: Participant) -> Content:
    meeting = participant.meeting
    child = meeting.case.child.first_name
    builder = _CHILD if is_child(participant) else _ADULT
    return builder[MessageKind(kind)](meeting, participant, child)


# The adult messages ----------------------------------------------------------------------------------------


def _invitation(meeting: Meeting, participant: Participant, child: str) -> Content:
    intro = (
        _(
            "You are invited to a family group conference about %(child)s. The family and the network make their "
            "own plan for %(child)s, and the professionals support it."
        )
        if meeting.is_fgc
        else _(
            "You are invited to a meeting about %(child)s, where family, network and professionals meet to make a "
            "good plan together."
        )
    ) % {"child": child}
    subject = (
        _("Invitation: family group conference about %(child)s on %(date)s")
        if meeting.is_fgc
        else _("Invitation: meeting about %(child)s on %(date)s")
    ) % {"child": child, "date": _day(meeting)}
    return Content(
        subject=subject,
        title=_("Invitation to %(kind)s") % {"kind": str(meeting.get_kind_display()).lower()},
        greeting=_("Dear %(name)s,") % {"name": participant.name},
        paragraphs=[intro],
        facts=[
            [purpose_label(meeting), meeting.purpose],
            *_where_when(meeting),
            [
                _("Coordinator") if meeting.is_fgc else _("Meeting leader"),
                meeting.facilitator.get_full_name() if meeting.facilitator else "—",
            ],
        ],
        others=[f"{o['name']} ({o['role']})" for o in others_for(participant)],
        link_text=(
            _(
                "Answer whether you are coming, and later read the family's plan and your own part of it, on your "
                "personal page. Scan the code or type the address. Do not share it: it is only for you."
            )
            if meeting.is_fgc
            else _(
                "Answer whether you are coming, and later read the minutes and your agreements, on your personal "
                "page. Scan the code or type the address. Do not share it: it is only for you."
            )
        ),
        leaflet=True,
    )


def _change(meeting: Meeting, participant: Participant, child: str) -> Content:
    moved = meeting.was_starts_at is not None and (
        meeting.was_starts_at != meeting.starts_at or meeting.was_ends_at != meeting.ends_at
    )
    place_changed = bool(meeting.was_place) and meeting.was_place != meeting.place
    if moved:
        subject = _("Moved: %(what)s about %(child)s is now on %(date)s")
        title = _("The meeting is moved")
    else:
        subject = _("New place: %(what)s about %(child)s on %(date)s")
        title = _("The meeting has a new place")
    paragraphs = [
        _("%(what)s about %(child)s has been changed. This is the new plan:")
        % {"what": _what(meeting).capitalize(), "child": child}
    ]
    facts = _where_when(meeting)
    if moved:
        facts.append([_("Before"), _was_when(meeting)])
    if place_changed:
        facts.append([_("Place before"), meeting.was_place])
    if moved:
        paragraphs.append(
            _("Because the time has changed, please answer again on your personal page whether you can come.")
        )
    elif participant.rsvp == Rsvp.YES:
        paragraphs.append(_("You have said you are coming. If the new place does not suit you, say so on your page."))
    paragraphs.append(contact_line(meeting))
    return Content(
        subject=subject % {"what": _what(meeting), "child": child, "date": _day(meeting)},
        title=title,
        greeting=_("Dear %(name)s,") % {"name": participant.name},
        paragraphs=paragraphs,
        facts=facts,
        link_text=_("Answer, and see who else is coming, on your personal page. It is only for you."),
    )


def _cancellation(meeting: Meeting, participant: Participant, child: str) -> Content:
    paragraphs = [
        _("%(what)s about %(child)s on %(when)s is cancelled.")
        % {"what": _what(meeting).capitalize(), "child": child, "when": when_text(meeting)}
    ]
    if meeting.cancel_message:
        paragraphs.append(meeting.cancel_message)
    paragraphs.append(_("You do not need to do anything. If a new meeting is planned, you will be invited again."))
    paragraphs.append(contact_line(meeting))
    return Content(
        subject=_("Cancelled: %(what)s about %(child)s on %(date)s")
        % {"what": _what(meeting), "child": child, "date": _day(meeting)},
        title=_("The meeting is cancelled"),
        greeting=_("Dear %(name)s,") % {"name": participant.name},
        paragraphs=paragraphs,
        facts=[[_("Was planned"), when_text(meeting)], [_("Where"), meeting.place]],
    )


def _rsvp_reminder(meeting: Meeting, participant: Participant, child: str) -> Content:
    return Content(
        subject=_("Will you come? %(what)s about %(child)s on %(date)s")
        % {"what": _what(meeting).capitalize(), "child": child, "date": _day(meeting)},
        title=_("Will you come?"),
        greeting=_("Dear %(name)s,") % {"name": participant.name},
        paragraphs=[
            _("%(what)s about %(child)s is %(in_days)s. We have not heard from you yet.")
            % {"what": _what(meeting).capitalize(), "child": child, "in_days": in_days(days_until(meeting))},
            _("Please say on your personal page whether you are coming, so we can plan. It takes a minute."),
            contact_line(meeting),
        ],
        facts=_where_when(meeting),
        link_text=_("Answer on your personal page. It is only for you."),
    )


def _minutes(meeting: Meeting, participant: Participant, child: str) -> Content:
    own = list(meeting.agreements.filter(responsible=participant))
    if participant.attended is False:
        thanks = (
            _(
                "You could not come to the family group conference about %(child)s. Here is the family's plan, so "
                "you know what was decided."
            )
            if meeting.is_fgc
            else _(
                "You could not come to the meeting about %(child)s. Here are the minutes, so you know what was agreed."
            )
        )
    else:
        thanks = (
            _("Thank you for taking part in the family group conference about %(child)s. Here is the family's plan.")
            if meeting.is_fgc
            else _("Thank you for taking part in the meeting about %(child)s. Here are the minutes.")
        )
    paragraphs = [thanks % {"child": child}]
    facts = []
    if meeting.follow_up_on:
        facts.append(
            [
                _("Follow-up conference") if meeting.is_fgc else _("Follow-up meeting"),
                meeting.follow_up_on.strftime("%d.%m.%Y"),
            ]
        )
    subject = (
        _("The family's plan: family group conference about %(child)s on %(date)s")
        if meeting.is_fgc
        else _("Minutes: meeting about %(child)s on %(date)s")
    ) % {"child": child, "date": _day(meeting)}
    return Content(
        subject=subject,
        title=_("The family's plan") if meeting.is_fgc else _("Minutes of the meeting"),
        greeting=_("Dear %(name)s,") % {"name": participant.name},
        paragraphs=paragraphs,
        facts=facts,
        table=_agreements_table(_("Your agreements"), own),
        link_text=_(
            "Read it again, and answer a short evaluation of the meeting, on your personal page. It is only for you."
        ),
        enclosure=document_title(meeting).lower() if not meeting.is_fgc else document_title(meeting),
    )


def _summary(meeting: Meeting, participant: Participant, child: str) -> Content:
    days = days_until(meeting)
    if meeting.is_fgc:
        intro = _(
            "There is a follow-up family group conference about %(child)s %(in_days)s. Here is how the items of the "
            "family's plan stand, so that everyone is up to date."
        )
        subject = _("The plan before the follow-up conference on %(date)s")
    else:
        intro = _(
            "There is a follow-up meeting about %(child)s %(in_days)s. Here is how the agreements from the last "
            "meeting stand, so that everyone is up to date on agreements and loose ends."
        )
        subject = _("Agreements before the follow-up meeting on %(date)s")
    agreements = agreements_for_summary(meeting)
    return Content(
        subject=subject % {"date": _day(meeting)},
        title=_("Before the follow-up conference") if meeting.is_fgc else _("Before the follow-up meeting"),
        greeting=_("Dear %(name)s,") % {"name": participant.name},
        paragraphs=[intro % {"child": child, "in_days": in_days(days)}]
        + ([] if agreements else [_("No agreements were recorded.")]),
        facts=_where_when(meeting),
        table=_agreements_table(_("The agreements"), agreements),
        link_text=_("Answer whether you are coming on your personal page. It is only for you."),
    )


# The child's messages: short sentences, short words (LIX ≤ 25) ------------------------------------------


def _hi(participant: Participant) -> str:
    return _("Hi %(name)s,") % {"name": participant.name}


def _child_invitation(meeting: Meeting, participant: Participant, child: str) -> Content:
    return Content(
        subject=_("You are invited to a meeting on %(date)s") % {"date": _day(meeting)},
        title=_("A meeting about you"),
        greeting=_hi(participant),
        paragraphs=[
            _("We will hold a meeting about you. Your family and other grown-ups who know you will come."),
            _("We will talk about what is good. And about what can be better."),
            _("You can come. You can also ask a grown-up to say what you think."),
            _("Ask your caseworker if there is something you want to know."),
        ],
        facts=_where_when(meeting),
        link_text=_("On your own page you can see the meeting. Scan the code."),
    )


def _child_change(meeting: Meeting, participant: Participant, child: str) -> Content:
    return Content(
        subject=_("The meeting is moved to %(date)s") % {"date": _day(meeting)},
        title=_("The meeting is moved"),
        greeting=_hi(participant),
        paragraphs=[_("The meeting about you is moved. Here is the new time and place.")],
        facts=_where_when(meeting),
        link_text=_("On your own page you can see the meeting. Scan the code."),
    )


def _child_cancellation(meeting: Meeting, participant: Participant, child: str) -> Content:
    return Content(
        subject=_("The meeting on %(date)s is off") % {"date": _day(meeting)},
        title=_("The meeting is off"),
        greeting=_hi(participant),
        paragraphs=[
            _("The meeting about you on %(date)s will not be held.") % {"date": _day(meeting)},
            _("Ask your caseworker if you want to know more."),
        ],
    )


def _child_minutes(meeting: Meeting, participant: Participant, child: str) -> Content:
    own = list(meeting.agreements.filter(responsible=participant))
    paragraphs = [
        _("Thank you for being part of the meeting.")
        if participant.attended
        else _("You were not at the meeting. Here is what we talked about."),
        _("The grown-ups have made a plan. You can read it here."),
    ]
    facts = []
    if meeting.follow_up_on:
        facts.append([_("Next meeting"), meeting.follow_up_on.strftime("%d.%m.%Y")])
    return Content(
        subject=_("What we agreed at the meeting"),
        title=_("What we agreed"),
        greeting=_hi(participant),
        paragraphs=paragraphs,
        facts=facts,
        table=(
            {
                "title": _("What you do"),
                "header": [_("What"), _("When")],
                "rows": [[a.what, a.due_on.strftime("%d.%m.%Y")] for a in own],
                "widths": [5, 1.5],
            }
            if own
            else None
        ),
        link_text=_("On your own page you can read it again. Scan the code."),
        enclosure=_("What we agreed"),
    )


def _child_summary(meeting: Meeting, participant: Participant, child: str) -> Content:
    return Content(
        subject=_("A new meeting about you on %(date)s") % {"date": _day(meeting)},
        title=_("A new meeting soon"),
        greeting=_hi(participant),
        paragraphs=[
            _("Soon there is a new meeting about you. We will talk about how the plan is going."),
            _("You can come. You can also ask a grown-up to say what you think."),
        ],
        facts=_where_when(meeting),
        link_text=_("On your own page you can see the meeting. Scan the code."),
    )


_ADULT = {
    MessageKind.INVITATION: _invitation,
    MessageKind.CHANGE: _change,
    MessageKind.CANCELLATION: _cancellation,
    MessageKind.RSVP_REMINDER: _rsvp_reminder,
    MessageKind.MINUTES: _minutes,
    MessageKind.SUMMARY: _summary,
}
_CHILD = {
    MessageKind.INVITATION: _child_invitation,
    MessageKind.CHANGE: _child_change,
    MessageKind.CANCELLATION: _child_cancellation,
    MessageKind.RSVP_REMINDER: _child_summary,
    MessageKind.MINUTES: _child_minutes,
    MessageKind.SUMMARY: _child_summary,
}


def closing(meeting: Meeting) -> list[str]:
    return [_("Kind regards"), meeting.case.municipality.name]


# Letters -----------------------------------------------------------------------------------------------------

LETTER_NAMES = {
    MessageKind.INVITATION: "invitation",
    MessageKind.CHANGE: "moedet-er-flyttet",
    MessageKind.CANCELLATION: "aflysning",
    MessageKind.RSVP_REMINDER: "paamindelse",
    MessageKind.MINUTES: "referat",
    MessageKind.SUMMARY: "status-paa-aftaler",
}


def letter_filename(row: Outbox) -> str:
    """Named by what it is and whom it is for: ``brev-aflysning-anna-jensen.pdf``."""
    assert row.participant is not None and row.meeting is not None
    what = LETTER_NAMES.get(MessageKind(row.kind), "brev")
    if row.kind == MessageKind.MINUTES and row.meeting.is_fgc:
        what = "familiens-plan"
    return f"brev-{what}-{safe_filename(row.participant.name, lower=True)}.pdf"


def letter_data(kind: str, participant: Participant) -> dict[str, Any]:
    meeting = participant.meeting
    content = compose(kind, participant)
    title, sections = leaflet_for(meeting) if content.leaflet and not is_child(participant) else ("", ())
    return {
        "child": is_child(participant),
        "title": content.title,
        "municipality": meeting.case.municipality.name,
        "footer": f"{meeting.case.municipality.name} · Kreds",
        "recipient": [participant.name, *[line.strip() for line in participant.address.split(",") if line.strip()]],
        "date": timezone.localdate().strftime("%d.%m.%Y"),
        "greeting": content.greeting,
        "paragraphs": content.paragraphs
        + ([_("Enclosed: %(document)s.") % {"document": content.enclosure}] if content.enclosure else []),
        "facts": content.facts,
        "table": content.table,
        "others_title": _("Also invited"),
        "others": content.others,
        "link": (
            {
                "title": _("Your own page") if is_child(participant) else _("Your personal page"),
                "text": content.link_text,
                "url": link_url(participant),
            }
            if content.link_text and participant.link_id
            else None
        ),
        "closing": closing(meeting),
        "leaflet_title": title,
        "leaflet": [{"heading": s.heading, "paragraphs": list(s.paragraphs)} for s in sections],
    }


def enclosure(kind: str, participant: Participant) -> bytes | None:
    """The document that goes with a letter: the minutes (the child's version for the child)."""
    if kind != MessageKind.MINUTES:
        return None
    meeting = participant.meeting
    if is_child(participant) and not meeting.is_fgc and not meeting.child_gets_full_minutes:
        return child_minutes_pdf(meeting, participant)
    return minutes_pdf(meeting)


def letter_pdf(kind: str, participant: Participant) -> bytes:
    """The letter for one message to one participant, with the enclosed document appended."""
    data = letter_data(kind, participant)
    qr = segno.make(data["link"]["url"], error="m").svg_inline(scale=4) if data["link"] else ""
    letter = compile_typst(TYPST_DIR / "message.typ", data, qr=qr)
    enclosed = enclosure(kind, participant)
    if enclosed is None:
        return letter
    with pikepdf.open(io.BytesIO(letter)) as combined, pikepdf.open(io.BytesIO(enclosed)) as document:
        combined.pages.extend(document.pages)
        out = io.BytesIO()
        combined.save(out)
    return out.getvalue()


def email_text(content: Content, participant: Participant) -> str:
    """The e-mail body of a composed message: the same blocks as the letter, as plain text."""
    meeting = participant.meeting
    lines = [content.greeting, ""]
    for paragraph in content.paragraphs:
        lines += [paragraph, ""]
    for key, value in content.facts:
        lines.append(f"{key}: {value}")
    if content.facts:
        lines.append("")
    if content.table:
        lines.append(f"{content.table['title']}:")
        lines += [f"- {' – '.join(str(c) for c in row)}" for row in content.table["rows"]]
        lines.append("")
    if content.link_text and participant.link_id:
        lines += [content.link_text, link_url(participant), ""]
    lines += [", ".join(closing(meeting))]
    return "\n".join(lines).strip() + "\n"
