"""A small world with two municipalities and every actor kind: the data most tests start from."""

# mypy: ignore-errors
# factory_boy has no type hints: a factory call is typed as the factory, not the model it builds.

from __future__ import annotations

from dataclasses import dataclass

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.tenancy.models import Municipality, Unit
from kreds.testing.factories import CaseFactory, MunicipalityFactory, UnitFactory, assign, staff


@dataclass
class World:
    municipality: Municipality
    authority: Unit
    family_centre: Unit
    other_municipality: Municipality
    caseworker: User  # assigned to `case`
    colleague: User  # caseworker in the same unit, not assigned
    practitioner: User  # family centre; `case` is referred there
    facilitator: User
    leader: User  # leads the authority unit
    administrator: User
    outsider: User  # caseworker in another municipality
    case: Case
    other_case: Case  # in the other municipality


def build_world() -> World:
    m = MunicipalityFactory(name="Eksempel Kommune", code="999")
    authority = UnitFactory(municipality=m, name="MyndighedsCenter")
    family_centre = UnitFactory(municipality=m, name="FamilieCenter", kind="family_centre")
    other = MunicipalityFactory(name="Nabo Kommune", code="998")
    other_unit = UnitFactory(municipality=other, name="Børn og Familie")
    caseworker = staff(authority, Role.CASEWORKER, username="caseworker")
    colleague = staff(authority, Role.CASEWORKER, username="colleague")
    practitioner = staff(family_centre, Role.PRACTITIONER, username="practitioner")
    facilitator = staff(family_centre, Role.FACILITATOR, username="facilitator")
    leader = staff(authority, Role.LEADER, username="leader")
    administrator = staff(authority, Role.ADMINISTRATOR, username="administrator")
    outsider = staff(other_unit, Role.CASEWORKER, username="outsider")
    case = CaseFactory(municipality=m, responsible_unit=authority, child__cpr="1403150123")
    assign(case, caseworker)
    case.referred_units.add(family_centre)
    other_case = CaseFactory(municipality=other, responsible_unit=other_unit)
    assign(other_case, outsider)
    return World(
        municipality=m,
        authority=authority,
        family_centre=family_centre,
        other_municipality=other,
        caseworker=caseworker,
        colleague=colleague,
        practitioner=practitioner,
        facilitator=facilitator,
        leader=leader,
        administrator=administrator,
        outsider=outsider,
        case=case,
        other_case=other_case,
    )
