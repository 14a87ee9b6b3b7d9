"""Field trial findings (issue 14 §8): the list keeps its place after a move, shows resources and contact details
as they are, the consent list says whom and what each consent covers, and a person's page shows their consent."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from kreds.consent.constants import Category
from kreds.consent.services import give_consent, withdraw_consent
from kreds.network import pdf, services
from kreds.network.constants import ConsentGiverRole, ResourceTag
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


def _add(world, name, *, sector="family", ring=2, **data):
    family = Sector.objects.get(municipality=world.municipality, key=sector)
    return services.add_person(
        actor=world.caseworker,
        case=world.case,
        data={"name": name, "relation": "moster", "sector": family, "ring": ring, **data},
    )


def _row(html: str, person) -> str:
    match = re.search(rf'<tr id="person-{person.public_id}".*?</tr>', html, re.S)
    assert match, f"no row for {person.public_id}"
    return match.group(0)


def _da(text) -> str:
    """A UI text as the (Danish) page shows it: a lazy label or an English msgid."""
    with translation.override("da"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def test_moving_in_the_list_returns_to_the_person_and_says_where_they_are(mapped, client, login):
    login(mapped.caseworker)
    _add(mapped, "Anna", ring=1)
    inge = _add(mapped, "Inge", ring=2)
    version = services.current_version(inge)
    response = client.post(
        reverse("network:person_move", args=[mapped.case.public_id, inge.public_id]),
        {"ring": 3, "version": version.pk, "liste": "sorter=naerhed&sektor=family&next=//evil.example"},
    )
    list_url = reverse("network:list", args=[mapped.case.public_id])
    # Back to the same filtered list, at the moved person (no other parameter is carried over).
    assert response.status_code == 302
    assert response["Location"] == f"{list_url}?sektor=family&sorter=naerhed#person-{inge.public_id}"
    html = client.get(response["Location"]).content.decode()
    row = _row(html, inge)
    assert 'tabindex="-1"' in row and "kreds-moved" in row  # a focusable target for the anchor
    note = re.search(r"<p[^>]*data-moved-note[^>]*>(.*?)</p>", row, re.S)
    assert note and "Inge" in note.group(1) and "3" in note.group(1)
    assert re.search(r'<p id="move-status"[^>]*role="status"', html)  # the region the page script speaks in
    # The note is said once: the next visit to the list is quiet.
    assert "data-moved-note" not in client.get(list_url).content.decode()


def test_a_refused_move_also_returns_to_the_person(mapped, client, login):
    login(mapped.caseworker)
    inge = _add(mapped, "Inge", ring=2)
    stale = services.current_version(inge).pk
    services.move_person(
        actor=mapped.caseworker,
        person=inge,
        expected_version=stale,
        ring=1,
        sector=services.current_version(inge).sector,
    )
    response = client.post(
        reverse("network:person_move", args=[mapped.case.public_id, inge.public_id]), {"ring": 3, "version": stale}
    )
    assert response["Location"].endswith(f"#person-{inge.public_id}")
    html = client.get(response["Location"]).content.decode()
    assert "data-moved-note" not in html and "alert-error" in html
    assert services.current_version(inge).ring == 1


def test_list_shows_ticked_resources_and_contact_details_as_they_are(mapped, client, login):
    login(mapped.caseworker)
    helper = _add(
        mapped,
        "Hanne",
        resource_tags=[ResourceTag.RESPITE, ResourceTag.HOMEWORK],
        resources="Kan hente om onsdagen",
        phone="+45 12 34 56 78",
    )
    mailer = _add(mapped, "Mads", email="mads@example.invalid", address="Byvej 1, 8000 Aarhus C")
    nobody = _add(mapped, "Nora")
    html = client.get(reverse("network:list", args=[mapped.case.public_id])).content.decode()
    row = _row(html, helper)
    for label in (ResourceTag.RESPITE.label, ResourceTag.HOMEWORK.label):
        assert _da(label) in row
    assert "Kan hente om onsdagen" in row
    assert "+45 12 34 56 78" in row and _da("No contact details") not in row
    row = _row(html, mailer)
    assert "mads@example.invalid" in row and "Byvej 1, 8000 Aarhus C" in row
    assert _da("No contact details") not in row
    assert _da("No contact details") in _row(html, nobody)


def test_participant_choice_shows_a_phone_number_instead_of_no_contact_details(mapped, client, login):
    from kreds.testing.meetings import planned_meeting

    setup = planned_meeting(mapped.case, mapped.caseworker, mapped.facilitator)
    phone_only = _add(mapped, "Pia", phone="22 33 44 55")
    login(mapped.caseworker)
    html = client.get(reverse("meetings:participants", args=[setup.meeting.public_id])).content.decode()
    row = re.search(rf'<tr>(?:(?!</tr>).)*value="{phone_only.public_id}".*?</tr>', html, re.S).group(0)
    assert "22 33 44 55" in row and _da("No contact details") not in row


def test_map_pdf_has_resources_and_the_line_legend(mapped, monkeypatch):
    helper = _add(mapped, "Hanne", resource_tags=[ResourceTag.FOSTER_CARER], resources="Har plads", quality="conflict")
    other = _add(mapped, "Ole", quality="broken")
    services.set_relation(actor=mapped.caseworker, first=helper, second=other, kind="conflict")
    captured = {}
    monkeypatch.setattr(pdf, "compile_typst", lambda template, data, **inputs: captured.update(data=data, **inputs))
    pdf.map_pdf(mapped.case)
    people = {p["name"]: p for p in captured["data"]["people"]}
    assert str(ResourceTag.FOSTER_CARER.label) in people["Hanne"]["resources"]
    assert "Har plads" in people["Hanne"]["resources"]
    assert len(captured["data"]["people_header"]) == len(people["Hanne"]) == 6
    legend = " ".join(line["svg"] for line in captured["data"]["lines"])
    assert "line-conflict" in legend and "line-broken" in legend
    # In the map itself, conflict and broken contact come after the child's circle and every other line.
    root = ET.fromstring(captured["svg"].split("?>", 1)[1])
    groups = [g.get("class") for g in root if g.tag == f"{SVG}g"]
    assert groups.index("alarm-lines") > max(groups.index("child"), groups.index("lines"))
    alarm = next(g for g in root if g.get("class") == "alarm-lines")
    kinds = sorted(p.get("class") for p in alarm.iter(f"{SVG}path") if p.get("class"))
    assert kinds == ["line-broken", "line-conflict", "line-conflict"]


def test_map_legend_on_screen_explains_every_line(mapped, client, login):
    login(mapped.caseworker)
    html = client.get(reverse("network:map", args=[mapped.case.public_id])).content.decode()
    legend = html[html.index('class="kreds-legend"') :]
    for kind in ("supportive", "ambivalent", "conflict", "broken", "knows"):
        assert f'class="line-{kind}"' in legend
    for label in ("Conflict", "Broken contact"):
        assert _da(label) in legend


def test_consent_list_says_whom_and_what_each_consent_covers(mapped, client, login):
    login(mapped.caseworker)
    inge, ole, gone = _add(mapped, "Inge"), _add(mapped, "Ole"), _add(mapped, "Gerda")
    first = give_consent(
        actor=mapped.caseworker,
        case=mapped.case,
        given_by="Lise Holm",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        categories=[Category.MINUTES, Category.AGREEMENTS],
        recipients=[inge, gone],
        purpose="Netværksmøde",
        given_on=datetime.date(2026, 2, 3),
    )
    second = give_consent(
        actor=mapped.caseworker,
        case=mapped.case,
        given_by="Lise Holm",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        categories=[Category.PLAN],
        recipients=[ole],
        purpose="Planen",
        given_on=datetime.date(2026, 2, 4),
    )
    withdraw_consent(actor=mapped.caseworker, consent=second)
    services.remove_person(actor=mapped.caseworker, person=gone, expected_version=services.current_version(gone).pk)
    html = client.get(reverse("network:consent", args=[mapped.case.public_id])).content.decode()
    row = re.search(rf'<tr id="consent-{first.public_id}".*?</tr>', html, re.S).group(0)
    assert "Inge" in row and "Gerda" in row and _da("no longer on the map") in row and "Ole" not in row
    assert _da(Category.MINUTES.label) in row and _da(Category.AGREEMENTS.label) in row
    assert _da(Category.PLAN.label) not in row
    assert "2026" in row and "3." in row  # given on 3 February 2026
    row = re.search(rf'<tr id="consent-{second.public_id}".*?</tr>', html, re.S).group(0)
    assert "Ole" in row and _da(Category.PLAN.label) in row
    with translation.override("da"):
        withdrawn = translation.gettext("Withdrawn %(date)s").split("%")[0]
    assert withdrawn in row and "<form" not in row  # a withdrawn consent cannot be withdrawn again


def test_person_page_shows_their_consent_status_with_a_link_to_the_consents(mapped, client, login):
    login(mapped.caseworker)
    inge, ole = _add(mapped, "Inge"), _add(mapped, "Ole")
    teacher = _add(mapped, "Lærer", sector="professionals", is_professional=True)
    give_consent(
        actor=mapped.caseworker,
        case=mapped.case,
        given_by="Lise Holm",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        categories=[Category.MINUTES],
        recipients=[inge],
        purpose="Netværksmøde",
        given_on=datetime.date(2026, 2, 3),
    )
    consent_url = reverse("network:consent", args=[mapped.case.public_id])
    for hx in (False, True):  # the person's page and the side panel on the map
        headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
        html = client.get(reverse("network:person_edit", args=[mapped.case.public_id, inge.public_id]), **headers)
        html = html.content.decode()
        status = html[html.index('class="kreds-consent-status"') :]
        assert _da(Category.MINUTES.label) in status and "Lise Holm" in status and f'href="{consent_url}"' in status
    html = client.get(reverse("network:person_edit", args=[mapped.case.public_id, ole.public_id])).content.decode()
    status = html[html.index('class="kreds-consent-status"') :]
    assert "Ole" in status and f'href="{consent_url}"' in status and _da(Category.MINUTES.label) not in status
    html = client.get(reverse("network:person_edit", args=[mapped.case.public_id, teacher.public_id])).content.decode()
    assert "kreds-consent-status" in html and "Lise Holm" not in html


def test_withdraw_question_is_an_imperative():
    with translation.override("da"):
        assert (
            translation.gettext("Register that the consent is withdrawn?") == "Registrér, at samtykket er tilbagekaldt?"
        )
