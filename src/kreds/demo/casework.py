"""Demo data for issue 6: Signs of Safety with scaling history, the child's voice, the child's plan and who does
what, and legal deadlines in every state (DOMAIN §14).

Built through the services, as the caseworker and the family centre would on the screens; dates that the services
set to "now" are moved back so the history reads like months of work.
"""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.demo.common import age, on_map_since
from kreds.meetings.models import Meeting
from kreds.network.kinship import is_parent_relation
from kreds.network.models import NetworkPersonVersion
from kreds.participants.models import ParticipantLink
from kreds.plans import services as plans
from kreds.plans.models import ChildPlan
from kreds.safety import services as safety
from kreds.safety.models import Mapping
from kreds.voice import services as voice
from kreds.voice.models import ChildInput, ThreeHouses

STATEMENTS = [
    {
        "who_worried": "Skolen og rådgiveren",
        "about_what": "at {barn} er alene hjemme om aftenen, når mor drikker",
        "if_nothing_changes": "{barn} kan komme til skade og holde op med at komme i skole",
        "goal_parent": "Mor sørger for, at der er en voksen, der ikke har drukket, hjemme hver aften",
        "goal_child": "{barn} ved hver dag, hvem der er hjemme om aftenen",
        "goal_professionals": "Skolen ser {barn} komme udhvilet og til tiden hver dag",
    },
    {
        "who_worried": "Mormor",
        "about_what": "at {barn} ikke får mad, når mor har det dårligt",
        "if_nothing_changes": "{barn} bliver syg og trækker sig fra vennerne",
        "goal_parent": "Mor beder mormor om hjælp, når hun har det dårligt",
        "goal_child": "{barn} får aftensmad hver dag",
        "goal_professionals": "",
    },
]
SCORES = [  # (days ago, kind, name or None for a map person, score)
    (84, "staff", "Rådgiveren", 2),
    (84, "parent", None, 4),
    (56, "staff", "Rådgiveren", 3),
    (56, "parent", None, 5),
    (56, "network", None, 3),
    (28, "staff", "Rådgiveren", 5),
    (28, "parent", None, 6),
    (28, "network", None, 5),
    (28, "child", "{barn}", 6),
    (3, "staff", "Rådgiveren", 6),
    (3, "child", "{barn}", 8),
]


def _fill(text: str, case: Case) -> str:
    return text.replace("{barn}", case.child.first_name)


def _people(
    case: Case, at: datetime.datetime | None = None
) -> tuple[list[NetworkPersonVersion], list[NetworkPersonVersion]]:
    """The parents and the rest of the private network on the map at ``at`` (by default when the history starts:
    everyone the demo gives a score, a rule or a task was on the map by then)."""
    now = on_map_since(case, at or _history_start())
    parents = [v for v in now if not v.is_professional and is_parent_relation(v.relation)]
    others = [v for v in now if not v.is_professional and not is_parent_relation(v.relation)]
    return parents, others


# The casework history goes back this far (the investigation of the main case started 200 days ago): a case is used
# only when it was opened before, so nothing happens before the case opened (issue 14 §9).
HISTORY_DAYS = 210


# The first score, rule or task given to a person from the map is this many days ago (the main case's plan).
PEOPLE_FROM_DAYS = 100


def _history_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=PEOPLE_FROM_DAYS)


def _choose(cases: list[Case], actors: dict[int, User], count: int) -> list[Case]:
    """Open cases with a map (a parent and two other private persons), the gate closed, no conference; children
    old enough to write on their own page first."""
    out: list[Case] = []
    today = timezone.localdate()
    for case in sorted(cases, key=lambda c: (not 7 <= age(c, today) <= 14, c.pk)):
        if len(out) == count:
            break
        if not case.is_open or case.pk not in actors or safety_gate(case).is_open or case.conferences.exists():
            continue
        if case.opened_on > today - datetime.timedelta(days=HISTORY_DAYS):
            continue
        parents, others = _people(case)
        if parents and len(others) >= 2:
            out.append(case)
    return out


def _mapping(case: Case, owner: User, practitioner: User | None, today: datetime.date) -> None:
    statements = [{k: _fill(v, case) for k, v in s.items()} for s in STATEMENTS]
    first: dict[str, object] = {
        "worry_basis": _fill("Underretning fra skolen om fravær og om, at {barn} fortæller om aftener alene.", case),
        "past_harm": _fill("{barn} har været alene hjemme flere aftener om ugen i efteråret.", case),
        "complicating": "Mor har perioder med alkohol. Far bor langt væk.",
        "strengths": "Mor elsker sit barn og vil gerne have hjælp. Mormor bor tæt på.",
        "existing_safety": "Mormor henter om tirsdagen.",
        "next_steps": "Inddragende netværksmøde. Sikkerhedsplan med mormor og naboen.",
    }
    # A new worry from the grandmother, after sparring in the team.
    second = first | {
        "strengths": f"{first['strengths']} Naboen vil gerne være der for {case.child.first_name}.",
        "existing_safety": "Mormor henter tirsdag og torsdag. Naboen har nøgle.",
        "sparring": True,
        "change_note": "Ny bekymring fra mormor; sparring i teamet",
    }
    # After a home visit from the family centre.
    third = {k: v for k, v in second.items() if k != "sparring"} | {
        "existing_safety": "Sikkerhedsplanen virker: der er en voksen hjemme hver aften.",
        "next_steps": "Opfølgning om en måned. Mor fortsætter i familiebehandling.",
        "change_note": "Efter hjemmebesøg i FamilieCentret",
    }
    saved: list[Mapping] = []
    keys: list[str] = []  # each version keeps the statements before it (by key) and may add one
    versions = ((owner, 1, first), (owner, 2, second), (practitioner or owner, 2, third))
    for shown, (actor, count, data) in enumerate(versions):
        kept = [{**statement, "key": key} for statement, key in zip(statements, keys, strict=False)]
        mapping = safety.save_mapping(
            actor=actor, case=case, data=data, statements=kept + statements[len(kept) : count], expected_version=shown
        )
        keys = [str(s.key) for s in mapping.statements.order_by("number")]
        saved.append(mapping)
    for mapping, days in zip(saved, (90, 60, 10), strict=True):
        Mapping.objects.filter(pk=mapping.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    parents, others = _people(case)
    for days, kind, name, score in SCORES:
        person = parents[0].person if kind == "parent" else others[0].person if kind == "network" else None
        for number, key in enumerate(keys):
            safety.add_scaling(
                actor=owner,
                case=case,
                statement_key=key,
                scored_on=today - datetime.timedelta(days=days),
                scorer_kind=kind,
                score=max(0, score - number),
                scorer_name=_fill(name, case) if name else "",
                person=person,
            )
    rules = [
        (others[0], "Henter {barn} fra skole tirsdag og torsdag og er der til aftensmad"),
        (others[1], "Har nøgle og kan ringes op, hvis mor ikke er hjemme kl. 18"),
        (parents[0], "Ringer til mormor, når hun har det dårligt, og {barn} sover så hos mormor"),
    ]
    for version, rule in rules:
        safety.add_rule(actor=owner, case=case, rule=_fill(rule, case), responsible=version.person)
    meeting = Meeting.objects.filter(case=case, status__in=["held", "minutes_sent", "journalised"]).first()
    plan = safety.plan_for(case)
    safety.record_agreement(
        actor=owner,
        case=case,
        agreed_on=today - datetime.timedelta(days=40),
        meeting=meeting,
        expected_version=plan.version,
    )


def _drawing() -> SimpleUploadedFile:
    """A child's drawing of the three houses (a photo of it, as the caseworker uploads it from a phone)."""
    picture = Image.new("RGB", (900, 420), "white")
    pen = ImageDraw.Draw(picture)
    for i, (wall, roof) in enumerate((("#5b8def", "#2d3e8c"), ("#f2c14e", "#c0392b"), ("#9b59b6", "#5e2a84"))):
        left = 60 + i * 290
        pen.rectangle((left, 180, left + 200, 380), outline="black", width=4, fill=wall)
        pen.polygon(((left - 20, 180), (left + 100, 70), (left + 220, 180)), outline="black", fill=roof)
        pen.rectangle((left + 80, 290, left + 120, 380), outline="black", width=3, fill="#6d4c41")
    pen.ellipse((780, 20, 860, 100), fill="#f9d71c")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("tegning-tre-huse.jpg", buffer.getvalue(), content_type="image/jpeg")


def _voice(case: Case, owner: User, today: datetime.date, *, unread: bool, words: bool) -> None:
    parents, others = _people(case)
    houses = voice.record_three_houses(
        actor=owner,
        case=case,
        data={
            "recorded_on": today - datetime.timedelta(days=45),
            "worries": "Når mor er ked af det og ikke siger noget. Når der ikke er nogen hjemme.",
            "good_things": f"{others[0].name} laver pandekager. Fodbold om onsdagen.",
            "dreams": "At mor bliver glad igen. En hund.",
            "parents_consent_by": f"{parents[0].name} ({parents[0].relation})",
            "parents_consent_on": today - datetime.timedelta(days=50),
            "shown_to_parents_first": True,
            "checked_with_child_on": today - datetime.timedelta(days=44),
        },
        drawing=_drawing() if words else None,
    )
    ThreeHouses.objects.filter(pk=houses.pk).update(created_at=timezone.now() - datetime.timedelta(days=45))
    link = voice.issue_child_link(actor=owner, case=case)
    first = voice.submit_child_input(
        link=link,
        data={
            "safe_with": f"{others[0].name} og naboen",
            "who_to_meeting": f"{others[0].name}. Ikke far.",
            "tell_adults": "At jeg gerne vil bo hjemme.",
        },
    )
    ChildInput.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(days=20))
    voice.review_child_input(actor=owner, child_input=first, note="Naboen er sat på netværkskortet.")
    if unread:
        voice.submit_child_input(
            link=link,
            data={"worries": "Mor var syg i weekenden.", "tell_adults": "Jeg vil gerne tale med min rådgiver."},
        )
    if words:
        voice.save_words_and_pictures(
            actor=owner,
            case=case,
            title=f"Hvorfor kommunen hjælper {case.child.first_name}s familie",
            text=(
                "Din mor har det svært nogle gange. Så drikker hun, og så er du alene hjemme om aftenen.\n"
                "Det er ikke din skyld. Ingen børn skal være alene om aftenen.\n"
                "Derfor hjælper kommunen. Din mor går til samtaler, og mormor og naboen er med til at passe på dig.\n"
                "Du må altid sige, hvad du tænker. Din rådgiver lytter."
            ),
        )
    ParticipantLink.objects.filter(pk=link.pk).update(created_at=timezone.now() - datetime.timedelta(days=21))


# The child's plan: goals by area, each with what is done by whom (a person from the map: network0, network1 or
# parent0; otherwise a named professional), due in so many days (None: ongoing), and whether it is done already.
GOALS: list[tuple[str, str, list[tuple[str, str, int | None, bool]]]] = [
    (
        "school",
        "{barn} kommer i skole hver dag",
        [
            ("Følger til skole mandag og onsdag", "network0", 20, False),
            ("Ringer hjem ved fravær samme morgen", "Klasselæreren", -4, False),
        ],
    ),
    (
        "family",
        "Mor får hjælp og ved, hvem hun kan ringe til",
        [
            ("Går til familiebehandling hver anden uge", "parent0", None, False),
            ("Laver en liste over netværkets telefonnumre til køleskabet", "network1", -30, True),
        ],
    ),
    ("leisure", "{barn} spiller fodbold igen", [("Kører til træning om onsdagen", "network0", None, False)]),
]


def _plan(case: Case, owner: User, today: datetime.date, decided_days_ago: int, *, reviewed: bool) -> None:
    parents, others = _people(case)
    plans.save_plan(
        actor=owner,
        case=case,
        decided_on=today - datetime.timedelta(days=decided_days_ago),
        purpose=_fill("At {barn} har en tryg hverdag hjemme med faste voksne og kommer i skole hver dag.", case),
    )
    people = {"network0": others[0].person, "network1": others[1].person, "parent0": parents[0].person}
    for area, text, contributions in GOALS:
        goal = plans.add_goal(actor=owner, case=case, area=area, text=_fill(text, case))
        for what, who, due_in, done in contributions:
            contribution = plans.add_contribution(
                actor=owner,
                goal=goal,
                what=what,
                person=people.get(who),
                responsible_name="" if who in people else who,
                due_on=None if due_in is None else today + datetime.timedelta(days=due_in),
            )
            if done:
                plans.set_contribution_status(actor=owner, contribution=contribution, status="done")
    # The person who takes the child to school has the link to their own page (their tasks on the case).
    plans.ensure_person_link(actor=owner, case=case, person=others[0].person)
    if reviewed:
        plans.add_review(
            actor=owner,
            case=case,
            reviewed_on=today - datetime.timedelta(days=decided_days_ago - 80),
            note="Skolegangen er bedre. Fodbold er ikke kommet i gang.",
        )
    ChildPlan.objects.filter(case=case).update(created_at=timezone.now() - datetime.timedelta(days=decided_days_ago))


def _dates(case: Case, **dates: object) -> None:
    """The dates behind the deadlines, as a caseworker sets them on the case form."""
    fresh = Case.objects.get(pk=case.pk)
    for key, value in dates.items():
        setattr(fresh, key, value)
    fresh.version += 1
    fresh.save()


def seed_casework(cases: list[Case], actors: dict[int, User]) -> int:
    """Mappings, the child's voice and plans on demo cases; returns the number of cases used."""
    if Mapping.objects.filter(case__in=cases).exists():
        return 0
    today = timezone.localdate()
    practitioner = User.objects.filter(memberships__role=Role.PRACTITIONER).order_by("username").first()
    chosen = _choose(cases, actors, 3)
    if not chosen:
        return 0
    main = chosen[0]
    owner = actors[main.pk]
    if practitioner is not None and not main.referred_units.filter(memberships__user=practitioner).exists():
        practitioner = None
    _mapping(main, owner, practitioner, today)
    _voice(main, owner, today, unread=True, words=True)
    _plan(main, owner, today, 100, reviewed=True)
    _dates(
        main,
        investigation_started_on=today - datetime.timedelta(days=200),
        investigation_completed_on=today - datetime.timedelta(days=120),
        measure_decided_on=today - datetime.timedelta(days=110),
    )
    if len(chosen) > 1:
        second = chosen[1]
        _voice(second, actors[second.pk], today, unread=False, words=False)
        _plan(second, actors[second.pk], today, 80, reviewed=False)  # the first follow-up is due in ten days
        _dates(second, measure_decided_on=today - datetime.timedelta(days=95))
    if len(chosen) > 2:
        third = chosen[2]
        # An investigation running out, and a placement without consent still without a plan.
        _dates(
            third,
            investigation_started_on=today - datetime.timedelta(days=112),
            measure_decided_on=today - datetime.timedelta(days=5),
            placement_without_consent=True,
        )
    # An overdue investigation elsewhere, so the unit's list has something to act on, and one just started; each on
    # a case opened before its investigation started.
    others = [c for c in cases if c.is_open and c not in chosen]
    for days in (140, 30):
        started = today - datetime.timedelta(days=days)
        case = next((c for c in others if c.opened_on <= started), None)
        if case is not None:
            _dates(case, investigation_started_on=started)
            others.remove(case)
    return len(chosen)
