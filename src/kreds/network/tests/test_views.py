from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.consent.constants import Category
from kreds.consent.services import may_share
from kreds.network import selectors, services
from kreds.network.constants import ConsentGiverRole
from kreds.network.models import Sector

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def mapped(world):
    services.record_map_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Lise (mor)",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        given_on=datetime.date(2026, 1, 5),
    )
    return world


def _add_many(world, n, start=0):
    sectors = list(Sector.objects.filter(municipality=world.municipality))
    for i in range(start, start + n):
        services.add_person(
            actor=world.caseworker,
            case=world.case,
            data={"name": f"Person {i}", "relation": "ven", "sector": sectors[i % 5], "ring": 1 + i % 3},
        )


def test_add_person_by_form_then_it_is_on_map_and_list(mapped, client, login):
    login(mapped.caseworker)
    family = Sector.objects.get(municipality=mapped.municipality, key="family")
    response = client.post(
        reverse("network:person_add", args=[mapped.case.public_id]),
        {
            "name": "Inge",
            "relation": "mormor",
            "sector": family.pk,
            "ring": 1,
            "quality": "supportive",
            "safe_adult": "on",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("network:list", args=[mapped.case.public_id])).content.decode()
    assert "Inge" in html and "mormor" in html
    svg = client.get(reverse("network:svg", args=[mapped.case.public_id]))
    assert svg["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f".//{SVG}g[@class='node']")) == 1
    assert AuditEvent.objects.filter(action=Action.NETWORK_VIEW, actor=mapped.caseworker).exists()


def test_form_errors_keep_input(mapped, client, login):
    login(mapped.caseworker)
    response = client.post(
        reverse("network:person_add", args=[mapped.case.public_id]), {"name": "Inge", "relation": "", "ring": 1}
    )
    assert response.status_code == 200
    assert 'value="Inge"' in response.content.decode()


def test_no_person_before_map_consent(world, client, login):
    login(world.caseworker)
    response = client.get(reverse("network:person_add", args=[world.case.public_id]))
    assert response.status_code == 302 and response["Location"].endswith("/samtykke/")


def test_map_page_query_count_does_not_grow(mapped, client, login):
    login(mapped.caseworker)
    url = reverse("network:map", args=[mapped.case.public_id])
    _add_many(mapped, 10)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _add_many(mapped, 140, start=10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count('class="node"') == 150
    assert len(large.captured_queries) == len(small.captured_queries)
    for name in ("network:list", "network:svg"):
        assert client.get(reverse(name, args=[mapped.case.public_id])).status_code == 200


def test_keyboard_move_in_list(mapped, client, login):
    login(mapped.caseworker)
    _add_many(mapped, 1)
    person = selectors.persons_as_of(mapped.case)[0]
    client.post(
        reverse("network:person_move", args=[mapped.case.public_id, person.person.public_id]),
        {"ring": person.ring + 1, "version": person.pk},
    )
    assert selectors.persons_as_of(mapped.case)[0].ring == person.ring + 1


def test_drag_move_returns_svg_partial(mapped, client, login):
    login(mapped.caseworker)
    _add_many(mapped, 1)
    person = selectors.persons_as_of(mapped.case)[0]
    response = client.post(
        reverse("network:person_move", args=[mapped.case.public_id, person.person.public_id]),
        {"ring": 3, "sektor": "school", "version": person.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response.content.decode().lstrip().startswith("<svg")
    moved = selectors.persons_as_of(mapped.case)[0]
    assert (moved.ring, moved.sector.key) == (3, "school")


def test_sharing_consent_and_withdrawal_through_screens(mapped, client, login):
    login(mapped.caseworker)
    _add_many(mapped, 1)
    person = selectors.persons_as_of(mapped.case)[0].person
    url = reverse("network:consent", args=[mapped.case.public_id])
    response = client.post(
        url,
        {
            "form": "sharing",
            "given_by": "Lise",
            "role": "parent",
            "categories": ["minutes"],
            "recipients": [str(person.public_id)],
            "purpose": "Netværksmøde",
            "given_on": "2026-02-01",
        },
    )
    assert response.status_code == 302
    assert may_share(case=mapped.case, category=Category.MINUTES, person=person).allowed
    consent = mapped.case.sharing_consents.get()
    client.post(reverse("network:consent_withdraw", args=[mapped.case.public_id, consent.public_id]))
    assert not may_share(case=mapped.case, category=Category.MINUTES, person=person).allowed


def test_compare_page_and_case_panel(mapped, client, login):
    login(mapped.caseworker)
    _add_many(mapped, 3)
    response = client.get(
        reverse("network:compare", args=[mapped.case.public_id]), {"fra": "2020-01-01", "til": "2099-01-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<svg") >= 2 and 'id="changes"' in html
    overview = client.get(reverse("cases:detail", args=[mapped.case.public_id])).content.decode()
    assert 'id="panel-network"' in overview and "Person 0" not in overview


def test_layout_is_deterministic_and_cell_lookup_inverts_it(mapped):
    from kreds.network.layout import cell_for_point

    _add_many(mapped, 15)
    first = selectors.map_drawing(mapped.case)
    second = selectors.map_drawing(mapped.case)
    assert [(n.x, n.y) for n in first["nodes"]] == [(n.x, n.y) for n in second["nodes"]]
    keys = [s.key for s in first["sectors"]]
    for node in first["nodes"]:
        assert cell_for_point(node.x, node.y, keys) == (node.sector_key, node.ring)


def test_svg_is_valid_with_every_line_style_and_pdf_is_pdfa(mapped, client, login):
    login(mapped.caseworker)
    family = Sector.objects.get(municipality=mapped.municipality, key="family")
    people = [
        services.add_person(
            actor=mapped.caseworker,
            case=mapped.case,
            data={"name": f"P{q}", "relation": "x", "sector": family, "quality": q, "safe_adult": q == "supportive"},
        )
        for q in ("supportive", "ambivalent", "conflict", "broken")
    ]
    for other, kind in zip(people[1:], ("knows", "conflict", "broken"), strict=True):
        services.set_relation(actor=mapped.caseworker, first=people[0], second=other, kind=kind)
    root = ET.fromstring(client.get(reverse("network:svg", args=[mapped.case.public_id])).content)
    assert len(root.findall(f".//{SVG}g[@class='node']")) == 4
    drawn = [p.get("class") for p in root.iter(f"{SVG}path") if (p.get("class") or "").startswith("line-")]
    expected = ["line-supportive", "line-ambivalent", "line-conflict", "line-broken"]  # from the child
    expected += ["line-knows", "line-conflict", "line-broken"]  # between two persons
    assert sorted(drawn) == sorted(expected)
    # Numbers in SVG are never localised (a Danish decimal comma breaks the drawing).
    for element in root.iter():
        for attr in ("r", "x", "y", "x1", "y1", "x2", "y2"):
            if element.get(attr) is not None:
                float(element.get(attr))
    response = client.get(reverse("network:pdf", args=[mapped.case.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"pdfaid" in response.content
    assert AuditEvent.objects.filter(action=Action.NETWORK_VIEW, details__view="export_pdf").exists()


def test_compare_marks_changed_people_on_the_maps(mapped, client, login):
    login(mapped.caseworker)
    _add_many(mapped, 2)
    html = client.get(
        reverse("network:compare", args=[mapped.case.public_id]), {"fra": "2020-01-01", "til": "2099-01-01"}
    ).content.decode()
    assert html.count('stroke="#b35900"') == 2  # both joined: marked on the "to" map


def test_size_over_time_shows_sector_names(mapped, client, login):
    login(mapped.caseworker)
    _add_many(mapped, 1)
    html = client.get(reverse("network:compare", args=[mapped.case.public_id])).content.decode()
    assert "Familie: 1" in html and "family: 1" not in html
