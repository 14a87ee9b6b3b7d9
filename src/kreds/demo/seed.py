"""The whole demo: Eksempel Kommune with units, staff in every role and ~30 fictional children, then every app's
demo data on their cases. Idempotent: a municipality that already has cases gets nothing more."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone
from faker import Faker

from kreds.accounts.constants import Role
from kreds.accounts.demo import DEMO_PASSWORD, STAFF
from kreds.accounts.models import Membership, User
from kreds.cases import services
from kreds.cases.constants import RiskOutcome
from kreds.cases.models import Case
from kreds.demo.casework import seed_casework
from kreds.demo.conferences import seed_conferences
from kreds.demo.meetings import seed_history, seed_meetings
from kreds.demo.network import seed_maps
from kreds.demo.placements import seed_placements
from kreds.demo.protection import seed_protection, seed_restricted
from kreds.demo.sign_on import seed_sign_on
from kreds.tenancy.models import Municipality, Unit, UnitKind

UNITS = (
    ("MyndighedsCenter", UnitKind.AUTHORITY),
    ("FamilieCenter", UnitKind.FAMILY_CENTRE),
    ("UngeCenter", UnitKind.YOUTH_CENTRE),
)
# The youngest age at which a demo child's case opens (days after birth).
FIRST_WORRY_DAYS = 30
CLOSE_REASONS = ["Indsatsen er afsluttet, og barnets trivsel er stabil.", "Familien er fraflyttet kommunen."]


@dataclass(frozen=True)
class Seeded:
    cases: int
    maps: int
    meetings: int
    conferences: int
    placements: int
    # The crisis-centre case (issue 18): its journal number and the caseworker who sees the protected address.
    protected: str = ""
    # The restricted case (issue 18): its journal number and who is named on it.
    restricted: str = ""


def fake_cpr(birth: datetime.date, rng: random.Random) -> str:
    return birth.strftime("%d%m%y") + f"{rng.randint(0, 9999):04d}"


def _user(username: str, first: str, last: str, municipality: Municipality, email: str = "") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last, municipality=municipality, email=email)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _staff(municipality: Municipality) -> tuple[dict[str, Unit], dict[str, User]]:
    """The demo municipality's units and staff, and a neighbouring municipality's caseworker (``nabo``), who shows
    that tenants never see each other's data."""
    units = {}
    for name, kind in UNITS:
        units[name], _ = Unit.objects.get_or_create(municipality=municipality, name=name, defaults={"kind": kind})
    users: dict[str, User] = {}
    for username, first, last, roles in STAFF:
        user = _user(username, first, last, municipality, email=f"{username}@eksempel.invalid")
        for unit_name, role in roles:
            Membership.objects.get_or_create(user=user, unit=units[unit_name], role=role)
        users[username] = user
    other, _ = Municipality.objects.get_or_create(name="Nabo Kommune", defaults={"code": "998"})
    other_unit, _ = Unit.objects.get_or_create(
        municipality=other, name="Børn og Familie", defaults={"kind": UnitKind.AUTHORITY}
    )
    if not User.objects.filter(username="nabo").exists():
        nabo = _user("nabo", "Nina", "Nabo", other)
        Membership.objects.create(user=nabo, unit=other_unit, role=Role.CASEWORKER)
    return units, users


def _cases(units: dict[str, Unit], users: dict[str, User], children: int, seed: int) -> list[Case]:
    """Fictional children (Faker da_DK) with cases in every unit: some referred to the family centre, some closed."""
    rng = random.Random(seed)
    fake = Faker("da_DK")
    fake.seed_instance(seed)
    today = timezone.localdate()
    caseworkers = [users["raadgiver"], users["raadgiver2"]]
    cases: list[Case] = []
    for i in range(children):
        age_days = rng.randint(200, 17 * 365)
        birth = today - datetime.timedelta(days=age_days)
        youth = age_days > 14 * 365
        actor = users["ungeraadgiver"] if youth else caseworkers[i % 2]
        unit = units["UngeCenter"] if youth else units["MyndighedsCenter"]
        opened = today - datetime.timedelta(days=rng.randint(3, 900))
        # A case opens after the child is born: a worry about a baby comes in its first weeks at the earliest.
        opened = max(opened, birth + datetime.timedelta(days=FIRST_WORRY_DAYS))
        last_name = fake.last_name()
        case = services.create_case(
            actor=actor,
            child_data={
                "first_name": fake.first_name_female() if i % 2 else fake.first_name_male(),
                "last_name": last_name,
                "birth_date": birth,
                "gender": "girl" if i % 2 else "boy",
                "address": f"{fake.street_address()}, {fake.postcode()} {fake.city()}",
                "languages": rng.choice(["dansk", "dansk", "dansk", "dansk, arabisk", "dansk, somali"]),
                "interpreter_needed": i % 9 == 4,
            },
            case_data={
                "external_ref": f"27.12.00-G01-{1000 + i}-{opened.year % 100:02d}",
                "opened_on": opened,
                "responsible_unit": unit,
                "basis_afdaekning": i % 5 == 0,
                "basis_investigation": i % 3 == 0,
                "basis_support": i % 2 == 0,
                "basis_placement": i % 11 == 3,
            },
            cpr=fake_cpr(birth, rng) if i % 6 else None,
        )
        cases.append(case)
        if i % 4 == 1:
            services.refer_case(actor=actor, case=case, unit=units["FamilieCenter"])
        if i % 10 == 7:
            services.close_case(
                actor=actor,
                case=case,
                reason=CLOSE_REASONS[i % 2],
                closed_on=min(today, opened + datetime.timedelta(days=300)),
            )
    # § 18 stk. 3: one case with the gate open, one where an assessment allows involvement.
    services.set_safety_concern(actor=caseworkers[0], case=cases[2], concern=True)
    services.set_safety_concern(actor=caseworkers[0], case=cases[4], concern=True)
    services.record_risk_assessment(
        actor=caseworkers[0],
        case=cases[4],
        assessed_on=today - datetime.timedelta(days=20),
        summary="Samtale med barnet og SSP. Ingen tegn på æresrelateret kontrol i den nære familie.",
        outcome=RiskOutcome.PROCEED_WITH_LIMITS,
        limits="Farbroderen inviteres ikke, før barnet selv ønsker det.",
    )
    # Siblings share a last name.
    services.link_siblings(actor=caseworkers[0], child=cases[0].child, sibling=cases[2].child)
    # A case shared by two caseworkers.
    services.assign_caseworker(actor=users["leder"], case=cases[6], user=caseworkers[1])
    return cases


def seed(*, children: int, seed: int) -> Seeded | None:
    """Create the demo; None when the demo municipality already has cases (only missing staff are added then).

    Run inside a transaction: the meetings' messages are queued for the worker on commit."""
    municipality, _ = Municipality.objects.get_or_create(name="Eksempel Kommune", defaults={"code": "999"})
    units, users = _staff(municipality)
    seed_sign_on(municipality, units, users["admin"])
    if Case.objects.filter(municipality=municipality).exists():
        return None
    cases = _cases(units, users, children, seed)
    owners = {c.pk: c.assignments.select_related("user").first().user for c in cases}  # type: ignore[union-attr]

    def fresh() -> list[Case]:
        """The cases as they are now (each app's demo changes them; the builders read their current state)."""
        return [Case.objects.get(pk=c.pk) for c in cases]

    maps = seed_maps(fresh(), owners, seed)
    meetings = seed_meetings(municipality, fresh(), owners, seed)
    conferences = seed_conferences(municipality, fresh(), owners)
    seed_casework(fresh(), owners)
    meetings += seed_history(municipality, fresh(), owners, seed)
    placements = seed_placements(fresh(), owners)
    protected = seed_protection(fresh(), owners)
    restricted = seed_restricted(fresh(), owners, besides=protected)
    hint = ""
    if protected is not None:
        hint = f"{protected.external_ref} ({protected.child.first_name}), {owners[protected.pk].username}"
    closed_off = f"{restricted.external_ref}, named: raadgiver2" if restricted else ""
    return Seeded(len(cases), maps, meetings, conferences, placements, hint, closed_off)
