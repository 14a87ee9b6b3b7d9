"""Build family group conferences through the real services, in any state, for tests and the authorization matrix."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.conferences import services
from kreds.conferences.models import Conference, ConferenceSession, PlanItem
from kreds.meetings import services as meetings
from kreds.meetings.models import Meeting, Participant
from kreds.testing.meetings import daytime, network_for

REFERRAL: dict[str, Any] = {
    "initiator_name": "Lone Lærer",
    "initiator_role": "klasselærer, Skovvangskolen",
    "initiator_external": True,
    "questions": "Hvordan sikrer familien, at Emma kommer i skole hver dag og har en voksen efter skole?",
    "bottom_lines": "Emma må ikke være alene hjemme om natten.\nEmma skal i skole hver dag.",
    "support_offered": "Aflastning hver tredje weekend. Familiebehandling.",
    "parents_consent_by": "Sara Mor",
}


@dataclass
class ConferenceSetup:
    conference: Conference
    participants: dict[str, Participant] = field(default_factory=dict)
    items: list[PlanItem] = field(default_factory=list)

    @property
    def session(self) -> ConferenceSession:
        session = services.current_session(self.conference)
        assert session is not None
        return session

    @property
    def meeting(self) -> Meeting:
        self.conference.refresh_from_db()
        assert self.conference.meeting is not None
        return self.conference.meeting


def referred(case: Case, actor: User, **overrides: Any) -> Conference:
    data = {**REFERRAL, "parents_consent_on": timezone.localdate() - datetime.timedelta(days=3), **overrides}
    return services.refer(actor=actor, case=case, data=data, wellbeing={"child": 2, "family": 2})


def allocated(case: Case, actor: User, coordinator: User, **overrides: Any) -> Conference:
    conference = referred(case, actor, **overrides)
    return services.allocate(actor=coordinator, conference=conference, coordinator=coordinator)


def prepared(
    case: Case, actor: User, coordinator: User, *, invite: bool = True, days_ahead: int = 12
) -> ConferenceSetup:
    """Allocated, pre-meeting held, date set, mother, grandmother and teacher invited and prepared."""
    conference = allocated(case, actor, coordinator)
    people = network_for(case, actor)
    conference = services.record_premeeting(
        actor=coordinator,
        conference=conference,
        data={
            "premeeting_on": timezone.localdate(),
            "premeeting_with": "Emma og Sara (mor)",
            "premeeting_notes": "Mor, mormor og klasselæreren. Emma vil gerne have mormor med.",
            "child_participation_notes": "Emma er med i informationsdelen og i familiens egen tid.",
            "support_person": people["grandmother"],
            "venue_neutral": True,
            "food": "Aftensmad fra kantinen",
        },
        expected_version=conference.version,
    )
    start = daytime(days_ahead, hour=9)
    meeting = services.schedule(
        actor=coordinator,
        conference=conference,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        place="Sognegården, den store sal",
        child_participation="part",
    )
    meetings.add_participants(
        actor=coordinator,
        meeting=meeting,
        persons=[people["mother"], people["grandmother"], people["teacher"]],
        parents=[people["mother"]],
    )
    conference.refresh_from_db()
    setup = ConferenceSetup(conference)
    for p in meeting.participants.all():
        setup.participants[p.relation if p.person_id else p.role] = p
        services.update_preparation(
            actor=coordinator, conference=conference, participant=p, data={"prepared": True, "will_come": "yes"}
        )
    if invite:
        meetings.send_invitations(actor=coordinator, meeting=meeting)
    return setup


def move_to_past(meeting: Meeting, days_ago: int = 0) -> None:
    start = timezone.now() - datetime.timedelta(days=days_ago, hours=1)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=4))


def held(case: Case, actor: User, coordinator: User, *, days_ago: int = 1, support: bool = True) -> ConferenceSetup:
    """A conference in the past with information, private family time and a plan of two or three items."""
    setup = prepared(case, actor, coordinator)
    conference = setup.conference
    meeting = setup.meeting
    move_to_past(meeting, days_ago)
    meetings.set_attendance(
        actor=coordinator, meeting=meeting, attended={p.pk: True for p in meetings.speaking_order(meeting)}
    )
    services.add_information(
        actor=coordinator,
        conference=conference,
        participant=setup.participants["caseworker"],
        data={"worries": "Emma er meget alene.", "support": "Aflastning kan bevilges."},
    )
    services.private_time(actor=coordinator, conference=conference, start=True)
    services.private_time(actor=coordinator, conference=conference, start=False)
    due = timezone.localdate() + datetime.timedelta(days=30)
    setup.items.append(
        services.add_plan_item(
            actor=coordinator,
            conference=conference,
            responsible=setup.participants["mormor"],
            what="Henter Emma fra skole tirsdag og torsdag",
            due_on=due,
        )
    )
    setup.items.append(
        services.add_plan_item(
            actor=coordinator,
            conference=conference,
            responsible=setup.participants["mor"],
            what="Følger Emma i skole hver morgen",
            due_on=due,
        )
    )
    if support:
        setup.items.append(
            services.add_plan_item(
                actor=coordinator,
                conference=conference,
                responsible=setup.participants["mor"],
                what="Emma er i aflastning hos moster hver tredje weekend",
                due_on=due,
                support_requested="Kommunen betaler aflastning",
            )
        )
    services.complete(
        actor=coordinator, conference=conference, follow_up_on=timezone.localdate() + datetime.timedelta(days=90)
    )
    conference.refresh_from_db()
    return setup


def approved(case: Case, actor: User, coordinator: User, *, reject_last: bool = False) -> ConferenceSetup:
    """Held, every item decided (support available), approved items turned into agreements and the plan sent."""
    setup = held(case, actor, coordinator)
    conference = setup.conference
    for item in setup.items:
        item.refresh_from_db()
        if reject_last and item is setup.items[-1]:
            services.decide(
                actor=actor,
                conference=conference,
                item=item,
                decision="rejected",
                reason="Strider mod bundlinjen om skolegang.",
            )
            continue
        if item.needs_support:
            services.set_support(
                actor=actor, conference=conference, item=item, status="available", note="Bevilget efter § 32"
            )
        services.decide(actor=actor, conference=conference, item=item, decision="approved")
    services.finalise(actor=actor, conference=conference)
    conference.refresh_from_db()
    for item in setup.items:
        item.refresh_from_db()
    return setup


def at_follow_up(case: Case, actor: User, coordinator: User) -> ConferenceSetup:
    """Approved, and the follow-up conference is today (ready to be run)."""
    setup = approved(case, actor, coordinator)
    session = setup.session
    move_to_past(session.meeting, 0)
    meetings.set_attendance(
        actor=coordinator,
        meeting=session.meeting,
        attended={p.pk: True for p in meetings.speaking_order(session.meeting)},
    )
    return setup
