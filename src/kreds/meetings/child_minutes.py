"""The child's version of the minutes (issue 14): short, plain, and about the child, not the adults' notes.

The child's personal link, and the child's minutes letter, give the child this version instead of the adults'
minutes, unless the caseworker has decided the child gets the full minutes (``Meeting.child_gets_full_minutes``).
It says what the meeting was about, who came, what the grown-ups will do, what the child will do, and when the next
meeting is. The fixed text is kept easy to read (LIX ≤ 25, see :func:`kreds.core.text.lix` and the tests); the
adults' notes (descriptive and reflective parts) and the purpose as the adults wrote it are never in it.

A family group conference's document is the family's own plan (see :mod:`kreds.conferences`), not minutes, so it
has no child version here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from kreds.core import disclosure
from kreds.core.pdf import compile_typst
from kreds.meetings.constants import ParticipantRole
from kreds.meetings.models import Agreement, Meeting, Participant

TYPST_DIR = Path(__file__).resolve().parent / "typst"
FILENAME = "det-talte-vi-om.pdf"


def gets_child_version(participant: Participant) -> bool:
    """The child of a network meeting gets the child version, unless the caseworker decided otherwise."""
    meeting = participant.meeting
    return participant.role == ParticipantRole.CHILD and not meeting.is_fgc and not meeting.child_gets_full_minutes


def _day(day: Any) -> str:
    """'tirsdag 12.05.2026' (the weekday in the active language, the date as everywhere in letters)."""
    return f"{date_format(day, 'l')} {day.strftime('%d.%m.%Y')}"


def _who(participant: Participant) -> str:
    if participant.relation:
        return f"{participant.name} ({participant.relation})"
    if participant.role == ParticipantRole.CASEWORKER:
        return f"{participant.name} ({_('your caseworker')})"
    return participant.name


def _item(agreement: Agreement, *, who: str = "") -> dict[str, str]:
    return {
        "who": who,
        "what": agreement.what,
        "when": _("By %(date)s") % {"date": agreement.due_on.strftime("%d.%m.%Y")},
    }


def child_minutes_data(meeting: Meeting, participant: Participant) -> dict[str, Any]:
    """What the child version says, as blocks for the page and the PDF: each section has a title, paragraphs and
    items (``who``, ``what``, ``when``)."""
    # A participant hidden from the others (issue 18) is left out of the child's version too.
    people = [
        p
        for p in meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")
        if disclosure.shows_person(p.person_id) or p.pk == participant.pk
    ]
    came = [p for p in people if p.attended and p.pk != participant.pk]
    child = next((p for p in people if p.pk == participant.pk), participant)  # attendance as recorded now
    agreements = list(meeting.agreements.select_related("responsible").order_by("due_on", "id"))
    own = [a for a in agreements if a.responsible_id == participant.pk]
    others = [a for a in agreements if a.responsible_id != participant.pk]

    sections: list[dict[str, Any]] = [
        {
            "title": _("What was the meeting about?"),
            "paragraphs": [
                _("We talked about how you are."),
                _("We talked about what is good. And about what can be better."),
            ],
            "items": [],
        }
    ]
    who_paragraphs = [_("These grown-ups came to the meeting:")] if came else []
    after = []
    if child.attended is not None:
        after.append(_("You were there too.") if child.attended else _("You were not there this time."))
    if meeting.facilitator is not None:
        after.append(_("%(name)s led the meeting.") % {"name": meeting.facilitator.get_full_name()})
    sections.append(
        {
            "title": _("Who came?"),
            "paragraphs": who_paragraphs,
            "items": [{"who": "", "what": _who(p), "when": ""} for p in came],
            "after": after,
        }
    )
    sections.append(
        {
            "title": _("What will the grown-ups do?"),
            "paragraphs": [] if others else [_("The grown-ups made no new plans this time.")],
            "items": [_item(a, who=_who(a.responsible)) for a in others],
        }
    )
    if own:
        sections.append({"title": _("What will you do?"), "paragraphs": [], "items": [_item(a) for a in own]})
    if meeting.follow_up_on:
        sections.append(
            {
                "title": _("When is the next meeting?"),
                "paragraphs": [_("The next meeting is on %(date)s.") % {"date": _day(meeting.follow_up_on)}],
                "items": [],
            }
        )
    for section in sections:
        section.setdefault("after", [])
    start = timezone.localtime(meeting.starts_at)
    return {
        "title": _("What we talked about"),
        "subtitle": _("The meeting about you on %(date)s") % {"date": _day(start)},
        "municipality": meeting.case.municipality.name,
        "footer": f"{meeting.case.municipality.name} · Kreds",
        "greeting": _("Hi %(name)s,") % {"name": participant.name},
        "intro": _("Here you can read what we talked about at the meeting."),
        "sections": sections,
        "closing": [
            _("You can always say what you think. Tell a grown-up you feel safe with."),
            _("Ask your caseworker if there is something you want to know."),
        ],
    }


def plain_text(data: dict[str, Any]) -> str:
    """The child version as running text, one sentence or item a line (for reading checks such as LIX)."""
    lines = [data["title"], data["subtitle"], data["greeting"], data["intro"]]
    for section in data["sections"]:
        lines.append(section["title"])
        lines += section["paragraphs"]
        lines += [". ".join(part for part in (i["who"], i["what"], i["when"]) if part) for i in section["items"]]
        lines += section["after"]
    return "\n".join([*lines, *data["closing"]])


def child_minutes_pdf(meeting: Meeting, participant: Participant) -> bytes:
    """The child version as PDF/A (for the child's page and the child's minutes letter)."""
    return compile_typst(TYPST_DIR / "child_minutes.typ", child_minutes_data(meeting, participant))
