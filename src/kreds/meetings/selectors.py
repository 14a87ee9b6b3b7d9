"""Reads for meeting screens and reminders. Callers have authorized the case or meeting already."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.meetings.constants import EVALUATION_MIN_RESPONDENTS, FGC_KINDS, AgreementStatus, MeetingStatus
from kreds.meetings.models import Agreement, Evaluation, Meeting

OPEN = [AgreementStatus.AGREED, AgreementStatus.IN_PROGRESS]
SCORES = ("heard", "knew_purpose", "realistic", "own_part_clear", "satisfaction")


def meetings_for_case(case: Case) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(case=case)
        .select_related("facilitator")
        .annotate(agreement_count=Count("agreements", distinct=True))
        .order_by("-starts_at", "-id")
    )


def next_meeting(case: Case) -> Meeting | None:
    return (
        Meeting.objects.filter(
            case=case, status__in=[MeetingStatus.PLANNED, MeetingStatus.INVITED], starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )


def open_agreements(case: Case) -> list[Agreement]:
    return list(Agreement.objects.filter(case=case, status__in=OPEN).select_related("meeting").order_by("due_on", "id"))


def agreements_for_user(user: User, today: datetime.date | None = None) -> dict[str, list[Agreement]]:
    """Open agreements on the user's assigned open cases: overdue, and due within a week."""
    today = today or timezone.localdate()
    qs = (
        Agreement.objects.filter(
            case__assignments__user=user,
            case__status="open",
            status__in=OPEN,
            due_on__lte=today + datetime.timedelta(days=7),
        )
        .select_related("case__child", "meeting")
        .order_by("due_on", "id")
        .distinct()
    )
    items = list(qs)
    return {"overdue": [a for a in items if a.due_on < today], "soon": [a for a in items if a.due_on >= today]}


INVITE_REMINDER_DAYS = 21


def meetings_to_invite(user: User, today: datetime.date | None = None) -> list[Meeting]:
    """Meetings within three weeks that nobody has invited to yet, for the person who sends the invitations:
    the coordinator of a family group conference, the caseworkers of the case for a network meeting."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    qs = (
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=INVITE_REMINDER_DAYS + 1),
            case__status="open",
        )
        .filter(Q(kind__in=FGC_KINDS, facilitator=user) | (~Q(kind__in=FGC_KINDS) & Q(case__assignments__user=user)))
        .select_related("case__child")
        .order_by("starts_at")
        .distinct()
    )
    return list(qs)


def evaluation_summary(meeting: Meeting) -> dict[str, Any]:
    """Means per question for the adults' 1–5 answers; the child's smiley form (other questions) apart.

    The adults' results (means, "a plan was made", comments) are shown only once at least
    ``EVALUATION_MIN_RESPONDENTS`` adults have answered: with one or two, a "mean" is someone's own answers
    (``shown`` is False and they are left out). The child's answers are the child's own voice, shown as the child's.
    """
    qs = Evaluation.objects.filter(participant__meeting=meeting)
    adults = qs.filter(child_form=False).aggregate(
        n=Count("id"),
        plan_made_yes=Count("id", filter=Q(plan_made=True)),
        plan_made_answered=Count("plan_made"),
        plan_satisfaction=Avg("plan_satisfaction"),
        **{s: Avg(s) for s in SCORES},
    )
    child = qs.filter(child_form=True).first()
    adult_count = adults.pop("n")
    shown = adult_count >= EVALUATION_MIN_RESPONDENTS
    plan = {
        "made_yes": adults.pop("plan_made_yes"),
        "made_answered": adults.pop("plan_made_answered"),
        "satisfaction": adults.pop("plan_satisfaction"),
    }
    comments = qs.filter(child_form=False).exclude(comment="").values_list("comment", flat=True) if shown else []
    return {
        "plan": plan if shown else None,
        "count": adult_count + (1 if child else 0),
        "adult_count": adult_count,
        "shown": shown,
        "min_respondents": EVALUATION_MIN_RESPONDENTS,
        "means": adults if shown else None,
        "child": child,
        "comments": list(comments),
        "child_answered": child is not None,
    }
