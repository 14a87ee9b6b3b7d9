"""The weekly digest (DOMAIN §12: reminders that keep practice alive), one e-mail per person per ISO week.

Caseworkers hear about their overdue agreements, follow-up meetings due within 14 days, minutes not sent after 2
working days, legal deadlines overdue or running out and suspensions of contact ending within a week; leaders get
their units' figures for the last full month and what slipped. Rows are queued in the outbox under
``digest:<user>:<year>-W<week>``, so a week's digest is sent once, whatever happens to the worker. No CPR numbers and
no full names of children: first name and journal number identify the case, with a link into Kreds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.authz.policies import unit_ids_with_role
from kreds.cases.models import Case
from kreds.cases.policies import hidden_restricted
from kreds.core.mail import email
from kreds.core.workdays import add_working_days
from kreds.insights import facts as facts_module
from kreds.insights.figures import compute, spec
from kreds.insights.periods import Period
from kreds.meetings.constants import FOLLOW_UP_KINDS, MINUTES_WORKING_DAYS, MeetingStatus
from kreds.meetings.models import Agreement, Meeting
from kreds.meetings.selectors import OPEN, agreements_for_user, meetings_to_invite
from kreds.meetings.sending import in_language
from kreds.outbox.models import Outbox
from kreds.outbox.services import queue as queue_message
from kreds.placements.selectors import suspensions_ending
from kreds.plans.selectors import unit_clocks
from kreds.tenancy.models import Unit

# The outbox kind of the digest (registered with kreds.outbox in apps.py).
DIGEST = "digest"
DIGEST_FROM_HOUR = 6  # Monday 06:00 local time
FOLLOW_UP_HORIZON_DAYS = 14
LEADER_KEYS = ["coverage", "map_coverage", "minutes_on_time", "follow_up_on_time", "agreements_done", "clocks_overdue"]


def week_key(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def recipients() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role__in=[Role.CASEWORKER, Role.LEADER],
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def queue(now: datetime.datetime | None = None) -> list[Outbox]:
    """From Monday 06:00, one outbox row per caseworker and leader for the current ISO week (idempotent)."""
    local = timezone.localtime(now or timezone.now())
    monday = local.date() - datetime.timedelta(days=local.weekday())
    if local.date() == monday and local.hour < DIGEST_FROM_HOUR:
        return []
    week = week_key(local.date())
    users = recipients()
    keys = {user.pk: f"digest:{user.pk}:{week}" for user in users}
    existing = set(Outbox.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    rows = []
    for user in users:
        if keys[user.pk] in existing:
            continue
        row = queue_message(DIGEST, keys[user.pk], user=user, send=False)
        if row is not None:  # None: another worker queued it a moment ago
            rows.append(row)
    return rows


@dataclass
class CaseworkerPart:
    overdue_agreements: list[Any] = field(default_factory=list)
    follow_ups: list[Meeting] = field(default_factory=list)
    minutes_late: list[Meeting] = field(default_factory=list)
    clocks: list[tuple[Case, Any]] = field(default_factory=list)
    suspensions: list[Any] = field(default_factory=list)  # of contact, ending within a week (placements)
    # What the daily staff reminder says, which the digest replaces on Mondays (caseworker_part only):
    due_soon: list[Any] = field(default_factory=list)  # open agreements due within a week
    to_invite: list[Meeting] = field(default_factory=list)  # meetings within three weeks nobody has invited to

    @property
    def empty(self) -> bool:
        return not (
            self.overdue_agreements
            or self.follow_ups
            or self.minutes_late
            or self.clocks
            or self.suspensions
            or self.due_soon
            or self.to_invite
        )


def due_items(cases: Any, today: datetime.date) -> CaseworkerPart:
    """What needs doing on ``cases`` (open cases): overdue agreements, follow-ups within 14 days, minutes not sent
    after 2 working days, legal deadlines overdue or running out."""

    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    follow_ups = list(
        Meeting.objects.filter(
            case__in=cases.values("pk"),
            kind__in=FOLLOW_UP_KINDS,
            status__in=[MeetingStatus.PLANNED, MeetingStatus.INVITED],
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=FOLLOW_UP_HORIZON_DAYS + 1),
        )
        .select_related("case__child")
        .order_by("starts_at")
    )
    held = Meeting.objects.filter(case__in=cases.values("pk"), status=MeetingStatus.HELD, minutes_sent_at__isnull=True)
    minutes_late = [
        m
        for m in held.select_related("case__child").order_by("held_at")
        if m.held_at and add_working_days(timezone.localdate(m.held_at), MINUTES_WORKING_DAYS) < today
    ]
    overdue = list(
        Agreement.objects.filter(case__in=cases.values("pk"), status__in=OPEN, due_on__lt=today)
        .select_related("case__child")
        .order_by("due_on", "id")
    )
    return CaseworkerPart(
        overdue_agreements=overdue,
        follow_ups=follow_ups,
        minutes_late=minutes_late,
        clocks=unit_clocks(cases, today),
        suspensions=suspensions_ending(cases, today),
    )


def caseworker_part(user: User, today: datetime.date) -> CaseworkerPart:

    # A restricted case the caseworker is not named on stays out of their digest (issue 18).
    hidden = hidden_restricted(user).values("case_id")
    cases = Case.objects.filter(assignments__user=user, municipality=user.municipality, status="open")
    part = due_items(cases.exclude(pk__in=hidden), today)
    restricted = user.municipality is not None and user.municipality.restrictions_in_force
    closed_to_them = set(hidden.values_list("case_id", flat=True)) if restricted else set()
    part.due_soon = [a for a in agreements_for_user(user, today)["soon"] if a.case_id not in closed_to_them]
    part.to_invite = [m for m in meetings_to_invite(user, today) if m.case_id not in closed_to_them]
    # A follow-up nobody has invited to is listed once, under what needs doing.
    uninvited = {m.pk for m in part.to_invite}
    part.follow_ups = [m for m in part.follow_ups if m.pk not in uninvited]
    return part


def replaces_reminder(user_ids: set[int], today: datetime.date) -> set[int]:
    """On the digest's day (Monday) the digest says all the daily staff reminder would, to its recipients: they get
    one mail, not two (registered with ``meetings.tasks.register_reminder_filter``)."""
    if today.weekday() != 0:
        return set()
    return set(
        User.objects.filter(pk__in=user_ids, memberships__role__in=[Role.CASEWORKER, Role.LEADER]).values_list(
            "pk", flat=True
        )
    )


def missed_follow_ups(cases: Any, today: datetime.date) -> int:
    """Follow-up meetings more than 7 days past their time and still not held."""
    late = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time()))
    return Meeting.objects.filter(
        case__in=cases.values("pk"),
        kind__in=FOLLOW_UP_KINDS,
        status__in=[MeetingStatus.PLANNED, MeetingStatus.INVITED],
        starts_at__lt=late,
    ).count()


@dataclass
class LeaderPart:
    unit: Unit
    month: Period
    rows: list[tuple[Any, Any, Any]]  # (spec, this month, month before)
    url: str
    slipped: dict[str, int]  # what slipped, counted today on the unit's open cases


def leader_parts(user: User, today: datetime.date) -> list[LeaderPart]:

    units = list(Unit.objects.filter(pk__in=unit_ids_with_role(user, Role.LEADER)).select_related("municipality"))
    if not units:
        return []
    month = Period.containing("month", today).previous()
    before = month.previous()
    out = []
    by_municipality: dict[int, facts_module.Facts] = {}
    for unit in units:
        facts = by_municipality.get(unit.municipality_id)
        if facts is None:
            facts = facts_module.load(
                unit.municipality, before.start, month.end, as_of_days=(month.end, before.end), today=today
            )
            by_municipality[unit.municipality_id] = facts
        ids = facts.unit_cases(unit.pk)
        now, then = compute(facts, month, ids, LEADER_KEYS), compute(facts, before, ids, LEADER_KEYS)
        url = settings.SITE_URL + reverse("insights:unit", kwargs={"unit_id": unit.public_id})
        open_cases = Case.objects.filter(responsible_unit=unit, status="open")
        items = due_items(open_cases, today)
        slipped = {
            "agreements": len(items.overdue_agreements),
            "minutes": len(items.minutes_late),
            "follow_ups": missed_follow_ups(open_cases, today),
            "clocks": sum(1 for _case, clock in items.clocks if clock.state == "overdue"),
        }
        out.append(LeaderPart(unit, month, [(spec(k), now[k], then[k]) for k in LEADER_KEYS], url, slipped))
    return out


def send_digest(row: Outbox) -> str:
    """The outbox sender for DIGEST rows."""

    user = row.user
    assert user is not None
    today = timezone.localdate()
    work = caseworker_part(user, today)
    leading = leader_parts(user, today)
    if work.empty and not leading:
        row.mark_done("nothing to report")
        return "nothing to report"
    with in_language():
        body = render_to_string(
            "insights/email/digest.txt",
            {"user": user, "work": work, "leading": leading, "site": settings.SITE_URL, "week": week_key(today)},
        )
        subject = _("Kreds this week: %(week)s") % {"week": week_key(today)}
    email(subject=subject, body=body, to=[user.email]).send(using="default")
    row.mark_sent()
    return "sent"
