from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.network import selectors, services
from kreds.network.constants import ConsentGiverRole, Quality, RelationKind
from kreds.network.models import NetworkPersonVersion, Sector

T0 = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)


def _sector(world, key="family") -> Sector:
    services.ensure_default_sectors(world.municipality)
    return Sector.objects.get(municipality=world.municipality, key=key)


def _consent(world):
    services.record_map_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Mor, Lise Holm",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        given_on=datetime.date(2026, 2, 27),
    )


def _add(world, name, at=T0, **extra):
    data = {"name": name, "relation": "mormor", "sector": _sector(world), "ring": 1, **extra}
    return services.add_person(actor=world.caseworker, case=world.case, data=data, at=at)


def test_five_default_sectors(world):
    sectors = services.ensure_default_sectors(world.municipality)
    assert [s.key for s in sectors] == ["family", "relatives", "friends", "school", "professionals"]
    assert services.ensure_default_sectors(world.municipality) == sectors  # idempotent


def test_consent_before_first_person(world):
    with pytest.raises(KredsError):
        _add(world, "Inge")
    _consent(world)
    person = _add(world, "Inge")
    assert AuditEvent.objects.filter(action=Action.NETWORK_CONSENT).exists()
    assert AuditEvent.objects.filter(action=Action.NETWORK_PERSON_ADD, object_id=str(world.case.public_id)).exists()
    assert [v.name for v in selectors.persons_as_of(world.case)] == ["Inge"]
    assert person.versions.get().changed_by_unit == world.authority  # part 1: the authority


def test_history_as_of_and_compare(world):
    _consent(world)
    inge = _add(world, "Inge")
    ole = _add(world, "Ole", at=T0 + datetime.timedelta(days=1), ring=2)
    t1 = T0 + datetime.timedelta(days=10)
    services.move_person(
        actor=world.caseworker,
        person=ole,
        expected_version=ole.versions.get().pk,
        ring=1,
        sector=_sector(world, "friends"),
    )
    services.update_person(
        actor=world.caseworker,
        person=inge,
        expected_version=inge.versions.get().pk,
        data={"quality": Quality.CONFLICT},
    )
    services.remove_person(actor=world.caseworker, person=inge, expected_version=services.current_version(inge).pk)
    now = timezone.now()
    assert [v.name for v in selectors.persons_as_of(world.case, T0)] == ["Inge"]
    assert {v.name for v in selectors.persons_as_of(world.case, t1)} == {"Inge", "Ole"}
    assert [v.name for v in selectors.persons_as_of(world.case, now)] == ["Ole"]
    changes = {(c.kind, c.name) for c in selectors.compare(world.case, t1, now)}
    assert changes == {("left", "Inge"), ("closer", "Ole"), ("sector", "Ole")}
    joined = {(c.kind, c.name) for c in selectors.compare(world.case, T0 - datetime.timedelta(days=1), t1)}
    assert joined == {("joined", "Inge"), ("joined", "Ole")}
    sizes = selectors.size_per_sector_over_time(world.case)
    assert sizes[0][1] == {"family": 1}
    assert sizes[-1][1] == {"friends": 1}


def test_stale_edit_is_refused(world):
    _consent(world)
    inge = _add(world, "Inge")
    first = inge.versions.get().pk
    services.update_person(actor=world.caseworker, person=inge, expected_version=first, data={"ring": 2})
    with pytest.raises(StaleEdit):
        services.update_person(actor=world.leader, person=inge, expected_version=first, data={"ring": 3})
    assert services.current_version(inge).ring == 2


def test_validation(world):
    _consent(world)
    with pytest.raises(KredsError):
        _add(world, "Inge", ring=4)
    with pytest.raises(KredsError):
        _add(world, " ")
    with pytest.raises(KredsError):
        _add(world, "Inge", resource_tags=["nonsense"])
    foreign = Sector.objects.create(municipality=world.other_municipality, key="family", name="Familie")
    with pytest.raises(KredsError):
        _add(world, "Inge", sector=foreign)


def test_practitioner_continues_the_same_map_part_2(world):
    _consent(world)
    inge = _add(world, "Inge")
    services.update_person(
        actor=world.practitioner, person=inge, expected_version=inge.versions.get().pk, data={"ring": 2}
    )
    latest = services.current_version(inge)
    assert latest.changed_by == world.practitioner and latest.changed_by_unit == world.family_centre


def test_relations_over_time(world):
    _consent(world)
    inge, ole = _add(world, "Inge"), _add(world, "Ole")
    services.set_relation(actor=world.caseworker, first=ole, second=inge, kind=RelationKind.CONFLICT, at=T0)
    services.set_relation(actor=world.caseworker, first=inge, second=ole, kind=RelationKind.CONFLICT)  # no-op
    assert [r.kind for r in selectors.relations_as_of(world.case)] == [RelationKind.CONFLICT]
    services.set_relation(actor=world.caseworker, first=inge, second=ole, kind=None)
    assert selectors.relations_as_of(world.case) == []
    assert [r.kind for r in selectors.relations_as_of(world.case, T0 + datetime.timedelta(hours=1))] == ["conflict"]
    with pytest.raises(KredsError):
        services.set_relation(actor=world.caseworker, first=inge, second=inge, kind=RelationKind.KNOWS)


def test_as_of_query_count_does_not_grow(world):
    _consent(world)
    for i in range(10):
        _add(world, f"Person {i}")
    with CaptureQueriesContext(connection) as small:
        [v.sector.name for v in selectors.persons_as_of(world.case)]
    for i in range(140):
        _add(world, f"Flere {i}")
    with CaptureQueriesContext(connection) as large:
        persons = selectors.persons_as_of(world.case)
        [v.sector.name for v in persons]
    assert len(persons) == 150
    assert len(large.captured_queries) == len(small.captured_queries) == 1
    assert NetworkPersonVersion.objects.count() == 150


def test_sectors_are_configurable_with_visible_colours(world):
    sectors = services.ensure_default_sectors(world.municipality)
    new = services.save_sector(
        actor=world.administrator,
        municipality=world.municipality,
        name="Fritid",
        colour="#1A1A1A",
        order=9,
        active=True,
        is_professional=False,
    )
    assert new.key == "fritid" and new.colour == "#1a1a1a"
    with pytest.raises(KredsError):
        services.save_sector(
            actor=world.administrator,
            municipality=world.municipality,
            name="Lys",
            colour="#ffff00",
            order=1,
            active=True,
            is_professional=False,
        )
    _consent(world)
    _add(world, "Inge")
    with pytest.raises(KredsError):  # in use: cannot be taken out of use
        services.save_sector(
            actor=world.administrator,
            municipality=world.municipality,
            name="Familie",
            colour=sectors[0].colour,
            order=0,
            active=False,
            is_professional=False,
            sector=sectors[0],
        )
    assert AuditEvent.objects.filter(action=Action.SETTINGS_CHANGE).exists()
