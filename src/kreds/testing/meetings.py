"""Build meetings through the real services, in any state, for tests and the authorization matrix."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.consent.constants import Category
from kreds.consent.services import give_consent
from kreds.meetings import services
from kreds.meetings.models import Meeting, Participant
from kreds.network import services as network
from kreds.network.constants import ConsentGiverRole
from kreds.network.models import NetworkPerson, Sector


@dataclass
class MeetingSetup:
    meeting: Meeting
    mother: NetworkPerson
    grandmother: NetworkPerson
    teacher: NetworkPerson
    participants: dict[str, Participant] = field(default_factory=dict)


def network_for(case: Case, actor: User) -> dict[str, NetworkPerson]:
    """Mother, grandmother (private, consent to share everything) and a teacher (professional)."""
    if not network.get_or_create_map(case=case).has_consent:
        network.record_map_consent(
            actor=actor,
            case=case,
            given_by="Mor",
            role=ConsentGiverRole.PARENT_WITH_CUSTODY,
            given_on=datetime.date(2026, 1, 1),
        )
    sectors = {s.key: s for s in Sector.objects.filter(municipality_id=case.municipality_id)}
    mother = network.add_person(
        actor=actor,
        case=case,
        data={"name": "Sara Mor", "relation": "mor", "sector": sectors["family"], "email": "sara@example.invalid"},
    )
    grandmother = network.add_person(
        actor=actor,
        case=case,
        data={
            "name": "Inge Mormor",
            "relation": "mormor",
            "sector": sectors["family"],
            "email": "inge@example.invalid",
            "address": "Lindevej 4, 8000 Aarhus C",
        },
    )
    teacher = network.add_person(
        actor=actor,
        case=case,
        data={
            "name": "Jonas Lærer",
            "relation": "klasselærer",
            "sector": sectors["school"],
            "email": "jonas@skole.invalid",
            "is_professional": True,
            "professional_role": "klasselærer",
        },
    )
    give_consent(
        actor=actor,
        case=case,
        given_by="Sara Mor",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        categories=list(Category.values),
        recipients=[grandmother],
        purpose="Netværksmøde",
        given_on=datetime.date(2026, 1, 1),
    )
    return {"mother": mother, "grandmother": grandmother, "teacher": teacher}


def daytime(days_ahead: int, hour: int = 10) -> datetime.datetime:
    """A time of day a meeting really is held, ``days_ahead`` local days from today. A fixture that starts a
    meeting at "now + N days" makes a meeting at 23:30 when the suite runs late, one the meeting form cannot show
    (it ends after midnight), so a test would fail only in the evening."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def planned_meeting(
    case: Case,
    actor: User,
    facilitator: User | None,
    *,
    starts_at: datetime.datetime | None = None,
    more: Iterable[NetworkPerson] = (),
    **overrides: Any,
) -> MeetingSetup:
    """A meeting planned ten days ahead with the mother, grandmother and teacher invited, and ``more`` people."""
    people = network_for(case, actor)
    start = starts_at or daytime(10)
    data = {
        "purpose": "At finde ud af, hvordan Emma får en god skolegang og nogen at gå til efter skole.",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "place": "Medborgerhuset, mødelokale 2",
        "break_planned": True,
        "facilitator": facilitator,
        "child_participation": "part",
        **overrides,
    }
    meeting = services.create_meeting(actor=actor, case=case, data=data)
    services.add_participants(
        actor=actor,
        meeting=meeting,
        persons=[people["mother"], people["grandmother"], people["teacher"], *more],
        parents=[people["mother"]],
    )
    setup = MeetingSetup(meeting, people["mother"], people["grandmother"], people["teacher"])
    for p in meeting.participants.all():
        setup.participants[p.relation if p.person_id else p.role] = p
    return setup


def held_meeting(
    case: Case,
    actor: User,
    facilitator: User,
    *,
    days_ago: int = 1,
    send_minutes: bool = False,
    absent: tuple[str, ...] = (),
    more: Iterable[NetworkPerson] = (),
) -> MeetingSetup:
    """A meeting in the past, invited, held with an agreement and a follow-up date (minutes optionally sent)."""
    setup = planned_meeting(case, actor, facilitator, more=more)
    meeting = setup.meeting
    services.send_invitations(actor=actor, meeting=meeting)
    past = timezone.now() - datetime.timedelta(days=days_ago)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=past, ends_at=past + datetime.timedelta(hours=2))
    meeting.refresh_from_db()
    services.set_attendance(
        actor=facilitator,
        meeting=meeting,
        attended={
            p.pk: p.pk not in {setup.participants[k].pk for k in absent} for p in services.speaking_order(meeting)
        },
    )
    services.add_agreement(
        actor=facilitator,
        meeting=meeting,
        responsible=setup.participants["mormor"],
        what="Henter Emma fra skole om tirsdagen",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.complete_meeting(
        actor=facilitator, meeting=meeting, follow_up_on=timezone.localdate() + datetime.timedelta(days=60)
    )
    if send_minutes:
        services.approve_and_send_minutes(actor=actor, meeting=meeting)
    meeting.refresh_from_db()
    return setup


def reminder_day(day: datetime.date | None = None) -> datetime.date:
    """``day`` (default today), or the day after when it is a Monday: caseworkers get no daily staff reminder on
    Mondays, when the weekly digest says it all (insights.digest.replaces_reminder)."""
    day = day or timezone.localdate()
    return day + datetime.timedelta(days=1) if day.weekday() == 0 else day
