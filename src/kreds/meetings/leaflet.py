"""The leaflet (pjece) "Hvad er et inddragende netværksmøde?" sent with every invitation.

Invitations go to children, parents, relatives and neighbours, often at a hard time in their lives, so
the text is plain and warm: short sentences, no case-work jargon, readable for a 12-year-old. It is
Kreds' own text, written for the product.

The leaflet is kept here as whole texts per language rather than as gettext strings: it is prose that
is written, read aloud and reviewed as a whole, and an invitation is sent in the *recipient's*
language (DOMAIN.md §5), which need not be the language of the staff member's screen. Both versions
must have the same sections in the same order, so a page or PDF can lay them out side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

DEFAULT_LANGUAGE = "da"


@dataclass(frozen=True)
class Section:
    """One heading and its paragraphs; a paragraph is a few short sentences."""

    heading: str
    paragraphs: tuple[str, ...]


_DA: tuple[str, tuple[Section, ...]] = (
    "Hvad er et inddragende netværksmøde?",
    (
        Section(
            "Hvorfor holder vi et møde?",
            (
                "På et netværksmøde finder vi sammen ud af, hvad der skal til, for at et barn eller en ung får "
                "det godt.",
                "Barnet, forældrene, familien, venner og de fagfolk, der kender familien, sidder ved samme bord. "
                "Alle er lige vigtige. Alle ved noget, som de andre ikke ved.",
                "Målet er en god plan, som kan lade sig gøre, og som alle gerne vil være med til.",
            ),
        ),
        Section(
            "Hvem kommer?",
            (
                "Det bestemmer vi sammen med barnet og forældrene. Det kan være en mormor, en nabo, en ven, en "
                "træner eller en lærer. Det er mennesker, der betyder noget for jer og gerne vil hjælpe.",
            ),
        ),
        Section(
            "Hvem gør hvad på mødet?",
            (
                "En mødeleder styrer mødet og holder øje med tiden. Mødelederen er neutral. Det betyder, at "
                "mødelederen ikke arbejder med jeres sag og ikke holder med nogen.",
                "Rådgiveren fra kommunen er med på lige fod med alle andre. Men rådgiveren siger også tydeligt, "
                "at kommunen er myndighed. Kommunen har ansvaret for sagen og træffer beslutningerne.",
                "En referent skriver ned, hvad vi taler om, og hvad vi aftaler.",
            ),
        ),
        Section(
            "Sådan foregår mødet",
            (
                "Mødet har tre dele. Først fortæller vi, hvordan det går nu, og hvad vi gerne vil have lavet "
                "om. Så tænker vi sammen over, hvordan vi kommer derhen. Til sidst aftaler vi, hvem der gør "
                "hvad, og hvornår.",
                "Vi taler i en fast rækkefølge. Så får alle ordet, også dem, der er stille. Du må gerne sige pas.",
                "Mødet varer højst to timer, og vi holder en pause undervejs.",
            ),
        ),
        Section(
            "Når barnet er med",
            (
                "Barnet er med på den måde, der passer til alderen, og til hvad barnet kan overskue. Nogle er "
                "med hele tiden, andre en del af mødet. Nogle vælger en voksen, som siger det for dem. Man kan "
                "også skrive et brev eller lave en tegning, som vi kigger på sammen.",
            ),
        ),
        Section(
            "Efter mødet",
            (
                "Alle får referatet hurtigt efter mødet, så I kan se, hvad vi har aftalt.",
                "På mødet finder vi en dato for et opfølgningsmøde. Der ser vi på, hvordan det er gået. 14 dage "
                "før opfølgningsmødet får alle en kort oversigt over aftalerne.",
                "Bagefter får du nogle få spørgsmål om, hvordan mødet var. Din mening tæller.",
            ),
        ),
        Section(
            "Hvad fortæller vi til andre?",
            (
                "Vi fortæller kun det, som familien har sagt ja til. Det kaldes et samtykke. I kan altid "
                "trække jeres samtykke tilbage. Sig det bare til rådgiveren.",
            ),
        ),
        Section(
            "Sådan kan du forberede dig",
            (
                "Tænk over, hvad du gerne vil sige. Hvad går godt? Hvad er svært?",
                "Tænk også over, hvad du selv kan hjælpe med. Små ting tæller også, for eksempel at hente i "
                "skole en dag om ugen.",
                "Spørg mødelederen eller rådgiveren, hvis du er i tvivl om noget. Vi glæder os til at se dig.",
            ),
        ),
    ),
)

_EN: tuple[str, tuple[Section, ...]] = (
    "What is an inclusive network meeting?",
    (
        Section(
            "Why do we meet?",
            (
                "At a network meeting we work out together what it takes for a child or a young person to be well.",
                "The child, the parents, family, friends and the professionals who know the family sit at the "
                "same table. Everyone is equally important. Everyone knows something the others do not.",
                "The goal is a good plan that can really work and that everyone wants to be part of.",
            ),
        ),
        Section(
            "Who comes?",
            (
                "We decide that together with the child and the parents. It could be a grandmother, a "
                "neighbour, a friend, a coach or a teacher. They are people who matter to you and want to help.",
            ),
        ),
        Section(
            "Who does what at the meeting?",
            (
                "A meeting leader runs the meeting and keeps an eye on the time. The meeting leader is neutral. "
                "This means the meeting leader does not work on your case and does not take sides.",
                "The caseworker from the municipality takes part on an equal footing with everyone else. But "
                "the caseworker also says clearly that the municipality is the authority. The municipality is "
                "responsible for the case and makes the decisions.",
                "A minute taker writes down what we talk about and what we agree.",
            ),
        ),
        Section(
            "How the meeting works",
            (
                "The meeting has three parts. First we say how things are now and what we would like to "
                "change. Then we think together about how to get there. Finally we agree who does what, and "
                "by when.",
                "We speak in a fixed order. That way everyone gets their turn, including those who are quiet. "
                "You are welcome to say pass.",
                "The meeting lasts two hours at most, and we take a break along the way.",
            ),
        ),
        Section(
            "When the child takes part",
            (
                "The child takes part in the way that suits their age and what they can cope with. Some are "
                "there the whole time, others for part of the meeting. Some choose an adult to speak for them. "
                "A child can also write a letter or make a drawing that we look at together.",
            ),
        ),
        Section(
            "After the meeting",
            (
                "Everyone gets the minutes soon after the meeting, so you can see what we agreed.",
                "At the meeting we agree on a date for a follow-up meeting. There we look at how things have "
                "gone. 14 days before the follow-up meeting, everyone gets a short summary of the agreements.",
                "Afterwards you get a few questions about how the meeting went. Your opinion counts.",
            ),
        ),
        Section(
            "What is shared with others?",
            (
                "We only share what the family has said yes to. This is called consent. You can always "
                "withdraw your consent. Just tell the caseworker.",
            ),
        ),
        Section(
            "How you can prepare",
            (
                "Think about what you would like to say. What is going well? What is hard?",
                "Also think about what you can help with yourself. Small things count too, for example picking "
                "up from school one day a week.",
                "Ask the meeting leader or the caseworker if you are unsure about anything. We look forward to "
                "seeing you.",
            ),
        ),
    ),
)

LEAFLET: dict[str, tuple[str, tuple[Section, ...]]] = {"da": _DA, "en": _EN}


def leaflet(language: str | None = None) -> tuple[str, tuple[Section, ...]]:
    """The leaflet's title and sections in ``language``, else the active language, else Danish.

    ``language`` may be a full code such as ``"en-gb"``; only the primary subtag is used. Danish is the
    fallback because it is the product's default language and the one every municipality can read.
    """
    return choose(LEAFLET, language)


def choose(
    leaflets: dict[str, tuple[str, tuple[Section, ...]]], language: str | None = None
) -> tuple[str, tuple[Section, ...]]:
    """Pick a leaflet by language (shared by every leaflet in Kreds)."""
    code = language if language is not None else get_language()
    primary = (code or DEFAULT_LANGUAGE).lower().replace("_", "-").split("-", 1)[0]
    return leaflets.get(primary, leaflets[DEFAULT_LANGUAGE])
