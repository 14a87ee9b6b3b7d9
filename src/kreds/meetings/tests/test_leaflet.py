"""The leaflet that goes with an invitation fits the meeting it goes with (issue 14 §3): its planned time and
length, the break, how the child takes part, and what a follow-up is. The public page keeps the general leaflet."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone, translation

from kreds.conferences.leaflet import leaflet as fgc_leaflet
from kreds.meetings import sending, services
from kreds.meetings.constants import ChildParticipation, MeetingKind
from kreds.meetings.leaflet import BUILDERS, LEAFLET, duration, leaflet
from kreds.meetings.models import Meeting
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_outbox
from kreds.tenancy.models import Municipality
from kreds.testing.meetings import planned_meeting

TZ = zoneinfo.ZoneInfo("Europe/Copenhagen")


def _text(result) -> str:
    title, sections = result
    return " ".join([title, *(s.heading for s in sections), *(p for s in sections for p in s.paragraphs)])


def _meeting(minutes: int = 150, **fields) -> Meeting:
    start = datetime.datetime(2026, 5, 12, 13, 0, tzinfo=TZ)  # a Tuesday
    values = {
        "kind": MeetingKind.NETWORK,
        "starts_at": start,
        "ends_at": start + datetime.timedelta(minutes=minutes),
        "break_planned": True,
        "child_participation": ChildParticipation.PART,
        **fields,
    }
    return Meeting(**values)


def test_durations_in_words():
    assert duration(150, "da") == "to og en halv time"
    assert duration(90, "da") == "halvanden time"
    assert duration(120, "da") == "to timer"
    assert duration(75, "da") == "en time og 15 minutter"
    assert duration(45, "da") == "45 minutter"
    assert duration(150, "en") == "two and a half hours"
    assert duration(60, "en") == "one hour"


def test_a_150_minute_meeting_is_not_called_at_most_two_hours():
    with timezone.override(TZ):
        text = _text(leaflet("da", meeting=_meeting(150)))
    assert "højst to timer" not in text
    assert "tirsdag den 12. maj fra kl. 13.00 til 15.30" in text
    assert "Det varer to og en halv time. Vi holder en pause undervejs." in text
    english = _text(leaflet("en", meeting=_meeting(150)))
    assert "two hours at most" not in english and "two and a half hours" in english


def test_no_break_planned_is_said_and_not_promised():
    text = _text(leaflet("da", meeting=_meeting(60, break_planned=False)))
    assert "Det varer en time." in text
    assert "Der er ikke planlagt en pause" in text and "vi holder en pause" not in text.lower()
    assert "No break is planned" in _text(leaflet("en", meeting=_meeting(60, break_planned=False)))


@pytest.mark.parametrize(
    ("participation", "phrase"),
    [
        (ChildParticipation.IN_PERSON, "Barnet er med på hele mødet"),
        (ChildParticipation.PART, "Barnet er med i en del af mødet"),
        (ChildParticipation.THROUGH_ADULT, "Barnet har valgt en voksen"),
        (ChildParticipation.WRITTEN, "egne ord eller en tegning"),
        (ChildParticipation.NOT, "Barnet er ikke med på mødet"),
    ],
)
def test_the_child_section_says_how_this_child_takes_part(participation, phrase):
    _title, sections = leaflet("da", meeting=_meeting(child_participation=participation))
    child = next(s for s in sections if s.heading == "Barnet og mødet")
    assert child.paragraphs == (next(p for p in child.paragraphs if phrase in p),)
    other_phrases = {"Barnet er med på hele mødet", "Barnet er ikke med på mødet"} - {phrase}
    assert not any(p in child.paragraphs[0] for p in other_phrases)


def test_a_follow_up_meeting_gets_a_follow_up_leaflet():
    text = _text(leaflet("da", meeting=_meeting(kind=MeetingKind.FOLLOW_UP)))
    assert "Det er et opfølgningsmøde" in text and "Mødet har tre dele" not in text
    assert "Mødet har tre dele" in _text(leaflet("da", meeting=_meeting()))


def test_every_fitted_leaflet_has_the_same_sections_in_both_languages():
    for kind in (MeetingKind.NETWORK, MeetingKind.FOLLOW_UP):
        for participation in ChildParticipation.values:
            for pause in (True, False):
                meeting = _meeting(kind=kind, child_participation=participation, break_planned=pause)
                da, en = BUILDERS["da"](meeting)[1], BUILDERS["en"](meeting)[1]
                assert [len(s.paragraphs) for s in da] == [len(s.paragraphs) for s in en]
    assert leaflet("da") is LEAFLET["da"]  # the public page: the general leaflet


def test_general_leaflet_does_not_promise_a_fixed_length():
    text = _text(LEAFLET["da"])
    assert "normalt højst to timer" in text and "I invitationen står, hvornår" in text


def test_fgc_leaflet_fits_the_conference():
    municipality = Municipality(name="Eksempel Kommune", code="999", fgc_follow_up_months=4)
    conference = _meeting(240, kind=MeetingKind.FGC, municipality=municipality)
    text = _text(fgc_leaflet("da", meeting=conference))
    assert "Det varer fire timer" in text and "Efter cirka fire måneder mødes I igen" in text
    assert "tre til seks" not in text
    follow_up = _text(
        fgc_leaflet("da", meeting=_meeting(90, kind=MeetingKind.FGC_FOLLOW_UP, municipality=municipality))
    )
    assert "Det er en opfølgende familierådslagning" in follow_up and "Så går fagfolkene ud" not in follow_up
    general = _text(fgc_leaflet("da"))
    assert "tre til seks måneder" in general
    for meeting in (conference, _meeting(90, kind=MeetingKind.FGC_FOLLOW_UP, municipality=municipality)):
        da, en = fgc_leaflet("da", meeting=meeting)[1], fgc_leaflet("en", meeting=meeting)[1]
        assert [len(s.paragraphs) for s in da] == [len(s.paragraphs) for s in en]


@pytest.mark.django_db
def test_invitation_carries_the_leaflet_of_its_own_meeting(world, mailoutbox):
    start = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) + datetime.timedelta(days=10)
    setup = planned_meeting(
        world.case,
        world.caseworker,
        world.facilitator,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=150),
    )
    with translation.override("da"):
        _title, sections = sending.leaflet_for(setup.meeting)
    assert "to og en halv time" in " ".join(p for s in sections for p in s.paragraphs)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    for row in Outbox.objects.filter(sent_at__isnull=True):
        send_outbox.call(row.pk)
    body = next(m for m in mailoutbox if m.to == ["inge@example.invalid"]).body
    assert "to og en halv time" in body and "højst to timer" not in body
