"""Every rule of the inclusive network meeting (DOMAIN §5), through the services."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

from kreds.accounts.constants import Role
from kreds.audit.models import AuditEvent
from kreds.cases import services as case_services
from kreds.consent.models import SharingConsent
from kreds.consent.services import withdraw_consent
from kreds.core.exceptions import KredsError, SafetyGateOpen
from kreds.meetings import services
from kreds.meetings.constants import AgreementStatus, Delivery, MeetingKind, MeetingStatus, ParticipantRole
from kreds.meetings.models import Meeting
from kreds.outbox.models import Outbox
from kreds.testing.factories import staff
from kreds.testing.meetings import held_meeting, planned_meeting

pytestmark = pytest.mark.django_db


def _data(world, **overrides):
    start = timezone.now() + datetime.timedelta(days=7)
    return {
        "purpose": "Et godt skoleår",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "place": "Biblioteket",
        "break_planned": True,
        "child_participation": "part",
        **overrides,
    }


# Planning -------------------------------------------------------------------------------------------------


def test_create_adds_child_and_caseworker_on_equal_footing(world):
    meeting = services.create_meeting(actor=world.caseworker, case=world.case, data=_data(world))
    roles = list(meeting.participants.values_list("role", flat=True))
    assert roles == [ParticipantRole.CHILD, ParticipantRole.CASEWORKER]
    assert meeting.kind == MeetingKind.NETWORK
    assert AuditEvent.objects.filter(action="meeting.create", object_id=str(meeting.public_id)).exists()


def test_child_not_taking_part_is_not_a_participant(world):
    meeting = services.create_meeting(
        actor=world.caseworker, case=world.case, data=_data(world, child_participation="not")
    )
    assert not meeting.participants.filter(role=ParticipantRole.CHILD).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("purpose", " ", "purpose"),
        ("place", "", "where"),
        ("purpose", "Barnets cpr er 140315-0123", "CPR"),
    ],
)
def test_planning_validation(world, field, value, message):
    with pytest.raises(KredsError, match=message):
        services.create_meeting(actor=world.caseworker, case=world.case, data=_data(world, **{field: value}))


def test_end_must_be_after_start(world):
    start = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(KredsError, match="end after"):
        services.create_meeting(
            actor=world.caseworker, case=world.case, data=_data(world, starts_at=start, ends_at=start)
        )


def test_facilitator_assigned_to_the_case_is_refused(world):
    both = staff(world.authority, Role.FACILITATOR, username="both")
    world.case.assignments.create(user=both)
    with pytest.raises(KredsError, match="neutral facilitator"):
        services.create_meeting(actor=world.caseworker, case=world.case, data=_data(world, facilitator=both))


def test_leader_of_the_responsible_unit_cannot_facilitate(world):
    from kreds.accounts.models import Membership

    Membership.objects.create(user=world.leader, unit=world.authority, role=Role.FACILITATOR)
    with pytest.raises(KredsError, match="leads the unit"):
        services.create_meeting(actor=world.caseworker, case=world.case, data=_data(world, facilitator=world.leader))


def test_facilitator_needs_the_role(world):
    with pytest.raises(KredsError, match=r"facilitator / coordinator role"):
        services.create_meeting(actor=world.caseworker, case=world.case, data=_data(world, facilitator=world.colleague))


def test_neutral_colleague_facilitator_is_accepted(world):
    meeting = services.create_meeting(
        actor=world.caseworker, case=world.case, data=_data(world, facilitator=world.facilitator)
    )
    assert meeting.facilitator == world.facilitator


def test_long_meeting_and_no_break_warn_but_do_not_block(world):
    start = timezone.now() + datetime.timedelta(days=3)
    meeting = services.create_meeting(
        actor=world.caseworker,
        case=world.case,
        data=_data(world, starts_at=start, ends_at=start + datetime.timedelta(minutes=150), break_planned=False),
    )
    warnings = " ".join(services.planning_warnings(meeting))
    assert "150" in warnings and "2 hours" in warnings and "break" in warnings


def test_optimistic_locking(world):
    meeting = services.create_meeting(actor=world.caseworker, case=world.case, data=_data(world))
    services.update_meeting(actor=world.caseworker, meeting=meeting, data=_data(world, place="A"), expected_version=1)
    with pytest.raises(KredsError, match="Someone else"):
        services.update_meeting(
            actor=world.caseworker, meeting=meeting, data=_data(world, place="B"), expected_version=1
        )


def test_participants_come_from_the_map_with_roles_and_delivery(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    p = setup.participants
    assert p["mor"].role == ParticipantRole.PARENT
    assert p["mormor"].role == ParticipantRole.PRIVATE
    assert p["klasselærer"].role == ParticipantRole.PROFESSIONAL
    assert p["mormor"].email == "inge@example.invalid" and p["mormor"].delivery == Delivery.EMAIL
    orders = [x.speaking_order for x in services.speaking_order(setup.meeting)]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_person_from_another_case_is_refused(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    from kreds.testing.factories import CaseFactory, assign

    other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    assign(other, world.caseworker)
    foreign = planned_meeting(other, world.caseworker, world.facilitator).grandmother
    with pytest.raises(KredsError, match="network map"):
        services.add_participants(actor=world.caseworker, meeting=setup.meeting, persons=[foreign])


def test_speaking_order_can_be_changed(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    before = [x.name for x in services.speaking_order(setup.meeting)]
    services.move_participant(actor=world.caseworker, participant=setup.participants["mormor"], direction=-1)
    after = [x.name for x in services.speaking_order(setup.meeting)]
    i = before.index("Inge Mormor")
    assert after[i - 1] == "Inge Mormor" and after[i] == before[i - 1]


# Before invitations ---------------------------------------------------------------------------------------


def test_invitations_need_contact_details_or_letter(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    teacher = setup.participants["klasselærer"]
    teacher.email = ""
    teacher.save()
    assert services.invitation_problems(setup.meeting) == []  # one person's problem does not stop the others
    assert "Jonas Lærer has no e-mail address" in services.not_invitable(setup.meeting)[teacher.pk]
    result = services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    assert result.emails == 2 and any("Jonas Lærer has no e-mail address" in r for r in result.not_invited)
    assert not Outbox.objects.filter(participant=teacher).exists()
    services.update_participant(
        actor=world.caseworker, participant=teacher, data={"delivery": Delivery.HAND, "email": ""}
    )
    assert services.not_invitable(setup.meeting) == {}
    again = services.send_invitations(actor=world.caseworker, meeting=setup.meeting)  # "invite the new ones"
    assert (again.emails, again.letters, again.not_invited) == (0, 1, [])
    assert Outbox.objects.get(participant=teacher).channel == "letter"


def test_letter_needs_an_address(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    with pytest.raises(KredsError, match="postal address"):
        services.update_participant(
            actor=world.caseworker, participant=setup.participants["klasselærer"], data={"delivery": Delivery.LETTER}
        )


def test_private_member_without_consent_is_left_out_and_the_others_are_invited(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    for consent in SharingConsent.objects.filter(case=world.case):
        withdraw_consent(actor=world.caseworker, consent=consent)
    grandmother = setup.participants["mormor"]
    reason = services.not_invitable(setup.meeting)[grandmother.pk]
    assert "no valid consent" in reason and "Inge Mormor" in reason
    result = services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    # The parent and the professional may always be invited; the grandmother is listed with the reason.
    assert result.emails == 2 and result.letters == 1  # mother and teacher by e-mail, the child's letter
    assert result.not_invited == [reason]
    assert not Outbox.objects.filter(participant=grandmother).exists()


def test_parents_and_professionals_need_no_consent(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    assert services.sharing_problem(setup.participants["mor"], "invitation") == ""
    assert services.sharing_problem(setup.participants["klasselærer"], "invitation") == ""


def test_open_safety_gate_blocks_invitations_and_is_audited(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    case_services.set_safety_concern(actor=world.caseworker, case=world.case, concern=True)
    assert any("§ 18" in p for p in services.invitation_problems(setup.meeting))
    with pytest.raises(SafetyGateOpen):
        services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    assert AuditEvent.objects.filter(action="case.safety_gate_block").exists()


def test_no_facilitator_blocks_invitations(world):
    setup = planned_meeting(world.case, world.caseworker, None)
    assert "Choose a neutral facilitator." in services.invitation_problems(setup.meeting)


def test_send_invitations_queues_each_email_once_and_issues_links(world, django_capture_on_commit_callbacks):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    assert (result.emails, result.letters) == (3, 1)  # the child's invitation is a letter to hand over
    assert len(callbacks) == 3, "each e-mail is handed to the worker after commit; the letter is not"
    again = services.send_invitations(actor=world.caseworker, meeting=setup.meeting)  # a second click
    assert (again.emails, again.letters) == (0, 0)
    assert Outbox.objects.filter(kind="invitation", channel="email").count() == 3
    setup.meeting.refresh_from_db()
    assert setup.meeting.status == MeetingStatus.INVITED
    child = setup.meeting.participants.get(role=ParticipantRole.CHILD)
    assert child.link is not None and child.link.is_active  # hand-delivered: link ready for the letter


# The meeting ----------------------------------------------------------------------------------------------


def _started(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    past = timezone.now() - datetime.timedelta(hours=1)
    Meeting.objects.filter(pk=setup.meeting.pk).update(starts_at=past, ends_at=past + datetime.timedelta(hours=2))
    setup.meeting.refresh_from_db()
    return setup


def test_cannot_complete_without_follow_up_date(world):
    setup = _started(world)
    services.set_attendance(
        actor=world.facilitator,
        meeting=setup.meeting,
        attended={p.pk: True for p in services.speaking_order(setup.meeting)},
    )
    with pytest.raises(KredsError, match="follow-up"):
        services.complete_meeting(actor=world.facilitator, meeting=setup.meeting, follow_up_on=None)
    meeting_day = timezone.localtime(setup.meeting.starts_at).date()  # not localdate(): at 00:30 it began yesterday
    with pytest.raises(KredsError, match="after this meeting"):
        services.complete_meeting(actor=world.facilitator, meeting=setup.meeting, follow_up_on=meeting_day)
    setup.meeting.refresh_from_db()
    assert setup.meeting.status == MeetingStatus.INVITED


def test_database_refuses_a_held_meeting_without_follow_up(world):
    from django.db import IntegrityError, transaction

    setup = _started(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=setup.meeting.pk).update(status=MeetingStatus.HELD)


def test_cannot_complete_before_the_meeting_day(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    with pytest.raises(KredsError, match="once it has begun"):
        services.complete_meeting(
            actor=world.facilitator,
            meeting=setup.meeting,
            follow_up_on=timezone.localdate() + datetime.timedelta(days=90),
        )


def test_attendance_must_be_recorded(world):
    setup = _started(world)
    with pytest.raises(KredsError, match="attendance"):
        services.complete_meeting(
            actor=world.facilitator,
            meeting=setup.meeting,
            follow_up_on=timezone.localdate() + datetime.timedelta(days=60),
        )


def test_speaking_order_advances_and_wraps(world):
    setup = _started(world)
    order = services.speaking_order(setup.meeting)
    seen = [services.set_speaker(actor=world.facilitator, meeting=setup.meeting, step=1) for _ in order]
    assert [p.pk for p in seen] == [p.pk for p in order[1:] + order[:1]]
    back = services.set_speaker(actor=world.facilitator, meeting=setup.meeting, step=-1)
    assert back.pk == order[-1].pk


def test_agreements_who_what_when(world):
    setup = _started(world)
    with pytest.raises(KredsError, match="what is agreed"):
        services.add_agreement(
            actor=world.facilitator,
            meeting=setup.meeting,
            responsible=setup.participants["mormor"],
            what=" ",
            due_on=timezone.localdate(),
        )
    with pytest.raises(KredsError, match="on or after"):
        services.add_agreement(
            actor=world.facilitator,
            meeting=setup.meeting,
            responsible=setup.participants["mormor"],
            what="x",
            due_on=timezone.localdate() - datetime.timedelta(days=3),
        )
    other = planned_meeting(world.case, world.caseworker, world.facilitator)
    with pytest.raises(KredsError, match="participant in the meeting"):
        services.add_agreement(
            actor=world.facilitator,
            meeting=setup.meeting,
            responsible=other.participants["mormor"],
            what="x",
            due_on=timezone.localdate(),
        )
    a = services.add_agreement(
        actor=world.facilitator,
        meeting=setup.meeting,
        responsible=setup.participants["mormor"],
        what="Henter",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    assert a.status == AgreementStatus.AGREED and a.person == setup.grandmother and a.responsible_name == "Inge Mormor"


def test_completion_plans_the_follow_up_with_the_same_people(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    meeting = setup.meeting
    assert meeting.status == MeetingStatus.HELD and meeting.held_at is not None
    follow = meeting.follow_ups.get()
    assert follow.kind == MeetingKind.FOLLOW_UP
    assert timezone.localtime(follow.starts_at).date() == meeting.follow_up_on
    assert follow.facilitator == world.facilitator
    assert [p.name for p in services.speaking_order(follow)] == [p.name for p in services.speaking_order(meeting)]
    with pytest.raises(KredsError, match="already completed"):
        services.complete_meeting(
            actor=world.facilitator, meeting=meeting, follow_up_on=meeting.follow_up_on + datetime.timedelta(days=1)
        )
    # Until the minutes are sent, the notes can still be corrected; then they are final.
    services.save_notes(
        actor=world.facilitator,
        meeting=meeting,
        notes={"descriptive": "Rettet"},
        authority_declared=True,
        expected_version=meeting.version,
    )
    meeting.refresh_from_db()
    services.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
    meeting.refresh_from_db()
    with pytest.raises(KredsError, match="minutes are sent"):
        services.save_notes(
            actor=world.facilitator,
            meeting=meeting,
            notes={"descriptive": "x"},
            authority_declared=True,
            expected_version=meeting.version,
        )


def test_follow_up_reviews_every_agreement_before_completing(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    follow = setup.meeting.follow_ups.get()
    past = timezone.now() - datetime.timedelta(hours=1)
    Meeting.objects.filter(pk=follow.pk).update(starts_at=past, ends_at=past + datetime.timedelta(hours=1))
    follow.refresh_from_db()
    services.set_attendance(
        actor=world.facilitator, meeting=follow, attended={p.pk: True for p in services.speaking_order(follow)}
    )
    next_date = timezone.localdate() + datetime.timedelta(days=90)
    with pytest.raises(KredsError, match="Review the status of every agreement"):
        services.complete_meeting(actor=world.facilitator, meeting=follow, follow_up_on=next_date)
    agreement = setup.meeting.agreements.get()
    services.set_agreement_status(
        actor=world.facilitator, agreement=agreement, status=AgreementStatus.DONE, comment="Fint", at_meeting=follow
    )
    services.complete_meeting(actor=world.facilitator, meeting=follow, follow_up_on=next_date)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DONE
    assert list(agreement.history.values_list("status", flat=True)) == ["agreed", "done"]
    assert follow.follow_ups.get().follow_up_on is None  # the next follow-up is planned, with its own date later


def test_minutes_sent_once_with_timestamp(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    services.approve_and_send_minutes(actor=world.caseworker, meeting=setup.meeting)
    setup.meeting.refresh_from_db()
    assert setup.meeting.status == MeetingStatus.MINUTES_SENT
    assert setup.meeting.minutes_sent_at is not None and setup.meeting.minutes_approved_by == world.caseworker
    assert Outbox.objects.filter(kind="minutes", channel="email").count() == 3  # mother, grandmother, teacher
    assert Outbox.objects.get(kind="minutes", channel="letter").participant.role == "child"  # and the child's letter
    with pytest.raises(KredsError, match="only once"):
        services.approve_and_send_minutes(actor=world.caseworker, meeting=setup.meeting)


def test_journalise_only_after_minutes(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    with pytest.raises(KredsError, match="Send the minutes"):
        services.mark_journalised(actor=world.caseworker, meeting=setup.meeting)
    services.approve_and_send_minutes(actor=world.caseworker, meeting=setup.meeting)
    meeting = services.mark_journalised(actor=world.caseworker, meeting=setup.meeting)
    assert meeting.status == MeetingStatus.JOURNALISED and meeting.journalised_at is not None


def test_cancel_keeps_links_for_a_while_so_the_page_can_say_so(world, settings):
    settings.PARTICIPANT_LINK_DAYS_AFTER_CANCEL = 30
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    with pytest.raises(KredsError, match="why"):
        services.cancel_meeting(actor=world.caseworker, meeting=setup.meeting, reason="")
    services.cancel_meeting(actor=world.caseworker, meeting=setup.meeting, reason="Syg")
    links = [p.link for p in setup.meeting.participants.exclude(link=None)]
    assert links and all(link.is_active for link in links)
    assert all(link.expires_at <= timezone.now() + datetime.timedelta(days=30, minutes=1) for link in links)


def test_removed_after_invitation_is_kept_as_history(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    from kreds.outbox.tasks import send_outbox

    for row in Outbox.objects.all():
        send_outbox.call(row.pk)
    teacher = setup.participants["klasselærer"]
    services.remove_participant(actor=world.caseworker, participant=teacher)
    teacher.refresh_from_db()
    assert teacher.removed_at is not None and not teacher.link.is_active
    assert teacher not in services.speaking_order(setup.meeting)


def test_rsvp_and_evaluation(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    p = setup.participants["mormor"]
    with pytest.raises(KredsError):
        services.record_rsvp(participant=p, answer="maybe", message="")
    services.record_rsvp(participant=p, answer="no", message="Jeg er på ferie")
    p.refresh_from_db()
    assert p.rsvp == "no" and p.rsvp_message == "Jeg er på ferie" and p.rsvp_at is not None
    with pytest.raises(KredsError, match="after the meeting"):
        services.submit_evaluation(participant=p, scores={}, comment="", child_form=False)
    held = held_meeting(world.case, world.caseworker, world.facilitator)
    q = held.participants["mormor"]
    scores = {"heard": 5, "knew_purpose": 4, "realistic": 4, "own_part_clear": 5, "satisfaction": 5}
    with pytest.raises(KredsError, match="every question"):
        services.submit_evaluation(participant=q, scores={**scores, "heard": 9}, comment="", child_form=False)
    services.submit_evaluation(participant=q, scores=scores, comment="Godt møde", child_form=False)
    with pytest.raises(KredsError, match="already answered"):
        services.submit_evaluation(participant=q, scores=scores, comment="", child_form=False)
    assert AuditEvent.objects.filter(action="meeting.evaluation", actor_label=f"link:{q.public_id}").exists()


def test_a_course_is_read_in_two_queries_however_long(world, django_assert_num_queries):
    """chain() must not ask for one meeting at a time: the participant's page and the follow-up read it."""
    meetings = [planned_meeting(world.case, world.caseworker, world.facilitator).meeting for _i in range(4)]
    for earlier, later in itertools.pairwise(meetings):
        Meeting.objects.filter(pk=later.pk).update(previous=earlier)
    last = Meeting.objects.get(pk=meetings[-1].pk)
    with django_assert_num_queries(2):
        course = services.chain(last)
    assert [m.pk for m in course] == [m.pk for m in meetings]


def test_links_expire_at_the_same_moment_whether_the_start_was_typed_or_read_back(world):
    # 15 January + 120 days is in summer time: adding days to 10:00 local and to 09:00 UTC differs by an hour.
    start = timezone.make_aware(datetime.datetime(2027, 1, 15, 10, 0))
    setup = planned_meeting(world.case, world.caseworker, world.facilitator, starts_at=start)
    typed = services.link_expiry(setup.meeting)
    setup.meeting.refresh_from_db()  # starts_at comes back in UTC
    assert services.link_expiry(setup.meeting) == typed
    assert timezone.localtime(typed).time() == datetime.time(10, 0)
