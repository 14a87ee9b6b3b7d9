"""The leader's page is served from its last computation and computed again when it ages (insights.snapshots)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kreds.insights import selectors, snapshots
from kreds.insights.figures import Part
from kreds.insights.models import Snapshot
from kreds.insights.periods import Period
from kreds.insights.templatetags.insights import figure_detail, figure_value, part_value
from kreds.testing.factories import CaseFactory, assign
from kreds.testing.meetings import held_meeting


@pytest.fixture
def held(world):
    return held_meeting(world.case, world.caseworker, world.facilitator, days_ago=1, send_minutes=True)


def _shown(board: selectors.Dashboard) -> list[tuple[str, ...]]:
    """Everything the page shows of the figures, as text."""
    out = []
    for _key, _title, rows in board.sections:
        for row in rows:
            for result in (row.current, row.previous, row.municipality):
                out.append((row.spec.key, figure_value(result), figure_detail(result), row.trend_word))
                out.extend((row.spec.key, p.label, part_value(p, row.spec.kind), str(p.n)) for p in result.parts)
    for user, results in board.caseworkers:
        out.extend((user.username, key, figure_value(r), figure_detail(r)) for key, r in sorted(results.items()))
    out.extend(
        (chart.spec.key, chart.polyline, *[label for _x, _y, label in chart.svg_points]) for chart in board.trends
    )
    return out


def _grow(world, n: int) -> None:
    for _i in range(n):
        case = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
        assign(case, world.caseworker)
        held_meeting(case, world.caseworker, world.facilitator, days_ago=1, send_minutes=True)


def _year() -> Period:
    return Period.containing("year", timezone.localdate())


def test_a_stored_page_shows_exactly_what_the_computed_one_does(world, held):
    _grow(world, 2)
    computed = selectors.compute_dashboard(world.authority, _year())
    stored = json.loads(json.dumps(snapshots.encode(computed)))  # what the JSON column gives back
    live = selectors.assemble(world.authority, _year(), computed)
    again = selectors.assemble(world.authority, _year(), snapshots.decode(stored))
    assert _shown(again) == _shown(live)
    assert again.unit_cases == live.unit_cases == 3 and again.as_of == live.as_of
    costs = next(r for _k, _t, rows in again.sections for r in rows if r.spec.key == "costs")
    assert (
        costs.current.value
        == next(r for _k, _t, rows in live.sections for r in rows if r.spec.key == "costs").current.value
    )  # money stays a Decimal
    # Figures only: value, numerator, denominator, n, second value, parts; the cases behind them are not kept.
    rows = [*stored["current"].values(), *stored["previous"].values(), *stored["municipality"].values()]
    assert {len(row) for row in rows} == {6} and {len(p) for row in rows for p in row[5]} <= {3}


def test_parts_are_named_in_the_readers_language():
    part = Part("kind:network", 3, 3)
    with translation.override("da"):
        danish = part.label
    with translation.override("en"):
        english = part.label
    assert danish != english and english == "Inclusive network meeting"
    assert Part("clock:plan", 1, 1).label == "The child's plan"
    assert Part("evaluation:heard", 4.0, 2).label == "I felt heard"


def test_served_from_the_snapshot_then_computed_again_in_the_background(
    world, held, django_capture_on_commit_callbacks
):
    period = _year()
    now = timezone.now()
    board, at = snapshots.dashboard(world.authority, period, now)
    assert at == now and Snapshot.objects.count() == 1
    before = _shown(board)

    _grow(world, 1)  # new data: the stored figures stay until they are computed again
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        board, at = snapshots.dashboard(world.authority, period, now + datetime.timedelta(minutes=5))
    assert at == now and _shown(board) == before and not callbacks

    later = now + snapshots.FRESH + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        board, at = snapshots.dashboard(world.authority, period, later)
    assert at == now and _shown(board) == before  # shown at once …
    assert len(callbacks) == 1  # … and a refresh is queued, once
    with django_capture_on_commit_callbacks(execute=False) as again:
        snapshots.dashboard(world.authority, period, later + datetime.timedelta(minutes=1))
    assert not again  # another leader's look does not queue a second one

    assert snapshots.refresh(Snapshot.objects.get().pk, later + datetime.timedelta(minutes=2))
    board, at = snapshots.dashboard(world.authority, period, later + datetime.timedelta(minutes=3))
    assert at == later + datetime.timedelta(minutes=2)
    assert board.unit_cases == 2 and _shown(board) != before
    assert Snapshot.objects.get().refresh_queued_at is None


def test_figures_as_of_an_earlier_day_are_not_shown(world, held):
    period = Period.containing("month", timezone.localdate())
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Snapshot.objects.create(
        unit=world.authority,
        period_kind=period.kind,
        start=period.start,
        end=period.end,
        as_of=period.start - datetime.timedelta(days=1),  # as of a day the period had not yet reached
        computed_at=yesterday,
        viewed_at=yesterday,
        data={"format": snapshots.FORMAT},
    )
    now = timezone.now()
    board, at = snapshots.dashboard(world.authority, period, now)
    assert at == now and board.as_of == timezone.localdate()
    assert Snapshot.objects.get().as_of == timezone.localdate()


def test_the_hourly_job_keeps_looked_at_pages_current_and_prepares_this_month(world, held):
    now = timezone.now()
    year, month = _year(), Period.containing("month", timezone.localdate())
    old_quarter = Period.containing("quarter", timezone.localdate()).previous().previous()
    for period, viewed in ((year, now), (old_quarter, now - snapshots.KEEP - datetime.timedelta(hours=1))):
        Snapshot.objects.create(
            unit=world.authority,
            period_kind=period.kind,
            start=period.start,
            end=period.end,
            as_of=period.start,
            computed_at=viewed,
            viewed_at=viewed,
            data={},
        )
    assert snapshots.refresh_due(now) == 2  # the year again, and this month for the unit with a leader
    kept = {(s.period_kind, s.start): s for s in Snapshot.objects.filter(unit=world.authority)}
    assert set(kept) == {("year", year.start), ("month", month.start)}  # the quarter nobody looked at is gone
    assert kept[("year", year.start)].as_of == year.as_of(timezone.localdate())
    assert kept[("year", year.start)].data["format"] == snapshots.FORMAT
    assert not Snapshot.objects.filter(unit=world.family_centre).exists()  # no leader there
    assert snapshots.refresh_due(now) == 0  # nothing to do until the day changes


def test_the_page_says_when_it_was_computed_and_reads_little_from_the_snapshot(world, held, client, login):
    login(world.leader)
    url = reverse("insights:unit", kwargs={"unit_id": world.authority.public_id})
    response = client.get(url)
    assert b"Computed " in response.content and b"computed again in the background" in response.content
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world, 3)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    snapshot_reads = [q for q in large.captured_queries if "insights_snapshot" in q["sql"]]
    assert len(snapshot_reads) == 1
    assert not [q for q in large.captured_queries if "meetings_meeting" in q["sql"]]  # nothing computed


def test_one_page_one_computation_the_drill_down_and_the_download_read_the_pages_snapshot(world, held, client, login):
    """Field trial (issue 14): one load showed "6 af 24" in the table and "6 af 25" behind the figure. The page was
    served from its snapshot while the drill-down and the download computed from the data minutes later."""
    _grow(world, 5)
    login(world.leader)
    query = {"period": "year"}
    page = client.get(reverse("insights:unit", kwargs={"unit_id": world.authority.public_id}), query)
    assert page.status_code == 200
    board, _at = snapshots.dashboard(world.authority, _year())
    coverage = next(r for _k, _t, rows in board.sections for r in rows if r.spec.key == "coverage").current
    shown = figure_detail(coverage)

    late = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)  # data changes meanwhile
    assign(late, world.caseworker)
    held_meeting(late, world.caseworker, world.facilitator, days_ago=1, send_minutes=True)

    figure_url = reverse("insights:figure", kwargs={"unit_id": world.authority.public_id, "key": "coverage"})
    drill = client.get(figure_url, query).content.decode()
    assert f"({shown})" in drill, "the drill-down's numbers are the table's"
    assert late.child.full_name not in drill, "it lists the cases the table counted"
    assert str(coverage.denominator) in shown
    csv_url = reverse("insights:export_csv", kwargs={"unit_id": world.authority.public_id})
    text = client.get(csv_url, query).content.decode("utf-8-sig")
    line = next(line for line in text.splitlines() if line.startswith("coverage;"))
    assert line.split(";")[5] == str(coverage.denominator), "the download's denominator is the table's"
    per_caseworker = client.get(figure_url, {**query, "raadgiver": str(world.caseworker.public_id)}).content
    assert late.child.full_name not in per_caseworker.decode()

    # Computed again: the table, the trend, the drill-down and the file move together.
    assert snapshots.refresh(Snapshot.objects.get(period_kind="year").pk)
    board, _at = snapshots.dashboard(world.authority, _year())
    coverage = next(r for _k, _t, rows in board.sections for r in rows if r.spec.key == "coverage").current
    drill = client.get(figure_url, query).content.decode()
    assert f"({figure_detail(coverage)})" in drill and late.child.full_name in drill
    assert figure_detail(coverage) != shown
