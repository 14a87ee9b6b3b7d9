"""The leaflet (pjece) "Hvad er en familierådslagning?" sent with every invitation to a family group conference.

Like the network meeting's leaflet (:mod:`kreds.meetings.leaflet`), it is Kreds' own text, written in plain
language for children, parents, relatives and neighbours, kept as whole texts per language with the same
sections in the same order. With a meeting it fits that conference: its planned time and break, when the family
meets again (the municipality's own number of months), and what a follow-up conference is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kreds.conferences.constants import FOLLOW_UP_MONTHS_MAX, FOLLOW_UP_MONTHS_MIN
from kreds.meetings.leaflet import Leaflet, Section, choose, number, when_text

if TYPE_CHECKING:
    from kreds.meetings.models import Meeting


def _months(meeting: Meeting) -> int:
    """The municipality's default months to the follow-up conference (3–6, DOMAIN §6)."""
    months = int(getattr(meeting.municipality, "fgc_follow_up_months", 0) or 0)
    return min(max(months, FOLLOW_UP_MONTHS_MIN), FOLLOW_UP_MONTHS_MAX)


def _da(meeting: Meeting | None) -> Leaflet:
    follow_up = meeting is not None and meeting.is_follow_up
    if follow_up:
        how: tuple[str, ...] = (
            "Det er en opfølgende familierådslagning. I ser på planen punkt for punkt: Er det blevet til "
            "virkelighed? Hvordan har barnet det nu?",
            "Rådgiveren fra kommunen er med. I kan lave planen om, hvis der er brug for det, og rådgiveren ser på "
            "hvert nyt punkt.",
        )
        after = "Hvis der er brug for det, aftaler I et nyt opfølgende møde."
    else:
        how = (
            "Mødet har tre dele.",
            "1. Først fortæller fagfolkene, hvad de er bekymrede for, hvilke spørgsmål planen skal svare på, "
            "og hvilke krav der skal være opfyldt, for at barnet er i sikkerhed. De fortæller også, hvilken "
            "hjælp kommunen kan give. Alle må stille spørgsmål.",
            "2. Så går fagfolkene ud. Familien og netværket har tid for sig selv og laver planen sammen. Der er "
            "ingen fagfolk i rummet, og ingen skriver ned, hvad I siger.",
            "3. Til sidst fortæller familien planen. Rådgiveren fra kommunen ser på hvert punkt. Et punkt kan "
            "kun siges nej til, hvis der er en god grund, og så får I grunden at vide.",
        )
        months = "tre til seks" if meeting is None else f"cirka {number(_months(meeting), 'da')}"
        after = (
            f"Efter {months} måneder mødes I igen. Så ser I på, om planen er blevet til virkelighed, og "
            "hvordan barnet har det nu. I kan lave planen om, hvis der er brug for det."
        )
    time = (
        "I invitationen står, hvornår mødet begynder og slutter. Mødet tager ofte længere tid end et almindeligt "
        "møde, fordi familien også skal have tid for sig selv."
        if meeting is None
        else when_text(meeting, "da")
    )
    return (
        "Hvad er en familierådslagning?",
        (
            Section(
                "Familien laver selv planen",
                (
                    "En familierådslagning er et møde, hvor familien og netværket laver en plan for et barn eller "
                    "en ung. Planen skal gøre, at barnet får det bedre.",
                    "I kender barnets hverdag bedre end nogen andre. Derfor er det jer, der laver planen. Kommunen "
                    "hjælper og godkender planen bagefter.",
                ),
            ),
            Section(
                "Hvem kommer?",
                (
                    "Barnet, forældrene og de mennesker, der betyder noget for barnet. Det kan være familie, "
                    "venner, naboer, en træner eller en lærer. Det er ikke blodet eller adressen, der bestemmer, "
                    "hvem der er med. Det er, hvem der betyder noget.",
                    "Barnet kan have en støtteperson med. Det er en voksen, som barnet stoler på, og som hjælper "
                    "barnet med at sige det, barnet gerne vil.",
                ),
            ),
            Section(
                "Samordneren",
                (
                    "En samordner hjælper med at forberede mødet. Samordneren arbejder ikke med jeres sag og holder "
                    "ikke med nogen.",
                    "Samordneren taler med alle, der er inviteret, før mødet. Ofte kommer samordneren på besøg. Så "
                    "ved du, hvad der skal ske, og du kan sige, hvis du er bekymret for noget.",
                    "Har du brug for en tolk, mad, børnepasning eller hjælp til at komme frem, så sig det til "
                    "samordneren.",
                ),
            ),
            Section("Sådan foregår mødet", (*how, time)),
            Section(
                "Planen",
                (
                    "I planen står der, hvem der gør hvad, og hvornår. Hvis I beder kommunen om hjælp, står det også "
                    "i planen. Kommunen siger kun ja til et punkt, når hjælpen faktisk er der.",
                    "Alle får den godkendte plan. Du kan også se den og din egen del af den på din personlige side.",
                ),
            ),
            Section(
                "Efter mødet",
                (after, "Bagefter får du nogle få spørgsmål om, hvordan det var. Din mening tæller."),
            ),
            Section(
                "Hvad fortæller vi til andre?",
                (
                    "Forældrene har sagt ja til familierådslagningen. Vi fortæller kun det, som familien har sagt "
                    "ja til. Man kan altid trække sit ja tilbage. Sig det bare til samordneren eller rådgiveren.",
                ),
            ),
        ),
    )


def _en(meeting: Meeting | None) -> Leaflet:
    follow_up = meeting is not None and meeting.is_follow_up
    if follow_up:
        how: tuple[str, ...] = (
            "This is a follow-up family group conference. You go through the plan item by item: Has it come "
            "true? How is the child doing now?",
            "The caseworker from the municipality takes part. You can change the plan if needed, and the "
            "caseworker looks at each new item.",
        )
        after = "If needed, you agree on another follow-up meeting."
    else:
        how = (
            "The meeting has three parts.",
            "1. First the professionals say what they are worried about, which questions the plan must answer, "
            "and what must be in place for the child to be safe. They also say what help the municipality can "
            "give. Everyone may ask questions.",
            "2. Then the professionals leave. The family and the network have time on their own and make the "
            "plan together. No professionals are in the room, and nobody writes down what you say.",
            "3. Finally the family presents the plan. The caseworker from the municipality looks at each item. "
            "An item can only be turned down for a good reason, and then you are told the reason.",
        )
        months = "three to six" if meeting is None else f"about {number(_months(meeting), 'en')}"
        after = (
            f"After {months} months you meet again. You look at whether the plan has come true, and how the "
            "child is doing now. You can change the plan if needed."
        )
    time = (
        "The invitation says when the meeting starts and ends. The meeting often takes longer than an ordinary "
        "meeting, because the family also needs time on their own."
        if meeting is None
        else when_text(meeting, "en")
    )
    return (
        "What is a family group conference?",
        (
            Section(
                "The family makes the plan",
                (
                    "A family group conference is a meeting where the family and the network make a plan for a "
                    "child or a young person. The plan should help the child be well.",
                    "You know the child's everyday life better than anyone. That is why you make the plan. The "
                    "municipality helps, and approves the plan afterwards.",
                ),
            ),
            Section(
                "Who comes?",
                (
                    "The child, the parents and the people who matter to the child. That can be family, friends, "
                    "neighbours, a coach or a teacher. It is not blood or address that decides who takes part. It "
                    "is who matters.",
                    "The child can bring a support person. This is an adult the child trusts, who helps the child "
                    "say what they want to say.",
                ),
            ),
            Section(
                "The coordinator",
                (
                    "A coordinator helps prepare the meeting. The coordinator does not work on your case and does "
                    "not take sides.",
                    "The coordinator talks to everyone invited before the meeting, often on a visit. That way you "
                    "know what will happen, and you can say if you are worried about something.",
                    "If you need an interpreter, food, childcare or help getting there, tell the coordinator.",
                ),
            ),
            Section("How the meeting works", (*how, time)),
            Section(
                "The plan",
                (
                    "The plan says who does what, and by when. If you ask the municipality for help, that is in "
                    "the plan too. The municipality only says yes to an item when the help is actually there.",
                    "Everyone gets the approved plan. You can also see it, and your own part of it, on your "
                    "personal page.",
                ),
            ),
            Section(
                "After the meeting",
                (after, "Afterwards you get a few questions about how it was. Your opinion counts."),
            ),
            Section(
                "What is shared with others?",
                (
                    "The parents have said yes to the family group conference. We only share what the family has "
                    "said yes to. You can always take back your yes. Just tell the coordinator or the caseworker.",
                ),
            ),
        ),
    )


LEAFLET: dict[str, Leaflet] = {"da": _da(None), "en": _en(None)}
BUILDERS: dict[str, Callable[[Meeting], Leaflet]] = {"da": _da, "en": _en}


def leaflet(language: str | None = None, meeting: Meeting | None = None) -> Leaflet:
    """The leaflet in ``language``, else the active language, else Danish (as the network meeting's leaflet);
    with ``meeting``, fitted to that conference or follow-up conference."""
    if meeting is None:
        return choose(LEAFLET, language)
    return choose(BUILDERS, language)(meeting)
