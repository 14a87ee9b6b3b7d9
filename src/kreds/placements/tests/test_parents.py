"""A network placement is away from the parents (issue 14 §9, DOMAIN §10): a parent is never proposed, never added
and never chosen as a candidate, whether the map says "mor" or staff marked the person as a parent at a meeting."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kreds.core.exceptions import KredsError
from kreds.meetings import services as meetings
from kreds.network import kinship
from kreds.network import services as network
from kreds.network.models import Sector
from kreds.placements import selectors, services
from kreds.placements.constants import CandidateStatus
from kreds.placements.models import Candidate
from kreds.testing.meetings import network_for, planned_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def exploration(world):
    network_for(world.case, world.caseworker)
    return services.start_exploration(
        actor=world.caseworker, case=world.case, started_on=timezone.localdate(), why="Mor er syg"
    )


def _add(world, name: str, relation: str):
    family = Sector.objects.get(municipality=world.municipality, key="family")
    return network.add_person(
        actor=world.caseworker, case=world.case, data={"name": name, "relation": relation, "sector": family, "ring": 1}
    )


def test_the_mother_is_never_suggested_nor_added(world, exploration):
    mother = world.case.network_map.persons.get(versions__name="Sara Mor")
    names = [s.version.name for s in selectors.suggestions(world.case, exploration)]
    assert "Sara Mor" not in names and "Inge Mormor" in names
    with pytest.raises(KredsError, match="parent"):
        services.add_candidate(actor=world.caseworker, exploration=exploration, person=mother)
    assert not Candidate.objects.exists()


@pytest.mark.parametrize("relation", ["far", "Far (forældremyndighed)", "forælder", "mother", "medmor"])
def test_every_way_of_writing_a_parent_is_a_parent(world, exploration, relation):
    person = _add(world, "Kim Forælder", relation)
    with pytest.raises(KredsError, match="parent"):
        services.add_candidate(actor=world.caseworker, exploration=exploration, person=person)


@pytest.mark.parametrize("relation", ["mormor", "stedfar", "plejemor", "vens mor", "farbror"])
def test_grandparents_step_and_foster_parents_are_network(world, exploration, relation):
    person = _add(world, "Kim Slægt", relation)
    assert services.add_candidate(actor=world.caseworker, exploration=exploration, person=person)


def test_a_person_marked_as_parent_at_a_meeting_is_a_parent(world, exploration):
    dad = _add(world, "Bo Hansen", "Bo")  # the relation does not say it; the meeting does
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    meetings.add_participants(actor=world.caseworker, meeting=setup.meeting, persons=[dad], parents=[dad])
    assert "Bo Hansen" not in [s.version.name for s in selectors.suggestions(world.case, exploration)]
    with pytest.raises(KredsError, match="parent"):
        services.add_candidate(actor=world.caseworker, exploration=exploration, person=dad)


def test_a_parent_candidate_from_before_cannot_be_chosen(world, exploration):
    mother = world.case.network_map.persons.get(versions__name="Sara Mor")
    today = timezone.localdate()
    old = Candidate.objects.create(
        exploration=exploration,
        person=mother,
        status=CandidateStatus.APPROVED,
        status_on=today,
        approved_on=today,
        added_by=world.caseworker,
    )
    with pytest.raises(KredsError, match="parent"):
        services.decide(
            actor=world.caseworker,
            case=world.case,
            decided_on=today,
            starts_on=today,
            setting="network",
            in_network=True,
            candidate=old,
            no_network_reason="",
        )


def test_posting_the_mother_shows_the_refusal(world, exploration, client, login):
    mother = world.case.network_map.persons.get(versions__name="Sara Mor")
    login(world.caseworker)
    response = client.post(
        reverse("placements:add_candidate", args=[world.case.public_id]), {"person": str(mother.public_id)}, follow=True
    )
    assert response.status_code == 200
    assert "is the child&#x27;s parent" in response.content.decode().replace("'", "&#x27;")
    assert not Candidate.objects.exists()


def test_meetings_make_a_mother_a_parent_even_unmarked(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    grandmother = world.case.network_map.persons.get(versions__name="Inge Mormor")
    mother = _add(world, "Eva Mor", "mor")
    meetings.add_participants(actor=world.caseworker, meeting=setup.meeting, persons=[mother, grandmother])
    roles = {p.name: p.role for p in setup.meeting.participants.all()}
    assert roles["Eva Mor"] == kinship.PARENT and roles["Inge Mormor"] == "private"
