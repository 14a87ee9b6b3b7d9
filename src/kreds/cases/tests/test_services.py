from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.cases import services
from kreds.cases.constants import CaseStatus, RiskOutcome
from kreds.cases.models import Case, Child
from kreds.cases.safety import require_network_involvement_allowed, safety_gate
from kreds.core.crypto import cpr_blind_index, decrypt_cpr
from kreds.core.exceptions import KredsError, SafetyGateOpen, StaleEdit
from kreds.testing.factories import CaseFactory, assign


def _new_case(world, cpr="0102160123"):
    return services.create_case(
        actor=world.caseworker,
        child_data={"first_name": "Ida", "last_name": "Holm", "birth_date": datetime.date(2016, 2, 1)},
        case_data={"responsible_unit": world.authority, "opened_on": datetime.date(2026, 11, 1)},
        cpr=cpr,
    )


def test_create_case_encrypts_cpr_and_assigns_creator(world):
    case = _new_case(world)
    raw = Child.objects.filter(pk=case.child_id).values("cpr_encrypted", "cpr_index").get()
    assert "0102160123" not in raw["cpr_encrypted"] and raw["cpr_encrypted"].startswith("dev1:")
    assert decrypt_cpr(raw["cpr_encrypted"]) == "0102160123"
    assert raw["cpr_index"] == cpr_blind_index("010216-0123")
    assert case.child.cpr_masked == "010216-XXXX"
    assert case.assignments.filter(user=world.caseworker).exists()
    assert AuditEvent.objects.filter(action=Action.CASE_CREATE, object_id=str(case.public_id)).exists()


def test_stale_edit_is_refused(world):
    case = world.case
    services.update_case(
        actor=world.caseworker, case=case, expected_version=case.version, child_data={"address": "Vej 1"}, case_data={}
    )
    with pytest.raises(StaleEdit):
        services.update_case(
            actor=world.leader, case=case, expected_version=case.version, child_data={"address": "Vej 2"}, case_data={}
        )
    assert Child.objects.get(pk=case.child_id).address == "Vej 1"


def test_edit_view_keeps_typed_input_on_stale_edit(world, client, login):
    login(world.caseworker)
    url = reverse("cases:edit", args=[world.case.public_id])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"responsible_unit": world.authority.pk, "birth_date": "2015-03-14", "opened_on": "2026-01-05"})
    for key in ("basis_afdaekning", "basis_investigation", "basis_support", "basis_placement", "interpreter_needed"):
        data.pop(key, None)
    services.update_case(
        actor=world.leader,
        case=world.case,
        expected_version=world.case.version,
        child_data={"address": "Leaders vej"},
        case_data={},
    )
    data["address"] = "Min nye adresse"
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Min nye adresse" in html  # nothing the user typed is lost
    assert Child.objects.get(pk=world.case.child_id).address == "Leaders vej"


def test_close_never_deletes_and_can_reopen(world):
    case = services.close_case(actor=world.caseworker, case=world.case, reason="Afsluttet")
    assert case.status == CaseStatus.CLOSED and Case.objects.filter(pk=case.pk).exists()
    with pytest.raises(KredsError):
        services.close_case(actor=world.caseworker, case=case, reason="igen")
    assert services.reopen_case(actor=world.caseworker, case=case).status == CaseStatus.OPEN
    with pytest.raises(NotImplementedError):
        Case.objects.filter(pk=case.pk).delete()
    with pytest.raises(NotImplementedError):
        Case.objects.filter(pk=case.pk).update(status="closed")


def test_last_caseworker_cannot_be_removed(world):
    with pytest.raises(KredsError):
        services.unassign_caseworker(actor=world.leader, case=world.case, user=world.caseworker)
    services.assign_caseworker(actor=world.leader, case=world.case, user=world.colleague)
    services.unassign_caseworker(actor=world.leader, case=world.case, user=world.caseworker)
    assert list(world.case.caseworkers.all()) == [world.colleague]


def test_only_same_municipality_caseworkers_can_be_assigned(world):
    with pytest.raises(KredsError):
        services.assign_caseworker(actor=world.leader, case=world.case, user=world.outsider)
    with pytest.raises(KredsError):
        services.assign_caseworker(actor=world.leader, case=world.case, user=world.practitioner)


def test_safety_gate(world):
    case = world.case
    assert not safety_gate(case).is_open
    services.set_safety_concern(actor=world.caseworker, case=case, concern=True)
    assert safety_gate(case).is_open
    with pytest.raises(SafetyGateOpen) as exc:
        require_network_involvement_allowed(case, actor=world.caseworker, action_label="sende invitationer")
    assert "risikovurdering" in exc.value.message.lower() or "risk assessment" in exc.value.message.lower()
    assert AuditEvent.objects.filter(action=Action.SAFETY_GATE_BLOCK).exists()
    services.record_risk_assessment(
        actor=world.caseworker,
        case=case,
        assessed_on=datetime.date(2026, 11, 2),
        summary="Vurderet",
        outcome=RiskOutcome.DO_NOT_PROCEED,
    )
    assert safety_gate(case).is_open
    with pytest.raises(KredsError):
        services.record_risk_assessment(
            actor=world.caseworker,
            case=case,
            assessed_on=datetime.date(2026, 11, 3),
            summary="Vurderet",
            outcome=RiskOutcome.PROCEED_WITH_LIMITS,
        )
    services.record_risk_assessment(
        actor=world.caseworker,
        case=case,
        assessed_on=datetime.date(2026, 11, 4),
        summary="Ny vurdering",
        outcome=RiskOutcome.PROCEED,
    )
    assert not safety_gate(case).is_open
    require_network_involvement_allowed(case, actor=world.caseworker, action_label="sende invitationer")


def test_siblings(world):
    other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    services.link_siblings(actor=world.caseworker, child=world.case.child, sibling=other.child)
    assert list(other.child.siblings.all()) == [world.case.child]
    with pytest.raises(KredsError):
        services.link_siblings(actor=world.caseworker, child=world.case.child, sibling=other.child)
    with pytest.raises(KredsError):
        services.link_siblings(actor=world.caseworker, child=world.case.child, sibling=world.other_case.child)
    services.unlink_siblings(actor=world.caseworker, child=other.child, sibling=world.case.child)
    assert not world.case.child.siblings.exists()


def test_key_rotation(world, settings):
    old = Child.objects.get(pk=world.case.child_id).cpr_encrypted
    settings.CPR_KEYS = "k2:" + "bmV3LWtleS1mb3Itcm90YXRpb24tMzItYnl0ZXMtMDA=" + "," + settings.CPR_KEYS
    assert services.rotate_cpr_keys() >= 1
    new = Child.objects.get(pk=world.case.child_id).cpr_encrypted
    assert new.startswith("k2:") and new != old
    assert decrypt_cpr(new) == "1403150123"
    assert services.rotate_cpr_keys() == 0
    from django.core.management import call_command

    call_command("rotate_cpr_keys")


def test_case_list_query_count_does_not_grow(world, client, login):
    login(world.caseworker)
    url = reverse("cases:my_cases")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(15):
        assign(CaseFactory(municipality=world.municipality, responsible_unit=world.authority), world.caseworker)
    assert count() == small


def test_case_overview_query_count_does_not_grow_with_siblings(world, client, login):
    login(world.caseworker)
    url = reverse("cases:detail", args=[world.case.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    small = len(ctx.captured_queries)
    for _ in range(5):
        other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
        world.case.child.siblings.add(other.child)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) == small


@override_settings(LANGUAGE_CODE="da")
def test_create_case_view_validates_in_danish(world, client, login):
    login(world.caseworker)
    response = client.post(reverse("cases:create"), {"first_name": "Ida", "cpr": "12345"})
    assert response.status_code == 200
    assert "Ida" in response.content.decode()
    assert response.context["form"].errors


def test_my_cases_flags_the_childs_unread_answers_without_a_query_per_row(world, client, login):
    """Field trial (issue 14): the child's unread answers were flagged on the case page but not in "Mine sager"."""
    from kreds.voice.models import ChildInput

    login(world.caseworker)
    url = reverse("cases:my_cases")
    ChildInput.objects.create(case=world.case, dreams="At bo hos mormor")
    ChildInput.objects.create(case=world.case, worries="Mor er syg")

    def page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return response.content.decode(), len(ctx.captured_queries)

    client.get(url)
    html, one = page()
    row = html[html.index(world.case.child.full_name) :][:600]
    assert "2 unread answers from the child" in row
    assert reverse("voice:overview", args=[world.case.public_id]) in row
    read = ChildInput.objects.filter(case=world.case).first()
    read.reviewed_at = read.created_at
    read.save(update_fields=["reviewed_at"])
    assert "1 unread answer from the child" in page()[0]
    for _ in range(9):
        other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
        assign(other, world.caseworker)
        ChildInput.objects.create(case=other, tell_adults="Jeg vil gerne med til mødet")
    html, ten = page()
    assert html.count("1 unread answer from the child") == 10
    assert ten == one, "the same number of queries for 1 case as for 10"
