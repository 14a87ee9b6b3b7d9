"""Who does what tags each person as who they are to the child (issue 14 §9): the child, a parent, the network or
a professional, from every source, on the page and in the PDF. Parents and the child were tagged "network"."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kreds.meetings.models import Agreement, Participant
from kreds.network import services as network
from kreds.network.models import Sector
from kreds.plans import selectors, services
from kreds.safety import services as safety
from kreds.testing.meetings import held_meeting

pytestmark = pytest.mark.django_db


def _agreement(meeting, participant, what):
    return Agreement.objects.create(
        case=meeting.case,
        meeting=meeting,
        responsible=participant,
        responsible_name=participant.name,
        person_id=participant.person_id,
        what=what,
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        created_by=meeting.created_by,
    )


def test_every_source_tags_the_child_parents_network_and_professionals(world, client, login):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)  # the grandmother holds an agreement
    meeting = setup.meeting
    parts = setup.participants
    _agreement(meeting, parts["mor"], "Mor: madpakke")
    _agreement(meeting, parts["child"], "Barnet: cykler selv")
    _agreement(meeting, parts["klasselærer"], "Læreren: lektiecafé")
    family = Sector.objects.get(municipality=world.municipality, key="family")
    father = network.add_person(
        actor=world.caseworker, case=world.case, data={"name": "Bo Far", "relation": "far", "sector": family}
    )
    # An older participant row: the father added as private network before the role followed the relation.
    unmarked = Participant.objects.create(meeting=meeting, person=father, role="private", name="Bo Far")
    _agreement(meeting, unmarked, "Far: henter fredag")
    safety.add_rule(actor=world.caseworker, case=world.case, rule="Mor ringer til mormor", responsible=setup.mother)
    services.save_plan(actor=world.caseworker, case=world.case, decided_on=timezone.localdate(), purpose="")
    goal = services.add_goal(actor=world.caseworker, case=world.case, area="school", text="Skole hver dag")
    services.add_contribution(actor=world.caseworker, goal=goal, what="Mor: lektier", person=setup.mother)
    services.add_contribution(actor=world.caseworker, goal=goal, what="Rikke: møde", responsible_name="Rikke")

    kin = {t.what: t.kin for t in selectors.tasks(world.case)}
    assert kin == {
        "Henter Emma fra skole om tirsdagen": "network",
        "Mor: madpakke": "parent",
        "Barnet: cykler selv": "child",
        "Læreren: lektiecafé": "professional",
        "Far: henter fredag": "parent",
        "Mor ringer til mormor": "parent",
        "Mor: lektier": "parent",
        "Rikke: møde": "professional",
    }
    plan = selectors.plan(world.case)
    assert {c.what: c.kin for g in plan.goals.all() for c in g.contributions.all()} == {
        "Mor: lektier": "parent",
        "Rikke: møde": "professional",
    }

    login(world.caseworker)
    html = client.get(reverse("plans:tasks", args=[world.case.public_id]) + "?status=").content.decode()
    assert 'Sara Mor <span class="badge">parent</span>' in html
    assert 'Inge Mormor <span class="badge badge-info">network</span>' in html
    assert 'Sara Mor <span class="badge badge-info">network</span>' not in html
    plan_html = client.get(reverse("plans:plan", args=[world.case.public_id])).content.decode()
    assert 'Sara Mor <span class="badge">parent</span>' in plan_html
