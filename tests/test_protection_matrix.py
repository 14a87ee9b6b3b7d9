"""The protection matrix (issue 18), shaped like the authorization matrix: for a mother and child at a crisis centre
(address, phone, e-mail and whereabouts protected; the father must not learn them), every channel × every reader →
what the reader gets:

* ``SEES``: the protected values themselves (the assigned caseworker, the unit's leader, the protected person);
* ``PROTECTED``: "Beskyttet" where the values were, and none of them (colleagues, facilitators, other participants;
  the father on a page);
* ``REFUSED``: nothing at all, the message or letter is withheld (the father, for anything sent that carries them).

The protected values are put where each channel takes them from: the mother's details on the map and on her
participant row (structured), the shelter's name in the meeting's purpose (invitations, calendar files, pages) and
the address in the minutes (free text). A row whose entitled readers do not see the values would prove nothing, so
``SEES`` is asserted as strictly as ``PROTECTED``.

The inventory is read from the registries: every outbox kind and every typst template must be covered by a row
here, and no module may render a PDF, send an e-mail or build a response body past the doors the guard sits in
(kreds.core.disclosure). A new channel therefore fails this file until it has rows.
"""

from __future__ import annotations

import datetime
import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
import typst
from django.core import mail
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kreds.consent.constants import Category
from kreds.consent.services import give_consent
from kreds.core import disclosure
from kreds.core.disclosure import Withheld
from kreds.meetings import notices, sending
from kreds.meetings import services as meetings
from kreds.meetings.constants import MessageKind
from kreds.meetings.models import Meeting, Participant
from kreds.network import services as network
from kreds.network.constants import ConsentGiverRole
from kreds.outbox import registry
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_row
from kreds.participants.services import token_for
from kreds.plans import services as plans
from kreds.testing.clients import login_staff
from kreds.testing.protection import (
    MOTHER_EMAIL,
    MOTHER_PHONE,
    SHELTER_ADDRESS,
    WHEREABOUTS,
    complete,
    crisis_case,
    hold,
)
from kreds.testing.text import pdf_text

SEES, PROTECTED, REFUSED = "sees", "protected", "refused"
VALUES = [SHELTER_ADDRESS, MOTHER_PHONE, MOTHER_EMAIL, WHEREABOUTS]
SRC = Path(__file__).resolve().parent.parent / "src" / "kreds"

STAFF = {"caseworker": SEES, "leader": SEES, "practitioner": PROTECTED}
STAFF_AND_FACILITATOR = {**STAFF, "facilitator": PROTECTED}
ON_A_PAGE = {"mother": SEES, "grandmother": PROTECTED, "father": PROTECTED}
SENT = {"mother": SEES, "grandmother": PROTECTED, "father": REFUSED}


@dataclass(frozen=True)
class Row:
    channel: str
    expect: dict[str, str]
    render: Callable[[Crisis, str], str]  # the text the reader gets; Withheld when it is not sent


@dataclass
class Crisis:
    world: object
    meeting: Meeting
    people: dict[str, Participant]
    clients: dict[str, Client]
    mails: dict[str, dict[str, list[mail.EmailMessage]]]


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/pdf"):
        return pdf_text(response.content)
    if content_type.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(
                pdf_text(archive.read(n)) if n.endswith(".pdf") else archive.read(n).decode()
                for n in archive.namelist()
            )
    return response.content.decode()


def staff_page(name: str, **which: str) -> Callable[[Crisis, str], str]:
    def render(crisis: Crisis, reader: str) -> str:
        kwargs = {"public_id": crisis.meeting.case.public_id} if "meeting_id" not in which else {}
        for key, what in which.items():
            kwargs[key] = crisis.meeting.public_id if what == "meeting" else crisis.people[what].person.public_id
        return _text(crisis.clients[reader].get(reverse(name, kwargs=kwargs)))

    return render


def typst_inputs(render: Callable[[Crisis, str], str]) -> Callable[[Crisis, str], str]:
    """What went into typst (the map's drawing is vector art in the PDF, not text a reader can extract)."""

    def inputs(crisis: Crisis, reader: str) -> str:
        seen: list[str] = []
        real = typst.compile

        def spy(*args, **kwargs):
            seen.extend(str(v) for v in kwargs.get("sys_inputs", {}).values())
            return real(*args, **kwargs)

        with mock.patch.object(typst, "compile", spy):
            render(crisis, reader)
        return html.unescape(json.loads(json.dumps("\n".join(seen))))

    return inputs


def link_page(name: str) -> Callable[[Crisis, str], str]:
    def render(crisis: Crisis, reader: str) -> str:
        token = token_for(crisis.people[reader].link)
        response = Client().get(reverse(name, kwargs={"token": token}))
        if response.templates and response.templates[0].name == "participants/withheld.html":
            raise Withheld("withheld")  # a document handed over from the page, like a letter
        return _text(response)

    return render


def sent(kind: str) -> Callable[[Crisis, str], str]:
    def render(crisis: Crisis, reader: str) -> str:
        found = crisis.mails[kind].get(reader)
        if found is None:
            person = crisis.people[reader].person
            row = (
                Outbox.objects.filter(kind=kind).filter(Q(participant__person=person) | Q(link__person=person)).first()
            )
            assert row is not None, f"no {kind} was queued for the {reader}"
            # Withheld by the guard (the reason names the protected detail), not for another reason (consent).
            assert row.last_error.startswith("Ikke sendt: den indeholder"), row.last_error
            raise Withheld(row.last_error)
        message = found[0]
        parts = [message.subject, message.body]
        for _name, content, mimetype in message.attachments:
            if mimetype == "application/pdf":
                parts.append(pdf_text(content))
            else:
                parts.append(content.decode() if isinstance(content, bytes) else str(content))
        return "\n".join(parts)

    return render


def person_page(crisis: Crisis, reader: str) -> str:
    """A network person's own page with their tasks (a link of purpose "person")."""
    link = plans.person_link(crisis.meeting.case, crisis.people[reader].person)
    assert link is not None
    return _text(Client().get(reverse("participants:home", kwargs={"token": token_for(link)})))


def person_letter(crisis: Crisis, reader: str) -> str:
    """The letter with a person's link and tasks that the caseworker prints for them."""
    url = reverse(
        "plans:person_letter",
        kwargs={"public_id": crisis.meeting.case.public_id, "person_id": crisis.people[reader].person.public_id},
    )
    response = crisis.clients["caseworker"].get(url)
    if response.status_code == 302:
        raise Withheld("refused")
    return _text(response)


def letter(crisis: Crisis, reader: str) -> str:
    participant = crisis.people[reader]
    with disclosure.reading_as(sending.reader_for(participant, sending=True)):  # what print_letter declares
        return pdf_text(notices.letter_pdf(MessageKind.INVITATION, participant))


ROWS = [
    Row("the network map", STAFF, staff_page("network:map")),
    Row("the network list", STAFF, staff_page("network:list")),
    Row("a person's page on the map", STAFF, staff_page("network:person_edit", person_id="mother")),
    Row("the map as SVG", STAFF, staff_page("network:svg")),
    Row("the map as PDF", STAFF, typst_inputs(staff_page("network:pdf"))),
    Row("the meeting page", STAFF_AND_FACILITATOR, staff_page("meetings:detail", meeting_id="meeting")),
    Row("the minutes screen", STAFF_AND_FACILITATOR, staff_page("meetings:minutes", meeting_id="meeting")),
    Row("the minutes PDF (staff)", STAFF_AND_FACILITATOR, staff_page("meetings:minutes_pdf", meeting_id="meeting")),
    Row("the calendar file (staff)", STAFF_AND_FACILITATOR, staff_page("meetings:ics", meeting_id="meeting")),
    Row("the journalisation export", {"caseworker": SEES}, staff_page("meetings:export", meeting_id="meeting")),
    Row("the protections page", {"caseworker": SEES, "leader": SEES}, staff_page("protection:list")),
    Row("a participant's page", ON_A_PAGE, link_page("participants:home")),
    Row("a participant's calendar file", SENT, link_page("participants:ics")),
    Row("a participant's minutes", SENT, link_page("participants:minutes")),
    Row("the invitation e-mail and its calendar file", SENT, sent("invitation")),
    Row("the minutes e-mail and its PDF", SENT, sent("minutes")),
    Row("the invitation letter", SENT, letter),
    Row("a person's task list e-mail", SENT, sent("person_tasks")),
    Row("a person's task letter", SENT, person_letter),
    Row("a person's own page", ON_A_PAGE, person_page),
]

# Every outbox kind and typst template, with the row that proves its door (or why none is needed).
OUTBOX_KINDS = {
    "invitation": "the invitation e-mail and its calendar file",
    "person_tasks": "a person's task list e-mail",
    "minutes": "the minutes e-mail and its PDF",
    # Every other kind is sent by the worker inside the recipient's envelope exactly as these two are: the
    # envelope is the worker's (kreds.outbox.tasks), not the sender's, so no kind can leave without it.
    **dict.fromkeys(
        [
            "change",
            "cancellation",
            "rsvp_reminder",
            "summary",
            "staff_reminder",
            "coordinator",
            "person_tasks",
            "digest",
            "reminder",
            "evaluation",
        ],
        "the worker's envelope (tests/test_protection_matrix.py::test_every_outbox_kind_is_sent_in_its_envelope)",
    ),
}
TYPST = {
    "meetings/typst/minutes.typ": "the minutes PDF (staff)",
    "meetings/typst/message.typ": "the invitation letter",
    "network/typst/map.typ": "the map as PDF",
    "meetings/typst/child_minutes.typ": "kreds.core.pdf.compile_typst (test_every_pdf_passes_the_one_door)",
    "core/typst/document.typ": "kreds.core.pdf.compile_typst (test_every_pdf_passes_the_one_door)",
    "core/typst/kit.typ": "a layout library the others import, never compiled on its own",
}


def _outcome(text: str) -> str:
    shown = [v for v in VALUES if v in text or v.replace("&", "&amp;") in text]
    if shown:
        return SEES
    assert "Beskyttet" in text, "the channel shows neither the values nor 'Beskyttet': the row proves nothing"
    return PROTECTED


def _build(world) -> Crisis:
    story = crisis_case(
        world.case,
        world.caseworker,
        world.facilitator,
        purpose=f"At finde en tryg hverdag for Emma efter flytningen til {WHEREABOUTS}.",
    )
    meeting = story.setup.meeting
    # A caseworker's slip the map, its SVG and PDF and the participant lists show: the shelter in the relation.
    mother = story.setup.mother
    current = network.current_version(mother)
    network.update_person(
        actor=world.caseworker,
        person=mother,
        expected_version=current.pk,
        data={**{k: getattr(current, k) for k in network.PERSON_FIELDS}, "relation": f"mor, på {WHEREABOUTS}"},
    )
    Participant.objects.filter(meeting=meeting, person=mother).update(relation=f"mor, på {WHEREABOUTS}")
    # Both parents have agreed that agreements and minutes are shared with them (their own tasks reach them).
    give_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Sara Mor",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        categories=list(Category.values),
        recipients=[mother, story.father],
        purpose="Netværksmøde",
        given_on=datetime.date(2026, 1, 1),
    )
    mail.outbox.clear()
    meetings.send_invitations(actor=world.caseworker, meeting=meeting)
    invitations = _send_all(meeting, "invitation")
    meeting = hold(
        meeting, world.facilitator, f"Sara og Emma bor nu på {SHELTER_ADDRESS}. Sara kan nås på {MOTHER_PHONE}."
    )
    # The mother is the child's contact for an agreement, with her phone in its text: others get it without. The
    # father's and the grandmother's tasks name the shelter (a slip the task lists and letters must survive).
    due = timezone.localdate() + datetime.timedelta(days=30)
    for person, what in (
        (mother, f"Sara er kontakt for skolen på {MOTHER_PHONE}"),
        (story.setup.grandmother, f"Inge henter Emma ved {WHEREABOUTS} om tirsdagen"),
        (story.father, f"Jens afleverer Emmas cykel ved {WHEREABOUTS}"),
    ):
        meetings.add_agreement(
            actor=world.facilitator,
            meeting=meeting,
            responsible=meeting.participants.get(person=person),
            what=what,
            due_on=due,
        )
    complete(meeting, world.facilitator)
    meetings.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
    meeting.refresh_from_db()
    minutes = _send_all(meeting, "minutes")
    for person in (mother, story.setup.grandmother, story.father):
        plans.send_person_tasks(actor=world.caseworker, case=world.case, person=person)
    tasks = _send_all(None, "person_tasks")
    people = {
        "mother": meeting.participants.get(person=story.setup.mother),
        "grandmother": meeting.participants.get(person=story.setup.grandmother),
        "father": meeting.participants.get(person=story.father),
    }
    clients = {}
    for name in ("caseworker", "leader", "practitioner", "facilitator"):
        clients[name] = login_staff(Client(), getattr(world, name))
    return Crisis(
        world, meeting, people, clients, {"invitation": invitations, "minutes": minutes, "person_tasks": tasks}
    )


def _send_all(meeting: Meeting | None, kind: str) -> dict[str, list[mail.EmailMessage]]:
    """Send the e-mails of ``kind`` (about ``meeting``) through the worker; the messages each reader received."""
    mail.outbox.clear()
    rows = Outbox.objects.filter(kind=kind, channel="email")
    if meeting is not None:
        rows = rows.filter(meeting=meeting)
    for row in rows:
        send_row(row.pk)
    by_address: dict[str, list[mail.EmailMessage]] = {}
    for message in mail.outbox:
        by_address.setdefault(message.to[0], []).append(message)
    readers = {"mother": MOTHER_EMAIL, "grandmother": "inge@example.invalid", "father": "far@example.invalid"}
    return {name: by_address[address] for name, address in readers.items() if address in by_address}


@pytest.mark.django_db
def test_matrix(world) -> None:
    """Every cell, on one crisis built once (building it sends real mail and renders PDFs: seconds, not minutes)."""
    crisis = _build(world)
    wrong = []
    cells = 0
    for row in ROWS:
        for reader, expected in row.expect.items():
            cells += 1
            try:
                got = _outcome(row.render(crisis, reader))
            except Withheld:
                got = REFUSED
            except AssertionError as exc:
                got = f"unusable ({exc})"
            if got != expected:
                wrong.append(f"{row.channel} × {reader}: {got}, expected {expected}")
    assert not wrong, f"{len(wrong)} of {cells} cells wrong:\n" + "\n".join(wrong)


def test_every_outbox_kind_has_a_row() -> None:
    kinds = set(registry._KINDS)
    assert kinds <= set(OUTBOX_KINDS), (
        f"outbox kinds without a row in the protection matrix: {kinds - set(OUTBOX_KINDS)}"
    )
    for kind, row in OUTBOX_KINDS.items():
        assert row.startswith("the worker's envelope") or any(r.channel == row for r in ROWS), kind


def test_every_typst_template_has_a_row() -> None:
    found = {str(p.relative_to(SRC)) for p in SRC.rglob("*.typ")}
    assert found <= set(TYPST), f"typst templates without a row in the protection matrix: {found - set(TYPST)}"
    for template, row in TYPST.items():
        assert row.startswith(("kreds.core.pdf", "a layout library")) or any(r.channel == row for r in ROWS), template


def _sources() -> list[tuple[Path, str]]:
    return [(p, p.read_text()) for p in SRC.rglob("*.py") if "tests" not in p.parts and "testing" not in p.parts]


def test_every_pdf_passes_the_one_door() -> None:
    """Only kreds.core.pdf runs typst: every PDF's data passes the reader's guard there."""
    callers = [str(p.relative_to(SRC)) for p, text in _sources() if re.search(r"\btypst\.compile\(", text)]
    assert callers == ["core/pdf.py"], callers


def test_every_email_passes_the_one_door() -> None:
    """Only kreds.core.mail builds messages: every message is guarded when it is sent."""
    builders = re.compile(r"\b(EmailMessage|EmailMultiAlternatives|send_mail|send_mass_mail|mail_admins)\(")
    callers = [str(p.relative_to(SRC)) for p, text in _sources() if builders.search(text)]
    assert set(callers) <= {"core/mail.py"}, callers


@pytest.mark.django_db
def test_every_outbox_kind_is_sent_in_its_envelope(monkeypatch) -> None:
    """The worker declares the row's recipient as the reader around every sender, whatever its kind."""
    from kreds.outbox import tasks

    seen: list[object] = []

    def sender(row: object) -> str:
        seen.append(disclosure.current())
        return "sent"

    registry.register("matrix_probe", sender, label="probe")
    entered: list[object] = []
    monkeypatch.setattr(
        tasks, "envelope_for", lambda row: (entered.append(row), disclosure.reading_as(lambda: None))[1]
    )
    try:
        row = Outbox(kind="matrix_probe", key="probe")
        with pytest.MonkeyPatch.context() as m:
            m.setattr(Outbox, "mark_not_sent", lambda self, reason: None)
            assert tasks._send_locked(row) == "sent"
    finally:
        registry.unregister("matrix_probe")
    assert entered == [row] and seen and seen[0] is not None


def test_the_middleware_guards_every_response() -> None:
    from django.conf import settings

    assert "kreds.protection.middleware.DisclosureMiddleware" in settings.MIDDLEWARE
