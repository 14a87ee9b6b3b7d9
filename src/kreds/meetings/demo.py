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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone, translation

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.authz.policies import minute_taker_problem, neutrality_problem
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.consent.constants import Category
from kreds.consent.services import give_consent
from kreds.core.workdays import add_working_days, is_working_day
from kreds.meetings import services
from kreds.meetings.constants import (
    AgreementStatus,
    ChildParticipation,
    Delivery,
    OutboxKind,
    ParticipantRole,
    Rsvp,
)
from kreds.meetings.models import Agreement, AgreementStatusChange, Evaluation, Meeting, Outbox, Participant
from kreds.meetings.tasks import queue_summaries, send_outbox
from kreds.network.constants import ConsentGiverRole, Quality
from kreds.network.models import NetworkPersonVersion
from kreds.network.selectors import persons_as_of
from kreds.tenancy.models import Municipality

PARENT_RELATIONS = ("mor", "far")
PLACES = [
    "Familiehuset, mødelokale 1",
    "Medborgerhuset, lokale 3",
    "Biblioteket, grupperummet på 1. sal",
    "FamilieCentret, det store mødelokale",
    "Sognegården, den lille sal",
]
YOUTH_PLACE = "Ungdomsskolen, mødelokalet ved caféen"
LETTER_ADDRESSES = [
    "Kirkebakken 7, 4300 Holbæk",
    "Birkevej 22, 1. th., 8600 Silkeborg",
    "Solsikkevej 3, 5700 Svendborg",
    "Lindealle 14, 4800 Nykøbing F",
]
TIMES = [(9, 0), (9, 30), (13, 0), (14, 0)]

# Themes: {barn} is the child's first name, {barns} its genitive, {han}/{ham}/{hans} the pronouns, {inst} the
# child's day care or school, {foraelder} a parent's first name, {net1}/{net2} people from the private network,
# {fag} a professional (or the institution), {raadgiver} the caseworker. A capital first letter gives the same
# value with a capital (``{Han}``). Agreements: (who, what, days after the meeting), who being parent, net1,
# net2, fag, caseworker or child.
Theme = dict[str, object]
THEMES: dict[str, list[Theme]] = {
    "small": [
        {
            "purpose": "At finde ud af, hvem der kan hjælpe familien i hverdagen, så {barn} kommer i {inst} hver dag "
            "og har faste voksne omkring sig.",
            "descriptive": "{barn} er glad for {inst}, men er ofte hjemme, fordi morgenerne er svære. {Foraelder} "
            "fortæller, at nætterne er korte, og at der ikke er nogen at skiftes med. I {inst} oplever de {barn} "
            "som nysgerrig og tryg, når {han} først er der.",
            "reflective": "Vi talte om, hvem der kan tage en morgen eller en eftermiddag. {Net1} bor tæt på og kan "
            "hente to dage om ugen. {Fag} foreslog små ændringer i aftenrutinen. Familien vil gerne have hjælp, men "
            "ikke for mange nye mennesker på én gang.",
            "agreements": "Faste aftaler om hentning to dage om ugen og én aften om ugen, hvor {foraelder} kan "
            "sove. Vi ser på, om det er nok, til opfølgningsmødet.",
            "list": [
                ("net1", "Henter {barn} i {inst} tirsdag og torsdag kl. 15", 7),
                ("net2", "Passer {barn} én aften om ugen, så {foraelder} kan hvile", 14),
                ("fag", "Kommer på hjemmebesøg og taler om søvn og aftenrutiner", 21),
                ("parent", "Giver {inst} besked før kl. 8, hvis {barn} bliver hjemme", 10),
                ("caseworker", "Undersøger, om familien kan få hjælp til transport til {inst}", 28),
            ],
        },
        {
            "purpose": "At give familien luft i hverdagen ved at finde faste voksne i netværket, som {barn} kan være "
            "hos, og at gøre aftalerne tydelige for alle.",
            "descriptive": "{Foraelder} står meget alene med børnene. {barn} sover uroligt og vågner flere gange om "
            "natten. Familien har tidligere fået aflastning, men vil gerne prøve med mennesker, de selv kender. "
            "{Net1} har allerede haft {barn} på overnatning et par gange, og det gik godt.",
            "reflective": "Vi talte om, hvad der skal til, for at {barn} kan være tryg hos andre voksne: de samme "
            "voksne hver gang, en fast dag og {barns} egen bamse med. {Net2} kan hjælpe, men kun i weekenderne. "
            "{Fag} foreslog, at familien skriver de vigtigste rutiner ned, så alle gør det samme.",
            "agreements": "{barn} er hos {net1} hver anden weekend fra lørdag til søndag. Familien skriver en kort "
            "rutineseddel, og vi mødes igen for at se, hvordan det går.",
            "list": [
                ("net1", "Har {barn} på overnatning hver anden weekend fra lørdag kl. 10 til søndag kl. 16", 14),
                ("parent", "Skriver en kort seddel om {barns} rutiner ved sengetid og mad", 7),
                ("net2", "Tager {barn} med på legeplads en søndag formiddag om måneden", 30),
                ("fag", "Giver familien råd om søvn ved næste besøg og ringer en uge efter", 21),
                ("caseworker", "Undersøger, om familien kan få dækket transport til og fra aflastningen", 21),
            ],
        },
    ],
    "school": [
        {
            "purpose": "At finde ud af sammen, hvordan {barn} kommer godt i skole hver dag, og hvem der kan hjælpe "
            "om morgenen, når det er svært.",
            "descriptive": "{barn} har haft meget fravær siden sommerferien, mest om mandagen. {Foraelder} fortæller, "
            "at morgenerne er blevet en kamp, og at {barn} tit har ondt i maven, før {han} skal af sted. {Fag} "
            "oplever {barn} som glad og vellidt, når {han} først er kommet i skole. {barn} sagde selv, at det er "
            "nemmest, når der er nogen at følges med.",
            "reflective": "Vi talte om, hvad der har virket før. {Net1} mindede om, at det gik bedre, da {barn} "
            "fulgtes med en kammerat fra opgangen. Flere foreslog en fast morgenrutine og en voksen på skolen, der "
            "tager imod {barn} ved porten. {Raadgiver} forklarede, hvad kommunen kan hjælpe med, og hvad familien "
            "selv står for.",
            "agreements": "Vi lavede faste aftaler om morgenerne de næste seks uger og ser på fraværet igen til "
            "opfølgningsmødet. Alle ved, hvem de skal ringe til, hvis en aftale ikke kan holdes.",
            "list": [
                ("net1", "Følger {barn} i skole mandag og onsdag morgen", 14),
                ("fag", "Tager imod {barn} ved porten kl. 7.55 og giver besked hjem, hvis {han} ikke er kommet", 7),
                ("parent", "Pakker taske og madpakke sammen med {barn} aftenen før", 10),
                (
                    "caseworker",
                    "Undersøger, om {barn} kan få et kortere skema i en periode, og giver familien svar",
                    21,
                ),
                ("child", "Siger til sin lærer, hvis {han} får ondt i maven i løbet af dagen", 14),
            ],
        },
        {
            "purpose": "At aftale, hvordan skiftene mellem de to hjem kan blive rolige for {barn}, og hvem {barn} "
            "kan tale med, når det er svært.",
            "descriptive": "{barn} bor mest hos {foraelder} og er hos sin anden forælder hver anden weekend. "
            "Afleveringerne er flere gange endt i skænderier, som {barn} har set. {barn} fortalte, at {han} glæder "
            "sig til weekenderne, men har ondt i maven fredag morgen. {Net1} har ofte hjulpet med at køre {barn}.",
            "reflective": "Vi talte om, hvordan afleveringerne kan ske et neutralt sted, så de voksne ikke behøver at "
            "mødes. {Net1} tilbød at stå for afleveringerne i en periode. {Fag} foreslog, at {barn} får en fast "
            "voksen at tale med på skolen. Begge forældre sagde, at de vil skåne {barn} for deres uenigheder.",
            "agreements": "Afleveringerne sker fremover hos {net1}. Forældrene skriver sammen om praktiske ting i en "
            "fælles app og taler ikke om uenigheder, når {barn} kan høre det.",
            "list": [
                ("net1", "Står for afleveringerne fredag kl. 16 hjemme hos sig selv", 14),
                ("parent", "Bruger den fælles app til praktiske beskeder og svarer inden for et døgn", 7),
                ("fag", "Tilbyder {barn} en fast samtale hver anden uge med AKT-læreren", 21),
                ("caseworker", "Henviser forældrene til et forløb om samarbejde efter skilsmisse", 30),
                ("child", "Siger til {net1}, hvis {han} er ked af det før en weekend", 14),
            ],
        },
        {
            "purpose": "At hjælpe {barn} til at få det bedre i klassen og til at få et godt fritidsliv sammen med "
            "andre børn.",
            "descriptive": "{barn} har svært ved at finde sig til rette i klassen og går tit alene i frikvartererne. "
            "Derhjemme sidder {han} meget ved skærmen. {Net1} fortalte, at {barn} lyser op, når de tager i "
            "svømmehallen sammen. {barn} sagde, at {han} gerne vil gå til noget, men ikke tør starte alene.",
            "reflective": "Vi talte om, hvilke fritidstilbud der ligger tæt på, og hvem der kan følge {barn} de første "
            "gange. {Fag} fortalte om skolens legegrupper. Netværket var enige om, at det vigtigste er, at {barn} "
            "ikke skal starte alene.",
            "agreements": "{barn} prøver en fritidsaktivitet med en voksen ved sin side de første tre gange. Skolen "
            "laver legegrupper, og der bliver faste skærmfri aftener derhjemme.",
            "list": [
                ("net1", "Følger {barn} til svømning om torsdagen de første tre gange", 21),
                ("fag", "Sætter {barn} i en fast legegruppe med to klassekammerater", 14),
                ("parent", "Holder to skærmfri aftener om ugen med spil eller gåtur", 7),
                ("net2", "Inviterer {barn} med på fisketur en lørdag om måneden", 30),
                ("caseworker", "Sender familien en oversigt over fritidstilbud i området", 7),
            ],
        },
        {
            "purpose": "{barn} og familien er flyttet til kommunen. Mødet skal samle de voksne, der kan hjælpe {barn} "
            "godt i gang i den nye skole og det nye kvarter.",
            "descriptive": "Familien flyttede hertil i sommer, og {barn} har skiftet skole. {barn} savner sine gamle "
            "venner og sin farmor, som nu bor langt væk. {Foraelder} kender endnu ikke mange i byen. Skolen oplever "
            "{barn} som stille, men nysgerrig.",
            "reflective": "Vi talte om, hvordan {barn} kan holde kontakten med de gamle venner og samtidig få nye. "
            "{Net1} tilbød at have {barn} på besøg én weekend om måneden. Vi talte om fritidsklubben, og om hvem "
            "{foraelder} kan ringe til, når hverdagen bliver for meget.",
            "agreements": "{barn} får faste videoopkald med sine gamle venner, starter i fritidsklubben og har et "
            "fast weekendbesøg om måneden. {Foraelder} får en liste over, hvem der kan hjælpe i hverdagen.",
            "list": [
                ("net1", "Har {barn} på besøg den første weekend i hver måned", 30),
                ("parent", "Melder {barn} ind i fritidsklubben og går med første gang", 10),
                ("fag", "Finder en makker i klassen, som viser {barn} rundt de første uger", 7),
                ("caseworker", "Sender familien en oversigt over fritidstilbud og åbent hus i området", 7),
                ("net2", "Ringer til {foraelder} hver søndag aften og hører, hvordan ugen ser ud", 14),
            ],
        },
    ],
    "youth": [
        {
            "purpose": "At hjælpe {barn} med at få en mere stabil hverdag med skole, søvn og fritid, og at aftale, "
            "hvem {han} kan ringe til om aftenen.",
            "descriptive": "{barn} går i 9. klasse og har været meget væk fra skolen. {Han} er ude sent flere aftener "
            "om ugen, og forældrene er bekymrede for, hvem {han} er sammen med. {barn} sagde selv, at skolen keder "
            "{ham}, men at {han} gerne vil have et fritidsjob. {Net1} fortalte, at {barn} altid har været god til at "
            "hjælpe i værkstedet.",
            "reflective": "Vi talte om, hvad der kan gøre skolen mere meningsfuld, og om praktik eller et fritidsjob "
            "kan hjælpe. {Fag} fortalte om mulighederne i ungdomsskolen. Forældrene og {barn} blev enige om et fast "
            "tidspunkt at være hjemme på hverdage. {barn} ønskede en voksen uden for familien at ringe til.",
            "agreements": "{barn} prøver en uges praktik, og der er et fast hjemkomsttidspunkt på hverdage. {Net1} "
            "er den voksne, {barn} kan ringe til om aftenen.",
            "list": [
                ("child", "Er hjemme senest kl. 22 på hverdage og sender en besked, hvis {han} bliver forsinket", 14),
                ("net1", "Tager {barn} med i værkstedet om lørdagen og hjælper med en ansøgning til et fritidsjob", 21),
                ("fag", "Aftaler en uges praktik og taler med {barn} om den bagefter", 30),
                ("parent", "Spiser aftensmad sammen med {barn} mindst tre dage om ugen", 7),
                ("caseworker", "Undersøger, om {barn} kan få en kontaktperson i ungdomsskolen", 21),
            ],
        },
        {
            "purpose": "At lægge en plan sammen med {barn} for det næste halve år med skole og uddannelse, og at "
            "finde ud af, hvem der kan støtte, når det bliver svært.",
            "descriptive": "{barn} er begyndt at blive hjemme, når der er prøver, og sover dårligt. {Han} vil gerne på "
            "en erhvervsuddannelse, men er bange for ikke at få karaktererne. {Foraelder} fortæller, at det er "
            "svært at tale med {barn} om skolen uden at det ender i skænderi.",
            "reflective": "Vi talte om, hvad der gør prøverne svære, og hvem {barn} har lyst til at tale med om det. "
            "{Net1} har selv taget en erhvervsuddannelse og vil gerne fortælle om den. {Fag} foreslog et besøg på "
            "uddannelsesstedet, så {barn} kan se, hvad det handler om.",
            "agreements": "{barn} besøger uddannelsesstedet, får lektiehjælp to gange om ugen og taler med {net1} om "
            "uddannelsen. Forældrene holder skolesnak til én fast aften om ugen.",
            "list": [
                ("net1", "Tager {barn} med på besøg på uddannelsesstedet", 21),
                ("fag", "Giver {barn} lektiehjælp tirsdag og torsdag efter skole", 7),
                ("parent", "Taler kun om skolen søndag aften, så resten af ugen er fri for skænderier", 14),
                (
                    "child",
                    "Siger til sin lærer, hvis {han} ikke kan overskue en prøve, i stedet for at blive hjemme",
                    14,
                ),
                ("caseworker", "Beder ungdomsvejlederen om en samtale med {barn} om uddannelsesvalg", 28),
            ],
        },
    ],
}
CHILD_PREP = {
    ChildParticipation.NOT: "{barn} er for lille til at være med. Forældrene og de voksne, der kender {barn} bedst, "
    "fortæller om {barns} hverdag.",
    ChildParticipation.PART: "{barn} er med i den første del og fortæller selv, hvad der er godt, og hvad der er "
    "svært. Bagefter kan {barn} gå i legerummet med en voksen, {han} kender.",
    ChildParticipation.IN_PERSON: "{barn} er med hele mødet og har selv valgt, hvem {han} vil sidde ved siden af. "
    "{barn} kan altid bede om en pause.",
    ChildParticipation.WRITTEN: "{barn} vil ikke være med i selve mødet, men har tegnet og skrevet, hvad der er godt, "
    "og hvad der er svært. Mødelederen læser det op i den første del.",
}
RSVP_YES = ["Jeg kommer gerne.", "Jeg kommer. Tak fordi I spurgte mig.", "", "Jeg kommer, men skal gå et kvarter før."]
RSVP_NO = [
    "Jeg er desværre på arbejde den dag og kan ikke bytte vagten. Jeg vil gerne høre, hvad I aftaler – ring "
    "endelig bagefter.",
    "Jeg kan ikke komme, fordi jeg skal til lægen. Men I må gerne ringe til mig, så siger jeg, hvad jeg kan "
    "hjælpe med.",
    "Tak for invitationen. Jeg er bortrejst den uge, men jeg tænker på {barn} og hjælper gerne bagefter.",
]
ADULT_COMMENTS = [
    "Godt at alle kom til orde, også dem der plejer at være stille.",
    "Det var rart at vide på forhånd, hvad mødet handlede om.",
    "Lidt mange mennesker på én gang, men aftalerne er tydelige.",
    "Jeg er glad for, at jeg blev spurgt. Jeg vil gerne hjælpe mere.",
    "",
]
CHILD_COMMENTS = [
    "Det var godt, at jeg måtte sige noget først.",
    "Det var lidt langt. Men jeg kan godt lide aftalen om torsdag.",
    "Jeg var nervøs, men det gik fint.",
]
REVIEW_COMMENTS = {
    AgreementStatus.DONE: [
        "Er sket hver uge. {barn} siger selv, at det hjælper.",
        "Gjort. Det gik lettere end ventet.",
    ],
    AgreementStatus.IN_PROGRESS: [
        "Er i gang, men er ikke sket hver gang. Fortsætter.",
        "Halvvejs. Mangler stadig et svar, før det kan blive færdigt.",
    ],
    AgreementStatus.NOT_DONE: [
        "Blev ikke til noget på grund af sygdom i familien. Aftalen laves om.",
        "Ikke nået. Tidspunktet passede dårligt, så vi finder et nyt.",
    ],
}
FOLLOW_UP_NOTES = {
    "descriptive": "Vi gik aftalerne fra sidste møde igennem én for én. {barn} og {foraelder} fortalte, hvad der er "
    "blevet bedre, og hvad der stadig er svært. Det meste er lykkedes, men ikke alt.",
    "reflective": "Vi talte om, hvorfor nogle aftaler ikke holdt, og hvad der skal til nu. Netværket vil gerne "
    "fortsætte, men ønsker, at aftalerne bliver lidt mindre, så de er til at holde.",
    "agreements": "De aftaler, der virker, fortsætter. Der er lavet nye aftaler for det, der ikke lykkedes, og vi "
    "mødes igen om otte uger.",
}
FOLLOW_UP_AGREEMENTS = [
    ("net1", "Fortsætter den faste aftale og giver besked i god tid, hvis en dag ikke kan holdes", 28),
    ("parent", "Ringer til {net1}, hvis en dag ikke går som planlagt, i stedet for at aflyse", 14),
    ("caseworker", "Sender en kort status til alle to uger før næste opfølgningsmøde", 42),
]
CANCEL_REASONS = [
    "{Foraelder} er blevet syg, og familien ønsker ikke at holde mødet uden. Vi finder en ny dato sammen med familien.",
    "{barn} har bedt om mere tid til at forberede sig. Mødet holdes i stedet efter skolernes ferie.",
]


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


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _age(case: Case, today: datetime.date) -> int:
    birth = case.child.birth_date
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# People -----------------------------------------------------------------------------------------------------


def demo_email(name: str) -> str:
    plain = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    local = ".".join("".join(ch for ch in part if ch.isalnum()) for part in plain.split())
    return f"{local or 'netvaerk'}@eksempel.invalid"


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
        "barns": child.first_name + ("'" if child.first_name[-1:].lower() in "sxz" else "s"),
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
    for p in Participant.objects.filter(meeting=meeting, delivery=Delivery.LETTER, removed_at__isnull=True):
        services.record_letter_printed(actor=cast.owner, participant=p)
    if at is not None:
        rows = Outbox.objects.filter(meeting=meeting, kind=OutboxKind.INVITATION)
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
    Outbox.objects.filter(meeting=meeting, kind=OutboxKind.MINUTES, sent_at__isnull=True).update(
        sent_at=sent_at + datetime.timedelta(minutes=2), attempts=1
    )
    return _meeting(meeting.pk)


def _journalise(cast: _Cast, meeting: Meeting, at: datetime.datetime) -> Meeting:
    services.mark_journalised(actor=cast.owner, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(journalised_at=at)
    return _meeting(meeting.pk)


def _theme_notes(cast: _Cast) -> dict[str, str]:
    return {phase: str(cast.theme[phase]) for phase in ("descriptive", "reflective", "agreements")}


def _theme_agreements(cast: _Cast) -> list[tuple[str, str, int]]:
    items = cast.theme["list"]
    assert isinstance(items, list)
    return items


def _start(seeder: _Seeder, day: datetime.date) -> datetime.datetime:
    hour, minute = seeder.rng.choice(TIMES)
    return _at(day, hour, minute)


# The states -------------------------------------------------------------------------------------------------


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
    meeting = _invite(seeder, cast, meeting, start, at=invited)
    _answer(seeder, cast, meeting, decline=absent, at=invited)
    return _hold(
        seeder,
        cast,
        _meeting(meeting.pk),
        notes=_theme_notes(cast),
        agreements=_theme_agreements(cast),
        follow_up_on=follow_up_on,
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
    _evaluate(seeder, cast, meeting, adults=3)
    held_on = timezone.localtime(meeting.starts_at).date()
    _send_minutes(cast, meeting, _at(add_working_days(held_on, 1), 10, 15))
    # Between meetings the caseworker heard that one agreement is already done.
    first = meeting.agreements.order_by("id").first()
    if first is not None:
        services.set_agreement_status(
            actor=cast.owner,
            agreement=first,
            status=AgreementStatus.DONE,
            comment=cast.text("{Foraelder} ringede og fortalte, at det er kommet godt i gang."),
        )
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
    _evaluate(seeder, cast, meeting, adults=2)
    held_on = timezone.localtime(meeting.starts_at).date()
    _send_minutes(cast, meeting, _at(add_working_days(held_on, 7), 9, 40))  # 5 working days after the deadline


def _state_unsent(seeder: _Seeder, cast: _Cast) -> None:
    _held_meeting(seeder, cast, 1, _working(seeder.today + datetime.timedelta(days=42)), absent=False)


def _state_summary_due(seeder: _Seeder, cast: _Cast) -> None:
    follow_up_on = _working(seeder.today + datetime.timedelta(days=10))
    meeting = _held_meeting(seeder, cast, 30, follow_up_on)
    _evaluate(seeder, cast, meeting, adults=2)
    held_on = timezone.localtime(meeting.starts_at).date()
    meeting = _send_minutes(cast, meeting, _at(add_working_days(held_on, 2), 14, 5))
    _journalise(cast, meeting, _at(add_working_days(held_on, 4), 10, 0))
    follow_up = Meeting.objects.get(previous=meeting)
    follow_up = _refine_follow_up(seeder, cast, follow_up, meeting)
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
    _evaluate(seeder, cast, first, adults=3)
    held_on = timezone.localtime(first.starts_at).date()
    first = _send_minutes(cast, first, _at(add_working_days(held_on, 1), 13, 20))
    _journalise(cast, first, _at(add_working_days(held_on, 5), 9, 10))

    follow_up = Meeting.objects.get(previous=first)
    follow_up = _refine_follow_up(seeder, cast, follow_up, first)
    start = follow_up.starts_at
    invited = start - datetime.timedelta(days=16)
    follow_up = _invite(seeder, cast, follow_up, start, at=invited)
    _answer(seeder, cast, follow_up, decline=False, at=invited)
    follow_up = _hold(
        seeder,
        cast,
        _meeting(follow_up.pk),
        notes=FOLLOW_UP_NOTES,
        agreements=FOLLOW_UP_AGREEMENTS,
        follow_up_on=_working(follow_up_day + datetime.timedelta(days=56)),
        review=[AgreementStatus.DONE, AgreementStatus.IN_PROGRESS, AgreementStatus.NOT_DONE],
    )
    _evaluate(seeder, cast, follow_up, adults=2)
    held_on = timezone.localtime(follow_up.starts_at).date()
    follow_up = _send_minutes(cast, follow_up, _at(add_working_days(held_on, 2), 11, 45))
    _journalise(cast, follow_up, _at(add_working_days(held_on, 3), 15, 0))


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
            follow_up = Meeting.objects.get(previous=meeting)
            day = _working((meeting.follow_up_on or held_on) + datetime.timedelta(days=delay))
            if day >= seeder.today:
                return
            start = _start(seeder, day)
            follow_up = _refine_follow_up(seeder, cast, follow_up, meeting)
            follow_up = _invite(seeder, cast, follow_up, start, at=start - datetime.timedelta(days=16))
            _answer(seeder, cast, follow_up, decline=False, at=start - datetime.timedelta(days=16))
            meeting = _hold(
                seeder,
                cast,
                _meeting(follow_up.pk),
                notes=FOLLOW_UP_NOTES,
                agreements=FOLLOW_UP_AGREEMENTS,
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
