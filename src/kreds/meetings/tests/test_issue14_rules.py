"""Issue 14, the rules of the meeting itself: the speaking order skips absent people, nothing that happens at the
meeting can be recorded before it begins, a date nobody meant is warned about at planning, and the meeting page
says who may mark the meeting as held."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kreds.authz.policies import can
from kreds.core.exceptions import KredsError
from kreds.core.workdays import holiday_name, is_working_day, next_working_day
from kreds.meetings import services
from kreds.meetings.constants import AgreementStatus, MeetingStatus
from kreds.meetings.forms import default_meeting_day
from kreds.meetings.models import Meeting
from kreds.testing.meetings import held_meeting, planned_meeting


def _local(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def _begun(setup) -> Meeting:
    meeting = setup.meeting
    services.send_invitations(actor=meeting.created_by, meeting=meeting)
    start = timezone.now() - datetime.timedelta(minutes=30)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    meeting.refresh_from_db()
    return meeting


# 1. The speaking order ----------------------------------------------------------------------------------------


def test_absent_participants_are_skipped_in_the_speaking_order(world):
    meeting = _begun(planned_meeting(world.case, world.caseworker, world.facilitator))
    order = services.speaking_order(meeting)
    assert len(order) >= 4
    first, second, third = order[0], order[1], order[2]
    services.set_attendance(actor=world.facilitator, meeting=meeting, attended={second.pk: False})
    meeting.refresh_from_db()
    assert services.current_speaker(meeting) == first
    assert services.next_speaker(meeting) == third, "the absent participant is not next"
    assert services.set_speaker(actor=world.facilitator, meeting=meeting, step=1) == third
    assert services.set_speaker(actor=world.facilitator, meeting=meeting, step=-1) == first, "back skips them too"
    # The participant who has the floor is marked absent: the floor passes on to the next one present.
    services.set_attendance(actor=world.facilitator, meeting=meeting, attended={first.pk: False})
    meeting.refresh_from_db()
    assert services.current_speaker(meeting) == third
    seen = [services.set_speaker(actor=world.facilitator, meeting=meeting, step=1) for _ in range(2 * len(order))]
    assert first not in seen and second not in seen
    assert {p.pk for p in seen} == {p.pk for p in order[2:]}, "everyone present still gets the floor, in order"


def test_when_everyone_is_absent_nobody_has_the_floor(world, client, login):
    meeting = _begun(planned_meeting(world.case, world.caseworker, world.facilitator))
    order = services.speaking_order(meeting)
    services.set_attendance(actor=world.facilitator, meeting=meeting, attended={p.pk: False for p in order})
    meeting.refresh_from_db()
    assert services.current_speaker(meeting) is None and services.next_speaker(meeting) is None
    assert services.set_speaker(actor=world.facilitator, meeting=meeting, step=1) is None
    login(world.facilitator)
    page = client.get(reverse("meetings:run", args=[meeting.public_id])).content.decode()
    assert "– has the floor" not in page and 'aria-current="true"' not in page
    assert "nobody has the floor" in page
    assert 'name="step" value="next"' not in page


def test_run_screen_never_gives_the_floor_to_an_absent_participant(world, client, login):
    meeting = _begun(planned_meeting(world.case, world.caseworker, world.facilitator))
    first, second, third = services.speaking_order(meeting)[:3]
    services.set_attendance(actor=world.facilitator, meeting=meeting, attended={first.pk: False, second.pk: False})
    login(world.facilitator)
    page = client.get(reverse("meetings:run", args=[meeting.public_id])).content.decode()
    current = page.split('aria-current="true"', 1)[1].split("</li>", 1)[0]
    assert third.name in current and "has the floor" in current
    assert page.count("– has the floor") == 1
    assert "absent, skipped" in page
    # The next speaker button names someone present.
    client.post(reverse("meetings:speaker", args=[meeting.public_id]), {"step": "next"})
    meeting.refresh_from_db()
    assert services.current_speaker(meeting) not in (first, second)


# 2. Nothing at the meeting before it begins -----------------------------------------------------------------


def test_meeting_cannot_be_completed_before_it_begins(world):
    """The field trial: minutes 'approved 09.00' for a meeting from 10.00 to 12.00 the same day."""
    with time_machine.travel(_local(2026, 3, 2, 9, 0)):
        setup = planned_meeting(world.case, world.caseworker, world.facilitator, starts_at=_local(2026, 3, 10, 10, 0))
        meeting = setup.meeting
        services.send_invitations(actor=world.caseworker, meeting=meeting)
        everyone = {p.pk: True for p in services.speaking_order(meeting)}
        with pytest.raises(KredsError, match="on the day of the meeting"):
            services.set_attendance(actor=world.facilitator, meeting=meeting, attended=everyone)
    follow_up_on = datetime.date(2026, 5, 5)
    with time_machine.travel(_local(2026, 3, 10, 9, 0)):
        # On the day, before the start: attendance can be ticked off as people arrive ...
        services.set_attendance(actor=world.facilitator, meeting=meeting, attended=everyone)
        # ... but nothing that happens at the meeting, and no completion, before 10.00.
        with pytest.raises(KredsError, match=r"10\.00") as refused:
            services.complete_meeting(actor=world.facilitator, meeting=meeting, follow_up_on=follow_up_on)
        assert "once it has begun" in refused.value.message
        with pytest.raises(KredsError, match="Agreements are made at the meeting"):
            services.add_agreement(
                actor=world.facilitator,
                meeting=meeting,
                responsible=setup.participants["mormor"],
                what="Henter Emma",
                due_on=datetime.date(2026, 4, 1),
            )
        with pytest.raises(KredsError, match="once the meeting is completed"):
            services.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.INVITED and meeting.minutes_approved_at is None
    with time_machine.travel(_local(2026, 3, 10, 10, 5)):
        services.complete_meeting(actor=world.facilitator, meeting=meeting, follow_up_on=follow_up_on)
        services.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
        meeting.refresh_from_db()
        assert timezone.localtime(meeting.minutes_approved_at) >= _local(2026, 3, 10, 10, 0)


def test_earlier_agreements_are_reviewed_at_the_follow_up_not_before(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    follow = setup.meeting.follow_ups.get()
    agreement = setup.meeting.agreements.get()
    with pytest.raises(KredsError, match="reviewed at the meeting"):
        services.set_agreement_status(
            actor=world.facilitator, agreement=agreement, status=AgreementStatus.DONE, at_meeting=follow
        )
    # Afterwards, outside a meeting, staff can still update the status.
    services.set_agreement_status(actor=world.caseworker, agreement=agreement, status=AgreementStatus.IN_PROGRESS)


def test_status_updated_from_the_follow_up_page_before_it_begins_is_not_a_review(world, client, login):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    follow = setup.meeting.follow_ups.get()
    agreement = setup.meeting.agreements.get()
    login(world.caseworker)
    client.post(
        reverse("meetings:agreement_status", args=[follow.public_id, agreement.public_id]),
        {"status": AgreementStatus.IN_PROGRESS, "comment": "Godt i gang"},
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_PROGRESS
    assert not agreement.history.filter(reviewed_at_meeting=follow).exists(), "not reviewed at a meeting not begun"
    assert services.unreviewed(follow) == [agreement]


def test_safety_plan_is_not_agreed_at_a_meeting_that_has_not_begun(world):
    from kreds.safety import services as safety

    meeting = planned_meeting(world.case, world.caseworker, world.facilitator).meeting
    plan = safety.plan_for(world.case)
    with pytest.raises(KredsError, match="not begun"):
        safety.record_agreement(
            actor=world.caseworker,
            case=world.case,
            agreed_on=timezone.localdate(),
            meeting=meeting,
            expected_version=plan.version,
        )
    held = held_meeting(world.case, world.caseworker, world.facilitator).meeting
    plan = safety.record_agreement(
        actor=world.caseworker,
        case=world.case,
        agreed_on=timezone.localdate(),
        meeting=held,
        expected_version=safety.plan_for(world.case).version,
    )
    assert plan.agreed_at_meeting == held


def test_run_screen_offers_completion_only_once_the_meeting_has_begun(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    login(world.facilitator)
    url = reverse("meetings:run", args=[setup.meeting.public_id])
    page = client.get(url).content.decode()
    assert "The meeting can be completed once it has begun" in page
    assert reverse("meetings:complete", args=[setup.meeting.public_id]) not in page
    _begun(setup)
    page = client.get(url).content.decode()
    assert reverse("meetings:complete", args=[setup.meeting.public_id]) in page


# 3. A date nobody meant ---------------------------------------------------------------------------------------


def test_holidays_have_names_and_defaults_avoid_closing_days():
    assert holiday_name(datetime.date(2026, 5, 14)) == "Ascension Day"
    assert holiday_name(datetime.date(2026, 12, 24)) == "Christmas Eve"
    assert holiday_name(datetime.date(2026, 5, 13)) == ""
    assert next_working_day(datetime.date(2026, 3, 14)) == datetime.date(2026, 3, 16)  # Saturday -> Monday
    assert next_working_day(datetime.date(2026, 4, 2)) == datetime.date(2026, 4, 7)  # Easter
    # Two weeks after a Saturday is a Saturday: the form proposes the Monday after.
    assert default_meeting_day(datetime.date(2026, 2, 28)) == datetime.date(2026, 3, 16)
    assert default_meeting_day(datetime.date(2026, 3, 19)) == datetime.date(2026, 4, 7)  # not Maundy Thursday
    day = datetime.date(2026, 1, 1)
    for _ in range(366):
        assert is_working_day(default_meeting_day(day)), day
        day += datetime.timedelta(days=1)


def test_new_meeting_form_proposes_a_working_day(world, client, login):
    login(world.caseworker)
    with time_machine.travel(_local(2026, 2, 28, 12, 0)):  # a Saturday: two weeks later is a Saturday too
        page = client.get(reverse("case_meetings:create", args=[world.case.public_id])).content.decode()
    assert 'value="2026-03-16"' in page and 'value="2026-03-14"' not in page


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (_local(2026, 3, 14, 10, 0), "on a Saturday"),
        (_local(2026, 5, 14, 10, 0), "Ascension Day"),
        (_local(2026, 12, 24, 10, 0), "Christmas Eve"),
    ],
)
def test_planning_warns_about_weekends_and_closing_days(world, start, expected):
    with time_machine.travel(_local(2026, 3, 2, 9, 0)):
        meeting = planned_meeting(world.case, world.caseworker, world.facilitator, starts_at=start).meeting
        warnings = " ".join(services.planning_warnings(meeting))
    assert expected in warnings and "Check the date" in warnings


def test_planning_warns_about_a_time_in_the_past_until_it_is_moved(world):
    with time_machine.travel(_local(2026, 3, 10, 14, 0)):
        setup = planned_meeting(world.case, world.caseworker, world.facilitator, starts_at=_local(2026, 3, 9, 10, 0))
        meeting = setup.meeting
        warnings = " ".join(services.planning_warnings(meeting))
        assert "time has passed" in warnings and "Monday 9. March 2026 at 10.00" in warnings
        services.update_meeting(
            actor=world.caseworker,
            meeting=meeting,
            data={
                "purpose": meeting.purpose,
                "place": meeting.place,
                "starts_at": _local(2026, 3, 17, 10, 0),
                "ends_at": _local(2026, 3, 17, 12, 0),
            },
            expected_version=meeting.version,
        )
        meeting.refresh_from_db()
        assert not [w for w in services.planning_warnings(meeting) if "passed" in w or "Check the date" in w]


def test_weekend_warning_is_shown_after_saving_and_on_the_meeting_page(world, client, login):
    login(world.caseworker)
    saturday = timezone.localdate() + datetime.timedelta(days=(5 - timezone.localdate().weekday()) % 7 + 7)
    response = client.post(
        reverse("case_meetings:create", args=[world.case.public_id]),
        {
            "purpose": "At finde en plan for skolen.",
            "date": saturday.isoformat(),
            "start": "10:00",
            "end": "11:30",
            "break_planned": "on",
            "place": "Medborgerhuset",
            "child_participation": "part",
        },
        follow=True,
    )
    assert "The meeting is on a Saturday" in response.content.decode(), "shown after saving"
    meeting = Meeting.objects.get(case=world.case)
    page = client.get(reverse("meetings:detail", args=[meeting.public_id])).content.decode()
    assert "The meeting is on a Saturday" in page


# 4. Who may mark the meeting as held --------------------------------------------------------------------------


def test_meeting_page_says_who_can_mark_it_held(world, client, login):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator, minute_taker=world.practitioner)
    meeting = setup.meeting
    login(world.caseworker)
    page = client.get(reverse("meetings:detail", args=[meeting.public_id])).content.decode()
    sentence = page.split("data-who-completes>", 1)[1].split("</p>", 1)[0]
    assert world.facilitator.get_full_name() in sentence and world.practitioner.get_full_name() in sentence
    # The sentence tells the truth about the policy: those named may, the caseworker reading it may not.
    assert not can(world.caseworker, "meeting.run", meeting)
    assert can(world.facilitator, "meeting.run", meeting) and can(world.practitioner, "meeting.run", meeting)
    login(world.facilitator)
    page = client.get(reverse("meetings:detail", args=[meeting.public_id])).content.decode()
    assert "data-who-completes" not in page, "the facilitator has the button instead"


def test_who_completes_without_a_facilitator(world):
    meeting = planned_meeting(world.case, world.caseworker, None).meeting
    assert "neither is chosen yet" in services.who_completes(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(facilitator=world.facilitator)
    meeting = Meeting.objects.select_related("facilitator", "minute_taker").get(pk=meeting.pk)
    text = services.who_completes(meeting)
    assert world.facilitator.get_full_name() in text and "minute taker" not in text
