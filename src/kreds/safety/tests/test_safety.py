"""Signs of Safety (DOMAIN §7): versions, the authority's worries, scaling history, the safety plan from the map."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.safety import selectors, services
from kreds.safety.models import Mapping, Scaling
from kreds.testing.meetings import network_for

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
        expected_version=0,
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
        expected_version=1,
    )
    assert (v1.version, v2.version) == (1, 2)
    assert Mapping.objects.get(pk=v1.pk).strengths == "Mormor er der for Emma"
    assert str(v2.statements.get(number=1).key) == key, "a statement keeps its key across versions"
    assert AuditEvent.objects.filter(action=Action.SOS_MAPPING).count() == 2


def test_a_stale_form_is_refused(world):
    _first(world)
    with pytest.raises(StaleEdit):
        services.save_mapping(actor=world.caseworker, case=world.case, data={}, statements=[], expected_version=0)


def test_nothing_changed_is_refused(world):
    v1 = _first(world)
    with pytest.raises(KredsError, match="Nothing has changed"):
        services.save_mapping(
            actor=world.caseworker,
            case=world.case,
            data={"worry_basis": "Underretning fra skolen", "strengths": "Mormor er der for Emma"},
            statements=[{**STATEMENT, "key": str(v1.statements.get().key)}],
            expected_version=1,
        )


def test_worry_statement_needs_who_what_and_consequence(world):
    with pytest.raises(KredsError, match="all three"):
        services.save_mapping(
            actor=world.caseworker, case=world.case, data={}, statements=[{"who_worried": "Skolen"}], expected_version=0
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
            expected_version=1,
        )
    v2 = services.save_mapping(
        actor=world.practitioner,
        case=world.case,
        data={"worry_basis": "Underretning fra skolen", "strengths": "Ny styrke", "next_steps": "Hjemmebesøg"},
        statements=[{**keep, "goal_child": "Emma oplever trygge aftener"}],
        expected_version=1,
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
    from kreds.testing.factories import CaseFactory

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
        "version": "0",
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
    response = client.post(url, {**data, "version": "1", "s-1-who_worried": "Mor"})
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


def test_overdue_rules_are_marked_on_the_plan_the_pdf_and_the_persons_own_page(world, client, login):
    """Field trial (issue 14): a safety-plan rule past its date was not marked anywhere. Marked in words, not only
    by colour: the staff page, the PDF and the network person's own link page."""
    from kreds.consent.constants import Category
    from kreds.consent.services import give_consent
    from kreds.participants.services import token_for
    from kreds.plans import services as plans
    from kreds.testing.text import pdf_text

    people = network_for(world.case, world.caseworker)
    _first(world)
    today = timezone.localdate()
    late = services.add_rule(
        actor=world.caseworker,
        case=world.case,
        rule="Mormor henter Emma fredag",
        responsible=people["grandmother"],
        due_on=today - datetime.timedelta(days=3),
    )
    services.add_rule(
        actor=world.caseworker,
        case=world.case,
        rule="Mormor ringer i dag",
        responsible=people["grandmother"],
        due_on=today,  # due today: not overdue yet
    )
    done = services.add_rule(
        actor=world.caseworker,
        case=world.case,
        rule="Mor melder sig til AA",
        responsible=people["mother"],
        due_on=today - datetime.timedelta(days=10),
    )
    services.set_rule_status(actor=world.caseworker, rule=done, status="done")
    assert [r.overdue for r in selectors.rules(world.case)] == [True, False, False]
    assert selectors.rules(world.case, today=today + datetime.timedelta(days=1))[1].overdue, "the day after"

    login(world.caseworker)
    html = client.get(reverse("safety:plan", args=[world.case.public_id])).content.decode()
    assert "1 rule is overdue" in html
    row = html[html.index("Mormor henter Emma fredag") - 200 : html.index("Mormor henter Emma fredag") + 400]
    assert 'class="kreds-overdue"' in row and "Overdue" in row, "the row is marked, in words"
    other = html[html.index("Mormor ringer i dag") : html.index("Mormor ringer i dag") + 300]
    assert "Overdue" not in other

    text = " ".join(pdf_text(client.get(reverse("safety:pdf", args=[world.case.public_id])).content).split())
    assert f"Rules whose date has passed and that are not done: {late.number}." in text
    assert text.count("OVERDUE") == 1, "the late rule's date is marked in words, the others not"

    give_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Sara Mor",
        role="parent",
        categories=list(Category.values),
        recipients=[people["grandmother"]],
        purpose="Sikkerhedsplan",
        given_on=today,
    )
    link = plans.ensure_person_link(actor=world.caseworker, case=world.case, person=people["grandmother"])
    page = client.get(reverse("participants:home", kwargs={"token": token_for(link)})).content.decode()
    assert "Mormor henter Emma fredag" in page and "Mormor ringer i dag" in page
    marked = page[page.index("Mormor henter Emma fredag") - 250 : page.index("Mormor henter Emma fredag")]
    assert "The date has passed" in marked and "kreds-overdue-item" in marked
    assert page.count("The date has passed") == 1


def test_several_worry_statements_can_be_added_in_one_version(world, client, login):
    """Field trial (issue 14): only one new worry statement could be added per version. "Add another" keeps what was
    typed and gives one more empty row; saving keeps them all."""
    _first(world)  # version 1 with one statement
    login(world.caseworker)
    url = reverse("safety:edit", args=[world.case.public_id])
    html = client.get(url).content.decode()
    assert 'name="add_statement"' in html and 'name="s-TOTAL_FORMS" value="2"' in html
    [existing] = Mapping.objects.get().statements.all()
    typed = {
        "worry_basis": "Underretning fra skolen (ændret)",
        "strengths": "Mormor er der for Emma",
        "version": "1",
        "s-TOTAL_FORMS": "2",
        "s-INITIAL_FORMS": "1",
        "s-MIN_NUM_FORMS": "0",
        "s-MAX_NUM_FORMS": "12",
        "s-0-key": str(existing.key),
        **{f"s-0-{f}": v for f, v in STATEMENT.items()},
        "s-1-who_worried": "Lægen",
        "s-1-about_what": "at Emma ikke får sin medicin",
        "s-1-if_nothing_changes": "",  # not finished yet: no error while adding another
    }
    response = client.post(url, {**typed, "add_statement": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and Mapping.objects.count() == 1, "nothing saved"
    assert "Underretning fra skolen (ændret)" in html and "at Emma ikke får sin medicin" in html and "Lægen" in html
    assert 'name="s-TOTAL_FORMS" value="3"' in html and 'name="s-2-who_worried"' in html
    assert "form-error-message" not in html, "an unfinished row is not an error while adding another"
    saved = {
        **typed,
        "s-TOTAL_FORMS": "3",
        "s-INITIAL_FORMS": "2",
        "s-1-if_nothing_changes": "Emma bliver syg",
        "s-2-who_worried": "Naboen",
        "s-2-about_what": "at Emma er ude alene om natten",
        "s-2-if_nothing_changes": "Emma kommer til skade",
    }
    response = client.post(url, saved)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = Mapping.objects.order_by("-version").first()
    assert latest.version == 2
    assert [s.who_worried for s in latest.statements.order_by("number")] == [
        STATEMENT["who_worried"],
        "Lægen",
        "Naboen",
    ]
