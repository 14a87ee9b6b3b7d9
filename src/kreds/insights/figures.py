"""The leadership figures of DOMAIN §12, computed from ``Facts`` (no database access here).

Every figure's definition is written out in docs/kpi-definitions.md; the short definition below is shown on screen.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kreds.core.workdays import add_working_days
from kreds.insights.facts import EVALUATION_FIELDS, AgreementRow, CaseRow, Facts, MeetingRow, PlacementRow
from kreds.insights.periods import Period
from kreds.meetings.constants import (
    EVALUATION_MIN_RESPONDENTS,
    FGC_KINDS,
    FOLLOW_UP_KINDS,
    MINUTES_WORKING_DAYS,
    SUMMARY_DAYS_BEFORE,
    ChildParticipation,
    MeetingKind,
    MeetingStatus,
)
from kreds.placements.models import searched_first
from kreds.plans import clocks

FOLLOW_UP_SLACK_DAYS = 7
SUPPRESS_BELOW = 5
SMALL_SUBSET = 300  # below this many cases, a figure reads the cases' own rows rather than the month index

SECTIONS: list[tuple[str, Promise]] = [
    ("involvement", _("Network involvement")),
    ("map", _("Network maps")),
    ("meetings", _("Meetings")),
    ("follow_through", _("Follow-through after meetings")),
    ("agreements", _("Agreements")),
    ("fgc", _("Family group conferences")),
    ("evaluation", _("Evaluations")),
    ("placements", _("Placements")),
    ("clocks", _("Legal deadlines")),
    ("costs", _("Costs")),
]


@dataclass(frozen=True)
class Spec:
    key: str
    section: str
    title: Promise
    definition: Promise
    kind: str  # share | count | median | mean | money | means
    trend: bool = False
    better: str = "up"  # which direction is an improvement: up, down or "" (neither)


@dataclass(frozen=True)
class Part:
    """One line under a figure (a method, a question, a kind of deadline). ``key`` names it in PART_LABELS, so a
    stored dashboard (kreds.insights.snapshots) is shown in the reader's language."""

    key: str
    value: Any
    n: int

    @property
    def label(self) -> str:
        return str(part_label(self.key))


@dataclass
class Result:
    spec: Spec
    value: Any = None
    numerator: int = 0
    denominator: int = 0
    n: int = 0  # observations behind the value (cases, meetings, answers) — for suppression
    hits: frozenset[int] = frozenset()  # cases that count in the numerator
    cases: frozenset[int] = frozenset()  # cases behind the figure (the denominator)
    parts: list[Part] = field(default_factory=list)
    second: Any = None  # a value shown next to the main one (well-being at referral)
    per_case: dict[int, tuple[int, int]] = field(default_factory=dict)  # shares: case -> (in numerator, items)
    # Shown with small numbers suppressed (kreds.insights.shown): on screen where the viewer may not open the cases
    # behind the figure (the municipality comparison); exports suppress always.
    suppress: bool = False

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def percent(self) -> float | None:
        if self.spec.kind != "share" or not self.denominator:
            return None
        return 100.0 * self.numerator / self.denominator

    def comparable(self) -> float | None:
        """The number used for comparisons and trend charts."""
        if self.spec.kind == "share":
            return self.percent
        if self.value is None:
            return None
        return float(self.value)


def _share(spec: Spec, pairs: Iterable[tuple[int, bool]]) -> Result:
    """``pairs``: (case id, counts in the numerator) for every item of the denominator."""
    num = den = 0
    hits: set[int] = set()
    cases: set[int] = set()
    per_case: dict[int, tuple[int, int]] = {}
    for case_id, hit in pairs:
        den += 1
        cases.add(case_id)
        counted, items = per_case.get(case_id, (0, 0))
        per_case[case_id] = (counted + bool(hit), items + 1)
        if hit:
            num += 1
            hits.add(case_id)
    return Result(
        spec,
        value=(num / den if den else None),
        numerator=num,
        denominator=den,
        n=den,
        hits=frozenset(hits),
        cases=frozenset(cases),
        per_case=per_case,
    )


@lru_cache(maxsize=4096)
def _minutes_deadline(held_on: datetime.date) -> datetime.date:
    return add_working_days(held_on, MINUTES_WORKING_DAYS)


def _mean(values: list[int] | list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _meetings(c: CaseRow) -> list[MeetingRow]:
    return c.meetings


def _held(c: CaseRow) -> list[MeetingRow]:
    return [m for m in c.meetings if m.is_held]


def _agreements(c: CaseRow) -> list[tuple[int, AgreementRow]]:
    return [(c.id, a) for a in c.agreements]


class _Context:
    def __init__(self, facts: Facts, period: Period, case_ids: set[int] | frozenset[int] | None) -> None:
        self.facts = facts
        self.period = period
        self.as_of = period.as_of(facts.today)
        self.ids = None if case_ids is None else frozenset(case_ids)
        # A subset (a unit, a caseworker) is read through its ids, not by scanning the whole municipality.
        self.cases: list[CaseRow] = (
            list(facts.cases.values())
            if case_ids is None
            else [facts.cases[cid] for cid in case_ids if cid in facts.cases]
        )
        self.open = [c for c in self.cases if c.open_during(period.start, period.end)]
        self.held: list[MeetingRow] = [
            m for m in self.in_period(facts.held_by_month, lambda m: m.held_on, lambda m: m.case_id, _held)
        ]

    def months(self) -> list[tuple[int, int]]:
        out, year, month = [], self.period.start.year, self.period.start.month
        while (year, month) <= (self.period.end.year, self.period.end.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def in_period(
        self,
        index: dict[tuple[int, int], list[Any]],
        day_of: Callable[[Any], datetime.date | None],
        case_of: Callable[[Any], int],
        of_case: Callable[[CaseRow], Iterable[Any]],
    ) -> Iterable[Any]:
        """The rows whose day lies in the period, on the context's cases: from the month index, or, for a few cases
        (a caseworker's), straight from the cases (``of_case``)."""
        if self.ids is not None and len(self.ids) < SMALL_SUBSET:
            rows: Iterable[Any] = (row for c in self.cases for row in of_case(c))
        else:
            rows = (row for key in self.months() for row in index.get(key, ()))
        for row in rows:
            if (self.ids is None or case_of(row) in self.ids) and self.period.contains(day_of(row)):
                yield row


# The figures ----------------------------------------------------------------------------------------------------


def _coverage(spec: Spec, x: _Context) -> Result:
    with_meeting = {m.case_id for m in x.held}
    return _share(spec, ((c.id, c.id in with_meeting) for c in x.open))


def _early_activity(spec: Spec, x: _Context) -> Result:
    days = x.facts.municipality.network_activity_days

    def pairs() -> Iterable[tuple[int, bool]]:
        for c in x.cases:
            if not x.period.contains(c.opened_on):
                continue
            deadline = c.opened_on + datetime.timedelta(days=days)
            dates = [m.held_on for m in c.meetings if m.is_held and m.held_on]
            if c.fgc_referred_on:
                dates.append(c.fgc_referred_on)
            first = min(dates) if dates else None
            if first is not None and first <= deadline and first <= x.as_of:
                yield c.id, True
            elif deadline < x.as_of:
                yield c.id, False

    return _share(spec, pairs())


def _map_counts(c: CaseRow, day: datetime.date) -> tuple[int, int]:
    return c.map_counts.get(day, (0, 0))


def _map_coverage(spec: Spec, x: _Context) -> Result:
    return _share(spec, ((c.id, _map_counts(c, x.as_of)[0] > 0) for c in x.open))


def _with_map(x: _Context) -> list[CaseRow]:
    return [c for c in x.open if _map_counts(c, x.as_of)[0] > 0]


def _map_size(spec: Spec, x: _Context) -> Result:
    rows = _with_map(x)
    sizes = [_map_counts(c, x.as_of)[1] for c in rows]
    ids = frozenset(c.id for c in rows)
    return Result(spec, value=statistics.median(sizes) if sizes else None, n=len(sizes), cases=ids, hits=ids)


def _map_change(spec: Spec, x: _Context) -> Result:
    rows = [c for c in _with_map(x) if c.map_started_on and c.map_started_on <= x.as_of]
    changes = [_map_counts(c, x.as_of)[1] - c.map_first_private for c in rows]
    ids = frozenset(c.id for c in rows)
    return Result(
        spec,
        value=statistics.median(changes) if changes else None,
        n=len(changes),
        cases=ids,
        hits=frozenset(c.id for c, d in zip(rows, changes, strict=True) if d > 0),
    )


def _meetings_held(spec: Spec, x: _Context) -> Result:
    parts = []
    for kind in MeetingKind:
        n = sum(1 for m in x.held if m.kind == kind)
        parts.append(Part(f"kind:{kind.value}", n, n))
    safety = sum(1 for m in x.held if m.safety_plan)
    parts.append(Part("safety_plan", safety, safety))
    ids = frozenset(m.case_id for m in x.held)
    return Result(spec, value=len(x.held), n=len(x.held), cases=ids, hits=ids, parts=parts)


def _neutral_lead(spec: Spec, x: _Context) -> Result:
    return _share(spec, ((m.case_id, m.has_facilitator) for m in x.held))


CHILD_THROUGH = {ChildParticipation.THROUGH_ADULT, ChildParticipation.WRITTEN}


def _child_part(spec: Spec, x: _Context) -> Result:
    return _share(spec, ((m.case_id, m.child_attended or m.child_participation in CHILD_THROUGH) for m in x.held))


def _minutes_on_time(spec: Spec, x: _Context) -> Result:
    def pairs() -> Iterable[tuple[int, bool]]:
        for m in x.held:
            assert m.held_on is not None
            deadline = _minutes_deadline(m.held_on)
            if m.minutes_sent_on is not None and m.minutes_sent_on <= deadline:
                yield m.case_id, True
            elif m.minutes_sent_on is not None or deadline < x.as_of:
                yield m.case_id, False

    return _share(spec, pairs())


def _follow_up_on_time(spec: Spec, x: _Context) -> Result:
    slack = datetime.timedelta(days=FOLLOW_UP_SLACK_DAYS)

    def pairs() -> Iterable[tuple[int, bool]]:
        for m in x.in_period(
            x.facts.meetings_by_follow_up_month, lambda m: m.follow_up_on, lambda m: m.case_id, _meetings
        ):
            if m.status == MeetingStatus.CANCELLED:
                continue
            held = x.facts.follow_ups_held.get(m.id)
            if held is not None and held <= x.as_of and held <= m.follow_up_on + slack:
                yield m.case_id, True
            elif m.follow_up_on + slack < x.as_of:
                yield m.case_id, False

    return _share(spec, pairs())


def _summary_on_time(spec: Spec, x: _Context) -> Result:
    def pairs() -> Iterable[tuple[int, bool]]:
        for m in x.in_period(x.facts.meetings_by_start_month, lambda m: m.starts_on, lambda m: m.case_id, _meetings):
            if m.kind not in FOLLOW_UP_KINDS or m.status == MeetingStatus.CANCELLED:
                continue
            due = m.starts_on - datetime.timedelta(days=SUMMARY_DAYS_BEFORE)
            if m.summary_queued_on is not None and m.summary_queued_on <= due:
                yield m.case_id, True
            elif due < x.as_of:
                yield m.case_id, False

    return _share(spec, pairs())


def _made(x: _Context) -> list[tuple[int, AgreementRow]]:
    return list(x.in_period(x.facts.agreements_by_made_month, lambda r: r[1].made_on, lambda r: r[0], _agreements))


def _agreements_made(spec: Spec, x: _Context) -> Result:
    made = _made(x)
    ids = frozenset(cid for cid, _a in made)
    return Result(spec, value=len(made), n=len(made), cases=ids, hits=ids)


def _agreements_done(spec: Spec, x: _Context) -> Result:
    def pairs() -> Iterable[tuple[int, bool]]:
        for case_id, a in x.in_period(
            x.facts.agreements_by_due_month, lambda r: r[1].due_on, lambda r: r[0], _agreements
        ):
            on_time = a.status == "done" and a.done_on is not None and a.done_on <= a.due_on
            if on_time and a.done_on is not None and a.done_on <= x.as_of:
                yield case_id, True
            elif a.due_on < x.as_of:
                yield case_id, False

    return _share(spec, pairs())


def _agreements_private(spec: Spec, x: _Context) -> Result:
    return _share(spec, ((case_id, a.role == "private") for case_id, a in _made(x)))


def _fgc_plan(spec: Spec, x: _Context) -> Result:
    return _share(
        spec,
        (
            (c.id, s.approved_items > 0)
            for c in x.cases
            for s in c.sessions
            if s.number == 0 and x.period.contains(s.held_on)
        ),
    )


def _fgc_realised(spec: Spec, x: _Context) -> Result:
    return _share(
        spec,
        (
            (c.id, outcome == "realised")
            for c in x.cases
            for s in c.sessions
            if s.number > 0 and x.period.contains(s.held_on)
            for outcome in s.reviews
        ),
    )


def _answers_mean(values: list[Any]) -> float | None:
    """The mean of evaluation answers, or None (shown as "–") for fewer than ``EVALUATION_MIN_RESPONDENTS``: with
    one or two answers, as for one family's meeting, a mean is someone's own answers."""
    return _mean(values) if len(values) >= EVALUATION_MIN_RESPONDENTS else None


def _fgc_satisfaction(spec: Spec, x: _Context) -> Result:
    index = EVALUATION_FIELDS.index("satisfaction")
    meetings = [m for m in x.held if m.kind in FGC_KINDS]
    scores = [e[index] for m in meetings for e in m.evaluations if e[index] is not None]
    ids = frozenset(m.case_id for m in meetings if m.evaluations)
    return Result(spec, value=_answers_mean(scores), n=len(scores), cases=ids, hits=ids)


def _fgc_wellbeing(spec: Spec, x: _Context) -> Result:
    latest: dict[int, tuple[int, int, list[int]]] = {}  # conference -> (number, case, scores)
    for c in x.cases:
        for s in c.sessions:
            counts = s.number > 0 and x.period.contains(s.held_on) and bool(s.wellbeing)
            if counts and (s.conference_id not in latest or latest[s.conference_id][0] < s.number):
                latest[s.conference_id] = (s.number, c.id, s.wellbeing)
    now: list[int] = []
    then: list[int] = []
    ids: set[int] = set()
    for conference_id, (_n, case_id, scores) in latest.items():
        referral = x.facts.referral_wellbeing.get(conference_id)
        if referral:
            now.extend(scores)
            then.extend(referral)
            ids.add(case_id)
    return Result(spec, value=_mean(now), second=_mean(then), n=len(ids), cases=frozenset(ids), hits=frozenset(ids))


EVALUATION_LABELS = {
    "heard": _("I felt heard"),
    "knew_purpose": _("I knew the purpose of the meeting beforehand"),
    "realistic": _("The plan is realistic"),
    "own_part_clear": _("My own part is clear"),
    "satisfaction": _("Overall satisfaction"),
    "plan_satisfaction": _("I am satisfied with the plan"),
}


def _evaluation(spec: Spec, x: _Context) -> Result:
    answers = [(m.case_id, e) for m in x.held for e in m.evaluations]
    parts = []
    for i, name in enumerate(EVALUATION_FIELDS):
        values = [e[i] for _c, e in answers if e[i] is not None]
        parts.append(Part(f"evaluation:{name}", _answers_mean(values), len(values)))
    ids = frozenset(cid for cid, _e in answers)
    overall = parts[EVALUATION_FIELDS.index("satisfaction")].value
    return Result(spec, value=overall, n=len(answers), cases=ids, hits=ids, parts=parts)


def _placed(x: _Context) -> list[tuple[int, PlacementRow]]:
    return [(c.id, p) for c in x.cases for p in c.placements if x.period.contains(p.decided_on)]


def _explored_before(p: PlacementRow) -> bool:
    return searched_first(p.exploration_started_on, p.decided_on, p.explored_candidates)


def _placements_network(spec: Spec, x: _Context) -> Result:
    return _share(spec, ((cid, p.in_network) for cid, p in _placed(x)))


def _placements_candidates(spec: Spec, x: _Context) -> Result:
    rows = _placed(x)
    ids = frozenset(cid for cid, _p in rows)
    hits = frozenset(cid for cid, p in rows if p.explored_candidates > 0)
    return Result(spec, value=_mean([p.explored_candidates for _c, p in rows]), n=len(rows), cases=ids, hits=hits)


def _placements_explored_before(spec: Spec, x: _Context) -> Result:
    return _share(spec, ((cid, _explored_before(p)) for cid, p in _placed(x)))


def _placements_days(spec: Spec, x: _Context) -> Result:
    rows = [(cid, p) for cid, p in _placed(x) if p.exploration_started_on is not None]
    values = [(p.decided_on - p.exploration_started_on).days for _c, p in rows if p.exploration_started_on]
    ids = frozenset(cid for cid, _p in rows)
    return Result(spec, value=statistics.median(values) if values else None, n=len(values), cases=ids, hits=ids)


def case_clocks_on(c: CaseRow, day: datetime.date) -> list[clocks.Clock]:
    """The case's legal deadlines as they stood on ``day`` (later completions do not count yet)."""

    def known(d: datetime.date | None) -> datetime.date | None:
        return d if d is not None and d <= day else None

    return clocks.clocks_for(
        investigation_started_on=known(c.investigation_started_on),
        investigation_completed_on=known(c.investigation_completed_on),
        measure_decided_on=known(c.measure_decided_on),
        placement_without_consent=c.placement_without_consent,
        plan_decided_on=known(c.plan_decided_on),
        first_review_on=known(c.first_review_on),
        today=day,
    )


CLOCK_LABELS = {
    "investigation": _("Investigations"),
    "plan": _("The child's plan"),
    "follow_up": _("First follow-up of the plan"),
}


def _clocks_overdue(spec: Spec, x: _Context) -> Result:
    counts = dict.fromkeys(CLOCK_LABELS, 0)
    open_then = [c for c in x.cases if c.open_during(x.as_of, x.as_of)]
    hits: set[int] = set()
    for c in open_then:
        for clock in case_clocks_on(c, x.as_of):
            if clock.state == "overdue":
                counts[clock.key] += 1
                hits.add(c.id)
    parts = [Part(f"clock:{k}", n, n) for k, n in counts.items()]
    return Result(
        spec,
        value=len(hits),
        numerator=len(hits),
        denominator=len(open_then),
        n=len(hits),
        hits=frozenset(hits),
        cases=frozenset(hits),
        parts=parts,
    )


def _costs(spec: Spec, x: _Context) -> Result:
    rate = Decimal(x.facts.municipality.cost_per_network_meeting)
    network = [m for m in x.held if m.kind in (MeetingKind.NETWORK, MeetingKind.FOLLOW_UP)]
    sessions = [(c.id, s) for c in x.cases for s in c.sessions if x.period.contains(s.held_on)]
    meeting_cost = rate * len(network)
    fgc_cost = sum((s.costs for _c, s in sessions), Decimal(0))
    ids = frozenset({m.case_id for m in network} | {cid for cid, _s in sessions})
    parts = [
        Part("cost:meetings", meeting_cost, len(network)),
        Part("cost:fgc", fgc_cost, len(sessions)),
    ]
    return Result(spec, value=meeting_cost + fgc_cost, n=len(network) + len(sessions), cases=ids, hits=ids, parts=parts)


OTHER_PART_LABELS = {
    "safety_plan": _("of these, meetings where a safety plan was agreed"),
    "cost:meetings": _("Network meetings and follow-ups × cost per meeting"),
    "cost:fgc": _("Family group conferences (recorded costs)"),
}


def part_label(key: str) -> Promise | str:
    group, _sep, name = key.partition(":")
    if group == "kind":
        return MeetingKind(name).label
    if group == "evaluation":
        return EVALUATION_LABELS[name]
    if group == "clock":
        return CLOCK_LABELS[name]
    return OTHER_PART_LABELS[key]


def _spec(key: str, section: str, title: Promise, definition: Promise, kind: str, **kw: Any) -> Spec:
    return Spec(key, section, title, definition, kind, **kw)


FIGURES: dict[str, tuple[Spec, Callable[[Spec, _Context], Result]]] = {
    s.key: (s, fn)
    for s, fn in [
        (
            _spec(
                "coverage",
                "involvement",
                _("Cases with network involvement"),
                _(
                    "Open cases in the period with at least one network meeting, family group conference or follow-up "
                    "held in the period, out of all open cases in the period."
                ),
                "share",
                trend=True,
            ),
            _coverage,
        ),
        (
            _spec(
                "early_activity",
                "involvement",
                _("New cases with network activity in time"),
                _(
                    "Cases opened in the period with a meeting held or a family group conference referred within the "
                    "municipality's number of days of opening (default 60), out of the new cases whose days have "
                    "passed or that already had an activity."
                ),
                "share",
            ),
            _early_activity,
        ),
        (
            _spec(
                "map_coverage",
                "map",
                _("Cases with a network map"),
                _(
                    "Open cases in the period whose network map has at least one person on the period's last day "
                    "(or today), out of all open cases in the period."
                ),
                "share",
            ),
            _map_coverage,
        ),
        (
            _spec(
                "map_size",
                "map",
                _("Private network per map (median)"),
                _(
                    "The median number of private-network persons (not professionals) on the map on the period's last "
                    "day, over the open cases with a map."
                ),
                "median",
            ),
            _map_size,
        ),
        (
            _spec(
                "map_change",
                "map",
                _("Growth of the private network since the first version (median)"),
                _(
                    "Per map: private-network persons on the period's last day minus those at the end of the day the "
                    "map was started. The median over the maps."
                ),
                "median",
            ),
            _map_change,
        ),
        (
            _spec(
                "meetings_held",
                "meetings",
                _("Meetings held"),
                _(
                    "Meetings held in the period (status held, minutes sent or journalised), by method. Cancelled "
                    "meetings never count."
                ),
                "count",
                better="",
            ),
            _meetings_held,
        ),
        (
            _spec(
                "neutral_lead",
                "meetings",
                _("Led by a neutral facilitator or coordinator"),
                _(
                    "Meetings held in the period with a neutral facilitator or an independent coordinator recorded, "
                    "out of all meetings held in the period."
                ),
                "share",
            ),
            _neutral_lead,
        ),
        (
            _spec(
                "child_part",
                "meetings",
                _("The child took part"),
                _(
                    "Meetings held in the period where the child was present or took part through an adult they chose "
                    "or through written words or drawings, out of all meetings held in the period."
                ),
                "share",
            ),
            _child_part,
        ),
        (
            _spec(
                "minutes_on_time",
                "follow_through",
                _("Minutes sent within 2 working days"),
                _(
                    "Meetings held in the period whose minutes were sent no later than 2 working days after the "
                    "meeting, out of those whose 2 working days have passed or whose minutes were sent."
                ),
                "share",
                trend=True,
            ),
            _minutes_on_time,
        ),
        (
            _spec(
                "follow_up_on_time",
                "follow_through",
                _("Follow-ups held on time"),
                _(
                    "Meetings whose agreed follow-up date lies in the period: the share whose follow-up meeting was "
                    "held no later than 7 days after that date (counted once the 7 days have passed or the follow-up "
                    "was held)."
                ),
                "share",
                trend=True,
            ),
            _follow_up_on_time,
        ),
        (
            _spec(
                "summary_on_time",
                "follow_through",
                _("Agreement summaries sent 14 days before"),
                _(
                    "Follow-up meetings starting in the period whose summary was due: the share whose agreement "
                    "summary went to the participants at least 14 days before the meeting."
                ),
                "share",
            ),
            _summary_on_time,
        ),
        (
            _spec(
                "agreements_made",
                "agreements",
                _("Agreements made"),
                _(
                    "Agreements (who does what by when) made at meetings held in the period, including approved items "
                    "of family plans."
                ),
                "count",
                better="",
            ),
            _agreements_made,
        ),
        (
            _spec(
                "agreements_done",
                "agreements",
                _("Agreements done by their due date"),
                _(
                    "Agreements due in the period whose due date has passed or that are done: the share marked done "
                    "on or before the due date."
                ),
                "share",
                trend=True,
            ),
            _agreements_done,
        ),
        (
            _spec(
                "agreements_private",
                "agreements",
                _("Agreements held by the private network"),
                _(
                    "Agreements made at meetings held in the period whose responsible person is a member of the "
                    "private network (not a parent, the child or a professional)."
                ),
                "share",
            ),
            _agreements_private,
        ),
        (
            _spec(
                "fgc_plan",
                "fgc",
                _("Conferences that produced a plan"),
                _(
                    "Family group conferences (not follow-ups) held in the period that ended with a plan with at "
                    "least one approved item."
                ),
                "share",
            ),
            _fgc_plan,
        ),
        (
            _spec(
                "fgc_realised",
                "fgc",
                _("Plan items realised at follow-up"),
                _(
                    "Plan items reviewed at follow-up conferences held in the period: the share marked realised "
                    "(partly realised does not count)."
                ),
                "share",
            ),
            _fgc_realised,
        ),
        (
            _spec(
                "fgc_satisfaction",
                "fgc",
                _("Participants' satisfaction with conferences (mean, 1–5)"),
                _(
                    "The mean of 'overall satisfaction' in evaluations from participants of conferences and follow-up "
                    "conferences held in the period. Shown from 3 answers, so no one's own answers can be recognised."
                ),
                "mean",
            ),
            _fgc_satisfaction,
        ),
        (
            _spec(
                "fgc_wellbeing",
                "fgc",
                _("The child's well-being at follow-up (mean, 1–5)"),
                _(
                    "For conferences with a follow-up held in the period: the mean well-being score at that follow-up "
                    "(by the child and the family), next to the mean at referral for the same conferences."
                ),
                "mean",
            ),
            _fgc_wellbeing,
        ),
        (
            _spec(
                "evaluation",
                "evaluation",
                _("Evaluations (mean per question, 1–5)"),
                _(
                    "The mean score per question over evaluations from participants of meetings held in the period. "
                    "The child's smileys count as 1, 3 and 5. Shown from 3 answers, so no one's own answers can be "
                    "recognised."
                ),
                "means",
            ),
            _evaluation,
        ),
        (
            _spec(
                "placements_network",
                "placements",
                _("New placements in the child's network"),
                _(
                    "Placement decisions made in the period where the child is placed with a person from their own "
                    "network (approved for the child), out of all placement decisions made in the period."
                ),
                "share",
            ),
            _placements_network,
        ),
        (
            _spec(
                "placements_candidates",
                "placements",
                _("Network candidates explored per placement (mean)"),
                _(
                    "For placement decisions made in the period: the number of candidates from the network whose "
                    "exploration went beyond being identified (contacted or further, including those who declined or "
                    "were not suitable), counted when the decision was made; 0 without an exploration. The mean."
                ),
                "mean",
            ),
            _placements_candidates,
        ),
        (
            _spec(
                "placements_explored_before",
                "placements",
                _("Network explored before the decision"),
                _(
                    "Placement decisions made in the period whose exploration of the network started before or on "
                    "the day of the decision (on the day itself: with at least one candidate explored, e.g. approved), "
                    "out of all placement decisions made in the period."
                ),
                "share",
            ),
            _placements_explored_before,
        ),
        (
            _spec(
                "placements_days",
                "placements",
                _("Days from the start of the exploration to the decision (median)"),
                _(
                    "For placement decisions made in the period after an exploration of the network: the days from "
                    "the exploration's start to the decision. The median."
                ),
                "median",
                better="",
            ),
            _placements_days,
        ),
        (
            _spec(
                "clocks_overdue",
                "clocks",
                _("Cases with a legal deadline overdue"),
                _(
                    "Open cases with at least one legal deadline overdue on the period's last day (or today): "
                    "investigation within 4 months, the child's plan within 3 months of the decision (before it for "
                    "placement without consent), first follow-up of the plan within 3 months."
                ),
                "count",
                better="down",
            ),
            _clocks_overdue,
        ),
        (
            _spec(
                "costs",
                "costs",
                _("Costs"),
                _(
                    "Network meetings and follow-ups held in the period × the municipality's cost per meeting (default "
                    "4,100 DKK, the 2016 cost assessment), plus the costs recorded on family group conferences held in "
                    "the period."
                ),
                "money",
                better="",
            ),
            _costs,
        ),
    ]
}
TREND_KEYS = [key for key, (spec, _fn) in FIGURES.items() if spec.trend]


def spec(key: str) -> Spec:
    return FIGURES[key][0]


def compute(
    facts: Facts, period: Period, case_ids: set[int] | frozenset[int] | None = None, keys: Iterable[str] | None = None
) -> dict[str, Result]:
    """Every figure (or those in ``keys``) for ``period`` over the cases in ``case_ids`` (all when None)."""
    x = _Context(facts, period, case_ids)
    wanted = list(keys) if keys is not None else list(FIGURES)
    return {key: FIGURES[key][1](FIGURES[key][0], x) for key in wanted}
