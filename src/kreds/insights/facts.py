"""Everything the leadership figures are computed from, read in a fixed number of narrow queries.

``load`` is the only place in ``kreds.insights`` that touches the database. It reads one municipality (optionally
only some of its cases) for a date window and groups the rows by case; ``kreds.insights.figures`` then computes any
period inside the window for any set of those cases without further queries. See docs/design/leadership-insights.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, DateField, Exists, F, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from kreds.cases.models import Case, CaseAssignment
from kreds.conferences.constants import Decision
from kreds.conferences.models import Conference, ConferenceSession, Cost, PlanItemReview, Wellbeing
from kreds.meetings.constants import AgreementStatus, MeetingStatus, ParticipantRole
from kreds.meetings.models import Agreement, Evaluation, Meeting, Participant
from kreds.network.models import NetworkPersonVersion
from kreds.placements.models import Placement
from kreds.safety.models import SafetyPlan
from kreds.tenancy.models import Municipality

HELD = frozenset({MeetingStatus.HELD, MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED})
EVALUATION_FIELDS = ("heard", "knew_purpose", "realistic", "own_part_clear", "satisfaction", "plan_satisfaction")


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    """The local date of ``moment``. Called 100,000 times for a large municipality: the default time zone is cached
    by Django, whereas ``timezone.localdate`` asks the per-request "current" time zone each time (Kreds never
    activates another one)."""
    return moment.astimezone(timezone.get_default_timezone()).date() if moment is not None else None


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in local time."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


@dataclass
class CaseRow:
    id: int
    opened_on: datetime.date
    closed_on: datetime.date | None
    unit_id: int
    investigation_started_on: datetime.date | None = None
    investigation_completed_on: datetime.date | None = None
    measure_decided_on: datetime.date | None = None
    placement_without_consent: bool = False
    plan_decided_on: datetime.date | None = None
    first_review_on: datetime.date | None = None
    fgc_referred_on: datetime.date | None = None
    map_started_on: datetime.date | None = None
    map_first_private: int = 0
    # as-of day -> (persons on the map, private-network persons)
    map_counts: dict[datetime.date, tuple[int, int]] = field(default_factory=dict)
    meetings: list[MeetingRow] = field(default_factory=list)
    agreements: list[AgreementRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    placements: list[PlacementRow] = field(default_factory=list)

    def open_during(self, start: datetime.date, end: datetime.date) -> bool:
        return self.opened_on <= end and (self.closed_on is None or self.closed_on >= start)


@dataclass
class MeetingRow:
    id: int
    case_id: int
    kind: str
    status: str
    held_on: datetime.date | None
    starts_on: datetime.date
    follow_up_on: datetime.date | None
    minutes_sent_on: datetime.date | None
    summary_queued_on: datetime.date | None
    has_facilitator: bool
    child_participation: str
    previous_id: int | None
    child_attended: bool = False
    safety_plan: bool = False
    evaluations: list[tuple[int | None, ...]] = field(default_factory=list)

    @property
    def is_held(self) -> bool:
        return self.status in HELD and self.held_on is not None


@dataclass
class AgreementRow:
    id: int
    meeting_id: int
    made_on: datetime.date | None
    due_on: datetime.date
    status: str
    role: str
    done_on: datetime.date | None


@dataclass
class SessionRow:
    id: int
    conference_id: int
    number: int
    meeting_id: int
    held_on: datetime.date | None
    approved_items: int
    reviews: list[str] = field(default_factory=list)
    wellbeing: list[int] = field(default_factory=list)
    costs: Decimal = Decimal(0)


@dataclass
class PlacementRow:
    """A placement decision (kreds.placements) with what was known about the search of the network."""

    id: int
    decided_on: datetime.date
    in_network: bool
    exploration_started_on: datetime.date | None
    explored_candidates: int


@dataclass
class Facts:
    municipality: Municipality
    start: datetime.date
    end: datetime.date
    today: datetime.date
    cases: dict[int, CaseRow]
    caseworkers: dict[int, set[int]]  # user id -> case ids
    referral_wellbeing: dict[int, list[int]]  # conference id -> scores at referral
    follow_ups_held: dict[int, datetime.date]  # previous meeting id -> earliest day a follow-up to it was held

    def unit_cases(self, unit_id: int) -> set[int]:
        return {c.id for c in self.cases.values() if c.unit_id == unit_id}

    # Rows by calendar month of their key date, built once per load: a figure for a month (or a caseworker) then
    # reads only that month's rows instead of every row of the municipality.

    @cached_property
    def held_by_month(self) -> dict[tuple[int, int], list[MeetingRow]]:
        return _by_month((m.held_on, m) for c in self.cases.values() for m in c.meetings if m.is_held)

    @cached_property
    def meetings_by_follow_up_month(self) -> dict[tuple[int, int], list[MeetingRow]]:
        return _by_month((m.follow_up_on, m) for c in self.cases.values() for m in c.meetings)

    @cached_property
    def meetings_by_start_month(self) -> dict[tuple[int, int], list[MeetingRow]]:
        return _by_month((m.starts_on, m) for c in self.cases.values() for m in c.meetings)

    @cached_property
    def agreements_by_due_month(self) -> dict[tuple[int, int], list[tuple[int, AgreementRow]]]:
        return _by_month((a.due_on, (c.id, a)) for c in self.cases.values() for a in c.agreements)

    @cached_property
    def agreements_by_made_month(self) -> dict[tuple[int, int], list[tuple[int, AgreementRow]]]:
        return _by_month((a.made_on, (c.id, a)) for c in self.cases.values() for a in c.agreements)


def _by_month(items: Any) -> dict[tuple[int, int], list[Any]]:
    out: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for day, item in items:
        if day is not None:
            out[(day.year, day.month)].append(item)
    return dict(out)


def load(
    municipality: Municipality,
    start: datetime.date,
    end: datetime.date,
    *,
    as_of_days: tuple[datetime.date, ...] = (),
    cases: QuerySet[Case] | None = None,
    today: datetime.date | None = None,
) -> Facts:
    """The facts for the window ``start``–``end``; map sizes are read for each day in ``as_of_days``."""
    today = today or timezone.localdate()
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    base = Case.objects.filter(municipality=municipality) if cases is None else cases
    scope = base.filter(municipality=municipality, opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    ids: Any = scope.values("id")  # a subquery, not a list: the scope can hold thousands of cases

    rows: dict[int, CaseRow] = {}
    for values in scope.annotate(first_review=Min("child_plan__reviews__reviewed_on")).values_list(
        "id",
        "opened_on",
        "closed_on",
        "responsible_unit_id",
        "investigation_started_on",
        "investigation_completed_on",
        "measure_decided_on",
        "placement_without_consent",
        "child_plan__decided_on",
        "first_review",
    ):
        rows[values[0]] = CaseRow(*values)

    caseworkers: dict[int, set[int]] = defaultdict(set)
    for case_id, user_id in CaseAssignment.objects.filter(case__in=ids).values_list("case_id", "user_id"):
        caseworkers[user_id].add(case_id)

    # Meetings held, starting or with a follow-up date from the window's start (and any follow-up to them).
    meeting_qs = Meeting.objects.filter(case__in=ids).filter(
        Q(held_at__gte=start_at)
        | Q(starts_at__gte=start_at)
        | Q(follow_up_on__gte=start)
        | Q(previous__follow_up_on__gte=start)
    )
    meetings: dict[int, MeetingRow] = {}
    follow_ups_held: dict[int, datetime.date] = {}
    # The meetings the child took part in, read by the window's cases: as an EXISTS beside each meeting, PostgreSQL
    # hashed every child participant in the country (170,000 rows, 210 ms on the national data).
    child_took_part = set(
        Participant.objects.filter(
            meeting__case__in=ids, role=ParticipantRole.CHILD, attended=True, removed_at__isnull=True
        ).values_list("meeting_id", flat=True)
    )
    safety_plan_agreed = SafetyPlan.objects.filter(agreed_at_meeting=OuterRef("pk"))
    for m in meeting_qs.annotate(safety=Exists(safety_plan_agreed)).values_list(
        "id",
        "case_id",
        "kind",
        "status",
        "held_at",
        "starts_at",
        "follow_up_on",
        "minutes_sent_at",
        "summary_queued_at",
        "facilitator_id",
        "child_participation",
        "previous_id",
        "safety",
    ):
        row = MeetingRow(
            id=m[0],
            case_id=m[1],
            kind=m[2],
            status=m[3],
            held_on=_day(m[4]),
            starts_on=m[5].astimezone(timezone.get_default_timezone()).date(),
            follow_up_on=m[6],
            minutes_sent_on=_day(m[7]),
            summary_queued_on=_day(m[8]),
            has_facilitator=m[9] is not None,
            child_participation=m[10],
            previous_id=m[11],
            child_attended=m[0] in child_took_part,
            safety_plan=m[12],
        )
        meetings[row.id] = row
        if row.previous_id and row.is_held and row.held_on:
            earlier = follow_ups_held.get(row.previous_id)
            follow_ups_held[row.previous_id] = min(earlier, row.held_on) if earlier else row.held_on
        if row.case_id in rows:
            rows[row.case_id].meetings.append(row)
    # Evaluations count for meetings held in the window (the figures read no others).
    for values in Evaluation.objects.filter(
        participant__meeting__case__in=ids, participant__meeting__held_at__gte=start_at
    ).values_list("participant__meeting_id", *EVALUATION_FIELDS):
        if values[0] in meetings:
            meetings[values[0]].evaluations.append(tuple(values[1:]))

    # Agreements made at meetings held in the window, or due in it.
    for a in (
        Agreement.objects.filter(case__in=ids)
        .filter(Q(due_on__gte=start) | Q(meeting__held_at__gte=start_at))
        .annotate(done_at=Min("history__changed_at", filter=Q(history__status=AgreementStatus.DONE)))
        .values_list(
            "id", "case_id", "meeting_id", "meeting__held_at", "due_on", "status", "responsible__role", "done_at"
        )
    ):
        if a[1] in rows:
            rows[a[1]].agreements.append(AgreementRow(a[0], a[2], _day(a[3]), a[4], a[5], a[6], _day(a[7])))

    # Family group conferences: every session of the conferences on these cases (they are few).
    referral_wellbeing: dict[int, list[int]] = defaultdict(list)
    for case_id, referred_at in Conference.objects.filter(case__in=ids).values_list("case_id", "referred_at"):
        day = _day(referred_at)
        case_row = rows.get(case_id)
        earlier = case_row.fgc_referred_on if case_row is not None else None
        if case_row is not None and day is not None and (earlier is None or day < earlier):
            case_row.fgc_referred_on = day
    sessions: dict[int, SessionRow] = {}
    first_session: dict[int, SessionRow] = {}
    session_qs = ConferenceSession.objects.filter(conference__case__in=ids)
    for s in session_qs.annotate(approved=Count("items", filter=Q(items__decision=Decision.APPROVED))).values_list(
        "id",
        "conference_id",
        "number",
        "meeting_id",
        "meeting__held_at",
        "meeting__status",
        "approved",
        "conference__case_id",
    ):
        held = _day(s[4]) if s[5] in HELD else None
        session = SessionRow(s[0], s[1], s[2], s[3], held, s[6])
        sessions[session.id] = session
        if session.number == 0:
            first_session[session.conference_id] = session
        if s[7] in rows:
            rows[s[7]].sessions.append(session)
    sids = session_qs.values("id")
    for session_id, outcome in PlanItemReview.objects.filter(session__in=sids).values_list("session_id", "outcome"):
        sessions[session_id].reviews.append(outcome)
    for conference_id, session_id, score in Wellbeing.objects.filter(conference__case__in=ids).values_list(
        "conference_id", "session_id", "score"
    ):
        if session_id is None:
            referral_wellbeing[conference_id].append(score)
        elif session_id in sessions:
            sessions[session_id].wellbeing.append(score)
    for conference_id, session_id, amount in Cost.objects.filter(conference__case__in=ids).values_list(
        "conference_id", "session_id", "amount"
    ):
        target = sessions.get(session_id) if session_id else first_session.get(conference_id)
        if target is not None:
            target.costs += amount

    for placed in Placement.objects.filter(case__in=ids, decided_on__range=(start, end)).values_list(
        "id", "case_id", "decided_on", "in_network", "exploration_started_on", "explored_candidates"
    ):
        if placed[1] in rows:
            rows[placed[1]].placements.append(PlacementRow(placed[0], placed[2], placed[3], placed[4], placed[5]))

    _load_maps(rows, ids, as_of_days)

    return Facts(
        municipality=municipality,
        start=start,
        end=end,
        today=today,
        cases=rows,
        caseworkers=dict(caseworkers),
        referral_wellbeing=dict(referral_wellbeing),
        follow_ups_held=follow_ups_held,
    )


def _load_maps(rows: dict[int, CaseRow], ids: Any, as_of_days: tuple[datetime.date, ...]) -> None:
    """Persons on each map on each as-of day, and private-network persons at the end of the map's first day."""
    versions = NetworkPersonVersion.objects.filter(person__map__case__in=ids)
    private = Q(is_professional=False)
    for day in sorted(set(as_of_days)):
        moment = _end_of(day)
        for case_id, n_all, n_private in (
            versions.filter(valid_from__lt=moment, removed=False)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=moment))
            .values("person__map__case_id")
            .annotate(n_all=Count("id"), n_private=Count("id", filter=private))
            .values_list("person__map__case_id", "n_all", "n_private")
        ):
            if case_id in rows:
                rows[case_id].map_counts[day] = (n_all, n_private)
    # The map's first version: the end of the day its first person was put on it (NetworkMap.first_person_at).
    tz = timezone.get_default_timezone()  # as `_day`: Danish local dates, whatever the request activated
    first_day = Q(removed=False, is_professional=False, from_day__lte=F("started")) & (
        Q(valid_to__isnull=True) | Q(to_day__gt=F("started"))
    )
    first = (
        versions.annotate(
            started=Cast(TruncDate("person__map__first_person_at", tzinfo=tz), DateField()),
            from_day=Cast(TruncDate("valid_from", tzinfo=tz), DateField()),
            to_day=Cast(TruncDate("valid_to", tzinfo=tz), DateField()),
        )
        .values("person__map__case_id", "person__map__first_person_at")
        .annotate(n=Count("id", filter=first_day))
        .values_list("person__map__case_id", "person__map__first_person_at", "n")
    )
    for case_id, first_person_at, n in first:
        if case_id in rows:
            rows[case_id].map_first_private = n
            rows[case_id].map_started_on = _day(first_person_at)
