"""Legal deadlines on a case (DOMAIN §9; Barnets Lov §§ 20, 91, 92), computed from dates, never stored.

* The børnefaglige undersøgelse (investigation) is completed within 4 months of its start.
* The child's plan is made within 3 months of the decision on a measure; for a placement without consent, before
  the decision.
* The plan is followed up the first time within 3 months of being made.

A deadline warns ``CLOCK_WARNING_DAYS`` before it runs out, and is overdue the day after.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kreds.plans.constants import CLOCK_WARNING_DAYS


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Clock:
    key: str
    label: str
    started_on: datetime.date
    due_on: datetime.date
    done_on: datetime.date | None
    today: datetime.date

    @property
    def state(self) -> str:
        if self.done_on is not None:
            return "met" if self.done_on <= self.due_on else "met_late"
        if self.today > self.due_on:
            return "overdue"
        if (self.due_on - self.today).days <= CLOCK_WARNING_DAYS:
            return "due_soon"
        return "running"

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    @property
    def days_over(self) -> int:
        return (self.today - self.due_on).days

    @property
    def is_open(self) -> bool:
        return self.done_on is None


INVESTIGATION = _("Investigation (BFU) within 4 months")
PLAN = _("The child's plan within 3 months of the decision")
PLAN_BEFORE = _("The child's plan before the decision (placement without consent)")
FOLLOW_UP = _("First follow-up of the plan within 3 months")


def clocks_for(
    *,
    investigation_started_on: datetime.date | None,
    investigation_completed_on: datetime.date | None,
    measure_decided_on: datetime.date | None,
    placement_without_consent: bool,
    plan_decided_on: datetime.date | None,
    first_review_on: datetime.date | None,
    today: datetime.date | None = None,
) -> list[Clock]:
    today = today or timezone.localdate()
    out = []
    if investigation_started_on:
        out.append(
            Clock(
                "investigation",
                str(INVESTIGATION),
                investigation_started_on,
                add_months(investigation_started_on, 4),
                investigation_completed_on,
                today,
            )
        )
    if measure_decided_on:
        if placement_without_consent:
            out.append(Clock("plan", str(PLAN_BEFORE), measure_decided_on, measure_decided_on, plan_decided_on, today))
        else:
            out.append(
                Clock("plan", str(PLAN), measure_decided_on, add_months(measure_decided_on, 3), plan_decided_on, today)
            )
    if plan_decided_on:
        out.append(
            Clock("follow_up", str(FOLLOW_UP), plan_decided_on, add_months(plan_decided_on, 3), first_review_on, today)
        )
    return out
