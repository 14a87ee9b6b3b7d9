"""Demo data for issue 6: Signs of Safety with scaling history, the child's voice, the child's plan and who does
what, and legal deadlines in every state (DOMAIN §14).

Built through the services, as the caseworker and the family centre would on the screens; dates that the services
set to "now" are moved back so the history reads like months of work.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.network.models import NetworkPersonVersion
from kreds.network.selectors import persons_as_of
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


def _people(case: Case) -> tuple[list[NetworkPersonVersion], list[NetworkPersonVersion]]:
    now = persons_as_of(case)
    parents = [v for v in now if not v.is_professional and v.relation in ("mor", "far")]
    others = [v for v in now if not v.is_professional and v.relation not in ("mor", "far")]
    return parents, others


def _age(case: Case, today: datetime.date) -> int:
    birth = case.child.birth_date
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _choose(cases: list[Case], actors: dict[int, User], count: int) -> list[Case]:
    """Open cases with a map (a parent and two other private persons), the gate closed, no conference; children
    old enough to write on their own page first."""
    out: list[Case] = []
    today = timezone.localdate()
    for case in sorted(cases, key=lambda c: (not 7 <= _age(c, today) <= 14, c.pk)):
        if len(out) == count:
            break
        if not case.is_open or case.pk not in actors or safety_gate(case).is_open or case.conferences.exists():
            continue
        parents, others = _people(case)
        if parents and len(others) >= 2:
            out.append(case)
    return out


def _mapping(case: Case, owner: User, practitioner: User | None, today: datetime.date) -> None:
    statements = [{k: _fill(v, case) for k, v in s.items()} for s in STATEMENTS]
    first = safety.save_mapping(
        actor=owner,
        case=case,
        data={
            "worry_basis": _fill(
                "Underretning fra skolen om fravær og om, at {barn} fortæller om aftener alene.", case
            ),
            "past_harm": _fill("{barn} har været alene hjemme flere aftener om ugen i efteråret.", case),
            "complicating": "Mor har perioder med alkohol. Far bor langt væk.",
            "strengths": "Mor elsker sit barn og vil gerne have hjælp. Mormor bor tæt på.",
            "existing_safety": "Mormor henter om tirsdagen.",
            "next_steps": "Inddragende netværksmøde. Sikkerhedsplan med mormor og naboen.",
        },
        statements=statements[:1],
        based_on=0,
    )
    keys = [str(s.key) for s in first.statements.all()]
    second = safety.save_mapping(
        actor=owner,
        case=case,
        data={
            "worry_basis": first.worry_basis,
            "past_harm": first.past_harm,
            "complicating": first.complicating,
            "strengths": first.strengths + " Naboen vil gerne være der for " + case.child.first_name + ".",
            "existing_safety": "Mormor henter tirsdag og torsdag. Naboen har nøgle.",
            "next_steps": first.next_steps,
            "sparring": True,
            "change_note": "Ny bekymring fra mormor; sparring i teamet",
        },
        statements=[{**statements[0], "key": keys[0]}, statements[1]],
        based_on=1,
    )
    keys = [str(s.key) for s in second.statements.order_by("number")]
    actor = practitioner or owner
    third = safety.save_mapping(
        actor=actor,
        case=case,
        data={
            "worry_basis": second.worry_basis,
            "past_harm": second.past_harm,
            "complicating": second.complicating,
            "strengths": second.strengths,
            "existing_safety": "Sikkerhedsplanen virker: der er en voksen hjemme hver aften.",
            "next_steps": "Opfølgning om en måned. Mor fortsætter i familiebehandling.",
            "change_note": "Efter hjemmebesøg i FamilieCentret",
        },
        statements=[{**statements[0], "key": keys[0]}, {**statements[1], "key": keys[1]}],
        based_on=2,
    )
    for mapping, days in ((first, 90), (second, 60), (third, 10)):
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
    from kreds.meetings.models import Meeting

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
    import io

    from PIL import Image, ImageDraw

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


def _plan(case: Case, owner: User, today: datetime.date, decided_days_ago: int, *, reviewed: bool) -> None:
    parents, others = _people(case)
    plans.save_plan(
        actor=owner,
        case=case,
        decided_on=today - datetime.timedelta(days=decided_days_ago),
        purpose=_fill("At {barn} har en tryg hverdag hjemme med faste voksne og kommer i skole hver dag.", case),
    )
    school = plans.add_goal(actor=owner, case=case, area="school", text=_fill("{barn} kommer i skole hver dag", case))
    plans.add_contribution(
        actor=owner,
        goal=school,
        what="Følger til skole mandag og onsdag",
        person=others[0].person,
        due_on=today + datetime.timedelta(days=20),
    )
    plans.add_contribution(
        actor=owner,
        goal=school,
        what="Ringer hjem ved fravær samme morgen",
        responsible_name="Klasselæreren",
        due_on=today - datetime.timedelta(days=4),
    )
    family = plans.add_goal(actor=owner, case=case, area="family", text="Mor får hjælp og ved, hvem hun kan ringe til")
    plans.add_contribution(
        actor=owner,
        goal=family,
        what="Går til familiebehandling hver anden uge",
        person=parents[0].person,
    )
    done = plans.add_contribution(
        actor=owner,
        goal=family,
        what="Laver en liste over netværkets telefonnumre til køleskabet",
        person=others[1].person,
        due_on=today - datetime.timedelta(days=30),
    )
    plans.set_contribution_status(actor=owner, contribution=done, status="done")
    # The person who takes the child to school has the link to their own page (their tasks on the case).
    plans.ensure_person_link(actor=owner, case=case, person=others[0].person)
    leisure = plans.add_goal(actor=owner, case=case, area="leisure", text=_fill("{barn} spiller fodbold igen", case))
    plans.add_contribution(
        actor=owner,
        goal=leisure,
        what="Kører til træning om onsdagen",
        person=others[0].person,
    )
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
    # An overdue investigation elsewhere, so the unit's list has something to act on, and one just started.
    others = [c for c in cases if c.is_open and c not in chosen]
    if others:
        _dates(others[0], investigation_started_on=today - datetime.timedelta(days=140))
    if len(others) > 1:
        _dates(others[1], investigation_started_on=today - datetime.timedelta(days=30))
    return len(chosen)
