"""A crisis-centre case for tests, the protection matrix and the browser journey (issue 18): the mother and the
child at a crisis centre, the father on the map and barred from learning where they are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.meetings import services as meetings
from kreds.meetings.models import Meeting, Participant
from kreds.network import services as network
from kreds.network.constants import ConsentGiverRole
from kreds.network.models import NetworkPerson, Sector
from kreds.protection import services
from kreds.protection.models import Protection, Reason
from kreds.testing.meetings import MeetingSetup, planned_meeting

# Long, distinctive values: a search of any output for them cannot match by accident.
SHELTER_ADDRESS = "Tornerosevej 117, 8210 Aarhus V"
MOTHER_PHONE = "+45 61 72 83 94"
MOTHER_EMAIL = "sara.skjult@krisecenter.invalid"
WHEREABOUTS = "Kvindehuset Tornerosen"
FATHER_EMAIL = "far@example.invalid"


@dataclass
class CrisisCase:
    setup: MeetingSetup
    father: NetworkPerson
    protection: Protection

    @property
    def values(self) -> list[str]:
        return [SHELTER_ADDRESS, MOTHER_PHONE, MOTHER_EMAIL, WHEREABOUTS]


def crisis_case(case: Case, actor: User, facilitator: User | None, **meeting: Any) -> CrisisCase:
    """A planned meeting with both parents (the mother protected: address, phone, e-mail and whereabouts; the
    father must not learn them), the grandmother and the teacher."""
    if not network.get_or_create_map(case=case).has_consent:
        network.record_map_consent(
            actor=actor,
            case=case,
            given_by="Mor",
            role=ConsentGiverRole.PARENT_WITH_CUSTODY,
            given_on=datetime.date(2026, 1, 1),
        )
    family = Sector.objects.get(municipality_id=case.municipality_id, key="family")
    father = network.add_person(
        actor=actor,
        case=case,
        data={"name": "Jens Far", "relation": "far", "sector": family, "email": FATHER_EMAIL},
    )
    setup = planned_meeting(case, actor, facilitator, more=[father], **meeting)
    mother = setup.mother
    current = network.current_version(mother)
    network.update_person(
        actor=actor,
        person=mother,
        expected_version=current.pk,
        data={
            **{k: getattr(current, k) for k in network.PERSON_FIELDS},
            "address": SHELTER_ADDRESS,
            "phone": MOTHER_PHONE,
            "email": MOTHER_EMAIL,
        },
    )
    # The participant row keeps the details it was invited with: as if she had been invited at the shelter.
    Participant.objects.filter(meeting=setup.meeting, person=mother).update(
        address=SHELTER_ADDRESS, phone=MOTHER_PHONE, email=MOTHER_EMAIL
    )
    protection = services.add_protection(
        actor=actor,
        case=case,
        data={
            "person": mother,
            "address": True,
            "contact": True,
            "whereabouts": True,
            "whereabouts_text": WHEREABOUTS,
            "reason": Reason.CRISIS_CENTRE,
        },
        barred=[father],
    )
    for p in setup.meeting.participants.all():
        setup.participants[p.relation if p.person_id else p.role] = p
    return CrisisCase(setup, father, protection)


def hold(meeting: Meeting, facilitator: User, notes: str) -> Meeting:
    """The invited meeting held yesterday with everyone there and ``notes`` in its first part (not yet completed:
    a test may add agreements first)."""
    past = timezone.now() - datetime.timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=past, ends_at=past + datetime.timedelta(hours=2))
    meeting.refresh_from_db()
    meetings.set_attendance(
        actor=facilitator, meeting=meeting, attended={p.pk: True for p in meetings.speaking_order(meeting)}
    )
    return meetings.save_notes(
        actor=facilitator,
        meeting=meeting,
        notes={"descriptive": notes},
        authority_declared=True,
        expected_version=meeting.version,
    )


def complete(meeting: Meeting, facilitator: User) -> None:
    meetings.complete_meeting(
        actor=facilitator, meeting=meeting, follow_up_on=timezone.localdate() + datetime.timedelta(days=60)
    )
