"""Demo data for issue 18: a mother and child at a crisis centre whose address, phone, e-mail and whereabouts are
protected, and a father on the map who must not learn them. A newcomer opens the case as its caseworker (who sees
the values) and as the family centre (who sees "Beskyttet"), and the father's personal page shows neither."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.cases.services import create_case, refer_case, restrict_case, update_case
from kreds.meetings.constants import MeetingStatus
from kreds.meetings.models import Meeting, Participant
from kreds.network import services as network
from kreds.protection import services
from kreds.protection.models import Reason
from kreds.tenancy.models import Unit

SHELTER_ADDRESS = "Tornerosevej 117, 8210 Aarhus V"
SHELTER_PHONE = "61 72 83 94"
WHEREABOUTS = "Kvindehuset Tornerosen"


def seed_protection(cases: list[Case], actors: dict[int, User]) -> Case | None:
    """The newest case with a held meeting whose minutes went to both parents: the mother moves to a crisis centre
    after it (the protection lists what went out before it)."""
    # Not a child placed or being placed (the story is a mother and child who moved to a shelter together).
    ids = [c.pk for c in cases if c.pk in actors and c.is_open and not c.explorations.exists()]
    meeting = (
        Meeting.objects.filter(case_id__in=ids, status=MeetingStatus.MINUTES_SENT)
        .annotate(
            parents=Count(
                "participants",
                filter=Q(participants__relation__in=["mor", "far"], participants__link__isnull=False),
            )
        )
        .filter(parents=2)
        .select_related("case")
        .order_by("-case_id", "-pk")
        .first()
    )
    if meeting is None:
        return None
    case = meeting.case
    actor = actors[case.pk]
    mother = Participant.objects.get(meeting=meeting, relation="mor")
    father = Participant.objects.get(meeting=meeting, relation="far")
    if mother.person is None or father.person is None:
        return None
    current = network.current_version(mother.person)
    network.update_person(
        actor=actor,
        person=mother.person,
        expected_version=current.pk,
        data={
            **{k: getattr(current, k) for k in network.PERSON_FIELDS},
            "address": SHELTER_ADDRESS,
            "phone": SHELTER_PHONE,
        },
    )
    # Emma moved with her mother: her address on the case is the shelter's, protected as well.
    update_case(
        actor=actor,
        case=case,
        expected_version=case.version,
        child_data={"address": SHELTER_ADDRESS},
        case_data={},
    )
    services.add_protection(
        actor=actor,
        case=case,
        data={"person": None, "address": True, "reason": Reason.CRISIS_CENTRE, "reason_text": ""},
        barred=[father.person],
    )
    # The family centre works on the case too: its practitioner sees the mother on the map as "Beskyttet".
    centre = Unit.objects.filter(municipality_id=case.municipality_id, name="FamilieCenter").first()
    if centre is not None and not case.referred_units.filter(pk=centre.pk).exists():
        refer_case(actor=actor, case=case, unit=centre)
    services.add_protection(
        actor=actor,
        case=case,
        data={
            "person": mother.person,
            "address": True,
            "contact": True,
            "whereabouts": True,
            "whereabouts_text": WHEREABOUTS,
            "reason": Reason.CRISIS_CENTRE,
            "reason_text": "",
        },
        barred=[father.person],
    )
    return case


def seed_restricted(cases: list[Case], actors: dict[int, User], *, besides: Case | None) -> Case | None:
    """A restricted case of its own (a colleague's child; no other demo story is hidden by it): named only for its
    caseworker, so ``leder`` lists it as "Begrænset sag" and opens it by stating a reason, and the family centre
    stops at it."""
    owner = next((u for u in actors.values() if u.username == "raadgiver2"), None)
    sample = next((c for c in cases if c.pk in actors and actors[c.pk] == owner and c != besides), None)
    if owner is None or sample is None:
        return None
    today = timezone.localdate()
    case = create_case(
        actor=owner,
        child_data={
            "first_name": "Ida",
            "last_name": "Kollegasdatter",
            "birth_date": today - datetime.timedelta(days=9 * 365),
            "gender": "girl",
            "address": "Birkealle 12, 8000 Aarhus C",
        },
        case_data={
            "external_ref": f"27.12.00-G01-1999-{today.year % 100:02d}",
            "opened_on": today - datetime.timedelta(days=40),
            "responsible_unit": sample.responsible_unit,
            "basis_support": True,
        },
    )
    centre = Unit.objects.filter(municipality_id=case.municipality_id, name="FamilieCenter").first()
    if centre is not None:
        refer_case(actor=owner, case=case, unit=centre)
    restrict_case(
        actor=owner,
        case=case,
        reason="Barnet er barn af en medarbejder i Familiecentret.",
        staff=[owner],
    )
    return case
