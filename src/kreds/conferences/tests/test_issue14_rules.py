"""Issue 14 for family group conferences: nothing at the conference before it begins, date warnings at planning,
a default date on a working day, and a follow-up conference the coordinator and the caseworker can move or cancel,
with a page of its own before the day."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kreds.authz.policies import can
from kreds.conferences import services
from kreds.conferences.constants import ConferenceStatus
from kreds.conferences.models import ConferenceSession
from kreds.core.exceptions import KredsError
from kreds.meetings import services as meetings
from kreds.meetings.constants import MeetingKind, MeetingStatus, MessageKind
from kreds.meetings.models import Meeting
from kreds.outbox.models import Outbox
from kreds.testing.conferences import allocated, held, prepared


def _local(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def _at(meeting: Meeting, start: datetime.datetime) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=4))


def _invite(meeting: Meeting) -> None:
    """Invitations sent, and delivered (the worker sends the e-mails after commit; tests roll back instead)."""
    meetings.send_invitations(actor=meeting.facilitator, meeting=meeting)
    Outbox.objects.filter(meeting=meeting, kind=MessageKind.INVITATION).update(sent_at=timezone.now())


def _working_day_ahead(days: int) -> datetime.date:
    from kreds.core.workdays import next_working_day

    return next_working_day(timezone.localdate() + datetime.timedelta(days=days))


# Nothing at the conference before it begins -------------------------------------------------------------------


def test_private_time_and_completion_wait_until_the_conference_begins(world):
    with time_machine.travel(_local(2026, 3, 2, 9, 0)):
        setup = prepared(world.case, world.caseworker, world.facilitator)
        conference = setup.conference
        _at(setup.meeting, _local(2026, 3, 10, 16, 0))
    meeting = setup.meeting
    everyone = {p.pk: True for p in meetings.speaking_order(meeting)}
    with time_machine.travel(_local(2026, 3, 10, 15, 0)):
        meetings.set_attendance(actor=world.facilitator, meeting=meeting, attended=everyone)  # as people arrive
        with pytest.raises(KredsError, match=r"16\.00"):
            services.private_time(actor=world.facilitator, conference=conference, start=True)
        with pytest.raises(KredsError, match="begins"):
            services.add_information(
                actor=world.facilitator,
                conference=conference,
                participant=setup.participants["caseworker"],
                data={"worries": "Emma er meget alene."},
            )
        with pytest.raises(KredsError, match="begins"):
            services.complete(
                actor=world.facilitator,
                conference=conference,
                follow_up_on=datetime.date(2026, 6, 10),
                no_plan_reason="Familien ville tænke over det.",
            )
        session = services.current_session(conference)
        assert session is not None and session.private_started_at is None
        assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.INVITED
    with time_machine.travel(_local(2026, 3, 10, 16, 5)):
        services.private_time(actor=world.facilitator, conference=conference, start=True)
        services.private_time(actor=world.facilitator, conference=conference, start=False)
        services.complete(
            actor=world.facilitator,
            conference=conference,
            follow_up_on=datetime.date(2026, 6, 10),
            no_plan_reason="Familien ville tænke over det.",
        )
        session.refresh_from_db()
        assert session.private_started_at >= _local(2026, 3, 10, 16, 0)


def test_conference_screen_hides_private_time_and_completion_before_the_start(world, client, login):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    page = client.get(reverse("conferences:run", args=[setup.conference.public_id])).content.decode()
    assert "The conference begins" in page
    assert reverse("conferences:complete", args=[setup.conference.public_id]) not in page
    assert 'name="action" value="start"' not in page


# Date warnings and the default date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [(_local(2026, 3, 14, 16, 0), "The conference is on a Saturday"), (_local(2026, 5, 25, 16, 0), "Whit Monday")],
)
def test_conferences_get_the_date_warnings(world, start, expected):
    with time_machine.travel(_local(2026, 3, 2, 9, 0)):
        setup = prepared(world.case, world.caseworker, world.facilitator, invite=False)
        _at(setup.meeting, start)
        warnings = meetings.planning_warnings(setup.meeting)
    assert any(expected in w for w in warnings), warnings
    assert not any("break" in w or "2 hours" in w for w in warnings), "a conference keeps its own rhythm"


def test_scheduling_on_a_saturday_warns_after_saving(world, client, login):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    saturday = timezone.localdate() + datetime.timedelta(days=(5 - timezone.localdate().weekday()) % 7 + 7)
    login(world.facilitator)
    response = client.post(
        reverse("conferences:schedule", args=[conference.public_id]),
        {
            "date": saturday.isoformat(),
            "start": "10:00",
            "end": "14:00",
            "place": "Sognegården",
            "child_participation": "part",
        },
        follow=True,
    )
    assert "The conference is on a Saturday" in response.content.decode()
    page = client.get(reverse("conferences:detail", args=[conference.public_id])).content.decode()
    assert "The conference is on a Saturday" in page


def test_schedule_form_proposes_a_working_day(world, client, login):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    with time_machine.travel(_local(2026, 2, 28, 12, 0)):  # a Saturday: two weeks later is a Saturday too
        page = client.get(reverse("conferences:prepare", args=[conference.public_id])).content.decode()
    assert 'value="2026-03-16"' in page and 'value="16:00"' in page


# The follow-up conference -------------------------------------------------------------------------------------


def _move_data(day: datetime.date, place: str = "Medborgerhuset") -> dict[str, str]:
    return {"date": day.isoformat(), "start": "15:00", "end": "18:00", "place": place}


@pytest.mark.parametrize("who", ["caseworker", "facilitator", "leader"])
def test_coordinator_and_caseworker_move_the_follow_up_conference(world, client, login, who):
    setup = held(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    follow = services.follow_up_session(conference)
    assert follow is not None and follow.meeting.kind == MeetingKind.FGC_FOLLOW_UP
    _invite(follow.meeting)
    user = getattr(world, who)
    assert can(user, "conference.follow_up", conference)
    day = _working_day_ahead(40)
    login(user)
    response = client.post(
        reverse("conferences:follow_up_move", args=[conference.public_id]), _move_data(day), follow=True
    )
    assert "The follow-up conference is moved" in response.content.decode()
    moved = Meeting.objects.get(pk=follow.meeting_id)
    assert timezone.localtime(moved.starts_at) == _local(day.year, day.month, day.day, 15, 0)
    assert moved.place == "Medborgerhuset" and moved.status == MeetingStatus.INVITED
    assert Outbox.objects.filter(meeting=moved, kind=MessageKind.CHANGE).exists(), "everyone invited is told"


def test_others_cannot_move_the_follow_up_conference(world):
    setup = held(world.case, world.caseworker, world.facilitator)
    for user in (world.practitioner, world.colleague, world.administrator):
        assert not can(user, "conference.follow_up", setup.conference)
    assert can(world.practitioner, "conference.view", setup.conference), "the family centre can read it"


def test_follow_up_cannot_be_moved_into_the_past(world):
    setup = held(world.case, world.caseworker, world.facilitator)
    past = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(KredsError, match="future"):
        services.move_follow_up(
            actor=world.caseworker,
            conference=setup.conference,
            starts_at=past,
            ends_at=past + datetime.timedelta(hours=2),
            place="Medborgerhuset",
        )


def test_follow_up_conference_is_cancelled_and_planned_again(world, client, login):
    setup = held(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    follow = services.follow_up_session(conference)
    assert follow is not None
    _invite(follow.meeting)
    login(world.caseworker)
    url = reverse("conferences:follow_up_cancel", args=[conference.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Familien er syg.", "message": "Vi finder en ny dato."}, follow=True)
    assert "The follow-up conference is cancelled" in response.content.decode()
    cancelled = Meeting.objects.get(pk=follow.meeting_id)
    assert cancelled.status == MeetingStatus.CANCELLED
    assert Outbox.objects.filter(meeting=cancelled, kind=MessageKind.CANCELLATION).exists()
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.AWAITING_APPROVAL, "the course goes on"
    page = client.get(reverse("conferences:follow_up", args=[conference.public_id])).content.decode()
    assert "Plan a new follow-up conference" in page
    day = _working_day_ahead(30)
    login(world.facilitator)
    client.post(reverse("conferences:follow_up_move", args=[conference.public_id]), _move_data(day, "Skolen"))
    new = services.follow_up_session(conference)
    assert new is not None and new.number == follow.number + 1
    assert new.meeting.status == MeetingStatus.PLANNED and new.meeting.place == "Skolen"
    assert timezone.localtime(new.meeting.starts_at).date() == day
    assert new.meeting.previous_id == cancelled.previous_id and new.meeting.kind == MeetingKind.FGC_FOLLOW_UP
    names = sorted(p.name for p in meetings.speaking_order(new.meeting))
    assert names == sorted(p.name for p in meetings.speaking_order(cancelled.previous))
    assert ConferenceSession.objects.filter(conference=conference).count() == 3


def test_follow_up_page_is_there_before_the_day(world, client, login):
    setup = held(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    follow = services.follow_up_session(conference)
    assert follow is not None and timezone.localtime(follow.meeting.starts_at).date() > timezone.localdate()
    url = reverse("conferences:follow_up", args=[conference.public_id])
    login(world.caseworker)
    page = client.get(url).content.decode()
    assert "Follow-up conference 1" in page and follow.meeting.place in page
    assert "runs the follow-up conference on the conference screen" in page
    assert reverse("conferences:run", args=[conference.public_id]) not in page
    assert reverse("conferences:follow_up_cancel", args=[conference.public_id]) in page
    assert "Move the follow-up conference" in page
    detail = client.get(reverse("conferences:detail", args=[conference.public_id])).content.decode()
    assert url in detail
    login(world.practitioner)
    page = client.get(url).content.decode()
    assert "Move the follow-up conference" not in page, "read-only for those who may only view"
    login(world.facilitator)
    page = client.get(url).content.decode()
    assert reverse("conferences:run", args=[conference.public_id]) in page and "See how it is laid out" in page
    run = client.get(reverse("conferences:run", args=[conference.public_id]))
    assert run.status_code == 200 and "The conference begins" in run.content.decode()
