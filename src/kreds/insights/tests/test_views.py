"""The leader's page, drill-down, exports, export_stats and the weekly digest, on real data made by the services."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kreds.audit.models import AuditEvent
from kreds.insights import digest, facts, figures, selectors
from kreds.insights.models import Snapshot
from kreds.insights.periods import Period
from kreds.meetings import services as meeting_services
from kreds.outbox.models import Outbox
from kreds.testing.factories import CaseFactory, assign
from kreds.testing.meetings import held_meeting
from kreds.testing.text import cpr_shaped


@pytest.fixture
def held(world):
    """A meeting held yesterday with its minutes sent, on the world's case (MyndighedsCenter)."""
    return held_meeting(world.case, world.caseworker, world.facilitator, days_ago=1, send_minutes=True)


def _unit_url(world, name="insights:unit", **kw):
    return reverse(name, kwargs={"unit_id": world.authority.public_id, **kw})


def test_facts_from_the_services(world, held):
    today = timezone.localdate()
    period = Period.containing("month", today)
    f = facts.load(world.municipality, period.start, period.end, as_of_days=(today,))
    row = f.cases[world.case.pk]
    [meeting] = [m for m in row.meetings if m.id == held.meeting.pk]
    assert meeting.is_held and meeting.minutes_sent_on == today and meeting.has_facilitator
    assert meeting.child_attended is True  # everyone in the factory's meeting attended, the child too
    assert row.map_counts[today][1] >= 2  # mother and grandmother (private); the teacher is a professional
    assert row.map_started_on == today and row.map_first_private == row.map_counts[today][1]
    assert len(row.agreements) == 1 and row.agreements[0].role == "private"
    assert f.caseworkers[world.caseworker.pk] == {world.case.pk}
    out = figures.compute(f, period, f.unit_cases(world.authority.pk))
    if held.meeting.held_at and timezone.localdate(held.meeting.held_at).month == today.month:
        assert out["coverage"].hits == {world.case.pk}
        assert out["minutes_on_time"].numerator == 1


def test_leader_sees_the_unit_page_with_definitions(world, held, client, login):
    login(world.leader)
    response = client.get(_unit_url(world), {"period": "year"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cases with network involvement" in page
    assert "How it is computed" in page
    assert str(figures.spec("minutes_on_time").definition) in page
    assert world.caseworker.get_full_name() in page  # per-caseworker breakdown
    assert AuditEvent.objects.filter(action="insights.view", actor=world.leader).exists()
    assert not cpr_shaped(page)


def test_bad_period_input_is_kept_with_a_message(world, client, login):
    login(world.leader)
    response = client.get(_unit_url(world), {"period": "custom", "start": "2026-11-10", "end": "2026-11-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The last day must not be before the first day." in page
    assert 'value="2026-11-10"' in page  # what the user typed is kept


def test_index_redirects_a_leader_and_explains_to_others(world, client, login):
    login(world.leader)
    assert client.get(reverse("insights:index"))["Location"] == _unit_url(world)
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # logout clears the cookies
    login(world.caseworker)
    response = client.get(reverse("insights:index"))
    assert response.status_code == 200 and "You are not a leader" in response.content.decode()


def test_drilldown_lists_the_cases_behind_a_figure(world, held, client, login):
    other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    login(world.leader)
    response = client.get(_unit_url(world, "insights:figure", key="coverage"), {"period": "year"})
    assert response.status_code == 200
    page = response.content.decode()
    assert world.case.child.full_name in page and other.child.full_name in page
    event = AuditEvent.objects.filter(action="case.list", actor=world.leader).latest("seq")
    assert event.details["figure"] == "coverage"
    # Per caseworker: only the caseworker's cases.
    response = client.get(
        _unit_url(world, "insights:figure", key="coverage"),
        {"period": "year", "raadgiver": str(world.caseworker.public_id)},
    )
    assert other.child.full_name not in response.content.decode()
    assert client.get(_unit_url(world, "insights:figure", key="nonsense")).status_code == 404


def test_exports_suppress_small_groups(world, held, client, login):
    login(world.leader)
    response = client.get(_unit_url(world, "insights:export_csv"), {"period": "year"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    text = response.content.decode("utf-8-sig")
    lines = {line.split(";")[0]: line for line in text.splitlines()[1:]}
    assert "<5" in lines["coverage"]  # one case with a meeting of few open cases
    assert not cpr_shaped(text)
    response = client.get(_unit_url(world, "insights:export_xlsx"), {"period": "year"})
    assert zipfile.is_zipfile(io.BytesIO(response.content))
    assert AuditEvent.objects.filter(action="insights.export", actor=world.leader).count() == 2


def test_export_stats_command(world, held):
    today = timezone.localdate()
    out = io.StringIO()
    call_command(
        "export_stats",
        "--municipality",
        "999",
        "--unit",
        "MyndighedsCenter",
        "--from",
        today.replace(month=1, day=1).isoformat(),
        "--to",
        today.isoformat(),
        "--format",
        "json",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    keys = {r["figure"] for r in rows}
    assert keys == set(figures.FIGURES)
    coverage = next(r for r in rows if r["figure"] == "coverage" and not r["part"])
    assert coverage["numerator"] == "<5"
    csv_out = io.StringIO()
    call_command(
        "export_stats",
        "--municipality",
        "Eksempel Kommune",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        stdout=csv_out,
    )
    lines = csv_out.getvalue().splitlines()
    assert lines[1].startswith("coverage;") and lines[1].endswith(";Eksempel Kommune")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_stats", "--municipality", "123", "--from", "2026-01-01", "--to", "2026-12-31")


def _grow(world, n: int) -> None:
    for _i in range(n):
        case = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
        assign(case, world.colleague)
        held_meeting(case, world.colleague, world.facilitator, days_ago=1, send_minutes=True)


def test_queries_do_not_grow_with_the_data(world, held, client, login):
    login(world.leader)
    url = _unit_url(world)
    client.get(url)  # warm caches (session, content types)
    Snapshot.objects.all().delete()  # measure computing the page, not showing the stored one (test_snapshots.py)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world, 3)
    Snapshot.objects.all().delete()
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_dashboard_selector_compares_with_the_municipality(world, held):
    today = timezone.localdate()
    other_unit_case = CaseFactory(municipality=world.municipality, responsible_unit=world.family_centre)
    board = selectors.dashboard(world.authority, Period.containing("year", today))
    rows = {row.spec.key: row for _k, _t, rows in board.sections for row in rows}
    assert other_unit_case.pk in rows["coverage"].municipality.cases
    assert other_unit_case.pk not in rows["coverage"].current.cases
    assert len(board.trends) == len(figures.TREND_KEYS)
    assert len(board.trends[0].points) == 12
    assert board.trends[0].points[-1][0] == Period.containing("month", today)  # no months that have not begun


# The weekly digest -------------------------------------------------------------------------------------------------


def _monday(hour: int) -> datetime.datetime:
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time(hour)))


def test_digest_is_queued_once_per_week_from_monday_morning(world):
    assert digest.queue(_monday(5)) == []
    rows = digest.queue(_monday(7))
    users = {row.user_id for row in rows}
    assert world.caseworker.pk in users and world.leader.pk in users
    assert world.facilitator.pk not in users and world.administrator.pk not in users
    assert digest.queue(_monday(8)) == []  # exactly once per week
    assert digest.queue(_monday(7) + datetime.timedelta(days=3)) == []
    next_week = digest.queue(_monday(7) + datetime.timedelta(days=7))
    assert {row.user_id for row in next_week} == users


def test_on_mondays_the_digest_replaces_the_caseworkers_daily_reminder(world, held):
    from kreds.meetings.tasks import queue_staff_reminders
    from kreds.outbox.tasks import send_outbox

    agreement = held.meeting.agreements.get()  # due within the reminder's week: both mails would mention it
    monday = agreement.due_on - datetime.timedelta(days=agreement.due_on.weekday())
    if monday <= timezone.localdate():
        monday += datetime.timedelta(days=7)
    agreement.due_on = monday + datetime.timedelta(days=2)
    agreement.save()
    with time_machine.travel(timezone.make_aware(datetime.datetime.combine(monday, datetime.time(8)))):
        assert world.caseworker.pk not in {row.user_id for row in queue_staff_reminders()}
        mail.outbox.clear()
        [row] = [row for row in digest.queue() if row.user_id == world.caseworker.pk]
        send_outbox.call(row.pk)
        [work] = [m for m in mail.outbox if m.to == [world.caseworker.email]]
        assert "Henter Emma fra skole" in work.body, "the digest says what the reminder would have said"
        assert digest.caseworker_part(world.caseworker, monday).due_soon == [agreement]
    tuesday = monday + datetime.timedelta(days=1)
    assert world.caseworker.pk in {row.user_id for row in queue_staff_reminders(tuesday)}


def test_a_follow_up_nobody_has_invited_to_is_listed_once(world):
    from kreds.testing.meetings import planned_meeting

    start = timezone.now() + datetime.timedelta(days=5)
    setup = planned_meeting(world.case, world.caseworker, world.facilitator, starts_at=start, kind="follow_up")
    part = digest.caseworker_part(world.caseworker, timezone.localdate())
    assert setup.meeting in part.to_invite and setup.meeting not in part.follow_ups


def test_digest_tells_the_caseworker_what_is_due_and_the_leader_the_figures(world, held):
    from kreds.outbox.tasks import send_outbox

    agreement = held.meeting.agreements.get()
    meeting_services.set_agreement_status(actor=world.caseworker, agreement=agreement, status="in_progress")
    with time_machine.travel(agreement.due_on + datetime.timedelta(days=3)):
        mail.outbox.clear()
        rows = digest.queue()
        for row in rows:
            send_outbox.call(row.pk)
        by_user = {m.to[0]: m for m in mail.outbox}
        work = by_user[world.caseworker.email]
        assert "Henter Emma fra skole" in work.body
        assert world.case.child.first_name in work.body
        assert world.case.child.last_name not in work.body
        assert not cpr_shaped(work.body)
        lead = by_user[world.leader.email]
        assert world.authority.name in lead.body and "/indsigt/" in lead.body
        assert "Aftaler, hvor fristen er overskredet: 1" in lead.body  # what slipped (e-mails are in Danish)
        # Sending again does nothing: the rows are sent.
        for row in rows:
            assert send_outbox.call(row.pk) == "already sent"
        assert Outbox.objects.filter(kind="digest", sent_at__isnull=True).count() == 0
