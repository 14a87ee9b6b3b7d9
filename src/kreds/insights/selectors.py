"""What the leader's page, the drill-down and the exports show. One ``facts.load`` per page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.functional import Promise

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.authz.policies import unit_ids_with_role
from kreds.cases.models import Case
from kreds.cases.policies import visible_cases
from kreds.insights import facts as facts_module
from kreds.insights.figures import FIGURES, SECTIONS, TREND_KEYS, Result, Spec, compute
from kreds.insights.periods import Period
from kreds.insights.shown import value_of
from kreds.tenancy.models import Unit

BREAKDOWN_KEYS = [
    "coverage",
    "map_coverage",
    "meetings_held",
    "child_part",
    "minutes_on_time",
    "follow_up_on_time",
    "agreements_done",
    "clocks_overdue",
]
TREND_MONTHS = 12


def leader_units(user: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=unit_ids_with_role(user, Role.LEADER)).order_by("name")


@dataclass
class FigureRow:
    spec: Spec
    current: Result
    previous: Result
    municipality: Result

    @property
    def change(self) -> float | None:
        """From the values as shown (rounded by ``shown.value_of``): 33 % after 25 % is +8 points, never +7."""
        now, before = value_of(self.current), value_of(self.previous)
        if now is None or before is None:
            return None
        return float(now - before)

    @property
    def trend_word(self) -> str:
        """better / worse / same, for the arrow and its text (screen readers get the words)."""
        change = self.change
        if change is None or abs(change) < 1e-9 or not self.spec.better:
            return "same" if change is not None and abs(change) < 1e-9 else ""
        up = change > 0
        return "better" if up == (self.spec.better == "up") else "worse"


@dataclass
class TrendChart:
    spec: Spec
    points: list[tuple[Period, Result]]
    width: int = 640
    height: int = 240
    svg_points: list[tuple[str, str, str]] = field(default_factory=list)  # (x, y, label)
    ticks_x: list[tuple[str, str]] = field(default_factory=list)
    ticks_y: list[tuple[str, str]] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _l in self.svg_points)


def _fmt(value: float) -> str:
    return f"{value:.1f}"  # never localised: a decimal comma would break the SVG


def _chart(spec: Spec, points: list[tuple[Period, Result]]) -> TrendChart:
    chart = TrendChart(spec, points)
    left, right, top, bottom = 64, 40, 16, 40
    plot_w, plot_h = chart.width - left - right, chart.height - top - bottom
    step = plot_w / max(len(points) - 1, 1)
    for i, (period, result) in enumerate(points):
        x = left + step * i
        value = result.comparable()
        if i % 3 == 0 or i == len(points) - 1:
            fmt = "b Y" if i == 0 or period.start.month == 1 else "b"
            chart.ticks_x.append((_fmt(x), formats.date_format(period.start, fmt)))
        if value is not None:
            chart.svg_points.append(
                (_fmt(x), _fmt(top + plot_h * (100 - value) / 100), f"{period.short_label}: {value_of(result)} %")
            )
    chart.ticks_y = [(_fmt(top + plot_h * (100 - v) / 100), f"{v} %") for v in (0, 25, 50, 75, 100)]
    return chart


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    previous: Period
    as_of: datetime.date
    sections: list[tuple[str, Promise, list[FigureRow]]]
    caseworkers: list[tuple[User, dict[str, Result]]]
    breakdown_specs: list[Spec]
    trends: list[TrendChart]
    unit_cases: int


@dataclass(frozen=True)
class BreakdownCell:
    spec: Spec
    result: Result
    url: str  # the figure's drill-down page for the unit (the caseworker is added by the template)


def breakdown_rows(board: Dashboard, figure_urls: dict[str, str]) -> list[tuple[User, list[BreakdownCell]]]:
    """The per-caseworker table laid out once: each caseworker's figures in the columns' order, with the link to
    the cases behind each (``figure_urls``: figure key -> drill-down path). The template looped over every figure
    for every column of every caseworker to find the one to show, and reversed a URL per cell."""
    return [
        (
            user,
            [
                BreakdownCell(spec, results[spec.key], figure_urls[spec.key])
                for spec in board.breakdown_specs
                if spec.key in results
            ],
        )
        for user, results in board.caseworkers
    ]


def trend_months(period: Period, today: datetime.date) -> list[Period]:
    """The 12 months up to the period's last day, or up to this month: a month that has not begun shows nothing."""
    return Period.containing("month", period.as_of(today)).months_back(TREND_MONTHS)


def _window(period: Period, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return min(period.previous().start, trend_months(period, today)[0].start), period.end


def load_facts(unit: Unit, period: Period, today: datetime.date | None = None) -> facts_module.Facts:
    today = today or timezone.localdate()
    start, end = _window(period, today)
    return facts_module.load(
        unit.municipality,
        start,
        end,
        as_of_days=(period.as_of(today), period.previous().as_of(today)),
        today=today,
    )


def unit_caseworkers(unit: Unit) -> list[User]:
    return list(
        User.objects.filter(memberships__unit=unit, memberships__role=Role.CASEWORKER, is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )


@dataclass
class Computed:
    """A leader's page's figures before they are laid out: what kreds.insights.snapshots stores."""

    as_of: datetime.date
    unit_cases: int
    current: dict[str, Result]
    previous: dict[str, Result]
    municipality: dict[str, Result]
    caseworkers: list[tuple[int, dict[str, Result]]]  # user id -> the breakdown figures
    months: list[tuple[Period, dict[str, Result]]]


def compute_dashboard(unit: Unit, period: Period, today: datetime.date | None = None) -> Computed:
    facts = load_facts(unit, period, today)
    ids = facts.unit_cases(unit.pk)
    return Computed(
        as_of=period.as_of(facts.today),
        unit_cases=len(ids),
        current=compute(facts, period, ids),
        previous=compute(facts, period.previous(), ids),
        municipality=compute(facts, period, None),
        caseworkers=[
            (user.pk, compute(facts, period, facts.caseworkers.get(user.pk, set()) & ids, keys=BREAKDOWN_KEYS))
            for user in unit_caseworkers(unit)
        ],
        months=[(month, compute(facts, month, ids, keys=TREND_KEYS)) for month in trend_months(period, facts.today)],
    )


def assemble(unit: Unit, period: Period, computed: Computed) -> Dashboard:
    """Lay the figures out for the page (one query: the caseworkers' names)."""
    sections = []
    for key, title in SECTIONS:
        rows = [
            FigureRow(spec, computed.current[k], computed.previous[k], computed.municipality[k])
            for k, (spec, _fn) in FIGURES.items()
            if spec.section == key
        ]
        sections.append((key, title, rows))
    users = User.objects.in_bulk([pk for pk, _r in computed.caseworkers])
    caseworkers = [(users[pk], results) for pk, results in computed.caseworkers if pk in users]
    for result in computed.municipality.values():
        result.suppress = True  # cases the leader may not open: small numbers suppressed as in the exports
    trends = [
        _chart(FIGURES[key][0], [(month, results[key]) for month, results in computed.months]) for key in TREND_KEYS
    ]
    return Dashboard(
        unit=unit,
        period=period,
        previous=period.previous(),
        as_of=computed.as_of,
        sections=sections,
        caseworkers=caseworkers,
        breakdown_specs=[FIGURES[k][0] for k in BREAKDOWN_KEYS],
        trends=trends,
        unit_cases=computed.unit_cases,
    )


def dashboard(unit: Unit, period: Period, today: datetime.date | None = None) -> Dashboard:
    """The leader's page computed now from the data (the view reads it through kreds.insights.snapshots)."""
    return assemble(unit, period, compute_dashboard(unit, period, today))


@dataclass
class Drilldown:
    result: Result
    rows: list[tuple[Case, bool, tuple[int, int] | None]]  # case, counts in the numerator, (counted, items)
    hidden: int  # cases behind the figure the viewer may not see


def figure_now(
    unit: Unit, period: Period, key: str, caseworker_id: int | None = None, today: datetime.date | None = None
) -> Result:
    """One figure computed from the data now (for a caseworker column the page does not have)."""
    facts = load_facts(unit, period, today)
    ids = facts.unit_cases(unit.pk)
    if caseworker_id is not None:
        ids &= facts.caseworkers.get(caseworker_id, set())
    return compute(facts, period, ids, keys=[key])[key]


def drilldown(user: Any, result: Result) -> Drilldown:
    """The cases behind ``result`` (from the page's own computation, ``snapshots.figure``) that ``user`` may see."""
    visible = (
        visible_cases(user)
        .filter(pk__in=list(result.cases))
        .select_related("child", "responsible_unit")
        .order_by("child__first_name", "child__last_name", "pk")
    )
    rows = [(case, case.pk in result.hits, result.per_case.get(case.pk)) for case in visible]
    return Drilldown(result, rows, hidden=len(result.cases) - len(rows))


def export_rows(
    unit: Unit | None, municipality: Any, period: Period, today: datetime.date | None = None
) -> list[Result]:
    """The figures for a unit (or the whole municipality) in ``period``; suppression is applied by the writer."""
    today = today or timezone.localdate()
    facts = facts_module.load(municipality, period.start, period.end, as_of_days=(period.as_of(today),), today=today)
    ids = facts.unit_cases(unit.pk) if unit is not None else None
    return list(compute(facts, period, ids).values())
