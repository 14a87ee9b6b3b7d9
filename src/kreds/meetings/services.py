"""Every write to meetings, with its rule, its Danish refusal and its audit event (DOMAIN §5).

Sending goes through the :class:`~kreds.meetings.models.Outbox` (see :mod:`kreds.meetings.sending`): a row per
message with a unique key is created in the same transaction as the state change, so a retry, a second click or
a worker restart can never send the same message twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record, record_for_case
from kreds.authz.policies import minute_taker_problem, neutrality_problem
from kreds.cases.models import Case
from kreds.cases.safety import require_network_involvement_allowed, safety_gate
from kreds.consent.constants import Category
from kreds.consent.services import may_share, sharing_decisions
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.core.logging import CPR_LIKE
from kreds.meetings import kinds
from kreds.meetings.constants import (
    MAX_MINUTES_WITHOUT_WARNING,
    AgreementStatus,
    ChildParticipation,
    Delivery,
    MeetingKind,
    MeetingStatus,
    OutboxKind,
    ParticipantRole,
    Rsvp,
    follow_up_kind,
)
from kreds.meetings.models import Agreement, AgreementStatusChange, Evaluation, Meeting, Outbox, Participant
from kreds.network.models import NetworkPerson
from kreds.participants import services as links

PLANNING_FIELDS = (
    "purpose",
    "prep_held_on",
    "prep_with",
    "prep_who",
    "prep_information",
    "prep_child",
    "child_participation",
    "starts_at",
    "ends_at",
    "place",
    "break_planned",
    "inviter",
    "facilitator",
    "minute_taker",
)
# Text that leaves the system (invitations, minutes, summaries) must never carry a CPR number.
OUTGOING_TEXT_FIELDS = ("purpose", "place", "notes_descriptive", "notes_reflective", "notes_agreements")
# Private recipients need consent for these categories before each kind of message (DOMAIN §4).
CATEGORIES_FOR = {
    OutboxKind.INVITATION: (Category.MEETING_PRACTICAL, Category.PURPOSE_AND_SITUATION),
    OutboxKind.MINUTES: (Category.MINUTES,),
    OutboxKind.SUMMARY: (Category.AGREEMENTS,),
}


def _audit(action: Action, actor: User, meeting: Meeting, **details: Any) -> None:
    record_for_case(
        action, actor=actor, case=meeting.case, object_type="meeting", object_id=str(meeting.public_id), details=details
    )


def _no_cpr(**texts: str) -> None:
    for text in texts.values():
        if text and CPR_LIKE.search(text):
            raise KredsError(
                _("Remove the CPR number from the text. CPR numbers are never sent to participants or put in letters.")
            )


def _locked(meeting: Meeting, expected_version: int | None = None) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("case__child", "case__municipality").get(pk=meeting.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            _("Someone else changed the meeting while you were editing. Your text is kept below; check and save again.")
        )
    return locked


def planning_warnings(meeting: Meeting) -> list[str]:
    """Things to reconsider that do not block (DOMAIN §5: at most 2 hours, with a break)."""
    warnings: list[str] = []
    if meeting.is_fgc:
        return warnings  # A conference has its own rhythm (private family time); its page has its own checklist.
    if meeting.duration_minutes > MAX_MINUTES_WITHOUT_WARNING:
        warnings.append(
            _("The meeting is planned to last %(minutes)d minutes. Inclusive network meetings last at most 2 hours.")
            % {"minutes": meeting.duration_minutes}
        )
    if not meeting.break_planned:
        warnings.append(_("No break is planned. Plan a break so everyone can keep up."))
    if not meeting.prep_held_on:
        warnings.append(_("The preparation conversation with the child and the parents is not recorded yet."))
    return warnings


def _validate_planning(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: data[k] for k in PLANNING_FIELDS if k in data}
    if not (clean.get("purpose") or "").strip():
        raise KredsError(_("Write the purpose of the meeting so everyone can know it beforehand."))
    if not (clean.get("place") or "").strip():
        raise KredsError(_("Write where the meeting is held."))
    starts, ends = clean.get("starts_at"), clean.get("ends_at")
    if not starts or not ends or ends <= starts:
        raise KredsError(_("The meeting must end after it starts."))
    _no_cpr(purpose=clean["purpose"], place=clean["place"])
    facilitator = clean.get("facilitator")
    if facilitator is not None:
        problem = neutrality_problem(facilitator, case)
        if problem:
            raise KredsError(problem)
    minute_taker = clean.get("minute_taker")
    if minute_taker is not None and (problem := minute_taker_problem(minute_taker, case)):
        raise KredsError(problem)
    return clean


@transaction.atomic
def create_meeting(
    *,
    actor: User,
    case: Case,
    data: dict[str, Any],
    previous: Meeting | None = None,
    kind: MeetingKind = MeetingKind.NETWORK,
) -> Meeting:
    """Plan a meeting on the case. ``kind`` is FGC when :mod:`kreds.conferences` plans a family group conference."""
    if not case.is_open:
        raise KredsError(_("The case is closed. Reopen it to plan a meeting."))
    clean = _validate_planning(case, data)
    meeting = Meeting.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=follow_up_kind(previous.kind) if previous else kind,
        previous=previous,
        created_by=actor,
        **clean,
    )
    if clean.get("child_participation") != ChildParticipation.NOT:
        Participant.objects.create(
            meeting=meeting,
            role=ParticipantRole.CHILD,
            name=case.child.first_name,
            delivery=Delivery.HAND,
            address=case.child.address,
            speaking_order=1,
        )
    if case.assignments.filter(user=actor).exists():
        add_caseworker(actor=actor, meeting=meeting, user=actor)
    _audit(Action.MEETING_CREATE, actor, meeting, kind=meeting.kind)
    return meeting


@transaction.atomic
def update_meeting(*, actor: User, meeting: Meeting, data: dict[str, Any], expected_version: int) -> Meeting:
    locked = _locked(meeting, expected_version)
    if not locked.is_open_for_planning:
        raise KredsError(_("The meeting has been held; its plan can no longer be changed."))
    clean = _validate_planning(locked.case, data)
    changed = [k for k, v in clean.items() if getattr(locked, k) != v]
    for key, value in clean.items():
        setattr(locked, key, value)
    locked.version += 1
    locked.save()
    _audit(Action.MEETING_UPDATE, actor, locked, fields=changed)
    return locked


def _next_order(meeting: Meeting) -> int:
    last = meeting.participants.order_by("-speaking_order").values_list("speaking_order", flat=True).first()
    return (last or 0) + 1


def add_caseworker(*, actor: User, meeting: Meeting, user: User) -> Participant:
    """The caseworker takes part on equal footing and declares the authority role (never as facilitator)."""
    existing = meeting.participants.filter(user=user).first()
    if existing:
        return existing
    return Participant.objects.create(
        meeting=meeting,
        user=user,
        role=ParticipantRole.CASEWORKER,
        name=user.get_full_name() or user.username,
        email=user.email,
        delivery=Delivery.HAND,
        speaking_order=_next_order(meeting),
    )


@transaction.atomic
def add_participants(
    *, actor: User, meeting: Meeting, persons: Iterable[NetworkPerson], parents: Iterable[NetworkPerson] = ()
) -> list[Participant]:
    """Add people from the child's network map; their current contact details are copied for the invitation."""
    from kreds.network.services import current_version

    locked = _locked(meeting)
    if not locked.is_open_for_planning:
        raise KredsError(_("The meeting has been held; participants can no longer be added."))
    parent_ids = {p.pk for p in parents}
    added = []
    for person in persons:
        if person.map.case_id != locked.case_id:
            raise KredsError(_("Participants must be on this child's network map."))
        if locked.participants.filter(person=person).exists():
            continue
        version = current_version(person)
        if version.is_professional:
            role = ParticipantRole.PROFESSIONAL
        elif person.pk in parent_ids:
            role = ParticipantRole.PARENT
        else:
            role = ParticipantRole.PRIVATE
        added.append(
            Participant.objects.create(
                meeting=locked,
                person=person,
                role=role,
                name=version.name,
                relation=version.professional_role
                if version.is_professional and version.professional_role
                else version.relation,
                email=version.email,
                phone=version.phone,
                address=version.address,
                delivery=Delivery.EMAIL if version.email else Delivery.LETTER,
                speaking_order=_next_order(locked),
            )
        )
    if added:
        _audit(Action.MEETING_PARTICIPANTS, actor, locked, added=[str(p.public_id) for p in added])
    return added


@transaction.atomic
def update_participant(*, actor: User, participant: Participant, data: dict[str, Any]) -> Participant:
    meeting = _locked(participant.meeting)
    participant = Participant.objects.select_related("link").get(pk=participant.pk)
    if meeting.is_held:
        raise KredsError(_("The meeting has been held; change attendance on the meeting screen instead."))
    role = data.get("role", participant.role)
    if participant.role in (ParticipantRole.CHILD, ParticipantRole.CASEWORKER) and role != participant.role:
        raise KredsError(_("The role of the child and of the caseworker cannot be changed."))
    if role in (ParticipantRole.CHILD, ParticipantRole.CASEWORKER) and role != participant.role:
        raise KredsError(_("Choose parent, private network or professional."))
    delivery = data.get("delivery", participant.delivery)
    email = (data.get("email", participant.email) or "").strip()
    address = (data.get("address", participant.address) or "").strip()
    if delivery == Delivery.EMAIL and not email:
        raise KredsError(_("Write an e-mail address, or choose letter or hand delivery."))
    if delivery == Delivery.LETTER and not address:
        raise KredsError(_("Write a postal address for the letter, or choose another way."))
    participant.role, participant.delivery, participant.email, participant.address = role, delivery, email, address
    participant.phone = (data.get("phone", participant.phone) or "").strip()
    participant.save()
    _audit(Action.MEETING_PARTICIPANTS, actor, meeting, changed=str(participant.public_id))
    return participant


@transaction.atomic
def remove_participant(*, actor: User, participant: Participant) -> None:
    meeting = _locked(participant.meeting)
    participant = Participant.objects.select_related("link").get(pk=participant.pk)
    if not meeting.is_open_for_planning:
        raise KredsError(_("The meeting has been held; participants can no longer be removed."))
    if participant.agreements.exists():
        raise KredsError(_("The participant is responsible for agreements and cannot be removed."))
    if participant.link is not None:
        links.revoke(participant.link, reason="removed from meeting")
    Outbox.objects.filter(participant=participant, sent_at__isnull=True).delete()
    keep = bool(participant.invited_at) or Outbox.objects.filter(participant=participant).exists()
    if not keep:
        try:
            with transaction.atomic():
                participant.delete()
        except ProtectedError:
            keep = True  # something else records this person (the coordinator's preparation log, a contact)
    if keep:
        # An invitation already went out, or the person is part of the history: keep the row, marked as not coming.
        participant.rsvp = Rsvp.NO
        participant.rsvp_message = _("Removed from the meeting by %(name)s.") % {"name": actor.get_full_name()}
        participant.removed_at = timezone.now()
        participant.save()
    _audit(Action.MEETING_PARTICIPANTS, actor, meeting, removed=str(participant.public_id))


@transaction.atomic
def move_participant(*, actor: User, participant: Participant, direction: int) -> None:
    """Move one place up (-1) or down (+1) in the fixed speaking order (talerække)."""
    meeting = _locked(participant.meeting)
    ordered = list(meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id"))
    index = next((i for i, p in enumerate(ordered) if p.pk == participant.pk), None)
    if index is None:
        return
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, p in enumerate(ordered, start=1):
        if p.speaking_order != position:
            p.speaking_order = position
            p.save(update_fields=["speaking_order", "updated_at"])
    _audit(Action.MEETING_PARTICIPANTS, actor, meeting, speaking_order=True)


def speaking_order(meeting: Meeting) -> list[Participant]:
    return list(meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id"))


def _needs_consent(participant: Participant) -> bool:
    """Private network members need consent; the child and custodial parents are parties to the case."""
    return participant.role == ParticipantRole.PRIVATE and participant.person_id is not None


def sharing_problem(participant: Participant, kind: OutboxKind) -> str:
    if not _needs_consent(participant):
        return ""
    assert participant.person is not None
    for category in CATEGORIES_FOR.get(kind, ()):
        decision = may_share(case=participant.meeting.case, category=category, person=participant.person)
        if not decision.allowed:
            return decision.reason
    return ""


def sharing_problems(participants: Iterable[Participant], kind: OutboxKind) -> dict[int, str]:
    """:func:`sharing_problem` for many participants of one meeting, in a fixed number of queries."""
    needing = [p for p in participants if _needs_consent(p)]
    if not needing:
        return {}
    decisions = sharing_decisions(
        case=needing[0].meeting.case,
        categories=CATEGORIES_FOR.get(kind, ()),
        persons=[p.person for p in needing if p.person is not None],
    )
    return {p.pk: decisions[p.person_id].reason for p in needing if p.person_id and not decisions[p.person_id].allowed}


def invitation_problems(meeting: Meeting) -> list[str]:
    """Everything that must be in order before invitations go out (DOMAIN §4, §5; Barnets Lov § 18 stk. 3)."""
    problems = []
    gate = safety_gate(meeting.case)
    if gate.is_open:
        problems.append(gate.reason)
    if meeting.facilitator is None:
        problems.append(_("Choose a neutral facilitator."))
    else:
        problem = neutrality_problem(meeting.facilitator, meeting.case)
        if problem:
            problems.append(problem)
    invitees = [p for p in meeting.participants.select_related("person") if p.needs_link and p.removed_at is None]
    if not any(
        p.role in (ParticipantRole.PRIVATE, ParticipantRole.PARENT, ParticipantRole.PROFESSIONAL) for p in invitees
    ):
        problems.append(_("Choose participants from the network map."))
    refusals = sharing_problems(invitees, OutboxKind.INVITATION) if not gate.is_open else {}
    for p in invitees:
        if p.delivery == Delivery.EMAIL and not p.email:
            problems.append(
                _("%(name)s has no e-mail address. Add one, or choose letter or hand delivery.") % {"name": p.name}
            )
        elif p.delivery == Delivery.LETTER and not p.address:
            problems.append(_("%(name)s has no postal address for the letter.") % {"name": p.name})
        if p.pk in refusals:
            problems.append(refusals[p.pk])
    if meeting.starts_at <= timezone.now():
        problems.append(_("The meeting's start time has passed. Change the time before inviting."))
    hooks = kinds.hooks_for(meeting)
    if hooks is not None:
        problems.extend(hooks.invitation_problems(meeting))
    return problems


def link_expiry(meeting: Meeting) -> datetime.datetime:
    last = meeting.starts_at
    if meeting.follow_up_on:
        last = max(last, timezone.make_aware(datetime.datetime.combine(meeting.follow_up_on, datetime.time(23, 59))))
    return last + datetime.timedelta(days=settings.PARTICIPANT_LINK_DAYS_AFTER_MEETING)


def ensure_link(participant: Participant, *, actor: User | None) -> Any:
    """The participant's active personal link, issued on first need and kept for all later messages."""
    current = participant.link
    if current is not None and current.is_active:
        links.extend(current, link_expiry(participant.meeting))
        return current
    link = links.issue(
        case=participant.meeting.case,
        holder_name=participant.name,
        expires_at=link_expiry(participant.meeting),
        actor=actor,
    )
    participant.link = link
    participant.save(update_fields=["link", "updated_at"])
    return link


def _outbox(
    kind: OutboxKind, key: str, *, meeting: Meeting, participant: Participant | None = None, user: User | None = None
) -> Outbox | None:
    """Create the row for a message exactly once; None if it already exists."""
    try:
        with transaction.atomic():
            return Outbox.objects.create(key=key, kind=kind, meeting=meeting, participant=participant, user=user)
    except IntegrityError:
        return None


def _enqueue(rows: list[Outbox]) -> None:
    from kreds.meetings.tasks import send_outbox

    ids = [r.pk for r in rows]
    transaction.on_commit(lambda: [send_outbox.enqueue(i) for i in ids])


def send_invitations(*, actor: User, meeting: Meeting) -> int:
    """Queue invitations to everyone not yet invited. Refused, with every reason, unless all is in order."""
    # Outside the transaction, so the gate's audit event survives the refusal.
    require_network_involvement_allowed(meeting.case, actor=actor, action_label=_("send invitations"))
    return _send_invitations(actor=actor, meeting=meeting)


@transaction.atomic
def _send_invitations(*, actor: User, meeting: Meeting) -> int:
    locked = _locked(meeting)
    if not locked.is_open_for_planning:
        raise KredsError(_("The meeting has been held; invitations can no longer be sent."))
    problems = invitation_problems(locked)
    if problems:
        raise KredsError(_("Invitations were not sent:") + " " + " ".join(problems))
    rows = []
    for p in locked.participants.filter(removed_at__isnull=True).exclude(role=ParticipantRole.CASEWORKER):
        ensure_link(p, actor=actor)
        if p.delivery == Delivery.EMAIL:
            row = _outbox(OutboxKind.INVITATION, f"invite:{p.public_id}", meeting=locked, participant=p)
            if row:
                rows.append(row)
    _enqueue(rows)
    if locked.status == MeetingStatus.PLANNED:
        locked.status = MeetingStatus.INVITED
        locked.version += 1
        locked.save()
    _audit(Action.MEETING_INVITE, actor, locked, emails=len(rows))
    return len(rows)


@transaction.atomic
def record_letter_printed(*, actor: User, participant: Participant) -> None:
    """A letter (or hand-delivered invitation) was produced: the participant counts as invited."""
    if participant.invited_at is None:
        participant.invited_at = timezone.now()
        participant.save(update_fields=["invited_at", "updated_at"])
    _audit(Action.MEETING_LETTER, actor, participant.meeting, participant=str(participant.public_id))


# At the meeting --------------------------------------------------------------------------------------------


def _require_running(meeting: Meeting) -> None:
    """Notes, attendance and agreements can be corrected until the minutes are approved and sent."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise KredsError(_("The meeting is cancelled."))
    if meeting.status in (MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED):
        raise KredsError(_("The minutes are sent; the meeting's notes can no longer be changed."))


@transaction.atomic
def save_notes(
    *, actor: User, meeting: Meeting, notes: dict[str, str], authority_declared: bool, expected_version: int
) -> Meeting:
    locked = _locked(meeting, expected_version)
    _require_running(locked)
    _no_cpr(**notes)
    for phase, text in notes.items():
        setattr(locked, f"notes_{phase}", text)
    locked.authority_declared = authority_declared
    locked.version += 1
    locked.save()
    _audit(Action.MEETING_NOTES, actor, locked, phases=sorted(notes))
    return locked


@transaction.atomic
def set_speaker(*, actor: User, meeting: Meeting, step: int) -> Participant | None:
    """Advance (+1) or go back (-1) in the fixed speaking order; wraps round for the next round."""
    locked = _locked(meeting)
    _require_running(locked)
    order = speaking_order(locked)
    if not order:
        return None
    locked.speaker_position = (locked.speaker_position + step) % len(order)
    locked.save(update_fields=["speaker_position", "updated_at"])
    return order[locked.speaker_position]


@transaction.atomic
def set_attendance(*, actor: User, meeting: Meeting, attended: dict[int, bool]) -> None:
    locked = _locked(meeting)
    _require_running(locked)
    for p in locked.participants.filter(pk__in=attended):
        if p.attended != attended[p.pk]:
            p.attended = attended[p.pk]
            p.save(update_fields=["attended", "updated_at"])
    _audit(Action.MEETING_ATTENDANCE, actor, locked, count=sum(attended.values()))


@transaction.atomic
def add_agreement(
    *, actor: User, meeting: Meeting, responsible: Participant, what: str, due_on: datetime.date
) -> Agreement:
    locked = _locked(meeting)
    _require_running(locked)
    if responsible.meeting_id != locked.pk or responsible.removed_at is not None:
        raise KredsError(_("The person responsible must be a participant in the meeting."))
    what = what.strip()
    if not what:
        raise KredsError(_("Write what is agreed."))
    _no_cpr(what=what)
    if due_on < timezone.localtime(locked.starts_at).date():
        raise KredsError(_("The date must be on or after the meeting day."))
    agreement = Agreement.objects.create(
        case=locked.case,
        meeting=locked,
        responsible=responsible,
        responsible_name=responsible.name,
        person=responsible.person,
        what=what,
        due_on=due_on,
        created_by=actor,
    )
    AgreementStatusChange.objects.create(
        agreement=agreement,
        status=AgreementStatus.AGREED,
        changed_at=timezone.now(),
        changed_by=actor,
        reviewed_at_meeting=locked,
    )
    _audit(Action.AGREEMENT_ADD, actor, locked, agreement=str(agreement.public_id))
    return agreement


@transaction.atomic
def remove_agreement(*, actor: User, agreement: Agreement) -> None:
    locked = _locked(agreement.meeting)
    _require_running(locked)
    try:
        with transaction.atomic():
            agreement.history.all().delete()
            agreement.delete()
    except ProtectedError as exc:
        raise KredsError(
            _("The agreement is an approved item of the family's plan and cannot be removed; change its status.")
        ) from exc
    _audit(Action.AGREEMENT_REMOVE, actor, locked, agreement=str(agreement.public_id))


@transaction.atomic
def set_agreement_status(
    *, actor: User, agreement: Agreement, status: str, comment: str = "", at_meeting: Meeting | None = None
) -> Agreement:
    if status not in AgreementStatus.values:
        raise KredsError(_("Choose a status."))
    _no_cpr(comment=comment)
    if at_meeting is not None:
        _require_running(at_meeting)
        if agreement.meeting_id not in {m.pk for m in chain(at_meeting)[:-1]}:
            raise KredsError(_("The agreement does not belong to an earlier meeting in this course."))
    agreement.status = status
    agreement.save(update_fields=["status", "updated_at"])
    AgreementStatusChange.objects.create(
        agreement=agreement,
        status=status,
        comment=comment.strip(),
        changed_at=timezone.now(),
        changed_by=actor,
        reviewed_at_meeting=at_meeting,
    )
    record_for_case(
        Action.AGREEMENT_STATUS,
        actor=actor,
        case=agreement.case,
        object_type="agreement",
        object_id=str(agreement.public_id),
        details={"status": status},
    )
    return agreement


def chain(meeting: Meeting) -> list[Meeting]:
    """The meeting's course from the first meeting to this one (follow-ups point to the previous meeting).

    Two queries however long the course is: the case's meeting links, then the earlier meetings themselves (a course
    never leaves its case).
    """
    if not meeting.previous_id:
        return [meeting]
    links = dict(Meeting.objects.filter(case_id=meeting.case_id).values_list("pk", "previous_id"))
    ids: list[int] = []
    seen = {meeting.pk}
    previous = meeting.previous_id
    while previous and previous not in seen and previous in links:
        ids.insert(0, previous)
        seen.add(previous)
        previous = links[previous]
    earlier = Meeting.objects.in_bulk(ids)
    return [earlier[pk] for pk in ids] + [meeting]


def agreements_to_review(meeting: Meeting) -> list[Agreement]:
    """Agreements from earlier meetings in the course, reviewed at a follow-up meeting."""
    earlier = [m.pk for m in chain(meeting)[:-1]]
    return list(Agreement.objects.filter(meeting_id__in=earlier).select_related("meeting").order_by("due_on", "id"))


def unreviewed(meeting: Meeting) -> list[Agreement]:
    reviewed = set(
        AgreementStatusChange.objects.filter(reviewed_at_meeting=meeting).values_list("agreement_id", flat=True)
    )
    return [a for a in agreements_to_review(meeting) if a.pk not in reviewed]


@transaction.atomic
def complete_meeting(*, actor: User, meeting: Meeting, follow_up_on: datetime.date | None) -> Meeting:
    """The meeting is held. The follow-up date must be agreed at the meeting (DOMAIN §5); the follow-up is planned."""
    locked = _locked(meeting)
    _require_running(locked)
    if locked.is_held:
        raise KredsError(_("The meeting is already completed."))
    if follow_up_on is None:
        raise KredsError(_("Agree the date of the follow-up meeting before completing the meeting."))
    meeting_day = timezone.localtime(locked.starts_at).date()
    if meeting_day > timezone.localdate():
        raise KredsError(_("The meeting cannot be completed before the day it is held."))
    if follow_up_on <= meeting_day:
        raise KredsError(_("The follow-up meeting must be after this meeting."))
    missing = [p.name for p in speaking_order(locked) if p.attended is None]
    if missing:
        raise KredsError(_("Record attendance for: %(names)s.") % {"names": ", ".join(missing)})
    left = unreviewed(locked)
    if left:
        raise KredsError(
            _("Review the status of every agreement from the earlier meeting before completing (%(count)d left).")
            % {"count": len(left)}
        )
    locked.follow_up_on = follow_up_on
    locked.status = MeetingStatus.HELD
    locked.held_at = timezone.now()
    locked.completed_by = actor
    locked.version += 1
    locked.save()
    _audit(Action.MEETING_COMPLETE, actor, locked, follow_up_on=follow_up_on.isoformat())
    plan_follow_up(actor=actor, meeting=locked)
    return locked


def plan_follow_up(*, actor: User, meeting: Meeting) -> Meeting:
    """Create the follow-up meeting on the agreed date, same time, place, facilitator and participants."""
    assert meeting.follow_up_on is not None
    start_local = timezone.localtime(meeting.starts_at)
    starts = timezone.make_aware(datetime.datetime.combine(meeting.follow_up_on, start_local.time()))
    follow = Meeting.objects.create(
        municipality_id=meeting.municipality_id,
        case=meeting.case,
        kind=follow_up_kind(meeting.kind),
        previous=meeting,
        purpose=_("Follow-up on the meeting of %(date)s: how are the agreements going, and what happens next?")
        % {"date": start_local.strftime("%d.%m.%Y")},
        child_participation=meeting.child_participation,
        starts_at=starts,
        ends_at=starts + (meeting.ends_at - meeting.starts_at),
        place=meeting.place,
        break_planned=meeting.break_planned,
        inviter=meeting.inviter,
        facilitator=meeting.facilitator,
        minute_taker=meeting.minute_taker,
        prep_with=meeting.prep_with,
        created_by=actor,
    )
    for p in speaking_order(meeting):
        Participant.objects.create(
            meeting=follow,
            person=p.person,
            user=p.user,
            role=p.role,
            name=p.name,
            relation=p.relation,
            email=p.email,
            phone=p.phone,
            address=p.address,
            delivery=p.delivery,
            speaking_order=p.speaking_order,
        )
    _audit(Action.MEETING_CREATE, actor, follow, kind=follow.kind, previous=str(meeting.public_id))
    return follow


@transaction.atomic
def cancel_meeting(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    locked = _locked(meeting)
    if not locked.is_open_for_planning:
        raise KredsError(_("Only a meeting that has not been held can be cancelled."))
    if not reason.strip():
        raise KredsError(_("Write why the meeting is cancelled."))
    locked.status = MeetingStatus.CANCELLED
    locked.cancelled_reason = reason.strip()
    locked.version += 1
    locked.save()
    for p in locked.participants.exclude(link=None).select_related("link"):
        assert p.link is not None
        links.revoke(p.link, reason="meeting cancelled")
    # Messages not yet sent must not go out with a dead link.
    Outbox.objects.filter(meeting=locked, sent_at__isnull=True).delete()
    _audit(Action.MEETING_CANCEL, actor, locked)
    return locked


# After the meeting -----------------------------------------------------------------------------------------


def approve_and_send_minutes(*, actor: User, meeting: Meeting) -> int:
    """Approve the minutes and send them to every participant (e-mail with PDF, and on their link)."""
    require_network_involvement_allowed(meeting.case, actor=actor, action_label=_("send the minutes"))
    return _approve_and_send_minutes(actor=actor, meeting=meeting)


@transaction.atomic
def _approve_and_send_minutes(*, actor: User, meeting: Meeting) -> int:
    locked = _locked(meeting)
    if locked.status != MeetingStatus.HELD:
        raise KredsError(_("Minutes can be sent once the meeting is completed, and only once."))
    now = timezone.now()
    locked.minutes_approved_at = locked.minutes_sent_at = now
    locked.minutes_approved_by = actor
    locked.status = MeetingStatus.MINUTES_SENT
    locked.version += 1
    locked.save()
    rows = []
    for p in speaking_order(locked):
        if p.role == ParticipantRole.CASEWORKER:
            continue
        ensure_link(p, actor=actor)
        if p.delivery == Delivery.EMAIL and p.email:
            row = _outbox(OutboxKind.MINUTES, f"minutes:{p.public_id}", meeting=locked, participant=p)
            if row:
                rows.append(row)
    _enqueue(rows)
    _audit(Action.MINUTES_SENT, actor, locked, emails=len(rows))
    return len(rows)


@transaction.atomic
def mark_journalised(*, actor: User, meeting: Meeting) -> Meeting:
    locked = _locked(meeting)
    if locked.status != MeetingStatus.MINUTES_SENT:
        raise KredsError(_("Send the minutes before journalising them."))
    locked.status = MeetingStatus.JOURNALISED
    locked.journalised_at = timezone.now()
    locked.journalised_by = actor
    locked.version += 1
    locked.save()
    _audit(Action.MEETING_JOURNALISE, actor, locked)
    return locked


# Through a participant's personal link ---------------------------------------------------------------------


def _link_audit(action: Action, participant: Participant, **details: Any) -> None:
    case = participant.meeting.case
    record(
        action,
        actor=None,
        actor_label=f"link:{participant.public_id}",
        municipality=case.municipality,
        object_type="meeting",
        object_id=str(participant.meeting.public_id),
        person_concerned=str(case.child.public_id),
        details=details,
    )


@transaction.atomic
def record_rsvp(*, participant: Participant, answer: str, message: str) -> Participant:
    if answer not in (Rsvp.YES, Rsvp.NO):
        raise KredsError(_("Choose whether you are coming."))
    if participant.meeting.is_held or participant.meeting.status == MeetingStatus.CANCELLED:
        raise KredsError(_("The meeting has already taken place."))
    participant.rsvp = answer
    participant.rsvp_message = message.strip()[:2000]
    participant.rsvp_at = timezone.now()
    participant.save(update_fields=["rsvp", "rsvp_message", "rsvp_at", "updated_at"])
    _link_audit(Action.MEETING_RSVP, participant, answer=answer)
    return participant


@transaction.atomic
def record_rsvp_by_staff(*, actor: User, participant: Participant, answer: str, message: str = "") -> Participant:
    """Staff record an answer they were given in person or by phone (e.g. on the coordinator's home visit)."""
    if answer not in (Rsvp.YES, Rsvp.NO, Rsvp.NONE):
        raise KredsError(_("Choose whether the person is coming."))
    meeting = _locked(participant.meeting)
    if not meeting.is_open_for_planning:
        raise KredsError(_("The meeting has already taken place."))
    participant.rsvp = answer
    if message.strip():
        participant.rsvp_message = message.strip()[:2000]
    participant.rsvp_at = timezone.now() if answer else None
    participant.save(update_fields=["rsvp", "rsvp_message", "rsvp_at", "updated_at"])
    _audit(Action.MEETING_RSVP_STAFF, actor, meeting, participant=str(participant.public_id), answer=answer)
    return participant


@transaction.atomic
def submit_evaluation(
    *,
    participant: Participant,
    scores: dict[str, int],
    comment: str,
    child_form: bool,
    plan_made: bool | None = None,
) -> Evaluation:
    """The participant's evaluation. After a family group conference ``scores`` also has ``plan_satisfaction``."""
    if not participant.meeting.is_held:
        raise KredsError(_("The evaluation opens after the meeting."))
    if Evaluation.objects.filter(participant=participant).exists():
        raise KredsError(_("You have already answered. Thank you!"))
    fields: tuple[str, ...] = ("heard", "knew_purpose", "realistic", "own_part_clear", "satisfaction")
    if participant.meeting.is_fgc:
        fields = (*fields, "plan_satisfaction")
    else:
        plan_made = None
    if any(not isinstance(scores.get(f), int) or not 1 <= scores[f] <= 5 for f in fields):
        raise KredsError(_("Answer every question."))
    evaluation = Evaluation.objects.create(
        participant=participant,
        child_form=child_form,
        comment=comment.strip()[:4000],
        plan_made=plan_made,
        **{f: scores[f] for f in fields},
    )
    _link_audit(Action.MEETING_EVALUATION, participant)
    return evaluation
