"""The leaflet (pjece) "Hvad er et inddragende netværksmøde?" sent with every invitation.

Invitations go to children, parents, relatives and neighbours, often at a hard time in their lives, so
the text is plain and warm: short sentences, no case-work jargon, readable for a 12-year-old. It is
Kreds' own text, written for the product.

The leaflet is kept here as whole texts per language rather than as gettext strings: it is prose that
is written, read aloud and reviewed as a whole, and an invitation is sent in the *recipient's*
language (DOMAIN.md §5), which need not be the language of the staff member's screen. Both versions
must have the same sections in the same order, so a page or PDF can lay them out side by side.

A leaflet that goes with an invitation fits the meeting it goes with (field trial, issue 14 §3): it says the
planned time and length, whether a break is planned, how the child takes part, and what a follow-up meeting
is. Without a meeting (the public page) it describes network meetings in general.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import get_language

if TYPE_CHECKING:
    from kreds.meetings.models import Meeting

DEFAULT_LANGUAGE = "da"


@dataclass(frozen=True)
class Section:
    """One heading and its paragraphs; a paragraph is a few short sentences."""

    heading: str
    paragraphs: tuple[str, ...]


Leaflet = tuple[str, tuple[Section, ...]]

# Dates and lengths in words, per language (whole texts, not the staff member's screen language).
_WEEKDAYS = {
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "da": (
        "januar", "februar", "marts", "april", "maj", "juni",
        "juli", "august", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
_NUMBERS = {
    "da": ("nul", "en", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "elleve", "tolv"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
}


def number(n: int, language: str) -> str:
    """Small numbers in words ("to", "two"), larger ones in digits, as plain-language texts write them."""
    words = _NUMBERS[language]
    return words[n] if 0 <= n < len(words) else str(n)


def duration(minutes: int, language: str) -> str:
    """A length in words: "to timer og 30 minutter", "halvanden time", "two and a half hours"."""
    hours, rest = divmod(max(minutes, 0), 60)
    if language == "da":
        if hours == 0:
            return f"{rest} minutter"
        if hours == 1 and rest == 30:
            return "halvanden time"
        unit = "time" if hours == 1 else "timer"
        if rest == 30:
            return f"{number(hours, 'da')} og en halv time"
        whole = f"{number(hours, 'da')} {unit}"
        return whole if rest == 0 else f"{whole} og {rest} minutter"
    if hours == 0:
        return f"{rest} minutes"
    if hours == 1 and rest == 30:
        return "an hour and a half"
    if rest == 30:
        return f"{number(hours, 'en')} and a half hours"
    whole = "one hour" if hours == 1 else f"{number(hours, 'en')} hours"
    return whole if rest == 0 else f"{whole} and {rest} minutes"


def day_text(day: datetime.date, language: str) -> str:
    """ "tirsdag den 12. maj" / "Tuesday 12 May"."""
    weekday, month = _WEEKDAYS[language][day.weekday()], _MONTHS[language][day.month - 1]
    return f"{weekday} den {day.day}. {month}" if language == "da" else f"{weekday} {day.day} {month}"


def when_text(meeting: Meeting, language: str) -> str:
    """The planned time and length, with the break: the sentences a leaflet says about this meeting's time."""
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    length = duration(meeting.duration_minutes, language)
    if language == "da":
        if start.date() == end.date():
            when = f"Mødet er {day_text(start.date(), 'da')} fra kl. {start:%H.%M} til {end:%H.%M}."
        else:
            when = (
                f"Mødet begynder {day_text(start.date(), 'da')} kl. {start:%H.%M} og slutter "
                f"{day_text(end.date(), 'da')} kl. {end:%H.%M}."
            )
        pause = (
            "Vi holder en pause undervejs."
            if meeting.break_planned
            else "Der er ikke planlagt en pause, men sig til, hvis du får brug for en."
        )
        return f"{when} Det varer {length}. {pause}"
    if start.date() == end.date():
        when = f"The meeting is on {day_text(start.date(), 'en')} from {start:%H:%M} to {end:%H:%M}."
    else:
        when = (
            f"The meeting starts on {day_text(start.date(), 'en')} at {start:%H:%M} and ends on "
            f"{day_text(end.date(), 'en')} at {end:%H:%M}."
        )
    pause = (
        "We take a break along the way."
        if meeting.break_planned
        else "No break is planned, but tell us if you need one."
    )
    return f"{when} It lasts {length}. {pause}"


# How the child takes part in this meeting (Meeting.child_participation), in plain words.
_CHILD: dict[str, dict[str, str]] = {
    "da": {
        "in_person": "Barnet er med på hele mødet. Vi taler, så barnet kan følge med, og barnet må altid sige til, "
        "hvis det har brug for en pause.",
        "part": "Barnet er med i en del af mødet, ikke hele tiden. Vi taler, så barnet kan følge med, når det er der.",
        "through_adult": "Barnet er ikke selv med. Barnet har valgt en voksen, som fortæller det, barnet gerne vil "
        "have, at vi hører.",
        "written": "Barnet er ikke selv med. Barnet fortæller med egne ord eller en tegning, som vi kigger på "
        "sammen på mødet.",
        "not": "Barnet er ikke med på mødet. Det passer bedst til barnets alder, og til hvad barnet kan overskue. "
        "Vi holder barnet i tankerne hele mødet.",
    },
    "en": {
        "in_person": "The child takes part in the whole meeting. We talk so the child can follow, and the child can "
        "always say if they need a break.",
        "part": "The child takes part in some of the meeting, not all of it. We talk so the child can follow while "
        "they are there.",
        "through_adult": "The child does not come. The child has chosen an adult who tells us what the child wants "
        "us to hear.",
        "written": "The child does not come. The child tells us in their own words or a drawing, which we look at "
        "together at the meeting.",
        "not": "The child does not take part in the meeting. That suits the child's age and what the child can cope "
        "with. We keep the child in mind throughout the meeting.",
    },
}


def _da(meeting: Meeting | None) -> Leaflet:
    follow_up = meeting is not None and meeting.is_follow_up
    if follow_up:
        how = (
            "Det er et opfølgningsmøde. Vi ser på aftalerne fra sidste møde én ad gangen: Hvad er gjort, hvad "
            "mangler, og hvad skal laves om? Til sidst aftaler vi, hvem der gør hvad, og hvornår."
        )
    else:
        how = (
            "Mødet har tre dele. Først fortæller vi, hvordan det går nu, og hvad vi gerne vil have lavet "
            "om. Så tænker vi sammen over, hvordan vi kommer derhen. Til sidst aftaler vi, hvem der gør "
            "hvad, og hvornår."
        )
    if meeting is None:
        time = (
            "Et netværksmøde varer normalt højst to timer, og vi holder en pause undervejs. I invitationen står, "
            "hvornår jeres møde begynder og slutter."
        )
        child = Section(
            "Når barnet er med",
            (
                "Barnet er med på den måde, der passer til alderen, og til hvad barnet kan overskue. Nogle er "
                "med hele tiden, andre en del af mødet. Nogle vælger en voksen, som siger det for dem. Man kan "
                "også skrive et brev eller lave en tegning, som vi kigger på sammen.",
            ),
        )
    else:
        time = when_text(meeting, "da")
        child = Section("Barnet og mødet", (_CHILD["da"].get(meeting.child_participation, _CHILD["da"]["part"]),))
    return (
        "Hvad er et inddragende netværksmøde?",
        (
            Section(
                "Hvorfor holder vi et møde?",
                (
                    "På et netværksmøde finder vi sammen ud af, hvad der skal til, for at et barn eller en ung får "
                    "det godt.",
                    "Barnet, forældrene, familien, venner og de fagfolk, der kender familien, sidder ved samme "
                    "bord. Alle er lige vigtige. Alle ved noget, som de andre ikke ved.",
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
                    "Rådgiveren fra kommunen er med på lige fod med alle andre. Men rådgiveren siger også "
                    "tydeligt, at kommunen er myndighed. Kommunen har ansvaret for sagen og træffer beslutningerne.",
                    "En referent skriver ned, hvad vi taler om, og hvad vi aftaler.",
                ),
            ),
            Section(
                "Sådan foregår mødet",
                (
                    how,
                    "Vi taler i en fast rækkefølge. Så får alle ordet, også dem, der er stille. Du må gerne sige pas.",
                    time,
                ),
            ),
            child,
            Section(
                "Efter mødet",
                (
                    "Alle får referatet hurtigt efter mødet, så I kan se, hvad vi har aftalt.",
                    (
                        "På mødet finder vi en dato for næste opfølgningsmøde."
                        if follow_up
                        else "På mødet finder vi en dato for et opfølgningsmøde."
                    )
                    + " Der ser vi på, hvordan det er gået. 14 dage før opfølgningsmødet får alle en kort oversigt "
                    "over aftalerne.",
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


def _en(meeting: Meeting | None) -> Leaflet:
    follow_up = meeting is not None and meeting.is_follow_up
    if follow_up:
        how = (
            "This is a follow-up meeting. We look at the agreements from the last meeting one at a time: What has "
            "been done, what is missing, and what needs to change? Finally we agree who does what, and by when."
        )
    else:
        how = (
            "The meeting has three parts. First we say how things are now and what we would like to "
            "change. Then we think together about how to get there. Finally we agree who does what, and "
            "by when."
        )
    if meeting is None:
        time = (
            "A network meeting usually lasts two hours at most, and we take a break along the way. The invitation "
            "says when your meeting starts and ends."
        )
        child = Section(
            "When the child takes part",
            (
                "The child takes part in the way that suits their age and what they can cope with. Some are "
                "there the whole time, others for part of the meeting. Some choose an adult to speak for them. "
                "A child can also write a letter or make a drawing that we look at together.",
            ),
        )
    else:
        time = when_text(meeting, "en")
        child = Section(
            "The child and the meeting", (_CHILD["en"].get(meeting.child_participation, _CHILD["en"]["part"]),)
        )
    return (
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
                    "neighbour, a friend, a coach or a teacher. They are people who matter to you and want to "
                    "help.",
                ),
            ),
            Section(
                "Who does what at the meeting?",
                (
                    "A meeting leader runs the meeting and keeps an eye on the time. The meeting leader is "
                    "neutral. This means the meeting leader does not work on your case and does not take sides.",
                    "The caseworker from the municipality takes part on an equal footing with everyone else. But "
                    "the caseworker also says clearly that the municipality is the authority. The municipality is "
                    "responsible for the case and makes the decisions.",
                    "A minute taker writes down what we talk about and what we agree.",
                ),
            ),
            Section(
                "How the meeting works",
                (
                    how,
                    "We speak in a fixed order. That way everyone gets their turn, including those who are quiet. "
                    "You are welcome to say pass.",
                    time,
                ),
            ),
            child,
            Section(
                "After the meeting",
                (
                    "Everyone gets the minutes soon after the meeting, so you can see what we agreed.",
                    (
                        "At the meeting we agree on a date for the next follow-up meeting."
                        if follow_up
                        else "At the meeting we agree on a date for a follow-up meeting."
                    )
                    + " There we look at how things have gone. 14 days before the follow-up meeting, everyone gets "
                    "a short summary of the agreements.",
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
                    "Also think about what you can help with yourself. Small things count too, for example "
                    "picking up from school one day a week.",
                    "Ask the meeting leader or the caseworker if you are unsure about anything. We look forward "
                    "to seeing you.",
                ),
            ),
        ),
    )


# The general leaflet (the public page), and the builders for a leaflet that fits one meeting.
LEAFLET: dict[str, Leaflet] = {"da": _da(None), "en": _en(None)}
BUILDERS: dict[str, Callable[[Meeting], Leaflet]] = {"da": _da, "en": _en}


def leaflet(language: str | None = None, meeting: Meeting | None = None) -> Leaflet:
    """The leaflet's title and sections in ``language``, else the active language, else Danish.

    With ``meeting``, the leaflet fits that meeting (its planned time, length and break, how the child takes part,
    whether it is a follow-up); without, it is the general leaflet of the public page.

    ``language`` may be a full code such as ``"en-gb"``; only the primary subtag is used. Danish is the
    fallback because it is the product's default language and the one every municipality can read.
    """
    if meeting is None:
        return choose(LEAFLET, language)
    return choose(BUILDERS, language)(meeting)


def language_of(language: str | None = None) -> str:
    """The primary subtag of ``language`` (else the active language, else Danish)."""
    code = language if language is not None else get_language()
    return (code or DEFAULT_LANGUAGE).lower().replace("_", "-").split("-", 1)[0]


def choose[T](leaflets: dict[str, T], language: str | None = None) -> T:
    """Pick a leaflet (or a leaflet builder) by language (shared by every leaflet in Kreds)."""
    return leaflets.get(language_of(language), leaflets[DEFAULT_LANGUAGE])
