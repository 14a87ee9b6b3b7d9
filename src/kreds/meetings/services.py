"""Every write to meetings, with its rule, its Danish refusal and its audit event (DOMAIN §5).

Sending goes through the outbox (:func:`kreds.outbox.services.queue`; see :mod:`kreds.meetings.sending`): a row per
message with a unique key is created in the same transaction as the state change, so a retry, a second click or
a worker restart can never send the same message twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record, record_for_case
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.safety import require_network_involvement_allowed, safety_gate
from kreds.consent.constants import Category
from kreds.consent.services import sharing_decisions, sharing_facts
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.core.logging import CPR_LIKE
from kreds.core.workdays import holiday_name
from kreds.meetings import kinds
from kreds.meetings.constants import (
    MAX_MINUTES_WITHOUT_WARNING,
    AgreementStatus,
    ChildParticipation,
    Delivery,
    MeetingKind,
    MeetingStatus,
    MessageKind,
    ParticipantRole,
    Rsvp,
    follow_up_kind,
)
from kreds.meetings.models import Agreement, AgreementStatusChange, Evaluation, Meeting, Participant
from kreds.meetings.staffing import minute_taker_problem, neutrality_problem
from kreds.network.kinship import is_parent_relation
from kreds.network.models import NetworkPerson
from kreds.network.services import current_version
from kreds.outbox.constants import Channel, LetterDone
from kreds.outbox.models import Outbox
from kreds.outbox.services import queue
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
    MessageKind.INVITATION: (Category.MEETING_PRACTICAL, Category.PURPOSE_AND_SITUATION),
    MessageKind.CHANGE: (Category.MEETING_PRACTICAL,),
    MessageKind.CANCELLATION: (Category.MEETING_PRACTICAL,),
    MessageKind.RSVP_REMINDER: (Category.MEETING_PRACTICAL,),
    MessageKind.MINUTES: (Category.MINUTES,),
    MessageKind.SUMMARY: (Category.AGREEMENTS,),
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


def when(moment: datetime.datetime) -> str:
    """A moment as people say it, in the active language: 'tirsdag 10. marts 2026 kl. 10.00'."""
    local = timezone.localtime(moment)
    return _("%(date)s at %(time)s") % {"date": date_format(local, "l j. F Y"), "time": local.strftime("%H.%M")}


def has_begun(meeting: Meeting) -> bool:
    """The meeting's start time has come: what happens *at* the meeting can be recorded from then."""
    return timezone.now() >= meeting.starts_at


def date_warnings(meeting: Meeting) -> list[str]:
    """A day nobody meant: a planned meeting whose time has passed, a weekend, or a day the municipality is closed.

    Only warnings: a meeting may be planned on any day (a conference is often held when the family is free), but the
    field trial showed a default date on a Saturday and a meeting planned in the past slip through until inviting."""

    warnings: list[str] = []
    conference = meeting.is_fgc
    local = timezone.localtime(meeting.starts_at)
    day = local.date()
    formatted = date_format(local, "j. F Y")
    if meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now():
        warnings.append(
            (
                _("The conference's time has passed (%(when)s). Choose a new time before the invitations are sent.")
                if conference
                else _("The meeting's time has passed (%(when)s). Choose a new time before the invitations are sent.")
            )
            % {"when": when(meeting.starts_at)}
        )
    holiday = holiday_name(day)
    if holiday:
        warnings.append(
            (
                _("The conference is on %(holiday)s (%(date)s), when the municipality is closed. Check the date.")
                if conference
                else _("The meeting is on %(holiday)s (%(date)s), when the municipality is closed. Check the date.")
            )
            % {"holiday": holiday, "date": formatted}
        )
    elif day.weekday() >= 5:
        warnings.append(
            (
                _("The conference is on a %(weekday)s (%(date)s). Check that the day suits everyone.")
                if conference
                else _("The meeting is on a %(weekday)s (%(date)s). Check the date.")
            )
            % {"weekday": date_format(local, "l"), "date": formatted}
        )
    return warnings


def planning_warnings(meeting: Meeting) -> list[str]:
    """Things to reconsider that do not block (DOMAIN §5: at most 2 hours, with a break; a day nobody meant)."""
    warnings = date_warnings(meeting)
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
    """Change the plan. After invitations, a new time or place reaches everyone invited (DOMAIN §5): an e-mail with
    the updated calendar entry (same UID, next SEQUENCE) or a letter, and a new time resets the answers."""
    locked = _locked(meeting, expected_version)
    if not locked.is_open_for_planning:
        raise KredsError(_("The meeting has been held; its plan can no longer be changed."))
    clean = _validate_planning(locked.case, data)
    changed = [k for k, v in clean.items() if getattr(locked, k) != v]
    before = (locked.starts_at, locked.ends_at, locked.place)
    for key, value in clean.items():
        setattr(locked, key, value)
    moved = (locked.starts_at, locked.ends_at) != before[:2]
    new_place = locked.place.strip() != before[2].strip()
    details: dict[str, Any] = {"fields": changed}
    if locked.status == MeetingStatus.INVITED and (moved or new_place):
        locked.sequence += 1
        locked.changed_at = timezone.now()
        locked.was_starts_at, locked.was_ends_at, locked.was_place = before
        if moved:
            details["answers_reset"] = _reset_answers(locked)
        details["notified"] = _queue_for_invited(locked, MessageKind.CHANGE, f"change:{{p}}:{locked.sequence}")
    locked.version += 1
    locked.save()
    _audit(Action.MEETING_UPDATE, actor, locked, **details)
    return locked


def _reset_answers(meeting: Meeting) -> int:
    """A new time: 'coming' and 'not coming' no longer hold. Staff see the answers come in again."""
    return (
        meeting.participants.filter(removed_at__isnull=True)
        .exclude(rsvp=Rsvp.NONE)
        .update(rsvp=Rsvp.NONE, rsvp_message="", rsvp_at=None, updated_at=timezone.now())
    )


def was_told(meeting: Meeting) -> list[Participant]:
    """Participants who have received the invitation (e-mailed or the letter printed), not removed since."""
    told = set(
        Outbox.objects.filter(meeting=meeting, kind=MessageKind.INVITATION, sent_at__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    return [p for p in speaking_order(meeting) if p.pk in told or p.invited_at is not None]


def _queue_for_invited(meeting: Meeting, kind: MessageKind, key: str) -> dict[str, int]:
    """A message about the meeting itself to everyone who was told about it. Earlier unsent messages of the same
    kind are superseded; someone whose invitation has not gone out yet needs nothing (it will carry the news)."""
    Outbox.objects.filter(meeting=meeting, kind=kind, sent_at__isnull=True).delete()
    recipients = [p for p in was_told(meeting) if p.role != ParticipantRole.CASEWORKER]
    return queue_messages(kind, meeting, recipients, key)


def channel_for(participant: Participant) -> Channel:
    """E-mail when the participant gets e-mail and has an address; otherwise a letter to print or hand over."""
    return Channel.EMAIL if participant.delivery == Delivery.EMAIL and participant.email else Channel.LETTER


def queue_messages(
    kind: MessageKind,
    meeting: Meeting,
    participants: Iterable[Participant],
    key: str,
    *,
    send: bool = True,
    into: list[Outbox] | None = None,
) -> dict[str, int]:
    """One outbox row per participant (``key`` has ``{p}`` for the participant): e-mails are sent after commit
    (or by the caller: ``send=False``, rows collected ``into`` a list), letters wait to be printed."""
    counts = {"emails": 0, "letters": 0}
    for p in participants:
        row = queue(kind, key.format(p=p.public_id), participant=p, meeting=meeting, channel=channel_for(p), send=send)
        if row is not None:
            counts["emails" if row.channel == Channel.EMAIL else "letters"] += 1
            if into is not None:
                into.append(row)
    return counts


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
        elif person.pk in parent_ids or is_parent_relation(version.relation):  # a "mor" is a parent (issue 14 §9)
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


def sharing_problem(participant: Participant, kind: MessageKind) -> str:
    """Why ``kind`` may not go to ``participant`` (no consent covers it), or '': the facts are read once for all
    the kind's categories (each category used to read them again)."""
    return sharing_problems_by_kind(participant, [kind])[kind]


def sharing_problems_by_kind(participant: Participant, kinds: Iterable[MessageKind]) -> dict[MessageKind, str]:
    """:func:`sharing_problem` for one participant and several kinds of message, from one reading of the facts
    (a link page asks for the invitation, the minutes and the summary)."""
    wanted = list(kinds)
    if not _needs_consent(participant):
        return dict.fromkeys(wanted, "")
    person = participant.person
    assert person is not None
    facts = sharing_facts(case=participant.meeting.case, persons=[person])
    out = {}
    for kind in wanted:
        decision = facts.decide(person, CATEGORIES_FOR.get(kind, ()))
        out[kind] = "" if decision.allowed or not CATEGORIES_FOR.get(kind) else decision.reason
    return out


def sharing_problems(participants: Iterable[Participant], kind: MessageKind) -> dict[int, str]:
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
    """What must be in order before any invitation goes out (DOMAIN §4, §5; Barnets Lov § 18 stk. 3).

    Problems with one person (no address, no consent) do not stop the others' invitations: see
    :func:`not_invitable`.
    """
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
    invitees = _invitees(meeting)
    if not any(
        p.role in (ParticipantRole.PRIVATE, ParticipantRole.PARENT, ParticipantRole.PROFESSIONAL) for p in invitees
    ):
        problems.append(_("Choose participants from the network map."))
    if meeting.starts_at <= timezone.now():
        problems.append(_("The meeting's start time has passed. Change the time before inviting."))
    hooks = kinds.hooks_for(meeting)
    if hooks is not None:
        problems.extend(hooks.invitation_problems(meeting))
    return problems


def _invitees(meeting: Meeting) -> list[Participant]:
    return [p for p in meeting.participants.select_related("person") if p.needs_link and p.removed_at is None]


def not_invitable(meeting: Meeting) -> dict[int, str]:
    """Participants who cannot be invited now, by participant id, with the reason in Danish."""
    invitees = _invitees(meeting)
    reasons = sharing_problems(invitees, MessageKind.INVITATION)
    for p in invitees:
        if p.delivery == Delivery.EMAIL and not p.email:
            reasons[p.pk] = _("%(name)s has no e-mail address. Add one, or choose letter or hand delivery.") % {
                "name": p.name
            }
        elif p.delivery == Delivery.LETTER and not p.address:
            reasons[p.pk] = _("%(name)s has no postal address for the letter.") % {"name": p.name}
    return reasons


def link_expiry(meeting: Meeting) -> datetime.datetime:
    """The links work until N days after the meeting (or its follow-up day), counted on the local clock: the same
    moment whether the meeting's time was just typed (local) or read back from the database (UTC) — adding days to
    the two differs by an hour across a change to or from summer time."""
    last = timezone.localtime(meeting.starts_at)
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


@dataclass
class Invited:
    """What :func:`send_invitations` did: e-mails queued, letters due for printing, and who was left out and why."""

    emails: int = 0
    letters: int = 0
    not_invited: list[str] = field(default_factory=list)


def send_invitations(*, actor: User, meeting: Meeting) -> Invited:
    """Invite everyone not yet invited who may be invited; the others are listed with the reason."""
    # Outside the transaction, so the gate's audit event survives the refusal.
    require_network_involvement_allowed(meeting.case, actor=actor, action_label=_("send invitations"))
    return _send_invitations(actor=actor, meeting=meeting)


@transaction.atomic
def _send_invitations(*, actor: User, meeting: Meeting) -> Invited:
    locked = _locked(meeting)
    if not locked.is_open_for_planning:
        raise KredsError(_("The meeting has been held; invitations can no longer be sent."))
    problems = invitation_problems(locked)
    if problems:
        raise KredsError(_("Invitations were not sent:") + " " + " ".join(problems))
    skipped = not_invitable(locked)
    already = set(
        Outbox.objects.filter(meeting=locked, kind=MessageKind.INVITATION).values_list("participant_id", flat=True)
    )
    invitees = [p for p in _invitees(locked) if p.pk not in skipped]
    if not invitees and skipped:
        raise KredsError(_("Invitations were not sent:") + " " + " ".join(skipped.values()))
    for p in invitees:
        ensure_link(p, actor=actor)
    counts = queue_messages(MessageKind.INVITATION, locked, invitees, "invite:{p}")
    result = Invited(
        emails=counts["emails"],
        letters=counts["letters"],
        not_invited=[reason for pk, reason in skipped.items() if pk not in already],
    )
    if locked.status == MeetingStatus.PLANNED:
        locked.status = MeetingStatus.INVITED
        locked.version += 1
        locked.save()
    _audit(
        Action.MEETING_INVITE,
        actor,
        locked,
        emails=result.emails,
        letters=result.letters,
        not_invited=len(result.not_invited),
    )
    return result


def letters_due(meeting: Meeting, outbox: Iterable[Outbox] | None = None) -> list[Outbox]:
    """Letters decided but not yet printed (or handled otherwise), oldest first; from ``outbox`` (the meeting's
    rows with their participants, already read) when given."""
    if outbox is not None:
        due = [o for o in outbox if o.channel == Channel.LETTER and o.sent_at is None]
        return sorted(due, key=lambda o: (o.created_at, o.pk))
    return list(
        meeting.outbox.filter(channel=Channel.LETTER, sent_at__isnull=True)
        .select_related("participant__person")
        .order_by("created_at", "id")
    )


def letter_problems(meeting: Meeting, rows: Iterable[Outbox]) -> dict[int, str]:
    """:func:`letter_problem` for letters of one meeting, reading the sharing facts once for all of them (a
    meeting with many people without e-mail has many letters due)."""
    letters = list(rows)
    needing = [
        row.participant
        for row in letters
        if row.participant is not None
        and (row.participant.removed_at is None or row.kind == MessageKind.CANCELLATION)
        and _needs_consent(row.participant)
    ]
    persons = [p.person for p in needing if p.person is not None]
    facts = sharing_facts(case=meeting.case, persons=persons) if persons else None
    out = {}
    for row in letters:
        participant = row.participant
        assert participant is not None
        categories = CATEGORIES_FOR.get(MessageKind(row.kind), ())
        if participant.removed_at is not None and row.kind != MessageKind.CANCELLATION:
            out[row.pk] = _("%(name)s was removed from the meeting.") % {"name": participant.name}
        elif facts is None or not _needs_consent(participant) or not categories or participant.person is None:
            out[row.pk] = ""
        else:
            decision = facts.decide(participant.person, categories)
            out[row.pk] = "" if decision.allowed else decision.reason
    return out


def letter_problem(row: Outbox) -> str:
    """Why this letter may not be printed now (consent withdrawn, participant removed), or ''."""
    assert row.participant is not None
    return letter_problems(row.participant.meeting, [row])[row.pk]


@transaction.atomic
def record_letter_printed(*, actor: User, row: Outbox, printed: bool = True) -> Outbox:
    """A letter was printed (or the message was given another way: ``printed=False``). An invitation letter makes
    the participant invited; the letter leaves the list of letters due."""
    locked = Outbox.objects.select_for_update(of=("self",)).select_related("participant").get(pk=row.pk)
    assert locked.participant is not None and locked.meeting_id is not None
    if locked.channel != Channel.LETTER:
        raise KredsError(_("This message goes by e-mail."))
    if locked.sent_at is None:
        locked.sent_at = timezone.now()
        locked.letter_done = LetterDone.PRINTED if printed else LetterDone.SKIPPED
        locked.handled_by = actor
        locked.save(update_fields=["sent_at", "letter_done", "handled_by"])
    participant = locked.participant
    if locked.kind == MessageKind.INVITATION and participant.invited_at is None:
        participant.invited_at = locked.sent_at
        participant.save(update_fields=["invited_at", "updated_at"])
    meeting = Meeting.objects.select_related("case").get(pk=locked.meeting_id)
    _audit(
        Action.MEETING_LETTER,
        actor,
        meeting,
        participant=str(participant.public_id),
        kind=locked.kind,
        printed=printed,
    )
    return locked


def record_letter_withheld(*, actor: User, row: Outbox, reason: str) -> None:
    """A letter that would tell its recipient a protected detail they must not learn (issue 18): not made, the
    reason kept on the letter for the meeting page, and the refusal audited (never the value)."""
    locked = Outbox.objects.select_for_update(of=("self",)).select_related("participant").get(pk=row.pk)
    locked.last_error = reason[:300]
    locked.save(update_fields=["last_error"])
    assert locked.meeting_id is not None  # a letter is always about a meeting
    meeting = Meeting.objects.select_related("case").get(pk=locked.meeting_id)
    _audit(
        Action.PROTECTION_SEND_REFUSED,
        actor,
        meeting,
        participant=str(locked.participant.public_id) if locked.participant else "",
        kind=locked.kind,
        reason=reason,
    )


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


def _present_from(order: list[Participant], start: int, direction: int) -> int | None:
    """The first position from ``start`` (itself included) in ``direction``, round the order, of someone not
    recorded as absent; None when everyone is absent. Not yet recorded counts as present: people arrive."""
    for offset in range(len(order)):
        position = (start + direction * offset) % len(order)
        if order[position].attended is not False:
            return position
    return None


def current_speaker(meeting: Meeting, order: list[Participant] | None = None) -> Participant | None:
    """Who has the floor: the participant at the meeting's position, or, when they are recorded as absent, the next
    one present. Nobody when everyone is absent."""
    order = speaking_order(meeting) if order is None else order
    if not order:
        return None
    position = _present_from(order, meeting.speaker_position % len(order), 1)
    return None if position is None else order[position]


def next_speaker(meeting: Meeting, order: list[Participant] | None = None) -> Participant | None:
    """Who gets the floor after the current speaker (absent participants are skipped); None if nobody else."""
    order = speaking_order(meeting) if order is None else order
    current = current_speaker(meeting, order)
    if current is None:
        return None
    position = _present_from(order, order.index(current) + 1, 1)
    following = None if position is None else order[position]
    return None if following is None or following.pk == current.pk else following


@transaction.atomic
def set_speaker(*, actor: User, meeting: Meeting, step: int) -> Participant | None:
    """Advance (+1) or go back (-1) in the fixed speaking order; wraps round for the next round. Participants
    recorded as absent are skipped; when everyone is absent, nobody has the floor (None)."""
    locked = _locked(meeting)
    _require_running(locked)
    order = speaking_order(locked)
    current = current_speaker(locked, order)
    if current is None:
        return None
    direction = -1 if step < 0 else 1
    position = _present_from(order, order.index(current) + direction, direction)
    assert position is not None  # the current speaker is present
    locked.speaker_position = position
    locked.save(update_fields=["speaker_position", "updated_at"])
    return order[position]


@transaction.atomic
def set_attendance(*, actor: User, meeting: Meeting, attended: dict[int, bool]) -> None:
    locked = _locked(meeting)
    _require_running(locked)
    if timezone.localtime(locked.starts_at).date() > timezone.localdate():
        # On the day, before the start, people are ticked off as they arrive; not days ahead.
        raise KredsError(
            _("Attendance is recorded on the day of the meeting (%(date)s).")
            % {"date": date_format(timezone.localtime(locked.starts_at), "j. F Y")}
        )
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
    if not has_begun(locked):
        raise KredsError(
            _("Agreements are made at the meeting, which begins %(when)s.") % {"when": when(locked.starts_at)}
        )
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
        if not has_begun(at_meeting):
            raise KredsError(
                _("The agreements are reviewed at the meeting, which begins %(when)s.")
                % {"when": when(at_meeting.starts_at)}
            )
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
    if not has_begun(locked):
        raise KredsError(
            _("The meeting begins %(when)s. It can be completed once it has begun.") % {"when": when(locked.starts_at)}
        )
    if follow_up_on is None:
        raise KredsError(_("Agree the date of the follow-up meeting before completing the meeting."))
    meeting_day = timezone.localtime(locked.starts_at).date()
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


def who_completes(meeting: Meeting) -> str:
    """Who may mark the meeting as held, in words for someone who may not (the ``meeting.run`` policy: the
    meeting's facilitator or minute taker; for a conference, its coordinator, who is the meeting's facilitator)."""
    facilitator = meeting.facilitator.get_full_name() if meeting.facilitator else ""
    minute_taker = meeting.minute_taker.get_full_name() if meeting.minute_taker else ""
    if meeting.minute_taker_id == meeting.facilitator_id:
        minute_taker = ""
    if meeting.is_fgc:
        if facilitator:
            return _("The coordinator, %(name)s, completes the conference on the conference screen.") % {
                "name": facilitator
            }
        return _("The coordinator completes the conference on the conference screen. No coordinator is allocated yet.")
    if facilitator and minute_taker:
        return _(
            "The meeting is marked as held on the meeting screen by its facilitator, %(facilitator)s, or its minute "
            "taker, %(minute_taker)s."
        ) % {"facilitator": facilitator, "minute_taker": minute_taker}
    if facilitator:
        return _("The meeting is marked as held on the meeting screen by its facilitator, %(facilitator)s.") % {
            "facilitator": facilitator
        }
    if minute_taker:
        return _(
            "The meeting is marked as held on the meeting screen by its minute taker, %(minute_taker)s. No "
            "facilitator is chosen yet."
        ) % {"minute_taker": minute_taker}
    return _(
        "Only the meeting's facilitator or minute taker can mark it as held, and neither is chosen yet. Choose them "
        "under Edit plan."
    )


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
def cancel_meeting(*, actor: User, meeting: Meeting, reason: str, message: str = "") -> Meeting:
    """Cancel a meeting that has not been held. Everyone who was invited is told (e-mail with a calendar
    cancellation, or a letter); their personal pages say the meeting is cancelled. ``reason`` stays internal;
    ``message`` goes to the participants."""
    locked = _locked(meeting)
    if not locked.is_open_for_planning:
        raise KredsError(_("Only a meeting that has not been held can be cancelled."))
    if not reason.strip():
        raise KredsError(_("Write why the meeting is cancelled."))
    _no_cpr(message=message)
    told = locked.status == MeetingStatus.INVITED
    locked.status = MeetingStatus.CANCELLED
    locked.cancelled_reason = reason.strip()
    locked.cancel_message = message.strip()
    locked.cancelled_at = timezone.now()
    if told:
        locked.sequence += 1
    locked.version += 1
    locked.save()
    # Messages not yet sent or printed are moot: an invitation nobody has received needs no cancellation.
    Outbox.objects.filter(meeting=locked, sent_at__isnull=True).delete()
    notified = _queue_for_invited(locked, MessageKind.CANCELLATION, "cancel:{p}") if told else {}
    # The links keep working for a while, so the participants can read that the meeting is cancelled.
    until = timezone.now() + datetime.timedelta(days=settings.PARTICIPANT_LINK_DAYS_AFTER_CANCEL)
    for p in locked.participants.exclude(link=None).select_related("link"):
        assert p.link is not None
        links.shorten(p.link, until)
    _audit(Action.MEETING_CANCEL, actor, locked, notified=notified)
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
    recipients = [p for p in speaking_order(locked) if p.role != ParticipantRole.CASEWORKER]
    for p in recipients:
        ensure_link(p, actor=actor)
    counts = queue_messages(MessageKind.MINUTES, locked, recipients, "minutes:{p}")
    _audit(Action.MINUTES_SENT, actor, locked, **counts)
    return counts["emails"]


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


# The child's version of the minutes (issue 14) --------------------------------------------------------------


@transaction.atomic
def set_child_minutes(*, actor: User, meeting: Meeting, full: bool) -> Meeting:
    """The caseworker decides whether the child's link and letter give the full minutes (``full``) or the child's
    short version (the default). Only staff who may plan the meeting decide; a conference has no child version."""

    locked = _locked(meeting)
    if not can(actor, "meeting.plan", locked):
        raise KredsError(_("Only the caseworkers on the case can decide what the child receives."))
    if locked.is_fgc:
        raise KredsError(_("The family's plan from a family group conference has no child version."))
    if locked.status == MeetingStatus.CANCELLED:
        raise KredsError(_("The meeting is cancelled."))
    if locked.child_gets_full_minutes != full:
        locked.child_gets_full_minutes = full
        locked.version += 1
        locked.save()
    _audit(Action.MEETING_UPDATE, actor, locked, child_gets_full_minutes=full)
    return locked
