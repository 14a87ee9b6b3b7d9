"""Demo data for issue 8 (DOMAIN §14): an exploration of the network with five candidates in different states, a
placement in the network with its contact plan and a suspension at the child's request, and a placement outside
the network with the reason why.

Built through the services; the dates the services set to "today" are moved back afterwards so the history reads
like weeks of work.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.consent.constants import Category
from kreds.consent.services import give_consent
from kreds.network import services as network
from kreds.network.constants import ConsentGiverRole
from kreds.network.kinship import is_parent_relation
from kreds.network.models import NetworkPerson, NetworkPersonVersion, Sector
from kreds.network.selectors import persons_as_of
from kreds.placements import services
from kreds.placements.constants import CandidateStatus, CheckState
from kreds.placements.models import Candidate, CandidateCheck, CandidateEvent, ContactArrangementVersion, Exploration

EXTRA_PEOPLE = [  # (name, relation, sector key, ring, possible foster carer)
    ("Hanne Moster", "moster", "family", 2, True),
    ("Bent Morfar", "morfar", "family", 2, False),
    ("Kim Morbror", "morbror", "family", 2, False),
    ("Lise Nabo", "nabo", "friends", 3, False),
    ("Maja Jensen", "mors veninde", "friends", 3, False),
]
# The oldest exploration in the demo started this many days ago (the placement in the network).
EXPLORED_FROM_DAYS = 120


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _private(case: Case) -> list[NetworkPersonVersion]:
    return [v for v in persons_as_of(case) if not v.is_professional and not v.sector.is_professional]


def _choose(cases: list[Case], actors: dict[int, User], history_days: Sequence[int]) -> list[Case | None]:
    """For each story (the days of history it needs), an open case opened at least that long ago with a map with at
    least three private persons, the gate closed, nothing placed yet; the newest cases first, so the cases the
    other demo data uses stay as they are."""
    out: list[Case | None] = []
    today = timezone.localdate()
    for days in history_days:
        found = None
        for case in sorted(cases, key=lambda c: -c.pk):
            if case in out or case.opened_on > today - _days(days):
                continue
            if not case.is_open or case.pk not in actors or safety_gate(case).is_open or case.explorations.exists():
                continue
            if len(_private(case)) >= 3:
                found = case
                break
        out.append(found)
    return out


def _ensure_people(case: Case, actor: User, wanted: int) -> tuple[list[NetworkPerson], list[NetworkPerson]]:
    """The case's parents, and at least ``wanted`` others from the private network (relatives added when short):
    candidates are never the parents the child is placed away from."""
    sectors = {s.key: s for s in Sector.objects.filter(municipality_id=case.municipality_id)}

    def others() -> list[NetworkPersonVersion]:
        return [v for v in _private(case) if not is_parent_relation(v.relation)]

    # Relatives added for the search are on the map before the oldest exploration starts (never before the case).
    on_map_from = timezone.make_aware(
        datetime.datetime.combine(
            max(case.opened_on, timezone.localdate() - _days(EXPLORED_FROM_DAYS)), datetime.time(9)
        )
    )

    for name, relation, sector, ring, carer in EXTRA_PEOPLE:
        if len(others()) >= wanted:
            break
        if any(v.name == name for v in _private(case)):
            continue
        network.add_person(
            actor=actor,
            case=case,
            data={
                "name": name,
                "relation": relation,
                "sector": sectors[sector],
                "ring": ring,
                "resource_tags": ["foster_carer"] if carer else [],
            },
            at=min(on_map_from, timezone.now()),
        )
    parents = sorted((v for v in _private(case) if is_parent_relation(v.relation)), key=lambda v: v.relation != "mor")
    rest = sorted(others(), key=lambda v: ("foster_carer" not in (v.resource_tags or []), v.ring, v.name))
    return [v.person for v in parents], [v.person for v in rest]


def _start(case: Case, actor: User, days_ago: int, why: str) -> Exploration:
    started = max(case.opened_on, timezone.localdate() - _days(days_ago))
    return services.start_exploration(actor=actor, case=case, started_on=started, why=why)


def _add(exploration: Exploration, person: NetworkPerson, actor: User) -> Candidate:
    candidate = services.add_candidate(actor=actor, exploration=exploration, person=person)
    # Added the day the exploration started, not today.
    Candidate.objects.filter(pk=candidate.pk).update(status_on=exploration.started_on)
    CandidateEvent.objects.filter(candidate=candidate).update(on=exploration.started_on)
    candidate.refresh_from_db()
    return candidate


def _move(candidate: Candidate, actor: User, steps: Sequence[tuple[str, int, str]]) -> Candidate:
    """(status, days ago, reason) in order."""
    today = timezone.localdate()
    for status, days_ago, reason in steps:
        on = max(today - _days(days_ago), candidate.status_on)
        candidate = services.set_status(
            actor=actor, candidate=candidate, status=status, on=on, reason=reason, expected_version=candidate.version
        )
    return candidate


def _check(candidate: Candidate, actor: User, key: str, state: str, days: int, valid_days: int = 0) -> None:
    """Done ``days`` ago, or planned in ``days``."""
    check = CandidateCheck.objects.filter(candidate=candidate, key=key).first()
    if check is None:
        return
    today = timezone.localdate()
    on = today - _days(days) if state == CheckState.DONE else today + _days(days)
    services.save_check(
        actor=actor,
        check=check,
        state=state,
        on=on,
        expires_on=on + _days(valid_days) if valid_days else None,
        note="",
    )


def _decide(
    case: Case,
    actor: User,
    *,
    decided: int,
    starts: int,
    setting: str,
    candidate: Candidate | None,
    no_network_reason: str = "",
) -> None:
    """The placement decided ``decided`` days ago, starting ``starts`` days ago; in the network with a candidate."""
    today = timezone.localdate()
    services.decide(
        actor=actor,
        case=case,
        decided_on=today - _days(decided),
        starts_on=today - _days(starts),
        setting=setting,
        in_network=candidate is not None,
        candidate=candidate,
        no_network_reason=no_network_reason,
    )


def _exploring(case: Case, actor: User) -> None:
    """Placement is being considered: five candidates in different states."""
    _parents, ordered = _ensure_people(case, actor, 5)
    exploration = _start(case, actor, 21, "Mor er indlagt i længere tid, og far kan ikke have børnene alene.")
    plan = [
        [
            (CandidateStatus.CONTACTED, 18, ""),
            (CandidateStatus.INTERESTED, 14, ""),
            (CandidateStatus.ASSESSMENT, 9, ""),
        ],
        [(CandidateStatus.CONTACTED, 17, ""), (CandidateStatus.INTERESTED, 10, "")],
        [(CandidateStatus.CONTACTED, 16, "")],
        [(CandidateStatus.CONTACTED, 15, ""), (CandidateStatus.DECLINED, 12, "Har selv tre små børn lige nu.")],
        [(CandidateStatus.NOT_SUITABLE, 11, "Bor i Spanien det meste af året.")],
    ]
    for person, steps in zip(ordered[:5], plan, strict=False):
        candidate = _move(_add(exploration, person, actor), actor, steps)
        if candidate.status == CandidateStatus.ASSESSMENT:
            _check(candidate, actor, "home_visit", CheckState.DONE, 7)
            _check(candidate, actor, "police_record", CheckState.DONE, 6, valid_days=365)
            _check(candidate, actor, "child_record", CheckState.DONE, 6, valid_days=25)  # runs out soon
            _check(candidate, actor, "references", CheckState.PLANNED, 3)  # in three days
            _check(candidate, actor, "basic_course", CheckState.PLANNED, 20)


def _placed_in_network(case: Case, actor: User) -> None:
    parents, others = _ensure_people(case, actor, 3)
    carer, other = others[0], others[1]
    relation = {v.person_id: v.relation for v in _private(case)}
    mother = next((p for p in parents if relation[p.pk] == "mor"), parents[0] if parents else others[2])
    second = next((p for p in parents if relation[p.pk] == "far"), other)  # the father, or the relative who declined
    exploration = _start(
        case, actor, EXPLORED_FROM_DAYS, "Bekymring for omsorgen derhjemme; familien ønsker selv, at mormor træder til."
    )
    chosen = _move(
        _add(exploration, carer, actor),
        actor,
        [
            (CandidateStatus.CONTACTED, 115, ""),
            (CandidateStatus.INTERESTED, 110, ""),
            (CandidateStatus.ASSESSMENT, 100, ""),
        ],
    )
    for key in ("home_visit", "references", "police_record", "child_record", "basic_course"):
        _check(chosen, actor, key, CheckState.DONE, 40, valid_days=730 if key != "home_visit" else 0)
    _check(chosen, actor, "support", CheckState.DONE, 35)
    chosen = _move(chosen, actor, [(CandidateStatus.APPROVED, 30, "")])
    _move(
        _add(exploration, other, actor),
        actor,
        [(CandidateStatus.CONTACTED, 112, ""), (CandidateStatus.DECLINED, 105, "")],
    )
    today = timezone.localdate()
    _decide(case, actor, decided=20, starts=14, setting="network", candidate=chosen)
    services.save_contact(
        actor=actor,
        case=case,
        person=mother,
        data={
            "frequency": "Hver anden weekend, lørdag kl. 10–16",
            "mode": "visit",
            "place": "Familiecentret de første tre gange, derefter hos mormor",
            "support": "supported",
            "child_views": "Vil gerne se mor, men ikke overnatte der endnu.",
        },
    )
    father = services.save_contact(
        actor=actor,
        case=case,
        person=second,
        data={"frequency": "Hver onsdag", "mode": "call", "support": "none", "child_views": "Vil gerne ringe selv."},
    )
    ContactArrangementVersion.objects.filter(contact__case=case).update(valid_from=timezone.now() - _days(14))
    services.suspend(
        actor=actor,
        contact=father,
        starts_on=today - _days(5),
        ends_on=today + _days(30),
        child_request="Vil ikke tale i telefon lige nu, efter skænderiet i sidste uge.",
    )
    # The mother sees her own arrangement on her personal page; the father's consent is not given (yet).
    give_consent(
        actor=actor,
        case=case,
        given_by=network.current_version(mother).name,
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        categories=[Category.CONTACT_PLAN],
        recipients=[mother],
        purpose="Samværsplanen under anbringelsen",
        given_on=today - _days(14),
    )


def _placed_outside(case: Case, actor: User) -> None:
    _parents, others = _ensure_people(case, actor, 2)
    exploration = _start(case, actor, 75, "Alvorlig omsorgssvigt; barnet kan ikke blive hjemme.")
    for person, reason in zip(
        others[:2],
        ["Kan ikke tage et barn med så store behov i hverdagen.", "Har en verserende sag om vold."],
        strict=False,
    ):
        status = CandidateStatus.DECLINED if "Kan ikke" in reason else CandidateStatus.NOT_SUITABLE
        _move(_add(exploration, person, actor), actor, [(CandidateStatus.CONTACTED, 70, ""), (status, 66, reason)])
    _decide(
        case,
        actor,
        decided=60,
        starts=55,
        setting="foster_family",
        candidate=None,
        no_network_reason=(
            "Mormor og morbror er afsøgt: mormor kan ikke rumme barnets behov, og morbror er ikke egnet. "
            "Ingen andre i netværket kan tage barnet."
        ),
    )


def seed_placements(cases: list[Case], actors: dict[int, User]) -> int:
    """Returns the number of cases used (0 when the demo already has placements)."""
    if Exploration.objects.filter(case__in=cases).exists():
        return 0
    stories = ((_exploring, 21), (_placed_in_network, EXPLORED_FROM_DAYS), (_placed_outside, 75))
    chosen = _choose(cases, actors, [days for _build, days in stories])
    for case, (build, _days_needed) in zip(chosen, stories, strict=True):
        if case is not None:
            build(Case.objects.get(pk=case.pk), actors[case.pk])
    return sum(1 for case in chosen if case is not None)
