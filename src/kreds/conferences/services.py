"""Every write to a family group conference, with its rule, its Danish refusal and its audit event (DOMAIN §6).

What a conference shares with a network meeting is done by :mod:`kreds.meetings.services` (participants,
invitations, attendance, agreements, sending the document); this module adds the FGC's own steps around it.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.authz.policies import has_role
from kreds.cases.models import Case
from kreds.cases.safety import require_network_involvement_allowed
from kreds.conferences.constants import (
    FOLLOW_UP_MONTHS_MAX,
    FOLLOW_UP_MONTHS_MIN,
    OPEN_STATUSES,
    OUTCOME_TO_AGREEMENT,
    RATED,
    WELLBEING_MAX,
    WELLBEING_MIN,
    YOUNG_PERSON_CONSENT_AGE,
    ConferenceStatus,
    ContactKind,
    CostCategory,
    CostUnit,
    Decision,
    Outcome,
    ScoredBy,
    SupportStatus,
)
from kreds.conferences.independence import independence_problem
from kreds.conferences.models import (
    Conference,
    ConferenceSession,
    Cost,
    InformationGiven,
    PlanItem,
    PlanItemReview,
    Preparation,
    PreparationContact,
    Wellbeing,
)
from kreds.conferences.sending import queue_coordinator_notice
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.core.logging import CPR_LIKE
from kreds.core.workdays import is_working_day
from kreds.meetings import services as meetings
from kreds.meetings.constants import ChildParticipation, MeetingKind, MeetingStatus, ParticipantRole, Rsvp
from kreds.meetings.models import Meeting, Participant
from kreds.network import services as network
from kreds.network.constants import ConsentGiverRole
from kreds.tenancy import services as tenancy
from kreds.tenancy.models import Municipality

REFERRAL_FIELDS = (
    "initiator_name",
    "initiator_role",
    "initiator_external",
    "questions",
    "bottom_lines",
    "support_offered",
    "parents_consent_by",
    "parents_consent_on",
    "young_person_consent_on",
)
PREMEETING_FIELDS = (
    "premeeting_on",
    "premeeting_with",
    "premeeting_notes",
    "child_participation_notes",
    "support_person",
    "interpreter_language",
    "venue_neutral",
    "food",
    "childcare",
    "transport",
    "practical_notes",
)
CENT = Decimal("0.01")


def _audit(action: Action, actor: User, conference: Conference, **details: Any) -> None:
    record_for_case(
        action,
        actor=actor,
        case=conference.case,
        object_type="conference",
        object_id=str(conference.public_id),
        details=details,
    )


def _no_cpr(*texts: str) -> None:
    for text in texts:
        if text and CPR_LIKE.search(text):
            raise KredsError(
                _("Remove the CPR number from the text. CPR numbers are never sent to participants or put in letters.")
            )


def _locked(conference: Conference, expected_version: int | None = None) -> Conference:
    locked = (
        Conference.objects.select_for_update(of=("self",))
        .select_related("case__child", "case__municipality", "meeting", "coordinator")
        .get(pk=conference.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            _("Someone else changed the conference while you were editing. Your text is kept below; check and save.")
        )
    return locked


def _bump(conference: Conference) -> None:
    conference.version += 1
    conference.save()


def age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Referral -------------------------------------------------------------------------------------------------


def _validate_referral(case: Case, data: dict[str, Any], referred_on: datetime.date) -> dict[str, Any]:
    clean = {k: data[k] for k in REFERRAL_FIELDS if k in data}
    for key in ("initiator_name", "initiator_role", "questions", "bottom_lines", "support_offered"):
        clean[key] = (clean.get(key) or "").strip()
    clean["parents_consent_by"] = (clean.get("parents_consent_by") or "").strip()
    clean["initiator_external"] = bool(clean.get("initiator_external"))
    if not clean["initiator_name"]:
        raise KredsError(_("Write who takes the initiative to the family group conference."))
    if not clean["questions"]:
        raise KredsError(_("Write the question or questions the family's plan must answer."))
    if not any(line.strip(" -•\t") for line in clean["bottom_lines"].splitlines()):
        raise KredsError(
            _("Write the authority's bottom lines: what must be in place for the child's safety, one per line.")
        )
    if not clean["parents_consent_by"] or not clean.get("parents_consent_on"):
        raise KredsError(_("Record who of the parents with custody consented to the conference, and when."))
    today = timezone.localdate()
    if clean["parents_consent_on"] > today or (
        clean.get("young_person_consent_on") and clean["young_person_consent_on"] > today
    ):
        raise KredsError(_("A consent date cannot be in the future."))
    if age_on(case.child.birth_date, referred_on) >= YOUNG_PERSON_CONSENT_AGE and not clean.get(
        "young_person_consent_on"
    ):
        raise KredsError(
            _("%(name)s is 15 or older and must consent too. Record when the young person gave their own consent.")
            % {"name": case.child.first_name}
        )
    _no_cpr(clean["questions"], clean["bottom_lines"], clean["support_offered"])
    return clean


def _set_wellbeing(
    *, actor: User, conference: Conference, session: ConferenceSession | None, scores: dict[str, int | None]
) -> list[str]:
    changed = []
    for scored_by, score in scores.items():
        if scored_by not in ScoredBy.values:
            raise KredsError(_("Unknown scorer."))
        existing = Wellbeing.objects.filter(conference=conference, session=session, scored_by=scored_by).first()
        if score is None:
            continue
        if not WELLBEING_MIN <= int(score) <= WELLBEING_MAX:
            raise KredsError(_("Well-being is scored from 1 to 5."))
        if existing is None:
            Wellbeing.objects.create(
                conference=conference, session=session, scored_by=scored_by, score=score, recorded_by=actor
            )
        elif existing.score != score:
            existing.score, existing.recorded_by = score, actor
            existing.save(update_fields=["score", "recorded_by", "updated_at"])
        changed.append(scored_by)
    return changed


@transaction.atomic
def refer(
    *, actor: User, case: Case, data: dict[str, Any], wellbeing: dict[str, int | None] | None = None
) -> Conference:
    """Refer the case to a family group conference. The referral lands in the FGC service's queue."""
    if not case.is_open:
        raise KredsError(_("The case is closed. Reopen it to refer it to a family group conference."))
    if Conference.objects.filter(case=case, status__in=OPEN_STATUSES).exists():
        raise KredsError(_("The case already has a family group conference in progress."))
    now = timezone.now()
    clean = _validate_referral(case, data, timezone.localdate())
    conference = Conference.objects.create(
        municipality_id=case.municipality_id, case=case, referred_by=actor, referred_at=now, **clean
    )
    # The parents' consent to the conference covers mapping the network they will invite (DOMAIN §3, §6).
    network_map = network.get_or_create_map(case=case)
    if not network_map.has_consent:
        network.record_map_consent(
            actor=actor,
            case=case,
            given_by=clean["parents_consent_by"],
            role=ConsentGiverRole.PARENT_WITH_CUSTODY,
            given_on=clean["parents_consent_on"],
            note=_("Given with the consent to a family group conference."),
        )
    if wellbeing:
        _set_wellbeing(actor=actor, conference=conference, session=None, scores=wellbeing)
    _audit(Action.CONFERENCE_REFER, actor, conference, external_initiator=clean["initiator_external"])
    return conference


@transaction.atomic
def update_referral(
    *,
    actor: User,
    conference: Conference,
    data: dict[str, Any],
    expected_version: int,
    wellbeing: dict[str, int | None] | None = None,
) -> Conference:
    locked = _locked(conference, expected_version)
    if locked.status not in (ConferenceStatus.REFERRED, ConferenceStatus.PREPARING):
        raise KredsError(_("The conference has been held; its referral can no longer be changed."))
    clean = _validate_referral(locked.case, data, timezone.localtime(locked.referred_at).date())
    changed = [k for k, v in clean.items() if getattr(locked, k) != v]
    for key, value in clean.items():
        setattr(locked, key, value)
    _bump(locked)
    if locked.meeting is not None and locked.meeting.is_open_for_planning and "questions" in changed:
        meeting = locked.meeting
        meeting.purpose = locked.questions
        meeting.version += 1
        meeting.save(update_fields=["purpose", "version", "updated_at"])
    if wellbeing:
        changed += [
            f"wellbeing:{k}" for k in _set_wellbeing(actor=actor, conference=locked, session=None, scores=wellbeing)
        ]
    _audit(Action.CONFERENCE_UPDATE, actor, locked, fields=changed)
    return locked


def withdraw(*, actor: User, conference: Conference, reason: str) -> Conference:
    """Stop a conference that has not been held (the family says no, the situation changed)."""
    with transaction.atomic():
        locked = _locked(conference)
        if locked.status not in (ConferenceStatus.REFERRED, ConferenceStatus.PREPARING):
            raise KredsError(_("Only a conference that has not been held can be withdrawn. Close it instead."))
        if not reason.strip():
            raise KredsError(_("Write why the conference is withdrawn."))
        if locked.meeting is not None and locked.meeting.is_open_for_planning:
            meetings.cancel_meeting(actor=actor, meeting=locked.meeting, reason=reason)
        locked.status = ConferenceStatus.WITHDRAWN
        locked.closed_at = timezone.now()
        locked.closed_reason = reason.strip()
        _bump(locked)
        _audit(Action.CONFERENCE_WITHDRAW, actor, locked)
    return locked


# Allocation -----------------------------------------------------------------------------------------------


@transaction.atomic
def allocate(*, actor: User, conference: Conference, coordinator: User) -> Conference:
    """Allocate the independent coordinator. A leader allocates anyone; a coordinator may take a referral."""
    locked = _locked(conference)
    if locked.status not in (ConferenceStatus.REFERRED, ConferenceStatus.PREPARING):
        raise KredsError(_("A coordinator can only be allocated before the conference is held."))
    if not has_role(actor, Role.LEADER) and coordinator.pk != actor.pk:
        raise KredsError(_("Only a leader can allocate another coordinator. You can take the referral yourself."))
    if locked.meeting is not None and locked.meeting.status != MeetingStatus.PLANNED:
        raise KredsError(
            _("The invitations have gone out with the coordinator's name. Withdraw and refer again to change it.")
        )
    problem = independence_problem(coordinator, locked.case, exclude_meetings=_conference_meeting_ids(locked))
    if problem:
        raise KredsError(problem)
    previous = locked.coordinator_id
    locked.coordinator = coordinator
    locked.allocated_at = timezone.now()
    locked.allocated_by = actor
    locked.status = ConferenceStatus.PREPARING
    _bump(locked)
    if locked.meeting is not None:
        meeting = locked.meeting
        meeting.facilitator = coordinator
        meeting.inviter = coordinator.get_full_name()
        meeting.version += 1
        meeting.save(update_fields=["facilitator", "inviter", "version", "updated_at"])
    _audit(Action.CONFERENCE_ALLOCATE, actor, locked, coordinator=coordinator.username, reallocated=bool(previous))
    if coordinator.pk != actor.pk and coordinator.pk != previous:
        queue_coordinator_notice(locked, coordinator)
    return locked


def _conference_meeting_ids(conference: Conference) -> tuple[int, ...]:
    return tuple(ConferenceSession.objects.filter(conference=conference).values_list("meeting_id", flat=True))


# Preparation ----------------------------------------------------------------------------------------------


def _require_coordinator(actor: User, conference: Conference) -> None:
    if conference.coordinator_id != actor.pk:
        raise KredsError(_("Only the conference's coordinator can do this."))


def _require_preparing(conference: Conference) -> None:
    if conference.status != ConferenceStatus.PREPARING:
        raise KredsError(_("The conference is not in preparation."))


@transaction.atomic
def record_premeeting(
    *, actor: User, conference: Conference, data: dict[str, Any], expected_version: int
) -> Conference:
    """The pre-meeting (formøde) with the child and the parents, the support person and practical needs."""
    locked = _locked(conference, expected_version)
    _require_coordinator(actor, locked)
    _require_preparing(locked)
    clean = {k: data[k] for k in PREMEETING_FIELDS if k in data}
    for key in ("premeeting_with", "premeeting_notes", "child_participation_notes", "interpreter_language"):
        clean[key] = (clean.get(key) or "").strip()
    if clean.get("premeeting_on") and clean["premeeting_on"] > timezone.localdate():
        raise KredsError(_("The pre-meeting date cannot be in the future."))
    person = clean.get("support_person")
    if person is not None and person.map.case_id != locked.case_id:
        raise KredsError(_("The support person must be on the child's network map."))
    changed = [k for k, v in clean.items() if getattr(locked, k) != v]
    for key, value in clean.items():
        setattr(locked, key, value)
    _bump(locked)
    if locked.meeting is not None and locked.meeting.is_open_for_planning:
        _sync_meeting_preparation(locked)
    _audit(Action.CONFERENCE_PREPARATION, actor, locked, fields=changed)
    return locked


def _sync_meeting_preparation(conference: Conference) -> None:
    """The meeting shows the pre-meeting as its preparation conversation (one source: the conference)."""
    meeting = conference.meeting
    assert meeting is not None
    meeting.prep_held_on = conference.premeeting_on
    meeting.prep_with = conference.premeeting_with
    meeting.prep_who = conference.premeeting_notes
    meeting.prep_child = conference.child_participation_notes
    meeting.version += 1
    meeting.save(update_fields=["prep_held_on", "prep_with", "prep_who", "prep_child", "version", "updated_at"])


def schedule(
    *,
    actor: User,
    conference: Conference,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    child_participation: str,
) -> Meeting:
    """Date, time and venue of the conference: creates its meeting (first time) or moves it."""
    with transaction.atomic():
        locked = _locked(conference)
        _require_coordinator(actor, locked)
        _require_preparing(locked)
        data = {
            "purpose": locked.questions,
            "place": place,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "break_planned": True,
            "inviter": actor.get_full_name(),
            "facilitator": actor,
            "child_participation": child_participation,
            "prep_held_on": locked.premeeting_on,
            "prep_with": locked.premeeting_with,
            "prep_who": locked.premeeting_notes,
            "prep_child": locked.child_participation_notes,
        }
        if starts_at <= timezone.now():
            raise KredsError(_("Choose a time in the future."))
        if locked.meeting is None:
            meeting = meetings.create_meeting(actor=actor, case=locked.case, data=data, kind=MeetingKind.FGC)
            # The caseworkers take part as information givers and approve the plan.
            for assignment in locked.case.assignments.select_related("user"):
                meetings.add_caseworker(actor=actor, meeting=meeting, user=assignment.user)
            ConferenceSession.objects.create(conference=locked, meeting=meeting, number=0)
            locked.meeting = meeting
            _bump(locked)
        else:
            meeting = locked.meeting
            if not meeting.is_open_for_planning:
                raise KredsError(_("The conference has been held; its time can no longer be changed."))
            meeting = meetings.update_meeting(actor=actor, meeting=meeting, data=data, expected_version=meeting.version)
        _audit(Action.CONFERENCE_PREPARATION, actor, locked, scheduled=starts_at.isoformat())
    return meeting


def add_person_and_invite(
    *, actor: User, conference: Conference, data: dict[str, Any], is_parent: bool = False
) -> Participant:
    """Invite someone who is not yet on the network map: they are added to the map first (the network is fluid)."""
    with transaction.atomic():
        locked = _locked(conference)
        _require_coordinator(actor, locked)
        _require_preparing(locked)
        if locked.meeting is None:
            raise KredsError(_("Set the date and place of the conference before inviting."))
        _no_cpr(*(str(v) for v in data.values() if isinstance(v, str)))
        person = network.add_person(actor=actor, case=locked.case, data=data)
        added = meetings.add_participants(
            actor=actor, meeting=locked.meeting, persons=[person], parents=[person] if is_parent else []
        )
        _audit(Action.CONFERENCE_PREPARATION, actor, locked, added_to_map=str(person.public_id))
    return added[0]


def _invitee(conference: Conference, participant: Participant) -> ConferenceSession:
    session = ConferenceSession.objects.filter(conference=conference, meeting_id=participant.meeting_id).first()
    if session is None or participant.removed_at is not None:
        raise KredsError(_("The person is not invited to this conference."))
    return session


@transaction.atomic
def update_preparation(
    *, actor: User, conference: Conference, participant: Participant, data: dict[str, Any]
) -> Preparation:
    """The per-invitee log: interpreter, worries, whether they come, and whether they are prepared."""
    locked = _locked(conference)
    _require_coordinator(actor, locked)
    session = _invitee(locked, participant)
    prep, _created = Preparation.objects.get_or_create(session=session, participant=participant)
    prep.interpreter_needed = bool(data.get("interpreter_needed"))
    prep.language = (data.get("language") or "").strip()
    if prep.interpreter_needed and not prep.language:
        raise KredsError(_("Write which language the interpreter must speak."))
    prep.worries = (data.get("worries") or "").strip()
    if data.get("prepared") and prep.prepared_at is None:
        prep.prepared_at, prep.prepared_by = timezone.now(), actor
    elif not data.get("prepared"):
        prep.prepared_at, prep.prepared_by = None, None
    prep.save()
    answer = data.get("will_come")
    if answer is not None and answer != participant.rsvp and participant.meeting.is_open_for_planning:
        meetings.record_rsvp_by_staff(actor=actor, participant=participant, answer=answer)
    _audit(Action.CONFERENCE_PREPARATION, actor, locked, invitee=str(participant.public_id))
    return prep


@transaction.atomic
def add_contact(
    *, actor: User, conference: Conference, participant: Participant, on: datetime.date, kind: str, note: str
) -> PreparationContact:
    locked = _locked(conference)
    _require_coordinator(actor, locked)
    session = _invitee(locked, participant)
    if kind not in ContactKind.values:
        raise KredsError(_("Choose the kind of contact."))
    if on > timezone.localdate():
        raise KredsError(_("A contact cannot be recorded in the future."))
    prep, _created = Preparation.objects.get_or_create(session=session, participant=participant)
    contact = PreparationContact.objects.create(
        preparation=prep, on=on, kind=kind, note=note.strip(), recorded_by=actor
    )
    _audit(Action.CONFERENCE_PREPARATION, actor, locked, contact=kind, invitee=str(participant.public_id))
    return contact


# The conference -------------------------------------------------------------------------------------------


def current_session(conference: Conference) -> ConferenceSession | None:
    return ConferenceSession.objects.filter(conference=conference).select_related("meeting").order_by("-number").first()


def _running_session(actor: User, conference: Conference) -> ConferenceSession:
    """The session the coordinator is running now; refuses before it begins and after completion.

    Information, the family's private time, the plan, the review and the follow-up's well-being all happen *at*
    the conference, so none of them can be recorded before its start time (the field trial found private family
    time started before the conference had begun)."""
    _require_coordinator(actor, conference)
    session = current_session(conference)
    if session is None:
        raise KredsError(_("Set the date and place of the conference first."))
    meeting = session.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise KredsError(_("The conference is cancelled."))
    if meeting.is_held:
        raise KredsError(_("The conference is completed."))
    _require_begun(meeting)
    return session


def _require_begun(meeting: Meeting) -> None:
    if not meetings.has_begun(meeting):
        raise KredsError(
            _("The conference begins %(when)s. The conference screen is used from then.")
            % {"when": meetings.when(meeting.starts_at)}
        )


def _private_time_running(session: ConferenceSession) -> bool:
    return session.private_started_at is not None and session.private_ended_at is None


@transaction.atomic
def add_information(
    *, actor: User, conference: Conference, participant: Participant, data: dict[str, str]
) -> InformationGiven:
    """Information phase: a professional tells the family what the worries, questions, bottom lines and support are."""
    locked = _locked(conference)
    session = _running_session(actor, locked)
    if _private_time_running(session):
        raise KredsError(_("No notes are taken during the family's private time."))
    if participant.meeting_id != session.meeting_id or participant.role not in (
        ParticipantRole.PROFESSIONAL,
        ParticipantRole.CASEWORKER,
    ):
        raise KredsError(_("Information is given by the professionals taking part."))
    texts = {k: (data.get(k) or "").strip() for k in ("worries", "questions", "bottom_lines", "support")}
    if not any(texts.values()):
        raise KredsError(_("Write what the professional told the family."))
    _no_cpr(*texts.values())
    info = InformationGiven.objects.create(session=session, participant=participant, recorded_by=actor, **texts)
    _audit(Action.CONFERENCE_INFORMATION, actor, locked, informant=str(participant.public_id))
    return info


@transaction.atomic
def private_time(*, actor: User, conference: Conference, start: bool) -> ConferenceSession:
    """Record when the family's private time starts and ends. What is said in it is never written down here."""
    locked = _locked(conference)
    session = _running_session(actor, locked)
    now = timezone.now()
    if start:
        if session.private_started_at is not None:
            raise KredsError(_("The private family time has already started."))
        session.private_started_at = now
    else:
        if session.private_started_at is None:
            raise KredsError(_("Start the private family time first."))
        if session.private_ended_at is not None:
            raise KredsError(_("The private family time has already ended."))
        session.private_ended_at = now
    session.save(update_fields=["private_started_at", "private_ended_at", "updated_at"])
    _audit(Action.CONFERENCE_PRIVATE_TIME, actor, locked, started=start)
    return session


@transaction.atomic
def add_plan_item(
    *,
    actor: User,
    conference: Conference,
    responsible: Participant,
    what: str,
    due_on: datetime.date,
    support_requested: str = "",
) -> PlanItem:
    """The family presents its plan: who does what by when, and any support they ask from the municipality."""
    locked = _locked(conference)
    session = _running_session(actor, locked)
    if _private_time_running(session):
        raise KredsError(_("End the private family time before the family presents its plan."))
    if session.number == 0 and session.private_started_at is None:
        raise KredsError(_("The family makes its plan in its private time. Record the private time first."))
    if responsible.meeting_id != session.meeting_id or responsible.removed_at is not None:
        raise KredsError(_("The person responsible must be invited to the conference."))
    what, support_requested = what.strip(), support_requested.strip()
    if not what:
        raise KredsError(_("Write what the person will do."))
    _no_cpr(what, support_requested)
    if due_on < timezone.localtime(session.meeting.starts_at).date():
        raise KredsError(_("The date must be on or after the conference."))
    number = (session.items.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    item = PlanItem.objects.create(
        session=session,
        number=number,
        responsible=responsible,
        responsible_name=responsible.name,
        what=what,
        due_on=due_on,
        support_requested=support_requested,
        support_status=SupportStatus.UNKNOWN if support_requested else SupportStatus.NOT_NEEDED,
        created_by=actor,
    )
    if session.plan_presented_at is None:
        session.plan_presented_at = timezone.now()
        session.save(update_fields=["plan_presented_at", "updated_at"])
    _audit(Action.CONFERENCE_PLAN_ITEM, actor, locked, added=number)
    return item


@transaction.atomic
def remove_plan_item(*, actor: User, conference: Conference, item: PlanItem) -> None:
    locked = _locked(conference)
    session = _running_session(actor, locked)
    if item.session_id != session.pk:
        raise KredsError(_("Only items of the plan being presented can be removed."))
    number = item.number
    item.delete()
    _audit(Action.CONFERENCE_PLAN_ITEM, actor, locked, removed=number)


def items_to_review(session: ConferenceSession) -> list[PlanItem]:
    """At a follow-up: every approved item from the earlier sessions of the conference."""
    return list(
        PlanItem.objects.filter(
            session__conference_id=session.conference_id, session__number__lt=session.number, decision=Decision.APPROVED
        )
        .select_related("session", "agreement")
        .order_by("session__number", "number")
    )


@transaction.atomic
def review_item(*, actor: User, conference: Conference, item: PlanItem, outcome: str, comment: str) -> PlanItemReview:
    """At a follow-up conference: was the item realised? The agreement's status follows."""
    locked = _locked(conference)
    session = _running_session(actor, locked)
    if session.number == 0 or item.pk not in {i.pk for i in items_to_review(session)}:
        raise KredsError(_("Only approved items from the earlier conference are reviewed at a follow-up."))
    if outcome not in Outcome.values:
        raise KredsError(_("Choose whether the item was realised."))
    comment = comment.strip()
    if outcome != Outcome.REALISED and not comment:
        raise KredsError(_("Write a comment: what happened, and what is needed now?"))
    _no_cpr(comment)
    review, _created = PlanItemReview.objects.update_or_create(
        item=item, session=session, defaults={"outcome": outcome, "comment": comment, "reviewed_by": actor}
    )
    if item.agreement is not None:
        meetings.set_agreement_status(
            actor=actor,
            agreement=item.agreement,
            status=OUTCOME_TO_AGREEMENT[Outcome(outcome)],
            comment=comment,
            at_meeting=session.meeting,
        )
    _audit(Action.CONFERENCE_REVIEW, actor, locked, item=item.number, outcome=outcome)
    return review


@transaction.atomic
def record_wellbeing(
    *, actor: User, conference: Conference, scores: dict[str, int | None], at_session: bool
) -> list[str]:
    """Well-being at referral (before the conference is held) or at the running follow-up conference."""
    locked = _locked(conference)
    if at_session:
        session: ConferenceSession | None = _running_session(actor, locked)
        assert session is not None
        if session.number == 0:
            raise KredsError(_("Well-being is scored at referral and at each follow-up conference."))
    else:
        session = None
        if locked.status not in (ConferenceStatus.REFERRED, ConferenceStatus.PREPARING):
            raise KredsError(_("Well-being at referral can be recorded until the conference is held."))
    changed = _set_wellbeing(actor=actor, conference=locked, session=session, scores=scores)
    _audit(Action.CONFERENCE_WELLBEING, actor, locked, scored=changed, follow_up=at_session)
    return changed


def proposed_follow_up(conference: Conference, session: ConferenceSession) -> datetime.date:
    """The municipality's default number of months (3–6) after the conference (DOMAIN §6)."""
    months = min(max(conference.municipality.fgc_follow_up_months, FOLLOW_UP_MONTHS_MIN), FOLLOW_UP_MONTHS_MAX)
    day = add_months(timezone.localtime(session.meeting.starts_at).date(), months)
    while not is_working_day(day):  # never a Sunday or a public holiday
        day += datetime.timedelta(days=1)
    return day


def completion_problems(conference: Conference, session: ConferenceSession, *, no_plan_reason: str = "") -> list[str]:
    """What must be in place before the coordinator completes the conference (shown as a checklist)."""
    problems = []
    if session.number == 0 and (session.private_started_at is None or session.private_ended_at is None):
        problems.append(_("Record the start and end of the private family time."))
    elif _private_time_running(session):
        problems.append(_("End the private family time."))
    if not session.items.exists() and not session.number and not no_plan_reason.strip():
        problems.append(_("Record the family's plan, or write why no plan was made."))
    if session.number:
        unreviewed = [i for i in items_to_review(session) if not i.reviews.filter(session=session).exists()]
        if unreviewed:
            problems.append(
                _("Review whether each item of the plan was realised (%(count)d left).") % {"count": len(unreviewed)}
            )
        scored = set(Wellbeing.objects.filter(session=session).values_list("scored_by", flat=True))
        if ScoredBy.FAMILY not in scored:
            problems.append(_("Record the family's score of the child's well-being."))
        child = session.meeting.participants.filter(role=ParticipantRole.CHILD, attended=True).exists()
        if child and ScoredBy.CHILD not in scored:
            problems.append(_("Record the child's own score of their well-being."))
    missing = [p.name for p in meetings.speaking_order(session.meeting) if p.attended is None]
    if missing:
        problems.append(_("Record attendance for: %(names)s.") % {"names": ", ".join(missing)})
    return problems


def complete(
    *, actor: User, conference: Conference, follow_up_on: datetime.date | None, no_plan_reason: str = ""
) -> ConferenceSession:
    """The conference is held: the follow-up conference is planned and the plan goes to the caseworker."""
    with transaction.atomic():
        locked = _locked(conference)
        session = _running_session(actor, locked)  # refuses before the conference has begun
        no_plan_reason = no_plan_reason.strip()
        _no_cpr(no_plan_reason)
        problems = completion_problems(locked, session, no_plan_reason=no_plan_reason)
        if not session.items.exists():
            session.no_plan_reason = no_plan_reason
        if problems:
            raise KredsError(_("The conference cannot be completed yet:") + " " + " ".join(problems))
        if follow_up_on is None:
            raise KredsError(_("Agree the date of the follow-up conference before completing."))
        meeting = meetings.complete_meeting(actor=actor, meeting=session.meeting, follow_up_on=follow_up_on)
        if session.items.exists() and session.plan_presented_at is None:
            session.plan_presented_at = timezone.now()
        session.save()
        follow = meeting.follow_ups.order_by("-id").first()
        assert follow is not None
        ConferenceSession.objects.create(conference=locked, meeting=follow, number=session.number + 1)
        locked.status = ConferenceStatus.AWAITING_APPROVAL
        _bump(locked)
        _audit(Action.CONFERENCE_COMPLETE, actor, locked, session=session.number, follow_up_on=follow_up_on.isoformat())
    return session


# The follow-up conference ---------------------------------------------------------------------------------


def follow_up_session(conference: Conference) -> ConferenceSession | None:
    """The latest follow-up conference (planned, invited, held or cancelled), or None before the first is planned."""
    session = current_session(conference)
    return session if session is not None and session.number > 0 else None


def _planned_follow_up(conference: Conference) -> ConferenceSession:
    if conference.status not in (ConferenceStatus.AWAITING_APPROVAL, ConferenceStatus.ACTIVE):
        raise KredsError(_("The course is closed; it has no follow-up conference to change."))
    session = follow_up_session(conference)
    if session is None:
        raise KredsError(_("No follow-up conference is planned yet. It is planned when the conference is completed."))
    return session


def _future(starts_at: datetime.datetime) -> None:
    if starts_at <= timezone.now():
        raise KredsError(_("Choose a time in the future."))


def move_follow_up(
    *,
    actor: User,
    conference: Conference,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    expected_version: int | None = None,
) -> Meeting:
    """A new time or place for the planned follow-up conference (the coordinator or the caseworker). The meeting
    service tells everyone already invited."""
    with transaction.atomic():
        locked = _locked(conference)
        session = _planned_follow_up(locked)
        meeting = session.meeting
        if not meeting.is_open_for_planning:
            raise KredsError(
                _("The follow-up conference is cancelled. Plan a new one instead.")
                if meeting.status == MeetingStatus.CANCELLED
                else _("The follow-up conference has been held; its time can no longer be changed.")
            )
        _future(starts_at)
        data = {"purpose": meeting.purpose, "place": place, "starts_at": starts_at, "ends_at": ends_at}
        version = meeting.version if expected_version is None else expected_version
        meeting = meetings.update_meeting(actor=actor, meeting=meeting, data=data, expected_version=version)
        _audit(Action.CONFERENCE_UPDATE, actor, locked, follow_up=session.number, moved_to=starts_at.isoformat())
    return meeting


def cancel_follow_up(*, actor: User, conference: Conference, reason: str, message: str = "") -> Meeting:
    """Cancel the planned follow-up conference (the coordinator or the caseworker). The course stays open: a new
    follow-up can be planned, or the course closed."""
    with transaction.atomic():
        locked = _locked(conference)
        session = _planned_follow_up(locked)
        if not session.meeting.is_open_for_planning:
            raise KredsError(_("Only a follow-up conference that has not been held can be cancelled."))
        meeting = meetings.cancel_meeting(actor=actor, meeting=session.meeting, reason=reason, message=message)
        _audit(Action.CONFERENCE_UPDATE, actor, locked, follow_up=session.number, cancelled=True)
    return meeting


def plan_new_follow_up(
    *, actor: User, conference: Conference, starts_at: datetime.datetime, ends_at: datetime.datetime, place: str
) -> ConferenceSession:
    """After a cancelled follow-up conference: plan a new one with the same people as the conference it follows."""
    with transaction.atomic():
        locked = _locked(conference)
        cancelled = _planned_follow_up(locked)
        if cancelled.meeting.status != MeetingStatus.CANCELLED:
            raise KredsError(_("A follow-up conference is already planned. Move it instead."))
        held_meeting = cancelled.meeting.previous
        if held_meeting is None or not held_meeting.is_held:
            raise KredsError(_("The follow-up conference follows a conference that has been held."))
        _future(starts_at)
        follow = meetings.plan_follow_up(actor=actor, meeting=held_meeting)
        data = {"purpose": cancelled.meeting.purpose, "place": place, "starts_at": starts_at, "ends_at": ends_at}
        follow = meetings.update_meeting(actor=actor, meeting=follow, data=data, expected_version=follow.version)
        session = ConferenceSession.objects.create(conference=locked, meeting=follow, number=cancelled.number + 1)
        _audit(Action.CONFERENCE_UPDATE, actor, locked, follow_up=session.number, planned=starts_at.isoformat())
    return session


# Approval -------------------------------------------------------------------------------------------------


def session_for_approval(conference: Conference) -> ConferenceSession | None:
    """The held session whose plan waits for the caseworker's decisions."""
    return (
        ConferenceSession.objects.filter(
            conference=conference, plan_finalised_at__isnull=True, meeting__status=MeetingStatus.HELD
        )
        .select_related("meeting")
        .order_by("number")
        .first()
    )


def _approvable(conference: Conference, item: PlanItem) -> ConferenceSession:
    session = session_for_approval(conference)
    if session is None or item.session_id != session.pk:
        raise KredsError(_("This item is not waiting for a decision."))
    return session


@transaction.atomic
def set_support(*, actor: User, conference: Conference, item: PlanItem, status: str, note: str) -> PlanItem:
    """Record whether the support the family asks for is actually available (DOMAIN §6)."""
    locked = _locked(conference)
    _approvable(locked, item)
    if not item.needs_support:
        raise KredsError(_("The item does not ask for support from the municipality."))
    if status not in (SupportStatus.AVAILABLE, SupportStatus.NOT_AVAILABLE, SupportStatus.UNKNOWN):
        raise KredsError(_("Choose whether the support is available."))
    note = note.strip()
    if status != SupportStatus.UNKNOWN and not note:
        raise KredsError(
            _("Write what the municipality provides.")
            if status == SupportStatus.AVAILABLE
            else _("Write why the support is not available.")
        )
    _no_cpr(note)
    item.support_status, item.support_note = status, note
    if status != SupportStatus.AVAILABLE and item.decision == Decision.APPROVED:
        item.decision, item.decided_by, item.decided_at = Decision.PENDING, None, None
    item.save()
    _audit(Action.CONFERENCE_DECISION, actor, locked, item=item.number, support=status)
    return item


@transaction.atomic
def decide(*, actor: User, conference: Conference, item: PlanItem, decision: str, reason: str = "") -> PlanItem:
    """Approve an item, or reject it with the reason (e.g. it conflicts with a bottom line)."""
    locked = _locked(conference)
    _approvable(locked, item)
    reason = reason.strip()
    if decision == Decision.APPROVED:
        if item.needs_support and item.support_status != SupportStatus.AVAILABLE:
            raise KredsError(
                _(
                    "Item %(number)s depends on support from the municipality (%(support)s), and that support is not "
                    "recorded as available. A plan must never depend on support that is not there: record the "
                    "support as available, or reject the item with the reason."
                )
                % {"number": item.label, "support": item.support_requested}
            )
    elif decision == Decision.REJECTED:
        if not reason:
            raise KredsError(_("Write why the item is rejected, e.g. which bottom line it conflicts with."))
        _no_cpr(reason)
    elif decision != Decision.PENDING:
        raise KredsError(_("Choose approve or reject."))
    item.decision = decision
    item.decision_reason = reason if decision == Decision.REJECTED else ""
    item.decided_by = actor if decision else None
    item.decided_at = timezone.now() if decision else None
    item.save()
    _audit(Action.CONFERENCE_DECISION, actor, locked, item=item.number, decision=decision)
    return item


def finalise(*, actor: User, conference: Conference) -> int:
    """Every item decided: approved items become agreements, and the plan goes to every participant."""
    require_network_involvement_allowed(conference.case, actor=actor, action_label=_("send the family's plan"))
    with transaction.atomic():
        locked = _locked(conference)
        session = session_for_approval(locked)
        if session is None:
            raise KredsError(_("No plan is waiting for approval."))
        items = list(session.items.select_related("responsible").order_by("number"))
        undecided = [i.label for i in items if i.decision == Decision.PENDING]
        if undecided:
            raise KredsError(
                _("Decide on every item of the plan before it is sent (not decided: %(numbers)s).")
                % {"numbers": ", ".join(undecided)}
            )
        for item in items:
            if item.decision == Decision.APPROVED and item.agreement is None:
                item.agreement = meetings.add_agreement(
                    actor=actor,
                    meeting=session.meeting,
                    responsible=item.responsible,
                    what=item.what,
                    due_on=item.due_on,
                )
                item.save(update_fields=["agreement", "updated_at"])
        session.plan_finalised_at, session.plan_finalised_by = timezone.now(), actor
        session.save(update_fields=["plan_finalised_at", "plan_finalised_by", "updated_at"])
        sent = meetings.approve_and_send_minutes(actor=actor, meeting=session.meeting)
        if locked.status == ConferenceStatus.AWAITING_APPROVAL:
            locked.status = ConferenceStatus.ACTIVE
            _bump(locked)
        approved = sum(1 for i in items if i.decision == Decision.APPROVED)
        _audit(Action.CONFERENCE_PLAN_SENT, actor, locked, session=session.number, approved=approved, emails=sent)
    return sent


def close(*, actor: User, conference: Conference, reason: str) -> Conference:
    """End the course: no more follow-up conferences. A planned follow-up is cancelled."""
    with transaction.atomic():
        locked = _locked(conference)
        if locked.status != ConferenceStatus.ACTIVE:
            raise KredsError(_("A conference can be closed when its latest plan is sent and no conference is running."))
        if not reason.strip():
            raise KredsError(_("Write why the course ends."))
        pending = current_session(locked)
        if pending is not None and pending.meeting.is_open_for_planning:
            meetings.cancel_meeting(actor=actor, meeting=pending.meeting, reason=reason)
        locked.status = ConferenceStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_reason = reason.strip()
        _bump(locked)
        _audit(Action.CONFERENCE_CLOSE, actor, locked)
    return locked


# Costs ----------------------------------------------------------------------------------------------------


def _decimal(value: Any, message: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".")).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise KredsError(message) from exc
    if number <= 0 or number >= Decimal("10000000"):
        raise KredsError(message)
    return number


@transaction.atomic
def add_cost(
    *,
    actor: User,
    conference: Conference,
    category: str,
    quantity: Any,
    rate: Any = None,
    note: str = "",
    session: ConferenceSession | None = None,
) -> Cost:
    """Hours and kilometres are priced at the municipality's rates (or a rate typed in); others are amounts."""
    locked = _locked(conference)
    if category not in CostCategory.values:
        raise KredsError(_("Choose what the cost is for."))
    if session is not None and session.conference_id != locked.pk:
        raise KredsError(_("Choose one of this conference's meetings."))
    rated = RATED.get(CostCategory(category))
    if rated:
        unit, setting = rated
        qty = _decimal(quantity, _("Write the number of hours or kilometres as a positive number."))
        price = (
            _decimal(rate, _("Write the rate as a positive number."))
            if rate not in (None, "")
            else Decimal(getattr(locked.municipality, setting)).quantize(CENT)
        )
    else:
        unit, qty, price = (
            CostUnit.DKK,
            _decimal(quantity, _("Write the amount in kroner as a positive number.")),
            Decimal(1),
        )
    cost = Cost.objects.create(
        conference=locked,
        session=session,
        category=category,
        unit=unit,
        quantity=qty,
        rate=price,
        amount=(qty * price).quantize(CENT, rounding=ROUND_HALF_UP),
        note=note.strip()[:200],
        recorded_by=actor,
    )
    _audit(Action.CONFERENCE_COST, actor, locked, added=category, amount=str(cost.amount))
    return cost


@transaction.atomic
def remove_cost(*, actor: User, conference: Conference, cost: Cost) -> None:
    locked = _locked(conference)
    if cost.conference_id != locked.pk:
        raise KredsError(_("The cost does not belong to this conference."))
    details = {"removed": cost.category, "amount": str(cost.amount)}
    cost.delete()
    _audit(Action.CONFERENCE_COST, actor, locked, **details)


def child_participates(conference: Conference) -> bool:
    meeting = conference.meeting
    return meeting is not None and meeting.child_participation != ChildParticipation.NOT


def rsvp_from_choice(value: str) -> str | None:
    return {"yes": Rsvp.YES, "no": Rsvp.NO, "unknown": Rsvp.NONE}.get(value)


SETTINGS_FIELDS = ("fgc_follow_up_months", "fgc_hourly_rate", "fgc_mileage_rate")


@transaction.atomic
def save_settings(*, actor: User, municipality: Municipality, data: dict[str, Any]) -> list[str]:
    """The municipality's FGC defaults (administrators): months to the follow-up, and the cost rates."""
    months = int(data["fgc_follow_up_months"])
    if not FOLLOW_UP_MONTHS_MIN <= months <= FOLLOW_UP_MONTHS_MAX:
        raise KredsError(_("The follow-up conference is 3 to 6 months after the conference."))
    if Decimal(data["fgc_hourly_rate"]) < 0 or Decimal(data["fgc_mileage_rate"]) < 0:
        raise KredsError(_("A rate cannot be negative."))
    return tenancy.save_settings(actor=actor, municipality=municipality, values={f: data[f] for f in SETTINGS_FIELDS})
