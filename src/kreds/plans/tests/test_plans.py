"""The child's plan, the consolidated list of who does what (every source), a network person's own page, and the
legal deadlines with a time machine (DOMAIN §9)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.consent.models import SharingConsent
from kreds.consent.services import withdraw_consent
from kreds.core.exceptions import KredsError
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_outbox
from kreds.participants.services import token_for
from kreds.plans import clocks, selectors, services
from kreds.plans.sending import PERSON_TASKS
from kreds.safety import services as safety
from kreds.testing.conferences import approved
from kreds.testing.meetings import held_meeting, network_for

pytestmark = pytest.mark.django_db


def _plan_with_goal(world):
    people = network_for(world.case, world.caseworker)
    services.save_plan(actor=world.caseworker, case=world.case, decided_on=timezone.localdate(), purpose="Trivsel")
    goal = services.add_goal(actor=world.caseworker, case=world.case, area="school", text="Emma går i skole hver dag")
    return people, goal


def test_plan_goals_and_contributions_from_the_network(world):
    people, goal = _plan_with_goal(world)
    from_map = services.add_contribution(
        actor=world.practitioner, goal=goal, what="Følger Emma i skole om mandagen", person=people["grandmother"]
    )
    staff = services.add_contribution(
        actor=world.caseworker, goal=goal, what="Møde med skolen", responsible_name="Rikke"
    )
    assert from_map.is_network and from_map.responsible_name == "Inge Mormor"
    assert not staff.is_network
    with pytest.raises(KredsError, match="Choose a person"):
        services.add_contribution(actor=world.caseworker, goal=goal, what="x")
    with pytest.raises(KredsError, match="future"):
        services.save_plan(
            actor=world.caseworker,
            case=world.case,
            decided_on=timezone.localdate() + datetime.timedelta(days=1),
            purpose="",
        )
    assert AuditEvent.objects.filter(action=Action.PLAN_CHANGE).count() >= 4


def test_the_list_holds_every_source(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)  # an agreement held by the grandmother
    grandmother = setup.grandmother
    services.save_plan(actor=world.caseworker, case=world.case, decided_on=timezone.localdate(), purpose="")
    goal = services.add_goal(actor=world.caseworker, case=world.case, area="school", text="Skole hver dag")
    services.add_contribution(actor=world.caseworker, goal=goal, what="Lektiehjælp", person=grandmother)
    safety.add_rule(actor=world.caseworker, case=world.case, rule="Ringer hver aften", responsible=grandmother)
    rows = selectors.tasks(world.case)
    assert {t.source for t in rows} == {"meeting", "safety", "plan"}
    mine = selectors.filter_tasks(rows, person=str(grandmother.public_id))
    assert {t.source for t in mine} == {"meeting", "safety", "plan"}


def test_fgc_plan_items_are_on_the_list(world):
    setup = approved(world.case, world.caseworker, world.facilitator)
    rows = selectors.tasks(world.case)
    assert {t.source for t in rows} == {"fgc"}
    assert {t.what for t in rows} == {i.what for i in setup.items}


def test_overdue_and_status_filters(world):
    people, goal = _plan_with_goal(world)
    late = services.add_contribution(
        actor=world.caseworker,
        goal=goal,
        what="Gammel opgave",
        person=people["mother"],
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    services.add_contribution(actor=world.caseworker, goal=goal, what="Ny opgave", person=people["mother"])
    rows = selectors.tasks(world.case)
    assert [t.what for t in selectors.filter_tasks(rows, overdue=True)] == ["Gammel opgave"]
    services.set_contribution_status(actor=world.caseworker, contribution=late, status="done")
    rows = selectors.tasks(world.case)
    assert selectors.filter_tasks(rows, overdue=True) == []
    assert [t.what for t in selectors.filter_tasks(rows, status="open")] == ["Ny opgave"]


def test_the_overview_counts_the_same_rows_as_the_list(world):
    """task_counts (one query, for the case overview) agrees with the list on every source."""
    people, goal = _plan_with_goal(world)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    held_meeting(world.case, world.caseworker, world.facilitator)  # an agreement due later
    services.add_contribution(actor=world.caseworker, goal=goal, what="Sent", person=people["mother"], due_on=yesterday)
    done = services.add_contribution(actor=world.caseworker, goal=goal, what="Færdig", person=people["mother"])
    services.set_contribution_status(actor=world.caseworker, contribution=done, status="done")
    safety.add_rule(
        actor=world.caseworker, case=world.case, rule="Ringer", responsible=people["mother"], due_on=yesterday
    )
    safety.add_rule(actor=world.caseworker, case=world.case, rule="Henter", responsible=people["grandmother"])
    rows = selectors.tasks(world.case)
    expected = (sum(1 for t in rows if t.is_open), sum(1 for t in rows if t.overdue))
    assert selectors.task_counts(world.case) == expected == (4, 2)
    assert selectors.task_counts(world.other_case) == (0, 0)


def test_person_page_shows_only_the_holders_tasks(world, client, login, mailoutbox):
    people, goal = _plan_with_goal(world)
    services.add_contribution(
        actor=world.caseworker, goal=goal, what="Henter om tirsdagen", person=people["grandmother"]
    )
    services.add_contribution(actor=world.caseworker, goal=goal, what="Mors opgave", person=people["mother"])
    safety.add_rule(
        actor=world.caseworker, case=world.case, rule="Ringer hver aften", responsible=people["grandmother"]
    )
    assert services.send_person_tasks(actor=world.caseworker, case=world.case, person=people["grandmother"])
    row = Outbox.objects.get(kind=PERSON_TASKS)
    assert send_outbox.call(row.pk) == "sent"
    message = mailoutbox[-1]
    assert message.to == ["inge@example.invalid"] and "Henter om tirsdagen" in message.body
    link = services.person_link(world.case, people["grandmother"])
    assert token_for(link) in message.body
    html = client.get(reverse("participants:home", kwargs={"token": token_for(link)})).content.decode()
    assert "Henter om tirsdagen" in html and "Ringer hver aften" in html
    assert "Mors opgave" not in html, "a link never shows another person's tasks"
    assert "<script" not in html
    with pytest.raises(KredsError, match="already sent"):
        services.send_person_tasks(actor=world.caseworker, case=world.case, person=people["grandmother"])


def test_person_page_without_consent_shows_nothing(world, client):
    people, goal = _plan_with_goal(world)
    services.add_contribution(actor=world.caseworker, goal=goal, what="Hemmelig opgave", person=people["grandmother"])
    link = services.ensure_person_link(actor=world.caseworker, case=world.case, person=people["grandmother"])
    for consent in SharingConsent.objects.filter(case=world.case):
        withdraw_consent(actor=world.caseworker, consent=consent)
    html = client.get(reverse("participants:home", kwargs={"token": token_for(link)})).content.decode()
    assert "Hemmelig opgave" not in html and "cannot be shown" in html


def test_meeting_link_also_shows_other_tasks(world, client):
    setup = held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)
    safety.add_rule(actor=world.caseworker, case=world.case, rule="Ringer hver aften", responsible=setup.grandmother)
    grandma = setup.participants["mormor"]
    grandma.refresh_from_db()
    html = client.get(reverse("participants:home", kwargs={"token": token_for(grandma.link)})).content.decode()
    assert "Ringer hver aften" in html


def test_legal_clocks_with_a_time_machine(world):
    start = datetime.date(2026, 1, 10)
    case = world.case
    case.investigation_started_on = start
    case.measure_decided_on = datetime.date(2026, 3, 1)
    case.save()
    with time_machine.travel(datetime.datetime(2026, 4, 30, 12, tzinfo=datetime.UTC)):
        found = {c.key: c for c in selectors.case_clocks(case)}
        assert found["investigation"].due_on == datetime.date(2026, 5, 10)
        assert found["investigation"].state == "due_soon" and found["investigation"].days_left == 10
        assert found["plan"].due_on == datetime.date(2026, 6, 1) and found["plan"].state == "running"
        assert "follow_up" not in found
    with time_machine.travel(datetime.datetime(2026, 5, 11, 12, tzinfo=datetime.UTC)):
        assert {c.key: c.state for c in selectors.case_clocks(case)}["investigation"] == "overdue"
        services.save_plan(actor=world.caseworker, case=case, decided_on=datetime.date(2026, 5, 11), purpose="")
        found = {c.key: c for c in selectors.case_clocks(case)}
        assert found["plan"].state == "met"
        assert found["follow_up"].due_on == datetime.date(2026, 8, 11)
    case.placement_without_consent = True
    case.save()
    with time_machine.travel(datetime.datetime(2026, 5, 12, 12, tzinfo=datetime.UTC)):
        assert {c.key: c.state for c in selectors.case_clocks(case)}["plan"] == "met_late", "before the decision"


def test_month_arithmetic_at_month_ends():
    assert clocks.add_months(datetime.date(2026, 10, 31), 4) == datetime.date(2027, 2, 28)
    assert clocks.add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


def test_unit_deadline_list(world, client, login):
    case = world.case
    case.investigation_started_on = timezone.localdate() - datetime.timedelta(days=130)
    case.save()
    login(world.leader)
    html = client.get(reverse("deadlines:list")).content.decode()
    assert case.child.full_name in html and "overdue" in html
    login(world.facilitator)
    assert client.get(reverse("deadlines:list")).status_code == 404


def test_pages(world, client, login):
    people, goal = _plan_with_goal(world)
    services.add_contribution(actor=world.caseworker, goal=goal, what="Lektiehjælp", person=people["grandmother"])
    login(world.practitioner)
    html = client.get(reverse("plans:plan", args=[world.case.public_id])).content.decode()
    assert "Emma går i skole hver dag" in html and 'name="g1-what"' in html
    html = client.get(reverse("plans:tasks", args=[world.case.public_id])).content.decode()
    assert "Lektiehjælp" in html
    case_html = client.get(reverse("cases:detail", args=[world.case.public_id])).content.decode()
    assert "Who does what" in case_html
    assert AuditEvent.objects.filter(action=Action.PLAN_VIEW, actor=world.practitioner).exists()


def test_list_query_count_does_not_grow_with_tasks(world, client, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people, goal = _plan_with_goal(world)
    login(world.caseworker)
    url = reverse("plans:tasks", args=[world.case.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(20):
        services.add_contribution(actor=world.caseworker, goal=goal, what=f"Opgave {i}", person=people["grandmother"])
        safety.add_rule(actor=world.caseworker, case=world.case, rule=f"Regel {i}", responsible=people["mother"])
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) <= len(small.captured_queries)


def test_goals_and_contributions_can_be_changed_with_their_history_and_stale_forms_are_refused(world):
    """Field trial (issue 14): goals and contributions could not be changed after saving."""
    from kreds.core.exceptions import StaleEdit

    people, goal = _plan_with_goal(world)
    contribution = services.add_contribution(
        actor=world.caseworker, goal=goal, what="Følger Emma i skole", person=people["grandmother"]
    )
    goal = services.edit_goal(
        actor=world.caseworker, goal=goal, area="wellbeing", text="Emma kommer glad i skole", expected_version=1
    )
    assert (goal.text, goal.area, goal.version) == ("Emma kommer glad i skole", "wellbeing", 2)
    [earlier] = goal.versions.all()
    assert (earlier.text, earlier.area, earlier.version, earlier.replaced_by) == (
        "Emma går i skole hver dag",
        "school",
        1,
        world.caseworker,
    )
    with pytest.raises(StaleEdit):  # a form opened on version 1, saved after the change
        services.edit_goal(actor=world.caseworker, goal=goal, area="school", text="Gammel tekst", expected_version=1)
    assert (
        services.edit_goal(
            actor=world.caseworker, goal=goal, area="wellbeing", text="Emma kommer glad i skole", expected_version=2
        ).version
        == 2
    ), "nothing changed: no new version"
    due = timezone.localdate() + datetime.timedelta(days=30)
    contribution = services.edit_contribution(
        actor=world.practitioner,
        contribution=contribution,
        what="Følger Emma i skole mandag og onsdag",
        person=None,
        responsible_name="Skolen",
        due_on=due,
        expected_version=1,
    )
    assert (contribution.responsible_name, contribution.is_network, contribution.due_on) == ("Skolen", False, due)
    [before] = contribution.versions.all()
    assert (before.what, before.responsible_name, before.is_network) == ("Følger Emma i skole", "Inge Mormor", True)
    with pytest.raises(StaleEdit):
        services.edit_contribution(
            actor=world.caseworker, contribution=contribution, what="x", responsible_name="Rikke", expected_version=1
        )
    with pytest.raises(KredsError, match="Write what"):
        services.edit_contribution(
            actor=world.caseworker, contribution=contribution, what=" ", responsible_name="Rikke", expected_version=2
        )
    # The consolidated list shows the new wording.
    [task] = [t for t in selectors.tasks(world.case) if t.source == "plan"]
    assert task.what == "Følger Emma i skole mandag og onsdag" and task.who == "Skolen"
    events = AuditEvent.objects.filter(action=Action.PLAN_CHANGE)
    assert any("goal_changed" in e.details for e in events) and any("contribution_changed" in e.details for e in events)


def test_the_plan_page_changes_a_goal_and_shows_a_colleagues_change_beside_the_typed_text(world, client, login):
    people, goal = _plan_with_goal(world)
    contribution = services.add_contribution(
        actor=world.caseworker, goal=goal, what="Lektiehjælp", person=people["grandmother"]
    )
    login(world.caseworker)
    plan_url = reverse("plans:plan", args=[world.case.public_id])
    html = client.get(plan_url).content.decode()
    assert 'name="eg1-text"' in html and f'name="ec{str(contribution.public_id)[:8]}-what"' in html
    url = reverse("plans:goal_edit", args=[world.case.public_id, goal.public_id])
    response = client.post(url, {"eg1-area": "school", "eg1-text": "Emma går i skole 4 dage om ugen", "eg1-version": 1})
    assert response.status_code == 302
    html = client.get(plan_url).content.decode()
    assert "Emma går i skole 4 dage om ugen" in html and "1 earlier wording of the goal" in html
    assert "Emma går i skole hver dag" in html, "the earlier wording is shown in the history"
    # A colleague's form opened before that change: refused, the typed text kept, the saved text beside it.
    html = client.post(url, {"eg1-area": "school", "eg1-text": "Min egen tekst", "eg1-version": 1}).content.decode()
    assert "Someone else changed the goal" in html and "Min egen tekst" in html
    assert "Emma går i skole 4 dage om ugen" in html
    goal.refresh_from_db()
    assert goal.text == "Emma går i skole 4 dage om ugen" and goal.version == 2
    prefix = f"ec{str(contribution.public_id)[:8]}"
    url = reverse("plans:contribution_edit", args=[world.case.public_id, contribution.public_id])
    data = {
        f"{prefix}-person": people["grandmother"].pk,
        f"{prefix}-what": "Lektiehjælp tirsdag",
        f"{prefix}-version": 1,
    }
    assert client.post(url, data).status_code == 302
    html = client.get(plan_url).content.decode()
    assert "Lektiehjælp tirsdag" in html and "1 earlier version" in html
