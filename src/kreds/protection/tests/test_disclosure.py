"""The guard itself, and the three ways out it watches: pages, messages and letters (issue 18)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core import disclosure
from kreds.core.disclosure import Reader, Withheld
from kreds.meetings import services as meetings
from kreds.meetings.models import Meeting
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_row
from kreds.protection.disclosure import pattern_for
from kreds.testing.protection import MOTHER_PHONE, SHELTER_ADDRESS, WHEREABOUTS, complete, crisis_case, hold


def test_a_value_is_found_however_it_is_written():
    pattern = pattern_for(["Tornerosevej 117, 8210 Aarhus V", "+45 61 72 83 94", "O'Hara & Co"])
    assert pattern is not None
    for text in (
        "Bor på tornerosevej  117,\n8210 AARHUS V nu",
        "tlf. 61728394",
        "tlf +45 61-72-83-94",
        "O&#x27;Hara &amp; Co",
        '{"a": "Tornerosevej 117, 8210 Aarhus V"}',
    ):
        assert pattern.search(text), text
    assert not pattern.search("Tornerosevej 1170")  # whole words only
    assert pattern_for(["117", " "]) is None  # too short to look for


@pytest.fixture
def crisis(world):
    return crisis_case(world.case, world.caseworker, world.facilitator)


def _page(client, user, url):
    client.force_login(user)
    return client.get(url).content.decode()


def test_staff_who_may_see_it_see_it_and_the_view_is_audited(world, crisis, client, login):
    url = reverse("network:list", kwargs={"public_id": world.case.public_id})
    page = login(world.caseworker).get(url).content.decode()
    assert SHELTER_ADDRESS in page
    assert AuditEvent.objects.filter(action=Action.PROTECTION_VIEW, actor=world.caseworker).exists()
    page = login(world.leader).get(url).content.decode()
    assert SHELTER_ADDRESS in page


def test_others_on_the_case_see_protected(world, crisis, login):
    url = reverse("network:list", kwargs={"public_id": world.case.public_id})
    page = login(world.practitioner).get(url).content.decode()
    assert "Sara Mor" in page
    for value in crisis.values:
        assert value not in page
    assert "Protected" in page
    assert not AuditEvent.objects.filter(action=Action.PROTECTION_VIEW, actor=world.practitioner).exists()


def test_a_page_for_the_father_never_carries_it(world, crisis):
    father = crisis.setup.meeting.participants.get(person=crisis.father)
    with disclosure.reading_as(Reader(kind="person", case_id=world.case.pk, person_id=crisis.father.pk)):
        assert disclosure.text(f"Mor bor på {SHELTER_ADDRESS}.") == "Mor bor på Protected."
    with disclosure.reading_as(Reader(kind="person", case_id=world.case.pk, person_id=crisis.father.pk, sending=True)):
        with pytest.raises(Withheld):
            disclosure.text(f"Ring på {MOTHER_PHONE}")
        assert disclosure.text("Intet beskyttet her") == "Intet beskyttet her"
    with disclosure.reading_as(Reader(kind="person", case_id=world.case.pk, person_id=crisis.setup.mother.pk)):
        assert SHELTER_ADDRESS in disclosure.text(SHELTER_ADDRESS)  # her own
    assert father is not None


def _held_with_minutes(world, crisis, notes: str) -> Meeting:
    meeting = crisis.setup.meeting
    meetings.send_invitations(actor=world.caseworker, meeting=meeting)
    meeting = hold(meeting, world.facilitator, notes)
    complete(meeting, world.facilitator)
    meetings.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def test_minutes_that_name_the_shelter_are_withheld_from_the_father_and_redacted_for_others(world, crisis):
    meeting = _held_with_minutes(world, crisis, f"Mor og Emma bor nu på {WHEREABOUTS}.")
    mail.outbox.clear()
    rows = Outbox.objects.filter(meeting=meeting, kind="minutes", channel="email").select_related("participant")
    results = {row.participant.relation: send_row(row.pk) for row in rows}
    assert results["far"] == "withheld"
    father_row = rows.get(participant__person=crisis.father)
    assert father_row.sent_at is None and father_row.last_error  # the reason, in the municipality's language
    assert AuditEvent.objects.filter(action=Action.PROTECTION_SEND_REFUSED).count() == 1
    sent = {m.to[0]: m for m in mail.outbox}
    assert "far@example.invalid" not in sent
    grandmother = sent["inge@example.invalid"]
    assert WHEREABOUTS not in grandmother.body
    # The PDF was guarded when typst built it: read its text.
    from kreds.testing.text import pdf_text

    pdfs = [c for _n, c, t in grandmother.attachments if t == "application/pdf"]
    assert pdfs and all(WHEREABOUTS not in pdf_text(p) for p in pdfs)
    assert any("Beskyttet" in pdf_text(p) for p in pdfs)  # sent in the municipality's language
    # The mother gets her own minutes as they are.
    mother = sent["sara.skjult@krisecenter.invalid"]
    pdfs = [c for _n, c, t in mother.attachments if t == "application/pdf"]
    assert pdfs and WHEREABOUTS in pdf_text(pdfs[0])


def test_minutes_without_it_reach_the_father(world, crisis):
    meeting = _held_with_minutes(world, crisis, "Vi talte om skolen.")
    row = Outbox.objects.get(meeting=meeting, kind="minutes", participant__person=crisis.father)
    assert send_row(row.pk) == "sent"
