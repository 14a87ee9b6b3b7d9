"""The leader's page is served from its last computation, and computed again in the background when it ages.

Deriving every figure from the raw rows takes seconds for a large municipality (bench/README.md), so the page keeps
its last result per unit and period (``Snapshot``: figures only, no case ids or names) and says when it was computed:

* a snapshot computed as of the same day is shown at once; when it is older than ``FRESH`` a refresh is queued for
  the worker (once: the first request claims it), so the next look shows the new figures;
* a snapshot as of an earlier day (the period's "as of" day moved, deadlines passed) is not shown: the page is
  computed while the leader waits, unless the hourly ``refresh_due`` already did it;
* ``refresh_due`` (hourly, run_worker) keeps the snapshots leaders have looked at in the last ``KEEP`` up to date
  as of today, makes the current month ready for every unit with a leader, and drops the rest.

One page, one computation: the drill-down and the unit's downloads read the same snapshot as the page (the case
ids behind each figure are kept for that in ``Snapshot.drill``), so the table, the trend, the cases listed behind a
figure and the file all show the same numbers for the same period ("6 af 24" everywhere, never "6 af 25" in one
of them because it was computed a few minutes later). See docs/design/leadership-insights.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership
from kreds.insights import selectors
from kreds.insights.figures import FIGURES, Part, Result
from kreds.insights.models import Snapshot
from kreds.insights.periods import Period
from kreds.tenancy.models import Unit

FRESH = datetime.timedelta(minutes=10)
KEEP = datetime.timedelta(days=14)
VIEWED_EVERY = datetime.timedelta(hours=1)  # how often a look at a snapshot is written down
FORMAT = 3  # bump when the stored shape changes: older snapshots are then computed again (3: the drill-down's ids)


def _value(value: Any) -> Any:
    return {"decimal": str(value)} if isinstance(value, Decimal) else value


def _unvalue(value: Any) -> Any:
    return Decimal(value["decimal"]) if isinstance(value, dict) else value


def _result(r: Result) -> list[Any]:
    parts = [[p.key, _value(p.value), p.n] for p in r.parts]
    return [_value(r.value), r.numerator, r.denominator, r.n, _value(r.second), parts]


def _unresult(key: str, row: list[Any]) -> Result:
    value, numerator, denominator, n, second, parts = row
    return Result(
        FIGURES[key][0],
        value=_unvalue(value),
        numerator=numerator,
        denominator=denominator,
        n=n,
        second=_unvalue(second),
        parts=[Part(pk, _unvalue(pv), pn) for pk, pv, pn in parts],
    )


def _results(results: dict[str, Result]) -> dict[str, list[Any]]:
    return {key: _result(r) for key, r in results.items()}


def _unresults(data: dict[str, list[Any]]) -> dict[str, Result]:
    # In the registry's order: PostgreSQL's jsonb keeps object keys in its own order.
    return {key: _unresult(key, data[key]) for key in FIGURES if key in data}


def encode(computed: selectors.Computed) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "as_of": computed.as_of.isoformat(),
        "unit_cases": computed.unit_cases,
        "current": _results(computed.current),
        "previous": _results(computed.previous),
        "municipality": _results(computed.municipality),
        "caseworkers": [[pk, _results(r)] for pk, r in computed.caseworkers],
        "months": [[m.start.isoformat(), _results(r)] for m, r in computed.months],
    }


def decode(data: dict[str, Any]) -> selectors.Computed:
    return selectors.Computed(
        as_of=datetime.date.fromisoformat(data["as_of"]),
        unit_cases=data["unit_cases"],
        current=_unresults(data["current"]),
        previous=_unresults(data["previous"]),
        municipality=_unresults(data["municipality"]),
        caseworkers=[(pk, _unresults(r)) for pk, r in data["caseworkers"]],
        months=[(Period.containing("month", datetime.date.fromisoformat(m)), _unresults(r)) for m, r in data["months"]],
    )


def _ids(r: Result) -> dict[str, Any]:
    """The cases behind one figure: all of them, those in the numerator, and (shares) the cases with more than one
    item as [case, counted, items]."""
    return {
        "c": sorted(r.cases),
        "h": sorted(r.hits),
        "p": [[cid, counted, items] for cid, (counted, items) in sorted(r.per_case.items()) if items > 1],
    }


def _with_ids(r: Result, ids: dict[str, Any] | None) -> Result:
    if ids:
        r.cases = frozenset(ids["c"])
        r.hits = frozenset(ids["h"])
        per_case = {cid: (1 if cid in r.hits else 0, 1) for cid in r.cases}
        per_case.update({cid: (counted, items) for cid, counted, items in ids["p"]})
        r.per_case = per_case if r.spec.kind == "share" else {}
    return r


def encode_drill(computed: selectors.Computed) -> dict[str, Any]:
    return {
        "unit": {key: _ids(r) for key, r in computed.current.items()},
        "caseworkers": {str(pk): {key: _ids(r) for key, r in results.items()} for pk, results in computed.caseworkers},
    }


def _usable(snapshot: Snapshot | None, as_of: datetime.date) -> bool:
    """As of the same day, in this format, and with every figure there is (a new figure means computing again)."""
    return (
        snapshot is not None
        and snapshot.as_of == as_of
        and snapshot.data.get("format") == FORMAT
        and set(snapshot.data.get("current", {})) == set(FIGURES)
    )


def _store(unit: Unit, period: Period, computed: selectors.Computed, now: datetime.datetime) -> Snapshot:
    snapshot, _created = Snapshot.objects.update_or_create(
        unit=unit,
        period_kind=period.kind,
        start=period.start,
        end=period.end,
        defaults={
            "as_of": computed.as_of,
            "computed_at": now,
            "refresh_queued_at": None,
            "data": encode(computed),
            "drill": encode_drill(computed),
        },
        create_defaults={
            "as_of": computed.as_of,
            "computed_at": now,
            "viewed_at": now,
            "data": encode(computed),
            "drill": encode_drill(computed),
        },
    )
    return snapshot


def current(unit: Unit, period: Period, now: datetime.datetime | None = None) -> Snapshot | None:
    """The stored computation the page would show now, without its figures (``pk`` and ``computed_at``), or None
    when it must be computed. Looking counts: a snapshot older than ``FRESH`` has its refresh queued (once), and
    the look is written down at most every ``VIEWED_EVERY``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    try:  # one snapshot per unit and period (a unique constraint): get(), which does not sort
        snapshot = Snapshot.objects.only("pk", "computed_at", "refresh_queued_at", "viewed_at").get(
            unit=unit,
            period_kind=period.kind,
            start=period.start,
            end=period.end,
            as_of=period.as_of(today),
            data__format=FORMAT,
            data__current__has_keys=list(FIGURES),  # a new figure means computing again
        )
    except Snapshot.DoesNotExist:
        return None
    stale = snapshot.computed_at < now - FRESH
    unclaimed = snapshot.refresh_queued_at is None or snapshot.refresh_queued_at < now - FRESH
    if stale and unclaimed:
        # Claim the refresh: of several leaders looking at once, one queues it.
        claimed = Snapshot.objects.filter(pk=snapshot.pk, refresh_queued_at=snapshot.refresh_queued_at).update(
            refresh_queued_at=now, viewed_at=now
        )
        if claimed:
            pk = snapshot.pk
            transaction.on_commit(lambda: refresh_snapshot.enqueue(pk))
    elif snapshot.viewed_at < now - VIEWED_EVERY:
        Snapshot.objects.filter(pk=snapshot.pk).update(viewed_at=now)
    return snapshot


_NOT_READ: Any = object()


def computed(
    unit: Unit,
    period: Period,
    now: datetime.datetime | None = None,
    *,
    with_drill: bool = False,
    stored: Snapshot | None = _NOT_READ,
) -> tuple[selectors.Computed, datetime.datetime]:
    """The figures of the unit's page for ``period`` and when they were computed: the stored ones when usable
    (a refresh is queued when they have aged), else computed now and stored. With ``with_drill`` each figure of
    the period carries the cases behind it (the drill-down). ``stored``: what :func:`current` said, when the
    caller asked it already."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    snapshot = current(unit, period, now) if stored is _NOT_READ else stored
    fields = ("data", "drill", "computed_at") if with_drill else ("data", "computed_at")
    row = Snapshot.objects.filter(pk=snapshot.pk).values(*fields).first() if snapshot is not None else None
    if row is None:  # nothing usable stored (or it was dropped a moment ago): compute while the leader waits
        fresh = selectors.compute_dashboard(unit, period, today)
        kept = _store(unit, period, fresh, now)
        if kept.viewed_at < now - VIEWED_EVERY:
            Snapshot.objects.filter(pk=kept.pk).update(viewed_at=now)
        return fresh, now
    figures = decode(row["data"])
    if with_drill:
        drill = row["drill"] or {}
        for key, r in figures.current.items():
            _with_ids(r, drill.get("unit", {}).get(key))
        for pk, results in figures.caseworkers:
            for key, r in results.items():
                _with_ids(r, drill.get("caseworkers", {}).get(str(pk), {}).get(key))
    return figures, row["computed_at"]


def dashboard(
    unit: Unit, period: Period, now: datetime.datetime | None = None, *, stored: Snapshot | None = _NOT_READ
) -> tuple[selectors.Dashboard, datetime.datetime]:
    """The leader's page and when its figures were computed."""
    figures, at = computed(unit, period, now, stored=stored)
    return selectors.assemble(unit, period, figures), at


def figure(
    unit: Unit, period: Period, key: str, caseworker_id: int | None = None, now: datetime.datetime | None = None
) -> tuple[Result, datetime.datetime]:
    """One figure of the page with the cases behind it, from the same computation as the page (the unit's, or a
    caseworker's column of the breakdown). A caseworker or figure the page has no column for is computed now."""
    figures, at = computed(unit, period, now, with_drill=True)
    if caseworker_id is None:
        return figures.current[key], at
    column = dict(figures.caseworkers).get(caseworker_id)
    if column is not None and key in column:
        return column[key], at
    now = now or timezone.now()
    return selectors.figure_now(unit, period, key, caseworker_id, timezone.localdate(now)), now


def refresh(snapshot_id: int, now: datetime.datetime | None = None) -> bool:
    """Compute a stored page again (the worker). False when it is gone."""
    now = now or timezone.now()
    snapshot = Snapshot.objects.select_related("unit").filter(pk=snapshot_id).first()
    if snapshot is None:
        return False
    period = Period(snapshot.period_kind, snapshot.start, snapshot.end)
    _store(snapshot.unit, period, selectors.compute_dashboard(snapshot.unit, period, timezone.localdate(now)), now)
    return True


def refresh_due(now: datetime.datetime | None = None) -> int:
    """Hourly: drop snapshots nobody has looked at for ``KEEP``; compute again those a leader has looked at whose
    figures are as of an earlier day; make this month's page ready for every unit with a leader. Returns how many
    pages were computed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    Snapshot.objects.filter(viewed_at__lt=now - KEEP).delete()
    done = 0
    for snapshot in Snapshot.objects.select_related("unit").order_by("pk"):
        period = Period(snapshot.period_kind, snapshot.start, snapshot.end)
        if not _usable(snapshot, period.as_of(today)):
            _store(snapshot.unit, period, selectors.compute_dashboard(snapshot.unit, period, today), now)
            done += 1
    month = Period.containing("month", today)
    led = Membership.objects.filter(role=Role.LEADER, user__is_active=True).values("unit_id")
    have = Snapshot.objects.filter(period_kind=month.kind, start=month.start, end=month.end).values("unit_id")
    for unit in Unit.objects.filter(Q(pk__in=led) & ~Q(pk__in=have)).select_related("municipality").order_by("pk"):
        _store(unit, month, selectors.compute_dashboard(unit, month, today), now)
        done += 1
    return done


@task()
def refresh_snapshot(snapshot_id: int) -> bool:
    """Compute a leader's page again after a leader saw figures older than snapshots.FRESH."""
    return refresh(snapshot_id)


@task()
def refresh_snapshots() -> int:
    """Periodic (hourly, from run_worker): keep the leaders' pages computed as of today (snapshots.refresh_due)."""
    return refresh_due()
