"""Demo network meetings (DOMAIN §5, §14; issue 4): every state of a meeting's course, each on its own case.

Everything is built through :mod:`kreds.meetings.services`, as a caseworker and the neutral facilitator would do
it on the screens. Services refuse to invite to a meeting in the past and to complete a meeting before its day,
so a meeting that lies in the past is planned and invited while it is still ahead, then moved back to its real
day; the timestamps the services set to "now" (invited, answered, held, minutes sent, journalised) are then
moved back with ``.update()`` so the course reads like history, and the "minutes sent within 2 working days"
figure has both an on-time and a late example. The messages of that history are marked as sent at the time they
would have gone out; what belongs to the present (the invitations to the follow-up meeting in ten days and its
agreement summary) is left for ``run_worker`` to send.

The states, each on a different case and spread over the caseworkers:

* ``planned``: planned with the preparation conversation recorded; one private participant has no consent
  yet, so "Before the invitations can go out" shows the refusal;
* ``invited``: invitations sent, some answers (yes, and no with a message), one participant invited by letter;
* ``on_time``: held, minutes sent within 2 working days, 3–5 agreements, evaluations including the child's;
* ``late``: held, minutes sent 5 working days late, agreements overdue and still open;
* ``unsent``: held on the last working day, minutes not sent yet;
* ``summary_due``: a follow-up meeting in 10 days, invited, with the 14-day agreement summary queued;
* ``follow_up_held``: a follow-up meeting that reviewed every agreement (done / in progress / not done),
  set the next follow-up and was journalised;
* ``cancelled``: an invited meeting that was cancelled.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone, translation

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.consent.constants import Category
from kreds.consent.services import give_consent
from kreds.core.workdays import add_working_days, is_working_day
from kreds.demo.common import age as _age
from kreds.demo.common import at as _at
from kreds.demo.common import demo_email, genitive, texts
from kreds.meetings import services
from kreds.meetings.constants import (
    AgreementStatus,
    ChildParticipation,
    Delivery,
    MessageKind,
    ParticipantRole,
    Rsvp,
)
from kreds.meetings.models import Agreement, AgreementStatusChange, Evaluation, Meeting, Participant
from kreds.meetings.staffing import minute_taker_problem, neutrality_problem
from kreds.meetings.tasks import queue_summaries
from kreds.network.constants import ConsentGiverRole, Quality
from kreds.network.models import NetworkPersonVersion
from kreds.network.selectors import persons_as_of
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_outbox
from kreds.tenancy.models import Municipality

PARENT_RELATIONS = ("mor", "far")
TIMES = [(9, 0), (9, 30), (13, 0), (14, 0)]
PHASES = ("descriptive", "reflective", "agreements")
# The words (texts/meetings.toml). A theme is a meeting's purpose, its notes by phase and its agreements
# ("list": who, what, days after the meeting); a follow-up meeting has notes and agreements of the same shape.
Theme = dict[str, Any]
TEXTS = texts("meetings")
PLACES: list[str] = TEXTS["places"]
YOUTH_PLACE: str = TEXTS["youth_place"]
LETTER_ADDRESSES: list[str] = TEXTS["letter_addresses"]
THEMES: dict[str, list[Theme]] = TEXTS["themes"]
CHILD_PREP: dict[str, str] = TEXTS["child_prep"]
RSVP_YES: list[str] = TEXTS["rsvp_yes"]
RSVP_NO: list[str] = TEXTS["rsvp_no"]
ADULT_COMMENTS: list[str] = TEXTS["adult_comments"]
CHILD_COMMENTS: list[str] = TEXTS["child_comments"]
REVIEW_COMMENTS: dict[str, list[str]] = TEXTS["review_comments"]
FOLLOW_UP: Theme = TEXTS["follow_up"]
CANCEL_REASONS: list[str] = TEXTS["cancel_reasons"]


@dataclass
class _Cast:
    """One case and the people its meetings are held with."""

    case: Case
    owner: User
    facilitator: User
    minute_taker: User | None
    parents: list[NetworkPersonVersion]
    private: list[NetworkPersonVersion]
    professionals: list[NetworkPersonVersion]
    theme: Theme
    words: dict[str, str] = field(default_factory=dict)

    def text(self, template: str) -> str:
        return template.format(**self.words)


@dataclass
class _Seeder:
    rng: random.Random
    facilitators: list[User]
    minute_taker: User | None
    now: datetime.datetime = field(default_factory=timezone.now)
    made: int = 0

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)


# Dates ------------------------------------------------------------------------------------------------------


def _back(day: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day before ``day``."""
    while n:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def _working(day: datetime.date) -> datetime.date:
    """``day``, or the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


# People -----------------------------------------------------------------------------------------------------


def _first(version: NetworkPersonVersion | None, fallback: str) -> str:
    return version.name.split()[0] if version else fallback


def _words(cast: _Cast, age: int) -> dict[str, str]:
    child = cast.case.child
    pronouns = {"girl": ("hun", "hende", "hendes"), "boy": ("han", "ham", "hans")}.get(
        child.gender, ("hen", "hen", "hens")
    )
    institution = "vuggestuen" if age < 3 else "børnehaven" if age < 6 else "skolen"
    words = {
        "barn": child.first_name,
        "barns": genitive(child.first_name),
        "han": pronouns[0],
        "ham": pronouns[1],
        "hans": pronouns[2],
        "inst": institution,
        "foraelder": _first(cast.parents[0] if cast.parents else None, "forældrene"),
        "net1": _first(cast.private[0] if cast.private else None, "netværket"),
        "net2": _first(cast.private[1] if len(cast.private) > 1 else None, "netværket"),
        "fag": _first(cast.professionals[0], "") if cast.professionals else institution,
        "raadgiver": cast.owner.first_name or cast.owner.get_full_name(),
    }
    return words | {key.capitalize(): value[:1].upper() + value[1:] for key, value in words.items()}


@dataclass(frozen=True)
class _Map:
    """A case's map as the demo needs it: who is on it now, and since when."""

    now: list[NetworkPersonVersion]
    since: dict[int, datetime.datetime]

    @classmethod
    def of(cls, case: Case) -> _Map:
        firsts = (
            NetworkPersonVersion.objects.filter(person__map__case=case)
            .values("person_id")
            .annotate(first=Min("valid_from"))
        )
        return cls(persons_as_of(case), {row["person_id"]: row["first"] for row in firsts})

    def people(
        self, at: datetime.datetime
    ) -> tuple[list[NetworkPersonVersion], list[NetworkPersonVersion], list[NetworkPersonVersion]]:
        """Parents (one mor, one far), up to three private and two professional persons, on the map since ``at``.

        People on the map now who were added before ``at`` have been on it since (the demo never re-adds anyone).
        """
        present = [v for v in self.now if self.since[v.person_id] <= at]
        parents: list[NetworkPersonVersion] = []
        for relation in PARENT_RELATIONS:
            found = next((v for v in present if not v.is_professional and v.relation == relation), None)
            if found:
                parents.append(found)
        taken = {v.person_id for v in parents}
        private = sorted(
            (
                v
                for v in present
                if not v.is_professional
                and v.person_id not in taken
                and v.quality in (Quality.SUPPORTIVE, Quality.AMBIVALENT)
            ),
            key=lambda v: (v.ring, v.name),
        )[:3]
        professionals = [v for v in present if v.is_professional][:2]
        return parents, private, professionals


# Steps ------------------------------------------------------------------------------------------------------


def _meeting(pk: int) -> Meeting:
    return Meeting.objects.select_related("case__child").get(pk=pk)


def _by_role(meeting: Meeting) -> dict[str, list[Participant]]:
    """Participants coming, by role, fresh from the database (services lock and change the meeting as they go)."""
    out: dict[str, list[Participant]] = {role: [] for role in ParticipantRole.values}
    people = Participant.objects.filter(meeting_id=meeting.pk, removed_at__isnull=True).exclude(rsvp=Rsvp.NO)
    for p in people.order_by("speaking_order", "id"):
        out[p.role].append(p)
    return out


def _who(meeting: Meeting, key: str) -> Participant | None:
    """The participant an agreement is for; the child's and a professional's own tasks are never handed on."""
    roles = _by_role(meeting)
    private = roles[ParticipantRole.PRIVATE]
    choices: dict[str, list[Participant]] = {
        "parent": roles[ParticipantRole.PARENT] + private,
        "net1": private[:1] + roles[ParticipantRole.PARENT],
        "net2": private[1:2] + private[:1] + roles[ParticipantRole.PARENT],
        "fag": roles[ParticipantRole.PROFESSIONAL],
        "child": roles[ParticipantRole.CHILD],
        "caseworker": roles[ParticipantRole.CASEWORKER],
    }
    found = choices[key]
    return found[0] if found else None


def _move(meeting: Meeting, start: datetime.datetime) -> Meeting:
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + (meeting.ends_at - meeting.starts_at))
    return _meeting(meeting.pk)


def _child_participation(age: int, rng: random.Random) -> ChildParticipation:
    if age < 5:
        return ChildParticipation.NOT
    if age < 9:
        return ChildParticipation.PART
    if age < 13:
        return rng.choice([ChildParticipation.PART, ChildParticipation.IN_PERSON])
    return ChildParticipation.IN_PERSON


def _plan(
    seeder: _Seeder,
    cast: _Cast,
    start: datetime.datetime,
    *,
    minutes: int = 120,
    prep_on: datetime.date,
    participation: ChildParticipation | None = None,
    letter: bool = False,
    without_consent: bool = False,
) -> Meeting:
    """Plan the meeting (placed in the future while it is planned), add people, their contact details and consent."""
    age = _age(cast.case, seeder.today)
    participation = participation or _child_participation(age, seeder.rng)
    chosen = cast.parents + cast.private + cast.professionals
    child = cast.words["barn"]
    private_names = ", ".join(v.name for v in cast.private) or "ingen fra det private netværk endnu"
    prep_who = f"{child} og familien har selv valgt, hvem fra netværket der skal med: {private_names}."
    if cast.professionals:
        prep_who += " " + ", ".join(f"{v.name} ({v.professional_role or v.relation})" for v in cast.professionals)
        prep_who += f" inviteres, fordi de kender {child} fra hverdagen."
    prep_information = (
        "Mødets formål, tid og sted og navnene på de inviterede. Familien har givet samtykke til, at netværket "
        "må få referatet og aftalerne. Oplysninger om helbred og økonomi deles ikke."
    )
    if without_consent and cast.private:
        prep_information += (
            f" Samtykket til at dele med {cast.private[-1].name} mangler stadig; det tales der om ved næste "
            "hjemmebesøg."
        )
    place = YOUTH_PLACE if age >= 13 else seeder.rng.choice(PLACES)
    planned_start = (
        start if start > seeder.now + datetime.timedelta(hours=1) else _at(seeder.today, 9) + datetime.timedelta(days=7)
    )
    with_people = [cast.words["barn"]] if participation != ChildParticipation.NOT else []
    with_people += [v.name for v in cast.parents] or ["forældrene"]
    data = {
        "purpose": cast.text(str(cast.theme["purpose"])),
        "prep_held_on": prep_on,
        "prep_with": ", ".join(with_people) + f" og {cast.owner.get_full_name()}",
        "prep_who": prep_who,
        "prep_information": prep_information,
        "prep_child": cast.text(CHILD_PREP.get(participation, CHILD_PREP[ChildParticipation.PART])),
        "child_participation": participation,
        "starts_at": planned_start,
        "ends_at": planned_start + datetime.timedelta(minutes=minutes),
        "place": place,
        "break_planned": True,
        "inviter": cast.owner.get_full_name(),
        "facilitator": cast.facilitator,
        "minute_taker": cast.minute_taker,
    }
    meeting = services.create_meeting(actor=cast.owner, case=cast.case, data=data)
    services.add_participants(
        actor=cast.owner, meeting=meeting, persons=[v.person for v in chosen], parents=[v.person for v in cast.parents]
    )
    letter_person = cast.private[0].person_id if letter and cast.private else None
    for p in Participant.objects.filter(meeting=meeting, person__isnull=False):
        if p.person_id == letter_person:
            contact = {"delivery": Delivery.LETTER, "address": seeder.rng.choice(LETTER_ADDRESSES), "email": ""}
        elif p.role == ParticipantRole.PARENT:
            contact = {"delivery": Delivery.EMAIL, "email": demo_email(p.name), "address": cast.case.child.address}
        else:
            contact = {"delivery": Delivery.EMAIL, "email": demo_email(p.name)}
        services.update_participant(actor=cast.owner, participant=p, data=contact)
    recipients = cast.private[:-1] if without_consent else cast.private
    if recipients:
        young = age >= 15
        giver = cast.case.child if young else None
        give_consent(
            actor=cast.owner,
            case=cast.case,
            given_by=giver.full_name
            if giver
            else (f"{cast.parents[0].name} ({cast.parents[0].relation})" if cast.parents else "Forældrene"),
            role=ConsentGiverRole.YOUNG_PERSON if young else ConsentGiverRole.PARENT_WITH_CUSTODY,
            categories=list(Category.values),
            recipients=[v.person for v in recipients],
            purpose="Netværksmøde, referat, aftaler og opfølgning",
            given_on=min(prep_on, seeder.today),
        )
    seeder.made += 1
    return _meeting(meeting.pk)


def _invite(
    seeder: _Seeder, cast: _Cast, meeting: Meeting, start: datetime.datetime, *, at: datetime.datetime | None
) -> Meeting:
    """Invite while the meeting lies ahead, then move it to ``start``. ``at``: when the invitations went out
    (history: the messages are marked as sent then); None leaves them for the worker to send now."""
    if meeting.starts_at <= seeder.now:
        meeting = _move(meeting, _at(seeder.today, 9) + datetime.timedelta(days=7))
    services.send_invitations(actor=cast.owner, meeting=meeting)
    for row in services.letters_due(meeting):
        if (
            row.kind == MessageKind.INVITATION
            and row.participant is not None
            and row.participant.delivery == Delivery.LETTER
        ):
            services.record_letter_printed(actor=cast.owner, row=row)
    if at is not None:
        rows = Outbox.objects.filter(meeting=meeting, kind=MessageKind.INVITATION)
        rows.filter(sent_at__isnull=True).update(sent_at=at, attempts=1)
        Participant.objects.filter(meeting=meeting).filter(
            Q(pk__in=rows.values("participant_id")) | Q(invited_at__isnull=False)
        ).update(invited_at=at)
        Meeting.objects.filter(pk=meeting.pk).update(created_at=at - datetime.timedelta(days=3))
    return _move(meeting, start) if start != meeting.starts_at else _meeting(meeting.pk)


def _answer(seeder: _Seeder, cast: _Cast, meeting: Meeting, *, decline: bool, at: datetime.datetime | None) -> None:
    """Most parents and network members answer yes, some not yet; with ``decline`` the last of the private network
    (or a professional) answers no with a message."""
    invitees = [
        p
        for p in Participant.objects.filter(meeting=meeting, removed_at__isnull=True, person__isnull=False)
        if p.delivery == Delivery.EMAIL
    ]
    roles = _by_role(meeting)
    private, professionals = roles[ParticipantRole.PRIVATE], roles[ParticipantRole.PROFESSIONAL]
    no = private[-1] if len(private) > 1 else professionals[-1] if professionals else None
    for i, p in enumerate(invitees):
        if decline and no is not None and p.pk == no.pk:
            services.record_rsvp(participant=p, answer=Rsvp.NO, message=cast.text(seeder.rng.choice(RSVP_NO)))
        elif i % 3 != 2:
            services.record_rsvp(participant=p, answer=Rsvp.YES, message=seeder.rng.choice(RSVP_YES))
        else:
            continue
        if at is not None:
            when = at + datetime.timedelta(days=1 + i % 4, hours=seeder.rng.randint(1, 9))
            Participant.objects.filter(pk=p.pk).update(rsvp_at=when)


def _hold(
    seeder: _Seeder,
    cast: _Cast,
    meeting: Meeting,
    *,
    notes: dict[str, str],
    agreements: list[tuple[str, str, int]],
    follow_up_on: datetime.date,
    review: list[AgreementStatus] | None = None,
) -> Meeting:
    """The facilitator records attendance, the three phases and the agreements, and completes the meeting."""
    facilitator = cast.facilitator
    attended = {
        p.pk: p.rsvp != Rsvp.NO
        and not (p.role == ParticipantRole.CHILD and meeting.child_participation == ChildParticipation.WRITTEN)
        for p in services.speaking_order(meeting)
    }
    services.set_attendance(actor=facilitator, meeting=meeting, attended=attended)
    meeting = services.save_notes(
        actor=facilitator,
        meeting=meeting,
        notes={phase: cast.text(text) for phase, text in notes.items()},
        authority_declared=True,
        expected_version=_meeting(meeting.pk).version,
    )
    held_at = meeting.ends_at + datetime.timedelta(minutes=10)
    if review is not None:
        for i, agreement in enumerate(services.agreements_to_review(meeting)):
            status = review[i % len(review)]
            services.set_agreement_status(
                actor=facilitator,
                agreement=agreement,
                status=status,
                comment=cast.text(seeder.rng.choice(REVIEW_COMMENTS[status])),
                at_meeting=_meeting(meeting.pk),
            )
        AgreementStatusChange.objects.filter(reviewed_at_meeting=meeting).update(changed_at=meeting.starts_at)
        Agreement.objects.filter(history__reviewed_at_meeting=meeting).update(updated_at=held_at)
    meeting_day = timezone.localtime(meeting.starts_at).date()
    for key, what, days in agreements:
        responsible = _who(meeting, key)
        if responsible is None:
            continue
        services.add_agreement(
            actor=facilitator,
            meeting=meeting,
            responsible=responsible,
            what=cast.text(what),
            due_on=meeting_day + datetime.timedelta(days=days),
        )
    if meeting.is_follow_up and meeting.summary_queued_at is None:  # the worker sent the summary 14 days before
        Meeting.objects.filter(pk=meeting.pk).update(summary_queued_at=meeting.starts_at - datetime.timedelta(days=14))
    services.complete_meeting(actor=facilitator, meeting=_meeting(meeting.pk), follow_up_on=follow_up_on)
    _refine_follow_up(seeder, cast, Meeting.objects.get(previous_id=meeting.pk), meeting, prepared=False)
    Meeting.objects.filter(pk=meeting.pk).update(held_at=held_at)
    Meeting.objects.filter(previous_id=meeting.pk).update(created_at=held_at)
    Agreement.objects.filter(meeting=meeting).update(created_at=held_at, updated_at=held_at)
    AgreementStatusChange.objects.filter(agreement__meeting=meeting, reviewed_at_meeting=meeting).update(
        changed_at=held_at
    )
    seeder.made += 1  # the follow-up meeting planned by complete_meeting
    return _meeting(meeting.pk)


def _evaluate(seeder: _Seeder, cast: _Cast, meeting: Meeting, *, adults: int) -> None:
    """The child (smileys: 1, 3 or 5) and some of the adults who attended answer the evaluation."""
    answered = 0
    for p in Participant.objects.filter(meeting=meeting, attended=True).exclude(role=ParticipantRole.CASEWORKER):
        child = p.role == ParticipantRole.CHILD
        if not child and answered >= adults:
            continue
        if child:
            scores = {f: seeder.rng.choice([3, 5, 5]) for f in ("heard", "knew_purpose", "realistic", "own_part_clear")}
            scores["satisfaction"] = 5
            comment = cast.text(seeder.rng.choice(CHILD_COMMENTS))
        else:
            scores = {
                f: seeder.rng.choice([3, 4, 4, 5, 5])
                for f in ("heard", "knew_purpose", "realistic", "own_part_clear", "satisfaction")
            }
            comment = seeder.rng.choice(ADULT_COMMENTS)
            answered += 1
        services.submit_evaluation(participant=p, scores=scores, comment=comment, child_form=child)
    when = (meeting.held_at or seeder.now) + datetime.timedelta(days=1, hours=3)
    Evaluation.objects.filter(participant__meeting=meeting).update(created_at=when, updated_at=when)


def _send_minutes(cast: _Cast, meeting: Meeting, sent_at: datetime.datetime) -> Meeting:
    services.approve_and_send_minutes(actor=cast.facilitator, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(minutes_approved_at=sent_at, minutes_sent_at=sent_at)
    Outbox.objects.filter(meeting=meeting, kind=MessageKind.MINUTES, sent_at__isnull=True).update(
        sent_at=sent_at + datetime.timedelta(minutes=2), attempts=1
    )
    return _meeting(meeting.pk)


def _journalise(cast: _Cast, meeting: Meeting, at: datetime.datetime) -> Meeting:
    services.mark_journalised(actor=cast.owner, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(journalised_at=at)
    return _meeting(meeting.pk)


# (working days after the meeting, hour, minute)
After = tuple[int, int, int]


def _wrap_up(
    seeder: _Seeder, cast: _Cast, meeting: Meeting, *, adults: int, sent: After, journalised: After | None = None
) -> Meeting:
    """After a held meeting: the evaluations come in, the minutes are sent and (maybe) the meeting is journalised."""
    _evaluate(seeder, cast, meeting, adults=adults)
    held_on = timezone.localtime(meeting.starts_at).date()
    meeting = _send_minutes(cast, meeting, _at(add_working_days(held_on, sent[0]), sent[1], sent[2]))
    if journalised is not None:
        day, hour, minute = journalised
        meeting = _journalise(cast, meeting, _at(add_working_days(held_on, day), hour, minute))
    return meeting


def _notes(theme: Theme) -> dict[str, str]:
    return {phase: str(theme[phase]) for phase in PHASES}


def _agreements(theme: Theme) -> list[tuple[str, str, int]]:
    return [(str(who), str(what), int(days)) for who, what, days in theme["list"]]


def _start(seeder: _Seeder, day: datetime.date) -> datetime.datetime:
    hour, minute = seeder.rng.choice(TIMES)
    return _at(day, hour, minute)


# The states -------------------------------------------------------------------------------------------------


def _invited_and_held(
    seeder: _Seeder,
    cast: _Cast,
    meeting: Meeting,
    start: datetime.datetime,
    invited: datetime.datetime,
    theme: Theme,
    *,
    decline: bool,
    follow_up_on: datetime.date,
    review: list[AgreementStatus] | None = None,
) -> Meeting:
    """Invitations sent at ``invited`` and answered (``decline``: one says no), then held at ``start`` on ``theme``."""
    meeting = _invite(seeder, cast, meeting, start, at=invited)
    _answer(seeder, cast, meeting, decline=decline, at=invited)
    return _hold(
        seeder,
        cast,
        _meeting(meeting.pk),
        notes=_notes(theme),
        agreements=_agreements(theme),
        follow_up_on=follow_up_on,
        review=review,
    )


def _held_meeting(
    seeder: _Seeder,
    cast: _Cast,
    worked_days_ago: int,
    follow_up_on: datetime.date,
    *,
    participation: ChildParticipation | None = None,
    absent: bool = True,
) -> Meeting:
    """A first network meeting held ``worked_days_ago`` working days ago, invited two weeks before."""
    day = _back(seeder.today, worked_days_ago)
    start = _start(seeder, day)
    invited = start - datetime.timedelta(days=15)
    meeting = _plan(
        seeder, cast, start, prep_on=(invited - datetime.timedelta(days=4)).date(), participation=participation
    )
    return _invited_and_held(
        seeder, cast, meeting, start, invited, cast.theme, decline=absent, follow_up_on=follow_up_on
    )


def _held_follow_up(
    seeder: _Seeder,
    cast: _Cast,
    previous: Meeting,
    start: datetime.datetime | None,
    *,
    follow_up_on: datetime.date,
    review: list[AgreementStatus],
) -> Meeting:
    """The follow-up planned at ``previous``: its purpose written, invited 16 days before ``start`` (None: the day
    ``previous`` agreed on) and held then, reviewing the agreements."""
    follow_up = _refine_follow_up(seeder, cast, Meeting.objects.get(previous=previous), previous)
    start = start or follow_up.starts_at
    invited = start - datetime.timedelta(days=16)
    return _invited_and_held(
        seeder, cast, follow_up, start, invited, FOLLOW_UP, decline=False, follow_up_on=follow_up_on, review=review
    )


def _state_planned(seeder: _Seeder, cast: _Cast) -> None:
    start = _at(add_working_days(seeder.today, 15), 9)
    _plan(seeder, cast, start, minutes=150, prep_on=_back(seeder.today, 3), without_consent=True)


def _state_invited(seeder: _Seeder, cast: _Cast) -> None:
    start = _start(seeder, add_working_days(seeder.today, 6))
    invited = seeder.now - datetime.timedelta(days=5)
    meeting = _plan(seeder, cast, start, prep_on=(invited - datetime.timedelta(days=3)).date(), letter=True)
    meeting = _invite(seeder, cast, meeting, start, at=invited)
    _answer(seeder, cast, meeting, decline=True, at=invited)


def _state_on_time(seeder: _Seeder, cast: _Cast) -> None:
    meeting = _held_meeting(seeder, cast, 12, _working(seeder.today + datetime.timedelta(days=40)))
    meeting = _wrap_up(seeder, cast, meeting, adults=3, sent=(1, 10, 15))
    # Between meetings the caseworker heard that one agreement is already done.
    first = meeting.agreements.order_by("id").first()
    if first is not None:
        services.set_agreement_status(
            actor=cast.owner,
            agreement=first,
            status=AgreementStatus.DONE,
            comment=cast.text("{Foraelder} ringede og fortalte, at det er kommet godt i gang."),
        )
        held_on = timezone.localtime(meeting.starts_at).date()
        AgreementStatusChange.objects.filter(agreement=first, reviewed_at_meeting__isnull=True).update(
            changed_at=_at(add_working_days(held_on, 4), 11, 30)
        )


def _state_late(seeder: _Seeder, cast: _Cast) -> None:
    meeting = _held_meeting(
        seeder,
        cast,
        25,
        _working(seeder.today + datetime.timedelta(days=35)),
        participation=ChildParticipation.WRITTEN if _age(cast.case, seeder.today) >= 5 else None,
    )
    _wrap_up(seeder, cast, meeting, adults=2, sent=(7, 9, 40))  # 5 working days after the deadline


def _state_unsent(seeder: _Seeder, cast: _Cast) -> None:
    _held_meeting(seeder, cast, 1, _working(seeder.today + datetime.timedelta(days=42)), absent=False)


def _state_summary_due(seeder: _Seeder, cast: _Cast) -> None:
    meeting = _held_meeting(seeder, cast, 30, _working(seeder.today + datetime.timedelta(days=10)))
    meeting = _wrap_up(seeder, cast, meeting, adults=2, sent=(2, 14, 5), journalised=(4, 10, 0))
    follow_up = _refine_follow_up(seeder, cast, Meeting.objects.get(previous=meeting), meeting)
    # Invitations to the follow-up go out now: run_worker sends them (console mail in the demo).
    services.send_invitations(actor=cast.owner, meeting=follow_up)


def _refine_follow_up(
    seeder: _Seeder, cast: _Cast, follow_up: Meeting, previous: Meeting, *, prepared: bool = True
) -> Meeting:
    """The caseworker writes the follow-up's purpose in plain Danish and, once it is ``prepared``, records the
    preparation call (the follow-up planned by ``complete_meeting`` has a generic purpose and no preparation)."""
    date = timezone.localtime(previous.starts_at).strftime("%d.%m.%Y")
    data: dict[str, object] = {
        "purpose": cast.text(
            f"Opfølgning på netværksmødet den {date}: Hvordan går det med aftalerne, og hvad har {{barn}} og "
            "familien brug for nu?"
        ),
        "place": follow_up.place,
        "starts_at": follow_up.starts_at,
        "ends_at": follow_up.ends_at,
    }
    if prepared:
        data |= {
            "prep_held_on": min(seeder.today, timezone.localtime(follow_up.starts_at).date() - datetime.timedelta(9)),
            "prep_with": follow_up.prep_with or cast.owner.get_full_name(),
            "prep_who": "De samme som sidst. Alle har fået aftalerne, så de kan fortælle, hvordan det er gået.",
            "prep_information": "Referatet og aftalerne fra sidste møde, som alle allerede har fået.",
            "prep_child": cast.text(CHILD_PREP.get(ChildParticipation(follow_up.child_participation), "")),
            "ends_at": follow_up.starts_at + datetime.timedelta(minutes=90),
        }
    return services.update_meeting(actor=cast.owner, meeting=follow_up, data=data, expected_version=follow_up.version)


def _state_follow_up_held(seeder: _Seeder, cast: _Cast) -> None:
    follow_up_day = _back(seeder.today, 15)
    first = _held_meeting(seeder, cast, 60, follow_up_day)
    first = _wrap_up(seeder, cast, first, adults=3, sent=(1, 13, 20), journalised=(5, 9, 10))
    follow_up = _held_follow_up(
        seeder,
        cast,
        first,
        None,
        follow_up_on=_working(follow_up_day + datetime.timedelta(days=56)),
        review=[AgreementStatus.DONE, AgreementStatus.IN_PROGRESS, AgreementStatus.NOT_DONE],
    )
    _wrap_up(seeder, cast, follow_up, adults=2, sent=(2, 11, 45), journalised=(3, 15, 0))


def _done_between_meetings(seeder: _Seeder, cast: _Cast, meeting: Meeting) -> None:
    """Most agreements are reported done before they are due; the caseworker marks them then."""
    for agreement in Agreement.objects.filter(meeting=meeting).order_by("id"):
        if agreement.due_on >= seeder.today or seeder.rng.random() > 0.7:
            continue
        services.set_agreement_status(
            actor=cast.owner,
            agreement=agreement,
            status=AgreementStatus.DONE,
            comment=cast.text("{Foraelder} fortalte i telefonen, at det er gjort."),
        )
        done_at = _at(_back(agreement.due_on, seeder.rng.randint(0, 4)), 10, 30)
        AgreementStatusChange.objects.filter(agreement=agreement, reviewed_at_meeting__isnull=True).update(
            changed_at=done_at
        )


def _history(first_days_ago: int, delays: tuple[int, ...], minutes_after: tuple[int, ...]) -> Callable[..., None]:
    """A case followed through the year (for the leadership figures): a first meeting ``first_days_ago`` days ago,
    then follow-ups held ``delays[i]`` days after their agreed date, each with its minutes sent ``minutes_after[i]``
    working days after the meeting. The chain stops at the first follow-up that lies ahead (or was never held)."""

    def build(seeder: _Seeder, cast: _Cast) -> None:
        first_day = _working(seeder.today - datetime.timedelta(days=first_days_ago))
        worked = sum(
            1 for n in range((seeder.today - first_day).days) if is_working_day(first_day + datetime.timedelta(n))
        )
        meeting = _held_meeting(seeder, cast, worked, _working(first_day + datetime.timedelta(days=84)))
        _evaluate(seeder, cast, meeting, adults=2)
        for i, (delay, minutes) in enumerate(zip(delays, minutes_after, strict=True)):
            held_on = timezone.localtime(meeting.starts_at).date()
            _done_between_meetings(seeder, cast, meeting)
            meeting = _send_minutes(cast, meeting, _at(add_working_days(held_on, minutes), 14, 5))
            if i == len(delays) - 1 or delay < 0:
                return  # the last follow-up stays planned (or, with a negative delay, was never held)
            day = _working((meeting.follow_up_on or held_on) + datetime.timedelta(days=delay))
            if day >= seeder.today:
                return
            meeting = _held_follow_up(
                seeder,
                cast,
                meeting,
                _start(seeder, day),
                follow_up_on=_working(day + datetime.timedelta(days=84)),
                review=[AgreementStatus.DONE, AgreementStatus.DONE, AgreementStatus.IN_PROGRESS],
            )
            if i % 2 == 0:
                _evaluate(seeder, cast, meeting, adults=2)

    return build


def _state_cancelled(seeder: _Seeder, cast: _Cast) -> None:
    start = _start(seeder, add_working_days(seeder.today, 4))
    invited = seeder.now - datetime.timedelta(days=6)
    meeting = _plan(seeder, cast, start, prep_on=(invited - datetime.timedelta(days=5)).date())
    meeting = _invite(seeder, cast, meeting, start, at=invited)
    services.cancel_meeting(actor=cast.owner, meeting=meeting, reason=cast.text(seeder.rng.choice(CANCEL_REASONS)))


@dataclass(frozen=True)
class _State:
    key: str
    build: Callable[[_Seeder, _Cast], None]
    history_days: int  # how long before today the people must already be on the map
    ages: tuple[int, int]  # preferred age of the child
    min_private: int = 1


# Narrow preferences first, so the case that fits them best is still free.
STATES = [
    _State("follow_up_held", _state_follow_up_held, 110, (6, 13)),
    _State("invited", _state_invited, 10, (13, 18)),
    _State("on_time", _state_on_time, 40, (6, 13)),
    _State("summary_due", _state_summary_due, 65, (5, 18)),
    _State("late", _state_late, 60, (5, 13)),
    _State("planned", _state_planned, 5, (0, 5), min_private=2),
    _State("unsent", _state_unsent, 20, (0, 18)),
    _State("cancelled", _state_cancelled, 10, (0, 18)),
]
# A year of follow-through on more cases, so that the leader's trends have something to show (seed_history).
HISTORY = [
    _State("history_a", _history(340, (2, 5, 0, 0), (1, 2, 1, 2)), 350, (0, 18)),
    _State("history_b", _history(300, (12, 3, 0), (2, 6, 1)), 310, (0, 18)),
    _State("history_d", _history(200, (4, 9, 0), (3, 1, 2)), 210, (0, 18)),
    _State("history_e", _history(150, (1, 0), (2, 2)), 160, (0, 18)),
]


def _choose(
    seeder: _Seeder, cases: list[Case], actors: dict[int, User], states: list[_State] | None = None
) -> list[tuple[_State, _Cast]]:
    """A different case for each state, spread over the caseworkers, preferring a child of a fitting age."""
    maps: dict[int, _Map] = {}
    facilitators: dict[int, User] = {}
    for case in cases:
        if not case.is_open or case.pk not in actors or safety_gate(case).is_open:
            continue
        facilitator = next((u for u in seeder.facilitators if not neutrality_problem(u, case)), None)
        case_map = _Map.of(case)
        if facilitator is not None and case_map.now:
            maps[case.pk], facilitators[case.pk] = case_map, facilitator
    eligible = [c for c in cases if c.pk in maps]
    load: dict[int, int] = {}
    used: set[int] = set()
    chosen: list[tuple[_State, _Cast]] = []
    for state in STATES if states is None else states:
        since = seeder.now - datetime.timedelta(days=state.history_days)
        options = []
        for index, case in enumerate(eligible):
            if case.pk in used or case.opened_on > since.date():
                continue
            parents, private, professionals = maps[case.pk].people(since)
            if len(private) < state.min_private:
                continue
            age = _age(case, seeder.today)
            fits = state.ages[0] <= age <= state.ages[1]
            key = (load.get(actors[case.pk].pk, 0), not fits, not parents, index)
            options.append((key, case, parents, private, professionals))
        if not options:
            continue
        _, case, parents, private, professionals = min(options, key=lambda o: o[0])
        owner = actors[case.pk]
        used.add(case.pk)
        load[owner.pk] = load.get(owner.pk, 0) + 1
        cast = _Cast(case, owner, facilitators[case.pk], None, parents, private, professionals, theme={})
        chosen.append((state, cast))
    # Themes by the child's age, each used once before any is repeated.
    turn: dict[str, int] = {}
    for state, cast in chosen:
        age = _age(cast.case, seeder.today)
        group = "small" if age < 6 else "school" if age < 13 else "youth"
        cast.theme = THEMES[group][turn.get(group, 0) % len(THEMES[group])]
        turn[group] = turn.get(group, 0) + 1
        cast.words = _words(cast, age)
        taker = seeder.minute_taker
        if state.key in {"on_time", "follow_up_held"} and taker and not minute_taker_problem(taker, cast.case):
            cast.minute_taker = taker  # the family centre takes the minutes where the case is referred to it
    return chosen


def seed_meetings(municipality: Municipality, cases: list[Case], actors: dict[int, User], seed: int) -> int:
    """Meetings in every state on the demo cases (``actors``: the caseworker of each case). Returns the number made.

    Runs once: a municipality that already has meetings is left alone, like ``seed_demo`` leaves existing cases.
    """
    if Meeting.objects.filter(municipality=municipality).exists():
        return 0
    staff = User.objects.filter(municipality=municipality, is_active=True).order_by("username")
    facilitators = list(staff.filter(memberships__role=Role.FACILITATOR).distinct())
    if not facilitators:
        return 0
    seeder = _Seeder(
        rng=random.Random(seed),
        facilitators=facilitators,
        minute_taker=staff.filter(memberships__role=Role.PRACTITIONER).distinct().first(),
    )
    with translation.override(settings.LANGUAGE_CODE):
        for state, cast in _choose(seeder, cases, actors):
            state.build(seeder, cast)
        # The follow-up in ten days is due its 14-day agreement summary: queue it now, as dispatch_due would.
        ids = [row.pk for row in queue_summaries(seeder.now)]
        transaction.on_commit(lambda: [send_outbox.enqueue(pk) for pk in ids])
    return seeder.made


def seed_history(municipality: Municipality, cases: list[Case], actors: dict[int, User], seed: int) -> int:
    """A year of meetings and follow-ups on demo cases that have no meetings or conferences yet (after the other
    demo data): the history behind the leader's trends. Returns the number of meetings made."""
    if not Meeting.objects.filter(municipality=municipality).exists():
        return 0  # seed_meetings has not run (or made nothing): nothing to add history to
    taken = set(Meeting.objects.filter(municipality=municipality).values_list("case_id", flat=True))
    free = [c for c in cases if c.pk not in taken]
    staff = User.objects.filter(municipality=municipality, is_active=True).order_by("username")
    seeder = _Seeder(
        rng=random.Random(seed + 1),
        facilitators=list(staff.filter(memberships__role=Role.FACILITATOR).distinct()),
        minute_taker=None,
    )
    if Meeting.objects.filter(
        municipality=municipality, created_at__lt=seeder.now - datetime.timedelta(days=200)
    ).exists():
        return 0  # already made (seeding again changes nothing)
    with translation.override(settings.LANGUAGE_CODE):
        for state, cast in _choose(seeder, free, actors, HISTORY):
            state.build(seeder, cast)
    return seeder.made
