"""Every rule of the family group conference (DOMAIN §6), through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from kreds.accounts.constants import Role
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.audit.services import record
from kreds.conferences import selectors, services
from kreds.conferences.constants import ConferenceStatus, Decision, SupportStatus
from kreds.conferences.models import Conference, ConferenceSession, PlanItem, Preparation, Wellbeing
from kreds.core.exceptions import KredsError, SafetyGateOpen
from kreds.core.workdays import is_working_day
from kreds.meetings import services as meetings
from kreds.meetings.constants import AgreementStatus, MeetingKind, MeetingStatus, MessageKind
from kreds.meetings.models import Agreement
from kreds.network.models import NetworkMap, NetworkPerson
from kreds.network.services import current_version
from kreds.outbox.models import Outbox
from kreds.testing.conferences import (
    REFERRAL,
    allocated,
    approved,
    at_follow_up,
    held,
    move_to_past,
    prepared,
    referred,
)
from kreds.testing.factories import CaseFactory, assign, staff
from kreds.testing.meetings import planned_meeting

pytestmark = pytest.mark.django_db


def _referral(**overrides):
    return {**REFERRAL, "parents_consent_on": timezone.localdate(), **overrides}


# Referral -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("questions", " ", "question"),
        ("bottom_lines", "\n - \n", "bottom lines"),
        ("parents_consent_by", "", "consented"),
        ("initiator_name", "", "initiative"),
    ],
)
def test_referral_needs_questions_bottom_lines_consent_and_initiator(world, field, value, message):
    with pytest.raises(KredsError, match=message):
        services.refer(actor=world.caseworker, case=world.case, data=_referral(**{field: value}))
    assert not Conference.objects.exists()


def test_referral_records_map_consent_wellbeing_and_audit(world):
    conference = referred(world.case, world.caseworker)
    assert conference.status == ConferenceStatus.REFERRED
    assert conference.bottom_line_list == ["Emma må ikke være alene hjemme om natten.", "Emma skal i skole hver dag."]
    assert NetworkMap.objects.get(case=world.case).has_consent, (
        "the parents' consent covers mapping the network they invite"
    )
    assert {(w.scored_by, w.score, w.session_id) for w in Wellbeing.objects.all()} == {
        ("child", 2, None),
        ("family", 2, None),
    }
    assert AuditEvent.objects.filter(action=Action.CONFERENCE_REFER, object_id=str(conference.public_id)).exists()


def test_young_person_from_15_must_consent_too(world):
    child = world.case.child
    child.birth_date = timezone.localdate().replace(year=timezone.localdate().year - 15) - datetime.timedelta(days=1)
    child.save()
    with pytest.raises(KredsError, match="15 or older"):
        services.refer(actor=world.caseworker, case=world.case, data=_referral())
    conference = services.refer(
        actor=world.caseworker, case=world.case, data=_referral(young_person_consent_on=timezone.localdate())
    )
    assert conference.young_person_consent_on == timezone.localdate()


def test_one_conference_in_progress_per_case(world):
    referred(world.case, world.caseworker)
    with pytest.raises(KredsError, match="already has"):
        referred(world.case, world.caseworker)


def test_cpr_never_in_the_questions(world):
    with pytest.raises(KredsError, match="CPR"):
        services.refer(actor=world.caseworker, case=world.case, data=_referral(questions="Om 140315-0123"))


# Independence of the coordinator -------------------------------------------------------------------------


def test_assigned_caseworker_cannot_coordinate(world):
    world.caseworker.memberships.create(unit=world.family_centre, role=Role.FACILITATOR)
    conference = referred(world.case, world.caseworker)
    with pytest.raises(KredsError, match="assigned to the case"):
        services.allocate(actor=world.leader, conference=conference, coordinator=world.caseworker)


def test_member_of_the_responsible_team_cannot_coordinate(world):
    teammate = staff(world.authority, Role.FACILITATOR, username="teammate")
    conference = referred(world.case, world.caseworker)
    with pytest.raises(KredsError, match="team responsible"):
        services.allocate(actor=world.leader, conference=conference, coordinator=teammate)


def test_coordinator_who_opened_the_case_knows_it(world):
    record(Action.CASE_VIEW, actor=world.facilitator, person_concerned=str(world.case.child.public_id))
    conference = referred(world.case, world.caseworker)
    with pytest.raises(KredsError, match="opened the case before"):
        services.allocate(actor=world.leader, conference=conference, coordinator=world.facilitator)


def test_facilitator_of_an_earlier_meeting_knows_the_case(world):
    planned_meeting(world.case, world.caseworker, world.facilitator)
    conference = referred(world.case, world.caseworker)
    with pytest.raises(KredsError, match="led a meeting on the case"):
        services.allocate(actor=world.leader, conference=conference, coordinator=world.facilitator)


def test_coordinator_may_take_a_referral_but_only_a_leader_allocates_others(world):
    other = staff(world.family_centre, Role.FACILITATOR, username="other-coordinator")
    conference = referred(world.case, world.caseworker)
    with pytest.raises(KredsError, match="Only a leader"):
        services.allocate(actor=world.facilitator, conference=conference, coordinator=other)
    services.allocate(actor=world.leader, conference=conference, coordinator=other)
    conference.refresh_from_db()
    assert conference.coordinator == other and conference.status == ConferenceStatus.PREPARING
    assert selectors.timeline(conference).to_allocation == 0


def test_days_from_referral_to_allocation_and_conference(world):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=20)):
        conference = referred(world.case, world.caseworker)
    assert selectors.timeline(conference).waiting == 20
    services.allocate(actor=world.facilitator, conference=conference, coordinator=world.facilitator)
    conference.refresh_from_db()
    timeline = selectors.timeline(conference)
    assert (timeline.to_allocation, timeline.waiting, timeline.to_conference) == (20, None, None)


# Preparation ----------------------------------------------------------------------------------------------


def test_schedule_makes_an_fgc_meeting_led_by_the_coordinator(world):
    setup = prepared(world.case, world.caseworker, world.facilitator, invite=False)
    meeting = setup.meeting
    assert meeting.kind == MeetingKind.FGC and meeting.facilitator == world.facilitator
    assert meeting.purpose == setup.conference.questions
    assert meeting.prep_held_on == timezone.localdate(), "the pre-meeting is the meeting's preparation"
    assert set(setup.participants) == {"child", "caseworker", "mor", "mormor", "klasselærer"}
    assert ConferenceSession.objects.get(conference=setup.conference).number == 0


def test_only_the_coordinator_prepares(world):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    with pytest.raises(KredsError, match="coordinator"):
        services.record_premeeting(
            actor=world.caseworker, conference=conference, data={}, expected_version=conference.version
        )


def test_invitations_wait_for_the_pre_meeting(world):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    start = timezone.now() + datetime.timedelta(days=10)
    meeting = services.schedule(
        actor=world.facilitator,
        conference=conference,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        place="Sognegården",
        child_participation="part",
    )
    problems = meetings.invitation_problems(meeting)
    assert any("pre-meeting" in p for p in problems)
    with pytest.raises(KredsError, match="pre-meeting"):
        meetings.send_invitations(actor=world.facilitator, meeting=meeting)


def test_someone_not_on_the_map_is_added_to_it_and_invited(world):
    setup = prepared(world.case, world.caseworker, world.facilitator, invite=False)
    sector = world.municipality.network_sectors.get(key="friends")
    participant = services.add_person_and_invite(
        actor=world.facilitator,
        conference=setup.conference,
        data={"name": "Bent Nabo", "relation": "nabo", "sector": sector, "ring": 2, "phone": "12345678"},
    )
    assert participant.meeting == setup.meeting and participant.person is not None
    assert current_version(participant.person).name == "Bent Nabo"
    assert NetworkPerson.objects.filter(map__case=world.case).count() == 4


def test_preparation_log_and_checklist(world):
    setup = prepared(world.case, world.caseworker, world.facilitator, invite=False)
    grandmother = setup.participants["mormor"]
    services.update_preparation(
        actor=world.facilitator,
        conference=setup.conference,
        participant=grandmother,
        data={"prepared": False, "interpreter_needed": True, "language": "tyrkisk", "worries": "Er bange for far"},
    )
    services.add_contact(
        actor=world.facilitator,
        conference=setup.conference,
        participant=grandmother,
        on=timezone.localdate(),
        kind="home_visit",
        note="Besøg i hjemmet",
    )
    prep = Preparation.objects.get(participant=grandmother)
    assert prep.prepared_at is None and prep.language == "tyrkisk" and prep.contacts.count() == 1
    with pytest.raises(KredsError, match="language"):
        services.update_preparation(
            actor=world.facilitator,
            conference=setup.conference,
            participant=grandmother,
            data={"interpreter_needed": True, "language": ""},
        )
    with pytest.raises(KredsError, match="future"):
        services.add_contact(
            actor=world.facilitator,
            conference=setup.conference,
            participant=grandmother,
            on=timezone.localdate() + datetime.timedelta(days=1),
            kind="phone",
            note="",
        )


def test_coordinator_rsvp_from_a_home_visit(world):
    setup = prepared(world.case, world.caseworker, world.facilitator, invite=False)
    teacher = setup.participants["klasselærer"]
    services.update_preparation(
        actor=world.facilitator, conference=setup.conference, participant=teacher, data={"will_come": "no"}
    )
    teacher.refresh_from_db()
    assert teacher.rsvp == "no"
    assert AuditEvent.objects.filter(action=Action.MEETING_RSVP_STAFF).exists()


def test_open_safety_gate_blocks_fgc_invitations(world):
    setup = prepared(world.case, world.caseworker, world.facilitator, invite=False)
    from kreds.cases import services as case_services

    case_services.set_safety_concern(actor=world.caseworker, case=world.case, concern=True)
    with pytest.raises(SafetyGateOpen):
        meetings.send_invitations(actor=world.facilitator, meeting=setup.meeting)


def test_fgc_invitation_email_has_the_questions_and_the_fgc_leaflet(world, mailoutbox):
    from kreds.outbox.tasks import send_outbox

    setup = prepared(world.case, world.caseworker, world.facilitator)
    row = Outbox.objects.get(participant=setup.participants["mormor"], kind=MessageKind.INVITATION)
    assert send_outbox.call(row.pk) == "sent"
    message = mailoutbox[-1]
    with translation.override(settings.LANGUAGE_CODE):  # e-mails go out in the municipality's language
        assert gettext("Family group conference").lower() in message.subject.lower()
    assert setup.conference.questions in message.body
    assert "Hvad er en familierådslagning?" in message.body, "the leaflet in the municipality's language"
    assert message.attachments[0][0] == "familieraadslagning.ics"


# The conference -------------------------------------------------------------------------------------------


def test_conference_screen_opens_on_the_day(world):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    with pytest.raises(KredsError, match="used from then"):
        services.private_time(actor=world.facilitator, conference=setup.conference, start=True)


def test_no_notes_and_no_plan_during_private_time(world):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    move_to_past(setup.meeting)
    conference = setup.conference
    with pytest.raises(KredsError, match="private time first"):
        services.add_plan_item(
            actor=world.facilitator,
            conference=conference,
            responsible=setup.participants["mor"],
            what="x",
            due_on=timezone.localdate() + datetime.timedelta(days=9),
        )
    services.private_time(actor=world.facilitator, conference=conference, start=True)
    with pytest.raises(KredsError, match="No notes"):
        services.add_information(
            actor=world.facilitator,
            conference=conference,
            participant=setup.participants["caseworker"],
            data={"worries": "x"},
        )
    with pytest.raises(KredsError, match="End the private"):
        services.add_plan_item(
            actor=world.facilitator,
            conference=conference,
            responsible=setup.participants["mor"],
            what="x",
            due_on=timezone.localdate() + datetime.timedelta(days=9),
        )
    services.private_time(actor=world.facilitator, conference=conference, start=False)
    session = services.current_session(conference)
    assert session is not None and session.private_started_at <= session.private_ended_at


def test_information_is_given_by_professionals(world):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    move_to_past(setup.meeting)
    with pytest.raises(KredsError, match="professionals"):
        services.add_information(
            actor=world.facilitator,
            conference=setup.conference,
            participant=setup.participants["mormor"],
            data={"worries": "x"},
        )


def test_completion_needs_private_time_a_plan_and_attendance(world):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    move_to_past(setup.meeting)
    follow_up = timezone.localdate() + datetime.timedelta(days=90)
    with pytest.raises(KredsError) as excinfo:
        services.complete(actor=world.facilitator, conference=setup.conference, follow_up_on=follow_up)
    message = excinfo.value.message
    assert "private family time" in message and "plan" in message and "attendance" in message
    assert setup.meeting.status == MeetingStatus.INVITED


def test_completion_without_a_plan_needs_the_reason(world):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    meeting = setup.meeting
    move_to_past(meeting)
    conference = setup.conference
    meetings.set_attendance(
        actor=world.facilitator, meeting=meeting, attended={p.pk: True for p in meetings.speaking_order(meeting)}
    )
    services.private_time(actor=world.facilitator, conference=conference, start=True)
    services.private_time(actor=world.facilitator, conference=conference, start=False)
    session = services.complete(
        actor=world.facilitator,
        conference=conference,
        follow_up_on=timezone.localdate() + datetime.timedelta(days=90),
        no_plan_reason="Familien var ikke enige; de mødes igen om to uger.",
    )
    assert session.no_plan_reason.startswith("Familien")


def test_completion_proposes_and_plans_the_follow_up(world):
    world.municipality.fgc_follow_up_months = 4
    world.municipality.save()
    setup = held(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    assert conference.status == ConferenceStatus.AWAITING_APPROVAL
    first = ConferenceSession.objects.get(conference=conference, number=0)
    proposed = services.proposed_follow_up(conference, first)
    in_four_months = services.add_months(timezone.localtime(first.meeting.starts_at).date(), 4)
    assert in_four_months <= proposed < in_four_months + datetime.timedelta(days=5)
    assert is_working_day(proposed), "never proposed on a weekend or a public holiday"
    follow = ConferenceSession.objects.get(conference=conference, number=1)
    assert follow.meeting.kind == MeetingKind.FGC_FOLLOW_UP and follow.meeting.previous == first.meeting
    assert follow.meeting.facilitator == world.facilitator
    assert follow.meeting.participants.count() == first.meeting.participants.count()


def test_add_months_keeps_the_end_of_the_month():
    assert services.add_months(datetime.date(2026, 8, 31), 3) == datetime.date(2026, 11, 30)
    assert services.add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)


# Approval -------------------------------------------------------------------------------------------------


def test_item_depending_on_support_is_approved_only_when_the_support_is_available(world):
    setup = held(world.case, world.caseworker, world.facilitator)
    item = setup.items[-1]
    assert item.needs_support and item.support_status == SupportStatus.UNKNOWN
    with pytest.raises(KredsError, match="not recorded as available"):
        services.decide(actor=world.caseworker, conference=setup.conference, item=item, decision="approved")
    services.set_support(
        actor=world.caseworker, conference=setup.conference, item=item, status="not_available", note="Ingen plads"
    )
    with pytest.raises(KredsError, match="not recorded as available"):
        services.decide(actor=world.caseworker, conference=setup.conference, item=item, decision="approved")
    with pytest.raises(KredsError, match="Write what"):
        services.set_support(
            actor=world.caseworker, conference=setup.conference, item=item, status="available", note=""
        )
    services.set_support(
        actor=world.caseworker, conference=setup.conference, item=item, status="available", note="Bevilget"
    )
    item = services.decide(actor=world.caseworker, conference=setup.conference, item=item, decision="approved")
    assert item.decision == Decision.APPROVED


def test_rejection_needs_a_reason(world):
    setup = held(world.case, world.caseworker, world.facilitator)
    item = setup.items[0]
    with pytest.raises(KredsError, match="why"):
        services.decide(actor=world.caseworker, conference=setup.conference, item=item, decision="rejected")


def test_plan_is_sent_only_when_every_item_is_decided(world):
    setup = held(world.case, world.caseworker, world.facilitator)
    services.decide(actor=world.caseworker, conference=setup.conference, item=setup.items[0], decision="approved")
    with pytest.raises(KredsError, match="not decided: 2, 3"):
        services.finalise(actor=world.caseworker, conference=setup.conference)
    assert not Agreement.objects.exists()


def test_approved_items_become_agreements_and_the_plan_goes_to_everyone(world):
    setup = approved(world.case, world.caseworker, world.facilitator, reject_last=True)
    conference = setup.conference
    assert conference.status == ConferenceStatus.ACTIVE
    approved_items = [i for i in setup.items if i.decision == Decision.APPROVED]
    assert len(approved_items) == 2 and all(i.agreement is not None for i in approved_items)
    assert setup.items[-1].agreement is None and setup.items[-1].decision_reason
    agreement = approved_items[0].agreement
    assert agreement.responsible == approved_items[0].responsible and agreement.case == world.case
    first = ConferenceSession.objects.get(conference=conference, number=0)
    assert first.meeting.status == MeetingStatus.MINUTES_SENT and first.plan_finalised_at is not None
    rows = Outbox.objects.filter(meeting=first.meeting, kind=MessageKind.MINUTES)
    assert {r.participant.name for r in rows.filter(channel="email")} == {"Sara Mor", "Inge Mormor", "Jonas Lærer"}
    assert [r.participant.role for r in rows.filter(channel="letter")] == ["child"]  # the child's plan by letter
    assert AuditEvent.objects.filter(action=Action.CONFERENCE_PLAN_SENT).exists()


def test_plan_email_has_the_plan_pdf(world, mailoutbox):
    from kreds.outbox.tasks import send_outbox

    setup = approved(world.case, world.caseworker, world.facilitator)
    first = ConferenceSession.objects.get(conference=setup.conference, number=0)
    row = Outbox.objects.get(meeting=first.meeting, kind=MessageKind.MINUTES, participant=setup.participants["mormor"])
    assert send_outbox.call(row.pk) == "sent"
    message = mailoutbox[-1]
    with translation.override(settings.LANGUAGE_CODE):
        assert message.subject.startswith(gettext("The family's plan"))
    name, content, mimetype = message.attachments[0]
    assert name == "familiens-plan.pdf" and mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert "Henter Emma fra skole tirsdag og torsdag" in message.body


def test_open_gate_stops_the_plan_from_being_sent(world):
    from kreds.cases import services as case_services

    setup = held(world.case, world.caseworker, world.facilitator, support=False)
    for item in setup.items:
        services.decide(actor=world.caseworker, conference=setup.conference, item=item, decision="approved")
    case_services.set_safety_concern(actor=world.caseworker, case=world.case, concern=True)
    with pytest.raises(SafetyGateOpen):
        services.finalise(actor=world.caseworker, conference=setup.conference)
    assert not Agreement.objects.exists()


# Follow-up ------------------------------------------------------------------------------------------------


def test_summary_goes_out_14_days_before_the_follow_up_conference(world):
    from kreds.meetings.tasks import queue_summaries

    setup = approved(world.case, world.caseworker, world.facilitator)
    follow = setup.session.meeting
    at = follow.starts_at - datetime.timedelta(days=13)
    rows = queue_summaries(now=at)
    assert {r.participant.name for r in rows if r.channel == "email"} == {"Sara Mor", "Inge Mormor", "Jonas Lærer"}
    assert [r.participant.role for r in rows if r.channel == "letter"] == ["child"]
    assert queue_summaries(now=at) == [], "exactly once"


def test_follow_up_reviews_every_item_and_scores_wellbeing(world):
    setup = at_follow_up(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    follow_up_on = timezone.localdate() + datetime.timedelta(days=120)
    with pytest.raises(KredsError) as excinfo:
        services.complete(actor=world.facilitator, conference=conference, follow_up_on=follow_up_on)
    assert "3 left" in excinfo.value.message and "family's score" in excinfo.value.message
    first, second, third = setup.items
    services.review_item(actor=world.facilitator, conference=conference, item=first, outcome="realised", comment="")
    with pytest.raises(KredsError, match="comment"):
        services.review_item(actor=world.facilitator, conference=conference, item=second, outcome="partly", comment="")
    services.review_item(
        actor=world.facilitator, conference=conference, item=second, outcome="partly", comment="Kun om mandagen"
    )
    services.review_item(
        actor=world.facilitator, conference=conference, item=third, outcome="not_realised", comment="Moster flyttede"
    )
    services.record_wellbeing(
        actor=world.facilitator, conference=conference, scores={"child": 4, "family": 3}, at_session=True
    )
    services.add_plan_item(
        actor=world.facilitator,
        conference=conference,
        responsible=setup.session.meeting.participants.get(person=setup.participants["mormor"].person),
        what="Emma overnatter hos mormor hver anden weekend",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.complete(actor=world.facilitator, conference=conference, follow_up_on=follow_up_on)
    statuses = {i.pk: Agreement.objects.get(pk=i.agreement_id).status for i in setup.items}
    assert statuses == {
        first.pk: AgreementStatus.DONE,
        second.pk: AgreementStatus.IN_PROGRESS,
        third.pk: AgreementStatus.NOT_DONE,
    }
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.AWAITING_APPROVAL, "the revised plan waits for the caseworker"
    assert ConferenceSession.objects.filter(conference=conference).count() == 3
    table = selectors.wellbeing_table(conference)
    assert [(r["number"], r["child"], r["family"]) for r in table] == [(0, 2, 2), (1, 4, 3)]


def test_coordinator_is_reminded_to_invite_to_the_follow_up(world, mailoutbox):
    from kreds.meetings.tasks import queue_staff_reminders
    from kreds.outbox.tasks import send_outbox

    setup = approved(world.case, world.caseworker, world.facilitator)
    follow = setup.session.meeting
    world.facilitator.email = "koordinator@kommune.invalid"
    world.facilitator.save()
    day = timezone.localtime(follow.starts_at).date()

    def coordinator_rows(days_before: int) -> list:
        with time_machine.travel(follow.starts_at - datetime.timedelta(days=days_before)):
            return [r for r in queue_staff_reminders() if r.user == world.facilitator]

    assert coordinator_rows(30) == [], "more than three weeks ahead: no reminder yet"
    rows = coordinator_rows(20)
    assert len(rows) == 1 and coordinator_rows(20) == [], "once a day"
    with time_machine.travel(follow.starts_at - datetime.timedelta(days=20)):
        assert send_outbox.call(rows[0].pk) == "sent"
    assert mailoutbox[-1].to == ["koordinator@kommune.invalid"]
    assert day.strftime("%d.%m.%Y") in mailoutbox[-1].body


def test_close_cancels_the_planned_follow_up(world):
    setup = approved(world.case, world.caseworker, world.facilitator)
    follow = setup.session.meeting
    services.close(actor=world.caseworker, conference=setup.conference, reason="Planen virker; sagen afsluttes.")
    follow.refresh_from_db()
    assert follow.status == MeetingStatus.CANCELLED
    assert Conference.objects.get(pk=setup.conference.pk).status == ConferenceStatus.CLOSED


def test_withdraw_before_the_conference(world):
    setup = prepared(world.case, world.caseworker, world.facilitator)
    services.withdraw(actor=world.caseworker, conference=setup.conference, reason="Familien har trukket samtykket.")
    assert setup.meeting.status == MeetingStatus.CANCELLED
    grandmother = setup.participants["mormor"]
    grandmother.refresh_from_db()
    link = grandmother.link
    # The link keeps working a while, so the grandmother can read that the conference is withdrawn.
    assert link.is_active and link.expires_at <= timezone.now() + datetime.timedelta(days=31)


# Costs ----------------------------------------------------------------------------------------------------


def test_costs_per_conference_and_per_family(world):
    conference = allocated(world.case, world.caseworker, world.facilitator)
    services.add_cost(actor=world.facilitator, conference=conference, category="coordinator_hours", quantity="12,5")
    services.add_cost(actor=world.facilitator, conference=conference, category="mileage", quantity=84)
    services.add_cost(actor=world.facilitator, conference=conference, category="mileage", quantity=10, rate="2.00")
    services.add_cost(actor=world.facilitator, conference=conference, category="food", quantity="850")
    summary = selectors.costs(conference)
    # 12.5 h × 450 + 84 km × 3.81 + 10 km × 2.00 + 850 kr.
    assert summary["total"] == Decimal("5625.00") + Decimal("320.04") + Decimal("20.00") + Decimal("850.00")
    with pytest.raises(KredsError, match="positive"):
        services.add_cost(actor=world.facilitator, conference=conference, category="venue", quantity="-3")
    services.withdraw(actor=world.caseworker, conference=conference, reason="Nej tak")
    second = allocated(world.case, world.caseworker, world.facilitator)
    services.add_cost(actor=world.facilitator, conference=second, category="interpreter", quantity="1200")
    assert selectors.costs(second)["family_total"] == summary["total"] + Decimal("1200.00")


# Figures (the Esbjerg figures, seeds/004) ------------------------------------------------------------------


def test_figures_from_the_data(world):
    setup = at_follow_up(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    outcomes = ["realised", "partly", "realised"]
    for item, outcome in zip(setup.items, outcomes, strict=True):
        services.review_item(actor=world.facilitator, conference=conference, item=item, outcome=outcome, comment="ok")
    services.record_wellbeing(
        actor=world.facilitator, conference=conference, scores={"child": 4, "family": 5}, at_session=True
    )
    services.complete(
        actor=world.facilitator, conference=conference, follow_up_on=timezone.localdate() + datetime.timedelta(days=90)
    )
    # A second family: held, no plan made.
    other = CaseFactory(municipality=world.municipality, responsible_unit=world.authority)
    assign(other, world.caseworker)
    setup2 = prepared(other, world.caseworker, world.facilitator)
    move_to_past(setup2.meeting)
    meetings.set_attendance(
        actor=world.facilitator,
        meeting=setup2.meeting,
        attended={p.pk: True for p in meetings.speaking_order(setup2.meeting)},
    )
    services.private_time(actor=world.facilitator, conference=setup2.conference, start=True)
    services.private_time(actor=world.facilitator, conference=setup2.conference, start=False)
    services.complete(
        actor=world.facilitator,
        conference=setup2.conference,
        follow_up_on=timezone.localdate() + datetime.timedelta(days=90),
        no_plan_reason="Ingen enighed",
    )
    figures = selectors.figures(world.municipality)
    assert figures["held"] == 2 and figures["with_plan"] == 1 and figures["with_plan_share"] == 0.5
    assert figures["follow_ups"] == 1
    assert (figures["items_reviewed"], figures["items_realised"], figures["items_partly"]) == (3, 2, 1)
    assert figures["wellbeing_child"] == {"n": 1, "referral": 2, "latest": 4, "better": 1}
    assert figures["wellbeing_family"]["latest"] == 5


def test_unknown_wellbeing_scores_are_refused(world):
    conference = referred(world.case, world.caseworker)
    with pytest.raises(KredsError, match="1 to 5"):
        services.record_wellbeing(actor=world.caseworker, conference=conference, scores={"child": 9}, at_session=False)


def test_plan_item_rules_in_the_database(world):
    setup = held(world.case, world.caseworker, world.facilitator)
    from django.db import IntegrityError, transaction

    item = setup.items[-1]
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.filter(pk=item.pk).update(decision="approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.filter(pk=item.pk).update(decision="rejected", decision_reason="")
