"""Reads for the Signs of Safety screens. Callers have authorized the case."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kreds.cases.models import Case
from kreds.network.models import NetworkPerson
from kreds.safety.constants import SCALE_MAX, ScorerKind
from kreds.safety.models import Mapping, SafetyPlan, SafetyRule, Scaling

# Colours per kind of answer (3:1 or more against white for graphics, WCAG 1.4.11) and a marker shape each, so
# the chart does not rely on colour alone; the data table under it says everything in words.
SERIES_STYLE = {
    ScorerKind.STAFF: ("#1f5fa8", "circle"),
    ScorerKind.PARENT: ("#b3261e", "square"),
    ScorerKind.NETWORK: ("#2e7d32", "diamond"),
    ScorerKind.CHILD: ("#6a1b9a", "triangle"),
}
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40


def versions(case: Case) -> list[Mapping]:
    return list(Mapping.objects.filter(case=case).select_related("created_by").order_by("-version"))


def mapping(case: Case, version: int | None = None) -> Mapping | None:
    qs = Mapping.objects.filter(case=case).select_related("created_by").prefetch_related("statements")
    if version is not None:
        return qs.filter(version=version).first()
    return qs.order_by("-version").first()


@dataclass
class Point:
    scored_on: datetime.date
    score: int
    x: str
    y: str
    label: str


@dataclass
class Series:
    kind: str
    kind_label: str
    name: str
    colour: str
    shape: str
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass
class Chart:
    statement: Any
    series: list[Series]
    rows: list[Scaling]
    ticks_x: list[tuple[str, str, str]]  # (x, label, text-anchor)
    ticks_y: list[tuple[str, str]]  # (y, label)
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def latest(self) -> list[Series]:
        return [s for s in self.series if s.points]


def _fmt(value: float) -> str:
    return f"{value:.1f}"  # never localised: a decimal comma would break the SVG


def charts(case: Case, current: Mapping | None) -> list[Chart]:
    """One chart per worry statement of ``current``: every answer over time, one line per person."""
    if current is None:
        return []
    statements = list(current.statements.all())
    scalings = list(
        Scaling.objects.filter(case=case, statement_key__in=[s.key for s in statements]).order_by("scored_on", "id")
    )
    days = sorted({s.scored_on for s in scalings})
    first, last = (days[0], days[-1]) if days else (None, None)
    span = max((last - first).days, 1) if first and last else 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: datetime.date) -> str:
        if first is None or first == last:
            return _fmt(LEFT + plot_w / 2)
        return _fmt(LEFT + plot_w * (day - first).days / span)

    def y_of(score: int) -> str:
        return _fmt(TOP + plot_h * (SCALE_MAX - score) / SCALE_MAX)

    ticks_y = [(y_of(n), str(n)) for n in range(0, SCALE_MAX + 1, 2)]
    tick_days = [days[0], days[len(days) // 2], days[-1]] if len(days) > 2 else days
    unique = list(dict.fromkeys(tick_days))
    anchors = ["start", "middle", "end"] if len(unique) == 3 else ["start", "end"] if len(unique) == 2 else ["middle"]
    ticks_x = [(x_of(d), d.strftime("%d.%m.%y"), anchor) for d, anchor in zip(unique, anchors, strict=False)]
    out = []
    for statement in statements:
        rows = [s for s in scalings if s.statement_key == statement.key]
        by_person: dict[tuple[str, str], Series] = {}
        for row in rows:
            colour, shape = SERIES_STYLE[ScorerKind(row.scorer_kind)]
            series = by_person.setdefault(
                (row.scorer_kind, row.scorer_name),
                Series(row.scorer_kind, str(row.get_scorer_kind_display()), row.scorer_name, colour, shape),
            )
            series.points.append(
                Point(row.scored_on, row.score, x_of(row.scored_on), y_of(row.score), f"{row.scorer_name}: {row.score}")
            )
        out.append(Chart(statement, list(by_person.values()), rows, ticks_x, ticks_y))
    return out


def plan(case: Case) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(case=case).select_related("agreed_at_meeting", "agreed_by").first()


def rules(case: Case, *, include_ended: bool = False, today: datetime.date | None = None) -> list[SafetyRule]:
    """The safety plan's rules, each with ``overdue`` set (its date has passed and it is not done) as of ``today``."""
    today = today or timezone.localdate()
    qs = SafetyRule.objects.filter(plan__case=case).select_related("responsible", "created_by").order_by("number")
    if not include_ended:
        qs = qs.filter(ended_at__isnull=True)
    found = list(qs)
    for rule in found:
        rule.overdue = rule.is_overdue(today)
    return found


def rules_for_person(case: Case, person: NetworkPerson) -> list[SafetyRule]:
    return list(
        SafetyRule.objects.filter(plan__case=case, responsible=person, ended_at__isnull=True).order_by("number")
    )
