"""Reads for the FGC screens and figures. Callers have authorized the case, the conference or the service page."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from statistics import mean
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.conferences.constants import OPEN_STATUSES, ZERO, ConferenceStatus, Decision, Outcome, ScoredBy
from kreds.conferences.models import Conference, ConferenceSession, Cost, PlanItem, Wellbeing
from kreds.meetings.constants import EVALUATION_MIN_RESPONDENTS, FGC_KINDS, MeetingStatus
from kreds.meetings.models import Evaluation
from kreds.network.models import NetworkPersonVersion
from kreds.tenancy.models import Municipality

HELD = [MeetingStatus.HELD, MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED]


def conferences_for_case(case: Case) -> QuerySet[Conference]:
    return Conference.objects.filter(case=case).select_related("coordinator", "meeting").order_by("-referred_at")


def queue(municipality: Municipality) -> list[Conference]:
    """Referrals waiting for a coordinator, oldest first."""
    return list(
        Conference.objects.filter(municipality=municipality, status=ConferenceStatus.REFERRED)
        .select_related("case__child", "case__responsible_unit", "referred_by")
        .order_by("referred_at", "id")[:200]
    )


def coordinated_by(user: User) -> list[Conference]:
    """The coordinator's open conferences, each with ``next_meeting``: the latest one not yet held, if any."""
    conferences = list(
        Conference.objects.filter(coordinator=user, status__in=OPEN_STATUSES)
        .select_related("case__child", "meeting")
        .order_by("referred_at")
    )
    upcoming: dict[int, Any] = {}
    for session in (
        ConferenceSession.objects.filter(
            conference__in=conferences, meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.INVITED]
        )
        .select_related("meeting")
        .order_by("number")
    ):
        upcoming[session.conference_id] = session.meeting
    for conference in conferences:
        conference.next_meeting = upcoming.get(conference.pk)  # type: ignore[attr-defined]
    return conferences


def sessions(conference: Conference) -> list[ConferenceSession]:
    return list(
        ConferenceSession.objects.filter(conference=conference)
        .select_related("meeting__facilitator")
        .order_by("number")
    )


def support_person_name(conference: Conference) -> str:
    """The support person's name as on the map now (or when last on it)."""
    if conference.support_person_id is None:
        return ""
    version = (
        NetworkPersonVersion.objects.filter(person_id=conference.support_person_id).order_by("-valid_from").first()
    )
    return version.name if version else ""


def days_between(start: datetime.datetime | None, end: datetime.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return (timezone.localtime(end).date() - timezone.localtime(start).date()).days


@dataclass(frozen=True)
class Timeline:
    to_allocation: int | None
    to_conference: int | None
    waiting: int | None  # days waiting for a coordinator so far


def timeline(conference: Conference) -> Timeline:
    held = conference.meeting.starts_at if conference.meeting and conference.meeting.is_held else None
    waiting = days_between(conference.referred_at, timezone.now()) if conference.allocated_at is None else None
    return Timeline(
        to_allocation=days_between(conference.referred_at, conference.allocated_at),
        to_conference=days_between(conference.referred_at, held),
        waiting=waiting,
    )


def plan_items(conference: Conference) -> list[PlanItem]:
    return list(
        PlanItem.objects.filter(session__conference=conference)
        .select_related("session__meeting", "agreement", "responsible", "decided_by")
        .prefetch_related("reviews__session")
        .order_by("session__number", "number")
    )


def approved_items(conference: Conference) -> list[PlanItem]:
    return [i for i in plan_items(conference) if i.decision == Decision.APPROVED]


def wellbeing_table(conference: Conference) -> list[dict[str, Any]]:
    """One row per moment (referral, each follow-up) with the child's and the family's score."""
    rows: dict[int, dict[str, Any]] = {}
    for w in Wellbeing.objects.filter(conference=conference).select_related("session__meeting"):
        key = w.session.number if w.session else 0
        row = rows.setdefault(key, {"number": key, "session": w.session, "child": None, "family": None})
        row[w.scored_by] = w.score
    return [rows[k] for k in sorted(rows)]


def costs(conference: Conference) -> dict[str, Any]:
    items = list(Cost.objects.filter(conference=conference).select_related("session", "recorded_by"))
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for cost in items:
        by_category[cost.get_category_display()] += cost.amount
    family_total = Cost.objects.filter(conference__case=conference.case).aggregate(total=Sum("amount"))["total"]
    family_conferences = Conference.objects.filter(case=conference.case).count()
    return {
        "items": items,
        "by_category": sorted(by_category.items()),
        "total": sum((c.amount for c in items), ZERO),
        "family_total": family_total or ZERO,
        "family_conferences": family_conferences,
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def figures(
    municipality: Municipality, since: datetime.date | None = None, until: datetime.date | None = None
) -> dict[str, Any]:
    """The figures Esbjerg reports (seeds/004): conferences held, plans made, satisfaction, items realised,
    and the child's well-being at the latest follow-up compared with the referral. Period: the conference day.
    """
    held_sessions = ConferenceSession.objects.filter(
        conference__municipality=municipality, number=0, meeting__status__in=HELD
    ).select_related("conference")
    if since:
        held_sessions = held_sessions.filter(meeting__starts_at__date__gte=since)
    if until:
        held_sessions = held_sessions.filter(meeting__starts_at__date__lte=until)
    held = list(held_sessions.annotate(item_count=Count("items")))
    conference_ids = [s.conference_id for s in held]
    with_plan = sum(1 for s in held if s.item_count)
    follow_ups = ConferenceSession.objects.filter(
        conference_id__in=conference_ids, number__gt=0, meeting__status__in=HELD
    ).count()

    evaluations = Evaluation.objects.filter(
        participant__meeting__fgc_session__conference_id__in=conference_ids, participant__meeting__kind__in=FGC_KINDS
    ).aggregate(
        n=Count("id"),
        satisfaction=Avg("satisfaction"),
        plan_satisfaction=Avg("plan_satisfaction"),
        plan_made_yes=Count("id", filter=Q(plan_made=True)),
        plan_made_answered=Count("plan_made"),
    )
    # With one or two answers a "mean" is someone's own answers: shown only from EVALUATION_MIN_RESPONDENTS.
    if evaluations["n"] < EVALUATION_MIN_RESPONDENTS:
        evaluations.update(satisfaction=None, plan_satisfaction=None, plan_made_yes=0, plan_made_answered=0)
    # Latest review per item counts: an item realised at the second follow-up is realised.
    rows = (
        PlanItem.objects.filter(session__conference_id__in=conference_ids, reviews__isnull=False)
        .values_list("pk", "reviews__outcome")
        .order_by("pk", "reviews__session__number")
    )
    latest: dict[int, str] = dict(rows)  # later reviews overwrite earlier ones
    reviewed = len(latest)
    realised = sum(1 for o in latest.values() if o == Outcome.REALISED)
    partly = sum(1 for o in latest.values() if o == Outcome.PARTLY)

    pairs: dict[str, list[tuple[int, int]]] = {ScoredBy.CHILD: [], ScoredBy.FAMILY: []}
    scores: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for conference_id, scored_by, number, score in Wellbeing.objects.filter(
        conference_id__in=conference_ids
    ).values_list("conference_id", "scored_by", "session__number", "score"):
        scores[(conference_id, scored_by)][number or 0] = score
    for (_conference_id, scored_by), by_number in scores.items():
        later = [n for n in by_number if n > 0]
        if 0 in by_number and later:
            pairs[scored_by].append((by_number[0], by_number[max(later)]))

    def change(kind: str) -> dict[str, Any]:
        found = pairs[kind]
        return {
            "n": len(found),
            "referral": mean(a for a, _b in found) if found else None,
            "latest": mean(b for _a, b in found) if found else None,
            "better": sum(1 for a, b in found if b > a),
        }

    return {
        "held": len(held),
        "with_plan": with_plan,
        "with_plan_share": _share(with_plan, len(held)),
        "follow_ups": follow_ups,
        "evaluations": evaluations["n"],
        "evaluations_shown": evaluations["n"] >= EVALUATION_MIN_RESPONDENTS,
        "evaluations_min": EVALUATION_MIN_RESPONDENTS,
        "satisfaction": evaluations["satisfaction"],
        "plan_satisfaction": evaluations["plan_satisfaction"],
        "plan_made_share": _share(evaluations["plan_made_yes"], evaluations["plan_made_answered"]),
        "items_reviewed": reviewed,
        "items_realised": realised,
        "items_partly": partly,
        "realised_share": _share(realised, reviewed),
        "wellbeing_child": change(ScoredBy.CHILD),
        "wellbeing_family": change(ScoredBy.FAMILY),
        "waiting": Conference.objects.filter(municipality=municipality, status=ConferenceStatus.REFERRED).count(),
    }
