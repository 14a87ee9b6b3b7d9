"""The 27 server errors of the outside probe (issue 13 §6), one request each: every one is now a page, a message
on the form, or a 404. tests/test_hostile_input.py and tests/test_crawler.py find the next ones; these pin the ones
that were found, so the report can be read against the code."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from kreds.network.models import NetworkPerson
from kreds.testing.factories import CaseFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(world):
    from kreds.testing.meetings import network_for

    world.people = network_for(world.case, world.caseworker)
    return world


def test_the_sibling_page_works_with_journal_numbers(world, client, login):
    other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority, external_ref="27.12.00-G01")
    assign(other, world.caseworker)
    login(world.caseworker)
    response = client.get(reverse("cases:siblings", args=[world.case.public_id]))
    assert response.status_code == 200 and "27.12.00-G01" in response.content.decode()


@pytest.mark.parametrize("other", [None, "", "abc", "00000000-0000-0000-0000-000000000000"])
def test_the_relation_form_without_or_with_an_invalid_other(mapped, client, login, other):
    login(mapped.caseworker)
    person = mapped.people["grandmother"]
    data = {"kind": "knows"} | ({} if other is None else {"other": other})
    response = client.post(reverse("network:relation_set", args=[mapped.case.public_id, person.public_id]), data)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Vælg den person på kortet, relationen er til."]


def test_removing_a_person_with_a_version_that_is_not_a_number(mapped, client, login):
    login(mapped.caseworker)
    person = mapped.people["grandmother"]
    url = reverse("network:person_remove", args=[mapped.case.public_id, person.public_id])
    response = client.post(url, {"version": "abc"})
    assert response.status_code == 302
    assert NetworkPerson.objects.filter(pk=person.pk).exists()
    assert any("ændret" in str(m) or "version" in str(m).lower() for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("person", [None, "", "abc", "00000000-0000-0000-0000-000000000000"])
def test_the_candidate_form_without_or_with_an_invalid_person(mapped, client, login, person):
    from kreds.placements import services as placements

    placements.start_exploration(
        actor=mapped.caseworker, case=mapped.case, started_on=timezone.localdate(), why="Mor er syg"
    )
    login(mapped.caseworker)
    data = {} if person is None else {"person": person}
    response = client.post(reverse("placements:add_candidate", args=[mapped.case.public_id]), data)
    assert response.status_code == 302
    assert "Vælg en person fra barnets netværkskort." in [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("query", ["on=0001-01-01", "on=9999-12-31", "period=custom&start=0001-01-01&end=9999-12-31"])
def test_leader_pages_with_out_of_range_dates(world, client, login, query):
    login(world.leader)
    unit = reverse("insights:unit", args=[world.authority.public_id])
    figure = reverse("insights:figure", args=[world.authority.public_id, "coverage"])
    assert client.get(f"{unit}?{query}").status_code == 200
    assert client.get(f"{figure}?{query}").status_code == 200


def test_the_drill_down_with_a_caseworker_that_is_not_an_id(world, client, login):
    login(world.leader)
    figure = reverse("insights:figure", args=[world.authority.public_id, "coverage"])
    assert client.get(f"{figure}?raadgiver=abc").status_code == 404


def test_a_control_character_in_a_name_is_refused_on_the_form_and_kept_out_of_the_map(mapped, client, login):
    from django.db.models import QuerySet

    from kreds.network.models import NetworkPersonVersion

    login(mapped.caseworker)
    person = mapped.people["grandmother"]
    edit = reverse("network:person_edit", args=[mapped.case.public_id, person.public_id])
    form = client.get(edit).context["form"]
    data = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in form.initial.items()}
    response = client.post(edit, {**data, "name": "Inge\x0bHansen"})
    assert response.status_code == 200 and "usynligt styretegn" in response.content.decode()
    # Stored anyway (an import, an older version): the SVG is well-formed XML and the PDF and archive render.
    QuerySet(model=NetworkPersonVersion).filter(person=person).update(name="Inge\x0b\x1bHansen")
    import xml.etree.ElementTree as ET

    svg = client.get(reverse("network:svg", args=[mapped.case.public_id]))
    ET.fromstring(svg.content)
    assert client.get(reverse("network:pdf", args=[mapped.case.public_id])).content.startswith(b"%PDF")


def test_a_line_break_in_the_childs_first_name_does_not_stop_the_invitation(world, client, login, mailoutbox):
    from django.db.models import QuerySet

    from kreds.cases.models import Child
    from kreds.meetings import services as meetings
    from kreds.outbox.models import Outbox
    from kreds.outbox.tasks import send_outbox
    from kreds.testing.meetings import planned_meeting

    QuerySet(model=Child).filter(pk=world.case.child.pk).update(first_name="Li\nne")
    world.case.child.refresh_from_db()
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    assert meetings.send_invitations(actor=world.caseworker, meeting=setup.meeting).emails > 0
    results = {send_outbox.call(row.pk) for row in Outbox.objects.filter(meeting=setup.meeting)}
    assert "failed" not in results and mailoutbox
    assert all("\n" not in m.subject for m in mailoutbox) and any("Li ne" in m.subject for m in mailoutbox)
    login(world.caseworker)  # and the meeting page shows no raw error
    html = client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).content.decode()
    assert "ValueError" not in html and "Ikke sendt" not in html
