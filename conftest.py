"""Shared fixtures: a small world with two municipalities and every actor kind."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.accounts.tests.factories import staff
from kreds.cases.models import Case
from kreds.cases.tests.factories import CaseFactory, assign
from kreds.tenancy.models import Municipality, Unit
from kreds.tenancy.tests.factories import MunicipalityFactory, UnitFactory


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


@pytest.fixture
def world(db) -> World:
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


@pytest.fixture
def login(client):
    """Log a user in with a verified second factor (as after TOTP)."""

    def _login(user: User):
        from tests.probe import login_staff

        login_staff(client, user)
        return client

    return _login
