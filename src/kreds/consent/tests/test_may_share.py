from __future__ import annotations

import datetime

import pytest

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.cases import services as case_services
from kreds.cases.constants import RiskOutcome
from kreds.consent.constants import Category
from kreds.consent.services import give_consent, may_share, withdraw_consent
from kreds.core.exceptions import KredsError
from kreds.network import services as network
from kreds.network.constants import ConsentGiverRole
from kreds.network.models import Sector


@pytest.fixture
def people(world):
    network.ensure_default_sectors(world.municipality)
    network.record_map_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Mor",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        given_on=datetime.date(2026, 1, 10),
    )
    family = Sector.objects.get(municipality=world.municipality, key="family")
    professionals = Sector.objects.get(municipality=world.municipality, key="professionals")
    add = network.add_person
    mormor = add(actor=world.caseworker, case=world.case, data={"name": "Inge", "relation": "mormor", "sector": family})
    onkel = add(actor=world.caseworker, case=world.case, data={"name": "Ole", "relation": "onkel", "sector": family})
    teacher = add(
        actor=world.caseworker,
        case=world.case,
        data={"name": "Lærer Hansen", "relation": "klasselærer", "sector": professionals, "is_professional": True},
    )
    return mormor, onkel, teacher


def _give(world, recipients, categories=(Category.MINUTES,)):
    return give_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Mor",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        categories=categories,
        recipients=recipients,
        purpose="Netværksmøde",
        given_on=datetime.date(2026, 1, 10),
    )


def test_private_member_needs_consent_for_that_category(world, people):
    mormor, onkel, _ = people
    decision = may_share(case=world.case, category=Category.MINUTES, person=mormor)
    assert not decision.allowed and "Inge" in decision.reason
    _give(world, [mormor])
    assert may_share(case=world.case, category=Category.MINUTES, person=mormor).allowed
    assert not may_share(case=world.case, category=Category.AGREEMENTS, person=mormor).allowed
    assert not may_share(case=world.case, category=Category.MINUTES, person=onkel).allowed
    assert AuditEvent.objects.filter(action=Action.CONSENT_GIVEN).exists()


def test_withdrawal_takes_effect_at_once(world, people):
    mormor = people[0]
    consent = _give(world, [mormor])
    assert may_share(case=world.case, category=Category.MINUTES, person=mormor).allowed
    withdraw_consent(actor=world.caseworker, consent=consent)
    assert not may_share(case=world.case, category=Category.MINUTES, person=mormor).allowed
    with pytest.raises(KredsError):
        withdraw_consent(actor=world.caseworker, consent=consent)


def test_professionals_follow_the_law_not_consent(world, people):
    teacher = people[2]
    decision = may_share(case=world.case, category=Category.MINUTES, person=teacher)
    assert decision.allowed and decision.reason


def test_safety_gate_blocks_all_sharing(world, people):
    mormor, _, teacher = people
    _give(world, [mormor])
    case_services.set_safety_concern(actor=world.caseworker, case=world.case, concern=True)
    for person in (mormor, teacher):
        decision = may_share(case=world.case, category=Category.MINUTES, person=person)
        assert not decision.allowed and "18" in decision.reason
    case_services.record_risk_assessment(
        actor=world.caseworker,
        case=world.case,
        assessed_on=datetime.date(2026, 2, 1),
        summary="Ok",
        outcome=RiskOutcome.PROCEED,
    )
    assert may_share(case=world.case, category=Category.MINUTES, person=mormor).allowed


def test_removed_person_gets_nothing(world, people):
    mormor = people[0]
    _give(world, [mormor])
    network.remove_person(actor=world.caseworker, person=mormor, expected_version=network.current_version(mormor).pk)
    assert not may_share(case=world.case, category=Category.MINUTES, person=mormor).allowed


def test_consent_validation(world, people):
    with pytest.raises(KredsError):
        _give(world, [], categories=[Category.MINUTES])
    with pytest.raises(KredsError):
        _give(world, [people[0]], categories=[])
