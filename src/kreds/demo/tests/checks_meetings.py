"""Checks that the demo data (seed_demo) shows every state of a network meeting's course (DOMAIN §14, issue 4).

Run by ``test_demo.py``, which seeds the demo once for every capability's checks.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from kreds.meetings import services
from kreds.meetings.constants import (
    SUMMARY_DAYS_BEFORE,
    AgreementStatus,
    MeetingKind,
    MeetingStatus,
    MessageKind,
    ParticipantRole,
)
from kreds.meetings.models import Agreement, AgreementStatusChange, Evaluation, Meeting
from kreds.meetings.sending import minutes_timeliness
from kreds.meetings.staffing import neutrality_problem
from kreds.outbox.models import Outbox

OPEN = [AgreementStatus.AGREED, AgreementStatus.IN_PROGRESS]


def check_every_status():
    """planned, invited, held, minutes_sent, journalised and cancelled, all with a neutral facilitator."""
    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert set(MeetingStatus.values) <= statuses
    assert all(neutrality_problem(m.facilitator, m.case) == "" for m in Meeting.objects.select_related("facilitator"))


def check_each_state_is_on_its_own_case_and_every_caseworker_sees_one():
    first_meetings = Meeting.objects.filter(kind=MeetingKind.NETWORK)
    assert first_meetings.count() == first_meetings.values("case").distinct().count() >= 8
    owners = set(first_meetings.values_list("case__assignments__user__username", flat=True))
    assert {"raadgiver", "raadgiver2", "ungeraadgiver"} <= owners


def check_planned_meeting_shows_the_missing_consent():
    planned = Meeting.objects.get(kind=MeetingKind.NETWORK, status=MeetingStatus.PLANNED)
    assert planned.prep_held_on is not None and planned.prep_who and planned.prep_child
    problems = list(services.not_invitable(planned).values())
    refused = [
        p
        for p in planned.participants.filter(role=ParticipantRole.PRIVATE)
        if services.sharing_problem(p, MessageKind.INVITATION)
    ]
    assert len(refused) == 1
    assert any(refused[0].name in problem for problem in problems)


def check_invited_meeting_has_answers_and_a_letter():
    invited = Meeting.objects.get(kind=MeetingKind.NETWORK, status=MeetingStatus.INVITED)
    assert invited.starts_at > timezone.now()
    people = invited.participants.all()
    assert people.filter(rsvp="yes").exists()
    assert people.filter(rsvp="no").exclude(rsvp_message="").exists()
    assert people.filter(rsvp="").exclude(role=ParticipantRole.CASEWORKER).exists()
    letter = people.get(delivery="letter")
    assert letter.address and letter.invited_at is not None


def check_minutes_on_time_late_and_not_sent():
    held = [m for m in Meeting.objects.exclude(held_at=None) if m.is_held]
    timeliness = {m.pk: minutes_timeliness(m) for m in held}
    on_time = [m for m in held if timeliness[m.pk]["sent"] and timeliness[m.pk]["late"] == 0]
    late = [m for m in held if timeliness[m.pk]["sent"] and timeliness[m.pk]["late"] >= 5]
    assert on_time and late
    assert Meeting.objects.filter(status=MeetingStatus.HELD, minutes_sent_at=None).exists()
    # The on-time example of issue 4: 3–5 agreements and evaluations in, the child's smiley form among them.
    example = next(m for m in on_time if m.kind == MeetingKind.NETWORK and m.status == MeetingStatus.MINUTES_SENT)
    assert 3 <= example.agreements.count() <= 5
    assert Evaluation.objects.filter(participant__meeting=example, child_form=True).exists()
    assert Evaluation.objects.filter(participant__meeting=example, child_form=False).exists()
    # History reads in order: invited before the meeting, held on its day, minutes after.
    for m in held:
        assert not m.participants.filter(invited_at__gt=m.starts_at).exists()
        assert m.held_at.date() == m.ends_at.date()
        if m.minutes_sent_at:
            assert m.minutes_sent_at > m.held_at


def check_follow_up_due_has_its_summary_queued():
    now = timezone.now()
    due = Meeting.objects.get(
        kind=MeetingKind.FOLLOW_UP,
        summary_queued_at__isnull=False,
        starts_at__gt=now,
        previous__status=MeetingStatus.JOURNALISED,
    )
    assert now < due.starts_at <= now + datetime.timedelta(days=SUMMARY_DAYS_BEFORE)
    assert due.status == MeetingStatus.INVITED
    assert Outbox.objects.filter(meeting=due, kind=MessageKind.SUMMARY).exists()
    assert due.previous is not None and due.previous.status == MeetingStatus.JOURNALISED


def check_held_follow_up_reviewed_every_agreement_and_was_journalised():
    follow_up = Meeting.objects.get(kind=MeetingKind.FOLLOW_UP, status=MeetingStatus.JOURNALISED)
    reviewed = AgreementStatusChange.objects.filter(reviewed_at_meeting=follow_up).exclude(agreement__meeting=follow_up)
    assert {AgreementStatus.DONE, AgreementStatus.IN_PROGRESS, AgreementStatus.NOT_DONE} <= set(
        reviewed.values_list("status", flat=True)
    )
    assert reviewed.exclude(comment="").count() == reviewed.count()
    assert services.unreviewed(follow_up) == []
    assert follow_up.agreements.exists()
    assert follow_up.follow_ups.get().status == MeetingStatus.PLANNED


def check_cancelled_and_overdue():
    cancelled = Meeting.objects.get(status=MeetingStatus.CANCELLED)
    assert cancelled.cancelled_reason
    # Nothing of a cancelled meeting is left for the worker to send but the cancellations; letters wait for print.
    assert (
        not Outbox.objects.filter(meeting=cancelled, sent_at=None, channel="email")
        .exclude(kind="cancellation")
        .exists()
    )
    assert Agreement.objects.filter(status__in=OPEN, due_on__lt=timezone.localdate()).exists()


CHECKS = [
    check_every_status,
    check_each_state_is_on_its_own_case_and_every_caseworker_sees_one,
    check_planned_meeting_shows_the_missing_consent,
    check_invited_meeting_has_answers_and_a_letter,
    check_minutes_on_time_late_and_not_sent,
    check_follow_up_due_has_its_summary_queued,
    check_held_follow_up_reviewed_every_agreement_and_was_journalised,
    check_cancelled_and_overdue,
]
