"""Checks that the demo data (seed_demo) shows every state of a family group conference (DOMAIN §14, issue 5).

Run by ``test_demo.py``, which seeds the demo once for every capability's checks.
"""

from __future__ import annotations

from django.utils import timezone

from kreds.conferences import selectors, services
from kreds.conferences.constants import ConferenceStatus, Decision, Outcome, ScoredBy
from kreds.conferences.independence import independence_problem
from kreds.conferences.models import Conference, Cost, PlanItem, Preparation
from kreds.meetings.constants import MeetingStatus
from kreds.meetings.models import Evaluation
from kreds.outbox.models import Outbox


def check_one_conference_in_each_state_with_independent_coordinators():
    statuses = sorted(Conference.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [ConferenceStatus.REFERRED, ConferenceStatus.PREPARING, ConferenceStatus.ACTIVE, ConferenceStatus.ACTIVE]
    )
    assert Conference.objects.values("case").distinct().count() == 4
    for conference in Conference.objects.exclude(coordinator=None).select_related("coordinator", "case__child"):
        own = tuple(conference.sessions.values_list("meeting_id", flat=True))
        assert independence_problem(conference.coordinator, conference.case, exclude_meetings=own) == ""


def check_awaiting_allocation_from_an_external_initiator():
    waiting = Conference.objects.get(status=ConferenceStatus.REFERRED)
    assert waiting.initiator_external and selectors.timeline(waiting).waiting == 9


def check_preparation_log_half_done():
    preparing = Conference.objects.get(status=ConferenceStatus.PREPARING)
    assert preparing.premeeting_on and preparing.support_person_id and preparing.meeting
    assert preparing.meeting.status == MeetingStatus.PLANNED and preparing.meeting.starts_at > timezone.now()
    preps = Preparation.objects.filter(session__conference=preparing)
    invited = preparing.meeting.participants.count()
    prepared = preps.exclude(prepared_at=None).count()
    assert 0 < prepared < invited, "some are prepared, some are not"
    assert preps.filter(contacts__kind="home_visit").exists()


def check_held_with_an_approved_plan_and_a_rejected_item():
    active = [c for c in Conference.objects.filter(status=ConferenceStatus.ACTIVE) if c.sessions.count() == 2]
    assert len(active) == 1
    conference = active[0]
    items = PlanItem.objects.filter(session__conference=conference)
    rejected = items.get(decision=Decision.REJECTED)
    assert "bundlinjen" in rejected.decision_reason and rejected.agreement is None
    supported = items.get(support_requested__gt="")
    assert supported.decision == Decision.APPROVED and supported.support_status == "available"
    assert items.filter(decision=Decision.APPROVED, agreement__isnull=False).count() == 3
    assert Evaluation.objects.filter(participant__meeting=conference.meeting, child_form=True, plan_made=True).exists()
    assert Cost.objects.filter(conference=conference).count() == 4
    assert services.current_session(conference).meeting.starts_at > timezone.now()


def check_follow_up_with_realised_items_and_better_wellbeing():
    followed = [c for c in Conference.objects.filter(status=ConferenceStatus.ACTIVE) if c.sessions.count() == 3]
    assert len(followed) == 1
    conference = followed[0]
    outcomes = set(PlanItem.objects.filter(session__conference=conference).values_list("reviews__outcome", flat=True))
    assert {Outcome.REALISED, Outcome.PARTLY, Outcome.NOT_REALISED} <= outcomes
    table = selectors.wellbeing_table(conference)
    assert table[0][ScoredBy.CHILD] < table[-1][ScoredBy.CHILD]
    assert PlanItem.objects.filter(session__conference=conference, session__number=1, decision="approved").exists()
    figures = selectors.figures(conference.municipality)
    assert figures["held"] == 2 and figures["realised_share"] is not None and figures["wellbeing_child"]["better"]


def check_no_history_left_to_send():
    assert not Outbox.objects.filter(
        meeting__fgc_session__conference__isnull=False,
        sent_at=None,
        meeting__status__in=[MeetingStatus.HELD, MeetingStatus.MINUTES_SENT],
    ).exists()


CHECKS = [
    check_one_conference_in_each_state_with_independent_coordinators,
    check_awaiting_allocation_from_an_external_initiator,
    check_preparation_log_half_done,
    check_held_with_an_approved_plan_and_a_rejected_item,
    check_follow_up_with_realised_items_and_better_wellbeing,
    check_no_history_left_to_send,
]
