"""Demo data: Eksempel Kommune with units, staff in every role and ~30 fictional children. Idempotent."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from kreds.accounts.constants import Role
from kreds.accounts.demo import DEMO_PASSWORD, STAFF
from kreds.accounts.models import Membership, User
from kreds.cases import services
from kreds.cases.constants import RiskOutcome
from kreds.cases.models import Case
from kreds.tenancy.models import Municipality, Unit, UnitKind

CLOSE_REASONS = ["Indsatsen er afsluttet, og barnets trivsel er stabil.", "Familien er fraflyttet kommunen."]


def fake_cpr(birth: datetime.date, rng: random.Random) -> str:
    return birth.strftime("%d%m%y") + f"{rng.randint(0, 9999):04d}"


class Command(BaseCommand):
    help = "Create the demo municipality, staff and fictional cases (safe to run again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--children", type=int, default=30)
        parser.add_argument("--seed", type=int, default=2026)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        municipality, _ = Municipality.objects.get_or_create(name="Eksempel Kommune", defaults={"code": "999"})
        units = {}
        for name, kind in (
            ("MyndighedsCenter", UnitKind.AUTHORITY),
            ("FamilieCenter", UnitKind.FAMILY_CENTRE),
            ("UngeCenter", UnitKind.YOUTH_CENTRE),
        ):
            units[name], _ = Unit.objects.get_or_create(municipality=municipality, name=name, defaults={"kind": kind})
        users: dict[str, User] = {}
        for username, first, last, roles in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    municipality=municipality,
                    email=f"{username}@eksempel.invalid",
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
            for unit_name, role in roles:
                Membership.objects.get_or_create(user=user, unit=units[unit_name], role=role)
            users[username] = user

        # A neighbouring municipality shows that tenants never see each other's data.
        other, _ = Municipality.objects.get_or_create(name="Nabo Kommune", defaults={"code": "998"})
        other_unit, _ = Unit.objects.get_or_create(
            municipality=other, name="Børn og Familie", defaults={"kind": UnitKind.AUTHORITY}
        )
        if not User.objects.filter(username="nabo").exists():
            nabo = User(username="nabo", first_name="Nina", last_name="Nabo", municipality=other)
            nabo.set_password(DEMO_PASSWORD)
            nabo.save()
            Membership.objects.create(user=nabo, unit=other_unit, role=Role.CASEWORKER)

        if Case.objects.filter(municipality=municipality).exists():
            self.stdout.write("Demo cases already exist; nothing more to do.")
            self._print_logins()
            return

        rng = random.Random(options["seed"])
        fake = Faker("da_DK")
        fake.seed_instance(options["seed"])
        today = timezone.localdate()
        caseworkers = [users["raadgiver"], users["raadgiver2"]]
        cases: list[Case] = []
        for i in range(options["children"]):
            age_days = rng.randint(200, 17 * 365)
            birth = today - datetime.timedelta(days=age_days)
            youth = age_days > 14 * 365
            actor = users["ungeraadgiver"] if youth else caseworkers[i % 2]
            unit = units["UngeCenter"] if youth else units["MyndighedsCenter"]
            opened = today - datetime.timedelta(days=rng.randint(3, 900))
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
        a, b = cases[0], cases[2]
        services.link_siblings(actor=caseworkers[0], child=a.child, sibling=b.child)
        # A case shared by two caseworkers.
        services.assign_caseworker(actor=users["leder"], case=cases[6], user=caseworkers[1])
        from kreds.network.demo import seed_maps

        owners = {c.pk: c.assignments.select_related("user").first().user for c in cases}  # type: ignore[union-attr]
        maps = seed_maps([Case.objects.get(pk=c.pk) for c in cases], owners, options["seed"])
        from kreds.meetings.demo import seed_meetings

        meetings = seed_meetings(municipality, [Case.objects.get(pk=c.pk) for c in cases], owners, options["seed"])
        from kreds.conferences.demo import seed_conferences

        conferences = seed_conferences(municipality, [Case.objects.get(pk=c.pk) for c in cases], owners)
        from kreds.plans.demo import seed_casework

        seed_casework([Case.objects.get(pk=c.pk) for c in cases], owners)
        from kreds.meetings.demo import seed_history

        meetings += seed_history(municipality, [Case.objects.get(pk=c.pk) for c in cases], owners, options["seed"])
        from kreds.placements.demo import seed_placements

        placements = seed_placements([Case.objects.get(pk=c.pk) for c in cases], owners)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {len(cases)} demo cases, {maps} network maps, {meetings} network meetings, "
                f"{conferences} family group conferences and {placements} cases considering or in placement."
            )
        )
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username, first, last, roles in STAFF:
            role_text = ", ".join(f"{r.label} i {u}" for u, r in roles)
            self.stdout.write(f"  {username:<14} {first} {last} – {role_text}")
        self.stdout.write(f"  {'nabo':<14} Nina Nabo – sagsbehandler i Nabo Kommune (ser intet fra Eksempel Kommune)")
