"""Signs of Safety (DOMAIN §7): versions, the authority's worries, scaling history, the safety plan from the map."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.meetings.tests.factories import network_for
from kreds.safety import selectors, services
from kreds.safety.models import Mapping, Scaling

pytestmark = pytest.mark.django_db
STATEMENT = {
    "who_worried": "Skolen og rådgiveren",
    "about_what": "at Emma er alene hjemme om aftenen, når mor drikker",
    "if_nothing_changes": "Emma kan komme til skade eller holde op med at gå i skole",
    "goal_parent": "Mor sørger for, at en voksen er hjemme hver aften",
    "goal_child": "",
    "goal_professionals": "Skolen ser Emma komme udhvilet hver dag",
}


def _first(world, **data):
    return services.save_mapping(
        actor=world.caseworker,
        case=world.case,
        data={"worry_basis": "Underretning fra skolen", "strengths": "Mormor er der for Emma", **data},
        statements=[STATEMENT],
        based_on=0,
    )


def test_every_save_is_a_new_version_and_old_ones_are_kept(world):
    v1 = _first(world)
    key = str(v1.statements.get().key)
    v2 = services.save_mapping(
        actor=world.caseworker,
        case=world.case,
        data={"worry_basis": "Underretning fra skolen", "strengths": "Mormor og naboen er der for Emma"},
        statements=[
            {**STATEMENT, "key": key},
            {"who_worried": "Mormor", "about_what": "mors humør", "if_nothing_changes": "Emma trækker sig"},
        ],
        based_on=1,
    )
    assert (v1.version, v2.version) == (1, 2)
    assert Mapping.objects.get(pk=v1.pk).strengths == "Mormor er der for Emma"
    assert str(v2.statements.get(number=1).key) == key, "a statement keeps its key across versions"
    assert AuditEvent.objects.filter(action=Action.SOS_MAPPING).count() == 2


def test_a_stale_form_is_refused(world):
    _first(world)
    with pytest.raises(StaleEdit):
        services.save_mapping(actor=world.caseworker, case=world.case, data={}, statements=[], based_on=0)


def test_nothing_changed_is_refused(world):
    v1 = _first(world)
    with pytest.raises(KredsError, match="Nothing has changed"):
        services.save_mapping(
            actor=world.caseworker,
            case=world.case,
            data={"worry_basis": "Underretning fra skolen", "strengths": "Mormor er der for Emma"},
            statements=[{**STATEMENT, "key": str(v1.statements.get().key)}],
            based_on=1,
        )


def test_worry_statement_needs_who_what_and_consequence(world):
    with pytest.raises(KredsError, match="all three"):
        services.save_mapping(
            actor=world.caseworker, case=world.case, data={}, statements=[{"who_worried": "Skolen"}], based_on=0
        )


def test_only_the_authority_writes_the_worries(world):
    v1 = _first(world)
    key = str(v1.statements.get().key)
    keep = {**STATEMENT, "key": key}
    with pytest.raises(KredsError, match="authority"):
        services.save_mapping(
            actor=world.practitioner,
            case=world.case,
            data={"worry_basis": "Noget andet", "strengths": "x"},
            statements=[keep],
            based_on=1,
        )
    v2 = services.save_mapping(
        actor=world.practitioner,
        case=world.case,
        data={"worry_basis": "Underretning fra skolen", "strengths": "Ny styrke", "next_steps": "Hjemmebesøg"},
        statements=[{**keep, "goal_child": "Emma oplever trygge aftener"}],
        based_on=1,
    )
    assert v2.version == 2 and v2.statements.get().goal_child == "Emma oplever trygge aftener"


def test_scaling_history_and_chart(world):
    people = network_for(world.case, world.caseworker)
    key = str(_first(world).statements.get().key)
    today = timezone.localdate()
    for days, kind, score, person in (
        (30, "staff", 2, None),
        (30, "parent", 4, people["mother"]),
        (0, "staff", 5, None),
        (0, "child", 7, None),
    ):
        services.add_scaling(
            actor=world.caseworker,
            case=world.case,
            statement_key=key,
            scored_on=today - datetime.timedelta(days=days),
            scorer_kind=kind,
            score=score,
            scorer_name="" if person else {"staff": "Rikke", "child": "Emma"}[kind],
            person=person,
        )
    with pytest.raises(KredsError, match="0 to 10"):
        services.add_scaling(
            actor=world.caseworker,
            case=world.case,
            statement_key=key,
            scored_on=today,
            scorer_kind="staff",
            score=11,
            scorer_name="Rikke",
        )
    with pytest.raises(KredsError, match="latest mapping"):
        services.add_scaling(
            actor=world.caseworker,
            case=world.case,
            statement_key="nope",
            scored_on=today,
            scorer_kind="staff",
            score=3,
            scorer_name="Rikke",
        )
    chart = selectors.charts(world.case, selectors.mapping(world.case))[0]
    staff = next(s for s in chart.series if s.name == "Rikke")
    assert [p.score for p in staff.points] == [2, 5]
    assert Scaling.objects.get(person=people["mother"]).scorer_name == "Sara Mor"
    assert all("," not in p.x and "," not in p.y for s in chart.series for p in s.points), "SVG numbers in C locale"


def test_safety_rules_name_persons_from_the_map(world):
    people = network_for(world.case, world.caseworker)
    rule = services.add_rule(
        actor=world.caseworker,
        case=world.case,
        rule="Mormor ringer hver aften kl. 19",
        responsible=people["grandmother"],
    )
    assert rule.responsible_name == "Inge Mormor" and rule.number == 1
    from kreds.cases.tests.factories import CaseFactory

    other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    stranger = network_for(other, world.caseworker)["grandmother"]
    with pytest.raises(KredsError, match="network map"):
        services.add_rule(actor=world.caseworker, case=world.case, rule="x", responsible=stranger)
    services.end_rule(actor=world.caseworker, rule=rule)
    assert selectors.rules_for_person(world.case, people["grandmother"]) == []


def test_pages_and_pdf(world, client, login):
    network_for(world.case, world.caseworker)
    _first(world)
    login(world.practitioner)
    html = client.get(reverse("safety:overview", args=[world.case.public_id])).content.decode()
    assert "Underretning fra skolen" in html and "What is working well?" in html
    edit = client.get(reverse("safety:edit", args=[world.case.public_id])).content.decode()
    assert 'name="worry_basis"' not in edit, "the worry basis is the authority's"
    login(world.caseworker)
    assert 'name="worry_basis"' in client.get(reverse("safety:edit", args=[world.case.public_id])).content.decode()
    pdf = client.get(reverse("safety:pdf", args=[world.case.public_id]))
    assert pdf["Content-Type"] == "application/pdf" and b"pdfaid" in pdf.content
    assert AuditEvent.objects.filter(action=Action.SOS_VIEW, actor=world.practitioner).exists()


def test_edit_form_saves_a_version(world, client, login):
    login(world.caseworker)
    url = reverse("safety:edit", args=[world.case.public_id])
    data = {
        "worry_basis": "Underretning",
        "strengths": "Mormor",
        "based_on": "0",
        "change_note": "Første",
        "s-TOTAL_FORMS": "2",
        "s-INITIAL_FORMS": "0",
        "s-MIN_NUM_FORMS": "0",
        "s-MAX_NUM_FORMS": "12",
        "s-0-who_worried": "Skolen",
        "s-0-about_what": "fravær",
        "s-0-if_nothing_changes": "Emma falder fra",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = Mapping.objects.get()
    assert mapping.version == 1 and mapping.statements.count() == 1
    data["s-0-who_worried"] = ""
    response = client.post(url, {**data, "based_on": "1", "s-1-who_worried": "Mor"})
    assert response.status_code == 200 and "all three" in response.content.decode()


def test_overview_query_count_does_not_grow_with_answers(world, client, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key = str(_first(world).statements.get().key)
    login(world.caseworker)
    url = reverse("safety:overview", args=[world.case.public_id])

    def add(n):
        for i in range(n):
            services.add_scaling(
                actor=world.caseworker,
                case=world.case,
                statement_key=key,
                scored_on=timezone.localdate() - datetime.timedelta(days=i),
                scorer_kind="staff",
                score=i % 11,
                scorer_name=f"Person {i % 3}",
            )

    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add(30)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) <= len(small.captured_queries)
