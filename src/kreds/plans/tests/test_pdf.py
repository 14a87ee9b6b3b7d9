"""The child's plan and who does what as PDF/A (issue 14: neither could be printed). Layout with long texts:
tests/test_pdf_layout.py."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.plans import services
from kreds.safety import services as safety
from kreds.testing.factories import CaseFactory, assign
from kreds.testing.meetings import held_meeting
from kreds.testing.text import cpr_shaped, pdf_text

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _plan(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)  # an agreement held by the grandmother
    today = timezone.localdate()
    services.save_plan(actor=world.caseworker, case=world.case, decided_on=today, purpose="Emma skal trives i skolen")
    goal = services.add_goal(actor=world.caseworker, case=world.case, area="school", text="Emma går i skole hver dag")
    services.add_contribution(
        actor=world.caseworker,
        goal=goal,
        what="Lektiehjælp om onsdagen",
        person=setup.grandmother,
        due_on=today + datetime.timedelta(days=14),
    )
    done = services.add_contribution(
        actor=world.caseworker, goal=goal, what="Møde med skolen", responsible_name="Rikke"
    )
    services.set_contribution_status(actor=world.caseworker, contribution=done, status="done")
    services.add_review(actor=world.caseworker, case=world.case, reviewed_on=today, note="Emma kommer hver dag nu")
    safety.add_rule(actor=world.caseworker, case=world.case, rule="Ringer hver aften", responsible=setup.grandmother)
    return setup, goal


def _audited(world, view: str) -> bool:
    return AuditEvent.objects.filter(
        action=Action.PLAN_VIEW,
        actor=world.caseworker,
        person_concerned=str(world.case.child.public_id),
        details__view=view,
    ).exists()


def test_the_childs_plan_as_pdf(world, client, login):
    _plan(world)
    login(world.caseworker)
    url = reverse("plans:plan_pdf", args=[world.case.public_id])
    assert url in client.get(reverse("plans:plan", args=[world.case.public_id])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="barnets-plan.pdf"'
    assert response.content.startswith(b"%PDF-") and b"pdfaid" in response.content
    text = _flat(pdf_text(response.content))
    for expected in (
        f"The child's plan for {world.case.child.first_name}",
        "Emma skal trives i skolen",
        "Goal 1: School and daycare",
        "Emma går i skole hver dag",
        "Lektiehjælp om onsdagen",
        "Møde med skolen",
        "Emma kommer hver dag nu",
        "Eksempel Kommune · Kreds",  # the municipality in the footer
        (timezone.localdate() + datetime.timedelta(days=14)).strftime("%d.%m.%Y"),  # a Danish date
    ):
        assert expected in text, expected
    assert not cpr_shaped(text)
    assert _audited(world, "plan_pdf")


def test_no_plan_no_pdf_and_no_link(world, client, login):
    login(world.caseworker)
    assert "barnets-plan.pdf" not in client.get(reverse("plans:plan", args=[world.case.public_id])).content.decode()
    assert client.get(reverse("plans:plan_pdf", args=[world.case.public_id])).status_code == 404


def test_who_does_what_as_pdf_with_the_pages_filters(world, client, login):
    _plan(world)
    login(world.caseworker)
    page = reverse("plans:tasks", args=[world.case.public_id])
    url = reverse("plans:tasks_pdf", args=[world.case.public_id])
    assert url in client.get(page).content.decode()
    assert f"{url}?status=done" in client.get(page, {"status": "done"}).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="hvem-goer-hvad.pdf"'
    assert b"pdfaid" in response.content
    text = _flat(pdf_text(response.content))
    for expected in (
        f"Who does what for {world.case.child.first_name}",
        "Henter Emma fra skole om tirsdagen",  # the meeting's agreement
        "Ringer hver aften",  # the safety plan
        "Lektiehjælp om onsdagen",  # the child's plan
        "Inge Mormor",
        "Showing 3 of 4.",
        "Eksempel Kommune · Kreds",
    ):
        assert expected in text, expected
    assert "Møde med skolen" not in text, "done: not open, so not on the default list"
    done = _flat(pdf_text(client.get(url, {"status": "done"}).content))
    assert "Møde med skolen" in done and "Ringer hver aften" not in done and "Showing 1 of 4." in done
    assert not cpr_shaped(text)
    assert _audited(world, "tasks_pdf")


def test_the_pdfs_of_another_case_are_not_found(world, client, login):
    other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    assign(other, world.colleague)
    login(world.caseworker)
    for name in ("plans:plan_pdf", "plans:tasks_pdf"):
        assert client.get(reverse(name, args=[other.public_id])).status_code == 404, name
