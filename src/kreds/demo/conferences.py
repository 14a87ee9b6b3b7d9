"""Demo family group conferences (DOMAIN §6, §14; issue 5), each state on its own case.

Built through :mod:`kreds.conferences.services` and :mod:`kreds.meetings.services`, as the caseworker, the FGC
service's leader and the coordinator would do it on the screens. The services refuse to invite to a conference in
the past and to run one before its day, so a conference is planned and invited while it lies ahead and then moved
back to its real day; the timestamps the services set to "now" are moved back afterwards so the course reads like
history, and the messages of that history are marked as sent when they would have gone out.

* ``awaiting``: referred nine days ago by a teacher (an external initiator), waiting in the FGC service's queue;
* ``preparing``: coordinator allocated, pre-meeting held, the conference in 16 days, invitees chosen and half of
  them prepared (home visits and calls in the log), invitations not sent yet;
* ``approved``: held three weeks ago; the plan approved item by item with one item rejected (it conflicts with a
  bottom line) and one approved once the municipality's support was confirmed; evaluations in (the child's too);
  costs recorded; the follow-up conference in about two months;
* ``followed_up``: held four months ago; the follow-up conference a week ago reviewed every item (realised, partly,
  not realised), the child's and the family's well-being went up from the referral, a revised plan was approved and
  the next follow-up is planned.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.conferences import services
from kreds.conferences.independence import independence_problem
from kreds.conferences.models import Conference, ConferenceSession, PlanItem, Preparation, PreparationContact, Wellbeing
from kreds.consent.constants import Category
from kreds.consent.services import give_consent
from kreds.demo.common import at as _at
from kreds.demo.common import demo_email, genitive, on_map_since
from kreds.meetings import services as meetings
from kreds.meetings.constants import Delivery, MeetingStatus, MessageKind, ParticipantRole, Rsvp
from kreds.meetings.models import Agreement, Evaluation, Meeting, Participant
from kreds.network.constants import ConsentGiverRole, Quality
from kreds.network.kinship import is_parent_relation
from kreds.network.models import NetworkPersonVersion
from kreds.outbox.models import Outbox
from kreds.tenancy.models import Municipality

VENUES = ["Sognegården, den store sal", "Medborgerhuset, køkkenalrummet", "Spejderhytten ved skoven"]
QUESTIONS = (
    "Hvordan sikrer familien og netværket, at {barn} har en tryg hverdag med faste voksne, "
    "også når mor har det svært?\nHvem kan {barn} være hos, hvis det bliver nødvendigt?"
)
BOTTOM_LINES = (
    "{Barn} må ikke være alene hjemme om natten.\n"
    "{Barn} skal komme i skole eller dagtilbud hver dag.\n"
    "Der må ikke drikkes alkohol, når {barn} er hjemme."
)
SUPPORT = "Aflastning op til hver tredje weekend, familiebehandling i FamilieCentret, hjælp til transport."


@dataclass
class _Pick:
    case: Case
    owner: User
    coordinator: User
    parents: list[NetworkPersonVersion]
    private: list[NetworkPersonVersion]
    professionals: list[NetworkPersonVersion]

    def words(self) -> dict[str, str]:
        name = self.case.child.first_name
        return {"barn": name, "Barn": name, "barns": genitive(name)}

    def text(self, template: str) -> str:
        return template.format(**self.words())


def _people(
    case: Case, at: datetime.datetime | None = None
) -> tuple[list[NetworkPersonVersion], list[NetworkPersonVersion], list[NetworkPersonVersion]]:
    """The parents, up to three supportive private persons and a professional on the map since ``at``."""
    now = on_map_since(case, at)
    parents = [v for v in now if not v.is_professional and is_parent_relation(v.relation)][:2]
    taken = {v.person_id for v in parents}
    private = [
        v
        for v in now
        if not v.is_professional and v.person_id not in taken and v.quality in (Quality.SUPPORTIVE, Quality.AMBIVALENT)
    ][:3]
    return parents, private, [v for v in now if v.is_professional][:1]


def _choose(
    cases: list[Case], actors: dict[int, User], coordinators: list[User], history_days: list[int]
) -> list[_Pick]:
    """For each state (the days of history it needs), an open case opened long enough ago, with a map that had a
    parent and two private persons when the conference was referred, no meetings yet, the gate closed."""
    picks: list[_Pick] = []
    used: set[int] = set()
    today = timezone.localdate()
    for days in history_days:
        since = today - datetime.timedelta(days=days)
        at = timezone.make_aware(datetime.datetime.combine(since, datetime.time(8, 0)))
        for case in sorted(cases, key=lambda c: c.pk, reverse=True):
            if case.pk in used or case.opened_on > since:
                continue
            if not case.is_open or case.pk not in actors or safety_gate(case).is_open or case.meetings.exists():
                continue
            parents, private, professionals = _people(case, at)
            if not parents or len(private) < 2:
                continue
            turn = len(picks) % len(coordinators)  # the coordinators take turns
            coordinator = next(
                (u for u in coordinators[turn:] + coordinators[:turn] if not independence_problem(u, case)), None
            )
            if coordinator is None:
                continue
            used.add(case.pk)
            picks.append(_Pick(case, actors[case.pk], coordinator, parents, private, professionals))
            break
    return picks


def _refer(pick: _Pick, referred: datetime.datetime, *, external: bool) -> Conference:
    parent = pick.parents[0]
    conference = services.refer(
        actor=pick.owner,
        case=pick.case,
        data={
            "initiator_name": "Lone Kjær" if external else pick.owner.get_full_name(),
            "initiator_role": "klasselærer, Skovvangskolen" if external else "rådgiver",
            "initiator_external": external,
            "questions": pick.text(QUESTIONS),
            "bottom_lines": pick.text(BOTTOM_LINES),
            "support_offered": SUPPORT,
            "parents_consent_by": f"{parent.name} ({parent.relation})",
            "parents_consent_on": referred.date(),
            "young_person_consent_on": referred.date()
            if services.age_on(pick.case.child.birth_date, referred.date()) >= 15
            else None,
        },
        wellbeing={"child": 2, "family": 2},
    )
    Conference.objects.filter(pk=conference.pk).update(referred_at=referred, created_at=referred)
    Wellbeing.objects.filter(conference=conference).update(created_at=referred)
    return Conference.objects.get(pk=conference.pk)


def _allocate(pick: _Pick, conference: Conference, at: datetime.datetime, leader: User | None) -> Conference:
    services.allocate(actor=leader or pick.coordinator, conference=conference, coordinator=pick.coordinator)
    Conference.objects.filter(pk=conference.pk).update(allocated_at=at)
    return Conference.objects.get(pk=conference.pk)


def _prepare(pick: _Pick, conference: Conference, premeeting: datetime.date, start: datetime.datetime) -> Meeting:
    """Pre-meeting, practical needs, venue and invitees (parents, private network, a professional)."""
    supporter = pick.private[0]
    conference = services.record_premeeting(
        actor=pick.coordinator,
        conference=conference,
        data={
            "premeeting_on": premeeting,
            "premeeting_with": pick.text("{barn} og ") + pick.parents[0].name,
            "premeeting_notes": pick.text(
                "Familien vil gerne have {barns} nærmeste med: " + ", ".join(v.name for v in pick.private) + "."
            ),
            "child_participation_notes": pick.text(
                "{Barn} er med i informationsdelen og i familiens egen tid, med "
                + supporter.name
                + " som støtteperson."
            ),
            "support_person": supporter.person,
            "venue_neutral": True,
            "food": "Aftensmad, som familien selv vælger",
            "childcare": "Mindre søskende passes i nabolokalet",
            "transport": "Kørsel til mormor, som ikke selv kan komme",
        },
        expected_version=conference.version,
    )
    meeting = services.schedule(
        actor=pick.coordinator,
        conference=conference,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        place=VENUES[pick.case.pk % len(VENUES)],
        child_participation="part",
    )
    persons = [v.person for v in (*pick.parents, *pick.private, *pick.professionals)]
    meetings.add_participants(
        actor=pick.coordinator, meeting=meeting, persons=persons, parents=[v.person for v in pick.parents]
    )
    # At the pre-meeting the parents consented to share what the network members need (DOMAIN §4).
    give_consent(
        actor=pick.coordinator,
        case=pick.case,
        given_by=pick.parents[0].name,
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        categories=[
            Category.MEETING_PRACTICAL,
            Category.PURPOSE_AND_SITUATION,
            Category.MINUTES,
            Category.AGREEMENTS,
        ],
        recipients=[v.person for v in pick.private],
        purpose="Familierådslagning",
        given_on=premeeting,
    )
    for i, p in enumerate(
        Participant.objects.filter(meeting=meeting, removed_at__isnull=True)
        .exclude(role__in=[ParticipantRole.CHILD, ParticipantRole.CASEWORKER])
        .order_by("speaking_order")
    ):
        if p.email or p.address:
            continue
        # The coordinator got an e-mail address at the home visit from most; one gets a letter handed over.
        data = {"delivery": Delivery.HAND} if i == 2 else {"delivery": Delivery.EMAIL, "email": demo_email(p.name)}
        meetings.update_participant(actor=pick.coordinator, participant=p, data=data)
    return meeting


def _log(pick: _Pick, conference: Conference, meeting: Meeting, days: list[datetime.date], share: float) -> None:
    """Contacts with the invitees (home visits for the family, calls for the others); ``share`` are prepared."""
    invitees = list(Participant.objects.filter(meeting=meeting, removed_at__isnull=True).order_by("speaking_order"))
    prepared = int(len(invitees) * share)
    for i, p in enumerate(invitees):
        if i >= prepared and i % 2:
            continue
        family = p.role in (ParticipantRole.PARENT, ParticipantRole.CHILD, ParticipantRole.PRIVATE)
        day = days[i % len(days)]
        services.add_contact(
            actor=pick.coordinator,
            conference=conference,
            participant=p,
            on=day,
            kind="home_visit" if family else "phone",
            note="Fortalt om familierådslagning og familiens egen tid. Spurgt til ønsker og bekymringer."
            if family
            else "Aftalt hvad der fortælles i informationsdelen.",
        )
        services.update_preparation(
            actor=pick.coordinator,
            conference=conference,
            participant=p,
            data={
                "prepared": i < prepared,
                "will_come": "yes" if i < prepared else None,
                "interpreter_needed": False,
                "worries": "Er bekymret for, om der bliver skænderier." if i == 1 else "",
            },
        )
    Preparation.objects.filter(session__meeting=meeting, prepared_at__isnull=False).update(
        prepared_at=_at(days[-1], 15)
    )
    PreparationContact.objects.filter(preparation__session__meeting=meeting).update(created_at=_at(days[-1], 15))


def _invite(pick: _Pick, meeting: Meeting, at: datetime.datetime) -> None:
    meetings.send_invitations(actor=pick.coordinator, meeting=meeting)
    rows = Outbox.objects.filter(meeting=meeting, kind=MessageKind.INVITATION)
    rows.update(sent_at=at, attempts=1)
    Participant.objects.filter(meeting=meeting).filter(
        Q(pk__in=rows.values("participant_id")) | Q(delivery__in=[Delivery.LETTER, Delivery.HAND])
    ).exclude(role=ParticipantRole.CASEWORKER).update(invited_at=at)


def _move(meeting: Meeting, start: datetime.datetime) -> Meeting:
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=4))
    return Meeting.objects.get(pk=meeting.pk)


ITEMS = [
    ("private0", "Henter {barn} efter skole mandag, tirsdag og torsdag og er der til aftensmad", 30, ""),
    ("parent0", "Går til familiebehandling hver anden uge og fortæller {barn} om det", 60, ""),
    ("private1", "Har {barn} på overnatning hver tredje weekend", 21, "Kommunen betaler aflastningen"),
    ("parent0", "Holder en fest for {barn} med alle vennerne uden andre voksne", 14, ""),
]
# The caseworker's answers to the plan: the item against a bottom line is rejected, the support is granted.
REJECTED = "Strider mod bundlinjen: der skal være en voksen til stede, når der holdes fest."
GRANTED = "Aflastning bevilget efter Barnets Lov § 32."
REVISED = [("private1", "Ringer til {barn} hver søndag aften og aftaler ugens aktiviteter", 28, "")]


def _who(meeting: Meeting, pick: _Pick, key: str) -> Participant:
    kind, index = key[:-1], int(key[-1])
    versions = pick.private if kind == "private" else pick.parents
    person = versions[min(index, len(versions) - 1)].person
    return Participant.objects.get(meeting=meeting, person=person)


def _hold(
    pick: _Pick,
    conference: Conference,
    meeting: Meeting,
    items: list[tuple[str, str, int, str]],
    follow_up_on: datetime.date,
    reviews: list[str] | None = None,
) -> ConferenceSession:
    """The coordinator runs the conference (it is "today" for the services) and completes it."""
    coordinator = pick.coordinator
    order = meetings.speaking_order(meeting)
    meetings.set_attendance(actor=coordinator, meeting=meeting, attended={p.pk: p.rsvp != Rsvp.NO for p in order})
    caseworker = next((p for p in order if p.role == ParticipantRole.CASEWORKER), None)
    if caseworker is not None and not reviews:
        services.add_information(
            actor=coordinator,
            conference=conference,
            participant=caseworker,
            data={
                "worries": pick.text("{Barn} har været meget alene, og skolen har set mange fraværsdage."),
                "questions": conference.questions,
                "bottom_lines": conference.bottom_lines,
                "support": SUPPORT,
            },
        )
    if reviews:
        session = services.current_session(conference)
        assert session is not None
        comments = {
            "realised": "Det er sket, og det fungerer.",
            "partly": "Kun en del af tiden; det skal aftales igen.",
            "not_realised": "Det blev ikke til noget, fordi det var for svært at nå.",
        }
        for item, outcome in zip(services.items_to_review(session), reviews, strict=False):
            services.review_item(
                actor=coordinator, conference=conference, item=item, outcome=outcome, comment=comments[outcome]
            )
        services.record_wellbeing(
            actor=coordinator, conference=conference, scores={"child": 4, "family": 4}, at_session=True
        )
    services.private_time(actor=coordinator, conference=conference, start=True)
    services.private_time(actor=coordinator, conference=conference, start=False)
    day = timezone.localtime(meeting.starts_at).date()
    for key, what, days, support in items:
        services.add_plan_item(
            actor=coordinator,
            conference=conference,
            responsible=_who(meeting, pick, key),
            what=pick.text(what),
            due_on=day + datetime.timedelta(days=days),
            support_requested=support,
        )
    session = services.complete(actor=coordinator, conference=conference, follow_up_on=follow_up_on)
    start = meeting.starts_at
    ConferenceSession.objects.filter(pk=session.pk).update(
        private_started_at=start + datetime.timedelta(minutes=50),
        private_ended_at=start + datetime.timedelta(hours=2, minutes=30),
        plan_presented_at=start + datetime.timedelta(hours=2, minutes=45),
    )
    Meeting.objects.filter(pk=meeting.pk).update(held_at=meeting.ends_at)
    return session


def _approve(pick: _Pick, conference: Conference, session: ConferenceSession, *, at: datetime.datetime) -> None:
    """The caseworker confirms the support, rejects the item that conflicts with a bottom line, sends the plan."""
    for item in session.items.order_by("number"):
        if "uden andre voksne" in item.what:
            services.decide(actor=pick.owner, conference=conference, item=item, decision="rejected", reason=REJECTED)
            continue
        if item.needs_support:
            services.set_support(actor=pick.owner, conference=conference, item=item, status="available", note=GRANTED)
        services.decide(actor=pick.owner, conference=conference, item=item, decision="approved")
    services.finalise(actor=pick.owner, conference=conference)
    meeting = session.meeting
    ConferenceSession.objects.filter(pk=session.pk).update(plan_finalised_at=at)
    Meeting.objects.filter(pk=meeting.pk).update(minutes_approved_at=at, minutes_sent_at=at)
    PlanItem.objects.filter(session=session).update(decided_at=at)
    Agreement.objects.filter(meeting=meeting).update(created_at=at)
    Outbox.objects.filter(meeting=meeting, kind=MessageKind.MINUTES, sent_at__isnull=True).update(
        sent_at=at + datetime.timedelta(minutes=2), attempts=1
    )


def _evaluate(meeting: Meeting, at: datetime.datetime) -> None:
    for i, p in enumerate(
        Participant.objects.filter(meeting=meeting, attended=True).exclude(role=ParticipantRole.CASEWORKER)
    ):
        child = p.role == ParticipantRole.CHILD
        base = 5 if child else 4 + (i % 2)
        meetings.submit_evaluation(
            participant=p,
            scores={
                "heard": base,
                "knew_purpose": 5 if child else 4,
                "realistic": base,
                "own_part_clear": 3 if child else base,
                "satisfaction": base,
                "plan_satisfaction": base,
            },
            comment="Godt at vi selv fik lov at lave planen." if i == 1 else "",
            child_form=child,
            plan_made=True,
        )
    Evaluation.objects.filter(participant__meeting=meeting).update(created_at=at, updated_at=at)


def _costs(pick: _Pick, conference: Conference, session: ConferenceSession, *, hours: str, km: int) -> None:
    for category, quantity in (("coordinator_hours", hours), ("mileage", km), ("food", "950"), ("on_call", "600")):
        services.add_cost(
            actor=pick.coordinator, conference=conference, category=category, quantity=quantity, session=session
        )


# The states -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Course:
    """A conference's course: held ``held`` days ago (negative: ahead); referred and allocated so many days ago;
    the pre-meeting, the contacts with the invitees (``share`` of them prepared) and the invitations so many days
    before the conference; the coordinator's hours and kilometres."""

    held: int
    referred: int
    allocated: int
    external: bool
    premeeting: int
    contacts: tuple[int, ...]
    share: float = 1.0
    invited: int = 0
    hours: str = ""
    km: int = 0


# The states' courses, a row each (the fields of _Course in order).
PREPARING = _Course(-16, 24, 18, False, 28, (25, 22, 19), share=0.5)
APPROVED = _Course(21, 70, 64, False, 30, (25, 18, 10), invited=20, hours="22.5", km=96)
FOLLOWED_UP = _Course(125, 170, 163, True, 35, (30, 21, 12), invited=24, hours="24", km=120)


def _prepared(pick: _Pick, now: datetime.datetime, leader: User | None, course: _Course) -> tuple[Conference, Meeting]:
    """Referred, allocated, the pre-meeting held, the conference scheduled and the invitees contacted."""
    today = timezone.localdate(now)
    held_on = today - datetime.timedelta(days=course.held)
    conference = _refer(pick, now - datetime.timedelta(days=course.referred), external=course.external)
    conference = _allocate(pick, conference, now - datetime.timedelta(days=course.allocated), leader)
    # Scheduled while it lies ahead (the services refuse the past); one held already is moved back to its day.
    start = _at(held_on if held_on > today else today + datetime.timedelta(days=7), 16)
    meeting = _prepare(pick, conference, held_on - datetime.timedelta(days=course.premeeting), start)
    contacts = [held_on - datetime.timedelta(days=d) for d in course.contacts]
    _log(pick, conference, meeting, contacts, share=course.share)
    return conference, meeting


def _held(
    pick: _Pick,
    now: datetime.datetime,
    leader: User | None,
    course: _Course,
    items: list[tuple[str, str, int, str]],
    follow_up_on: datetime.date,
) -> Conference:
    """A conference prepared, invited and held ``course.held`` days ago, its plan approved."""
    conference, meeting = _prepared(pick, now, leader, course)
    held_on = timezone.localdate(now) - datetime.timedelta(days=course.held)
    _invite(pick, meeting, _at(held_on - datetime.timedelta(days=course.invited), 10))
    meeting = _move(meeting, _at(held_on, 16))
    _concluded(pick, conference, meeting, items, follow_up_on, hours=course.hours, km=course.km)
    return conference


def _concluded(
    pick: _Pick,
    conference: Conference,
    meeting: Meeting,
    items: list[tuple[str, str, int, str]],
    follow_up_on: datetime.date,
    *,
    hours: str,
    km: int,
    approved_hour: int = 11,
    reviews: list[str] | None = None,
) -> ConferenceSession:
    """Held on the meeting's day, the plan approved the day after, evaluations the day after that, costs recorded."""
    held_on = timezone.localtime(meeting.starts_at).date()
    session = _hold(pick, conference, meeting, items, follow_up_on, reviews)
    _approve(pick, conference, session, at=_at(held_on + datetime.timedelta(days=1), approved_hour))
    _evaluate(meeting, _at(held_on + datetime.timedelta(days=2), 19))
    _costs(pick, conference, session, hours=hours, km=km)
    return session


def _state_awaiting(pick: _Pick, now: datetime.datetime, leader: User | None) -> None:
    _refer(pick, now - datetime.timedelta(days=9), external=True)


def _state_preparing(pick: _Pick, now: datetime.datetime, leader: User | None) -> None:
    _prepared(pick, now, leader, PREPARING)


def _state_approved(pick: _Pick, now: datetime.datetime, leader: User | None) -> None:
    held_on = timezone.localdate(now) - datetime.timedelta(days=APPROVED.held)
    _held(pick, now, leader, APPROVED, ITEMS, held_on + datetime.timedelta(days=80))


def _state_followed_up(pick: _Pick, now: datetime.datetime, leader: User | None) -> None:
    today = timezone.localdate(now)
    follow_on = today - datetime.timedelta(days=7)
    conference = _held(pick, now, leader, FOLLOWED_UP, ITEMS[:3], follow_on)
    # The follow-up conference: invited while ahead, then held a week ago.
    follow = services.current_session(conference)
    assert follow is not None
    fmeeting = _move(follow.meeting, _at(today + datetime.timedelta(days=7), 16))
    _invite(pick, fmeeting, _at(follow_on - datetime.timedelta(days=21), 10))
    summary_at = _at(follow_on - datetime.timedelta(days=14), 8)
    Outbox.objects.filter(meeting=fmeeting, kind=MessageKind.SUMMARY).update(sent_at=summary_at)
    Meeting.objects.filter(pk=fmeeting.pk).update(summary_queued_at=summary_at)
    fmeeting = _move(fmeeting, _at(follow_on, 16))
    conference.refresh_from_db()
    fsession = _concluded(
        pick,
        conference,
        fmeeting,
        REVISED,
        follow_on + datetime.timedelta(days=91),
        hours="9",
        km=48,
        approved_hour=10,
        reviews=["realised", "partly", "not_realised"],
    )
    Wellbeing.objects.filter(session=fsession).update(created_at=_at(follow_on, 17))


# Each state with the days of history it needs: its referral lies that far back, and the case opened before it.
STATES: list[tuple[Callable[[_Pick, datetime.datetime, User | None], None], int]] = [
    (_state_awaiting, 10),
    (_state_preparing, 25),
    (_state_approved, 71),
    (_state_followed_up, 171),
]


def seed_conferences(municipality: Municipality, cases: list[Case], actors: dict[int, User]) -> int:
    """Family group conferences in every state on demo cases without meetings. Returns the number made."""
    if Conference.objects.filter(municipality=municipality).exists():
        return 0
    staff = User.objects.filter(municipality=municipality, is_active=True)
    coordinators = list(staff.filter(memberships__role=Role.FACILITATOR).distinct().order_by("-username"))
    leader = staff.filter(memberships__role=Role.LEADER).distinct().order_by("username").first()
    if not coordinators:
        return 0
    now = timezone.now()
    picks = _choose(cases, actors, coordinators, [days for _state, days in STATES])
    with translation.override(settings.LANGUAGE_CODE):
        for (state, _days), pick in zip(STATES, picks, strict=False):
            state(pick, now, leader)
    # History is history: nothing of the past is left for the worker to send now.
    Outbox.objects.filter(meeting__fgc_session__conference__municipality=municipality, sent_at__isnull=True).exclude(
        meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.INVITED]
    ).update(sent_at=now, attempts=1)
    return len(picks)
