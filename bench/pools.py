"""Static data for the benchmark generator: the 98 Danish municipalities and small text pools.

Municipality names and codes are public facts; populations are rounded (thousands, around 2024) and only used to
weigh how many children each municipality gets. Texts are short Danish phrases (the municipalities' own data is
Danish); the generator combines them so that rows differ without calling Faker per row.
"""

from __future__ import annotations

# (code, name, population in thousands)
MUNICIPALITIES: list[tuple[str, str, int]] = [
    ("101", "København", 660),
    ("147", "Frederiksberg", 105),
    ("151", "Ballerup", 52),
    ("153", "Brøndby", 39),
    ("155", "Dragør", 15),
    ("157", "Gentofte", 75),
    ("159", "Gladsaxe", 70),
    ("161", "Glostrup", 24),
    ("163", "Herlev", 29),
    ("165", "Albertslund", 28),
    ("167", "Hvidovre", 54),
    ("169", "Høje-Taastrup", 57),
    ("173", "Lyngby-Taarbæk", 57),
    ("175", "Rødovre", 41),
    ("183", "Ishøj", 24),
    ("185", "Tårnby", 44),
    ("187", "Vallensbæk", 17),
    ("190", "Furesø", 41),
    ("201", "Allerød", 26),
    ("210", "Fredensborg", 41),
    ("217", "Helsingør", 63),
    ("219", "Hillerød", 54),
    ("223", "Hørsholm", 25),
    ("230", "Rudersdal", 57),
    ("240", "Egedal", 44),
    ("250", "Frederikssund", 46),
    ("253", "Greve", 51),
    ("259", "Køge", 62),
    ("260", "Halsnæs", 31),
    ("265", "Roskilde", 90),
    ("269", "Solrød", 24),
    ("270", "Gribskov", 41),
    ("306", "Odsherred", 33),
    ("316", "Holbæk", 73),
    ("320", "Faxe", 37),
    ("326", "Kalundborg", 48),
    ("329", "Ringsted", 36),
    ("330", "Slagelse", 80),
    ("336", "Stevns", 23),
    ("340", "Sorø", 30),
    ("350", "Lejre", 29),
    ("360", "Lolland", 40),
    ("370", "Næstved", 84),
    ("376", "Guldborgsund", 60),
    ("390", "Vordingborg", 45),
    ("400", "Bornholm", 39),
    ("410", "Middelfart", 39),
    ("420", "Assens", 41),
    ("430", "Faaborg-Midtfyn", 52),
    ("440", "Kerteminde", 24),
    ("450", "Nyborg", 32),
    ("461", "Odense", 207),
    ("479", "Svendborg", 59),
    ("480", "Nordfyns", 29),
    ("482", "Langeland", 12),
    ("492", "Ærø", 6),
    ("510", "Haderslev", 56),
    ("530", "Billund", 27),
    ("540", "Sønderborg", 74),
    ("550", "Tønder", 37),
    ("561", "Esbjerg", 116),
    ("563", "Fanø", 4),
    ("573", "Varde", 50),
    ("575", "Vejen", 43),
    ("580", "Aabenraa", 59),
    ("607", "Fredericia", 52),
    ("615", "Horsens", 98),
    ("621", "Kolding", 95),
    ("630", "Vejle", 120),
    ("657", "Herning", 90),
    ("661", "Holstebro", 59),
    ("665", "Lemvig", 19),
    ("671", "Struer", 21),
    ("706", "Syddjurs", 43),
    ("707", "Norddjurs", 37),
    ("710", "Favrskov", 49),
    ("727", "Odder", 23),
    ("730", "Randers", 99),
    ("740", "Silkeborg", 96),
    ("741", "Samsø", 4),
    ("746", "Skanderborg", 64),
    ("751", "Aarhus", 370),
    ("756", "Ikast-Brande", 42),
    ("760", "Ringkøbing-Skjern", 56),
    ("766", "Hedensted", 47),
    ("773", "Morsø", 20),
    ("779", "Skive", 46),
    ("787", "Thisted", 43),
    ("791", "Viborg", 98),
    ("810", "Brønderslev", 36),
    ("813", "Frederikshavn", 59),
    ("820", "Vesthimmerlands", 36),
    ("825", "Læsø", 2),
    ("840", "Rebild", 30),
    ("846", "Mariagerfjord", 42),
    ("849", "Jammerbugt", 38),
    ("851", "Aalborg", 222),
    ("860", "Hjørring", 64),
]
assert len(MUNICIPALITIES) == 98

# Shares of all children fixed by the brief (København has fewer children per inhabitant than its population says).
FIXED_SHARES = {"101": 0.07, "751": 0.05}

# (unit key, name, kind); every municipality has these four units.
UNITS = [
    ("authority", "MyndighedsCenter", "authority"),
    ("youth", "UngeCenter", "youth_centre"),
    ("family", "FamilieCenter", "family_centre"),
    ("ppr", "PPR", "ppr"),
]

# A sector some municipalities add to the five defaults (key, name, colour, professional).
EXTRA_SECTOR = ("leisure", "Fritid og foreninger", "#8a4b08", False)

LANGUAGES = ["dansk"] * 17 + ["dansk, arabisk", "dansk, somali", "dansk, tyrkisk", "dansk, polsk", "dansk, ukrainsk"]

RELATIONS = {
    "family": ["storebror", "lillesøster", "storesøster", "lillebror", "stedfar", "stedmor", "halvbror", "halvsøster"],
    "relatives": ["mormor", "morfar", "farmor", "farfar", "moster", "morbror", "faster", "farbror", "fætter", "kusine"],
    "friends": ["nabo", "bedste ven", "vens mor", "vens far", "genbo", "familieven", "gudmor", "gudfar"],
    "school": ["klasselærer", "pædagog i SFO", "fodboldtræner", "spejderleder", "musiklærer", "pædagog i børnehaven"],
    "leisure": ["håndboldtræner", "rideskolelærer", "klubmedarbejder", "svømmetræner"],
}
# (professional role, organisation, intervention)
PROFESSIONALS = [
    ("sundhedsplejerske", "Sundhedsplejen", "Hjemmebesøg"),
    ("PPR-psykolog", "PPR", "PPR-støtte i skolen"),
    ("familiebehandler", "FamilieCenter", "Familiebehandling"),
    ("børnepsykiater", "Børne- og ungdomspsykiatrien", "Udredning"),
    ("SSP-medarbejder", "SSP", "Mentorforløb"),
    ("kontaktperson", "FamilieCenter", "Kontaktpersonordning"),
    ("egen læge", "Lægehuset", ""),
    ("AKT-lærer", "Skolen", "AKT-forløb"),
]
RESOURCES = ["Kan hente om onsdagen", "Har tid i weekenden", "Kan hjælpe med lektier", "Kan tage barnet på ferie"]

PLACES = [
    "Familiehuset, mødelokale 1",
    "Medborgerhuset, lokale 3",
    "Biblioteket, grupperummet på 1. sal",
    "FamilieCentret, det store mødelokale",
    "Sognegården, den lille sal",
    "Rådhuset, mødelokale 2.14",
    "Skolen, personalerummet",
]
PURPOSES = [
    "At finde ud af, hvem der kan hjælpe familien i hverdagen, så {barn} kommer i skole hver dag.",
    "At give familien luft i hverdagen ved at finde faste voksne i netværket, som {barn} kan være hos.",
    "At aftale, hvordan skiftene mellem de to hjem kan blive rolige for {barn}.",
    "At hjælpe {barn} til at få det bedre i klassen og få et godt fritidsliv.",
    "At lægge en plan sammen med {barn} for skole og uddannelse det næste halve år.",
    "At samle de voksne, der kan hjælpe {barn} godt i gang efter flytningen.",
]
FOLLOW_UP_PURPOSE = "Vi følger op på aftalerne fra sidste møde og ser på, hvad der skal til nu for {barn}."
FGC_PURPOSE = "Familierådslagning: familien og netværket lægger selv en plan for, hvordan {barn} får en tryg hverdag."
NOTES_DESCRIPTIVE = [
    "{barn} har haft meget fravær, mest om mandagen. Morgenerne er svære, og der er ingen at skiftes med.",
    "Familien står meget alene. {barn} sover uroligt, og forældrene er trætte.",
    "{barn} er glad for skolen, når {barn} først er der, men går tit alene i frikvartererne.",
    "Afleveringerne mellem de to hjem er flere gange endt i skænderier, som {barn} har set.",
]
NOTES_REFLECTIVE = [
    "Vi talte om, hvem der kan tage en morgen eller en eftermiddag, og hvad der har virket før.",
    "Netværket vil gerne hjælpe, men ikke for mange nye mennesker på én gang.",
    "Flere foreslog en fast rutine og en voksen på skolen, der tager imod {barn}.",
]
NOTES_AGREEMENTS = [
    "Faste aftaler om hentning og en aften om ugen, hvor forældrene kan hvile. Vi ser på det igen til opfølgningen.",
    "De aftaler, der virker, fortsætter. Der er lavet nye aftaler for det, der ikke lykkedes.",
]
AGREEMENTS = [
    "Henter {barn} tirsdag og torsdag kl. 15",
    "Passer {barn} én aften om ugen",
    "Kommer på hjemmebesøg og taler om søvn og aftenrutiner",
    "Giver skolen besked før kl. 8, hvis {barn} bliver hjemme",
    "Undersøger, om familien kan få hjælp til transport",
    "Følger {barn} i skole mandag og onsdag morgen",
    "Tager imod {barn} ved porten kl. 7.55",
    "Pakker taske og madpakke sammen med {barn} aftenen før",
    "Har {barn} på overnatning hver anden weekend",
    "Bruger den fælles app til praktiske beskeder",
    "Tilbyder {barn} en fast samtale hver anden uge",
    "Følger {barn} til svømning de første tre gange",
    "Sender familien en oversigt over fritidstilbud",
    "Ringer søndag aften og hører, hvordan ugen ser ud",
    "Spiser aftensmad sammen med {barn} mindst tre dage om ugen",
]
REVIEW_COMMENTS = {
    "done": ["Er sket hver uge.", "Gjort. Det gik lettere end ventet.", ""],
    "in_progress": ["Er i gang, men ikke hver gang.", "Halvvejs. Fortsætter.", ""],
    "not_done": [
        "Blev ikke til noget på grund af sygdom. Aftalen laves om.",
        "Ikke nået. Tidspunktet passede dårligt.",
    ],
}
CANCEL_REASONS = [
    "Forælderen er blevet syg. Vi finder en ny dato sammen med familien.",
    "{barn} har bedt om mere tid til at forberede sig.",
    "Mødelederen er syg, og mødet flyttes.",
]
CLOSE_REASONS = [
    "Indsatsen er afsluttet, og barnets trivsel er stabil.",
    "Familien er fraflyttet kommunen.",
    "Barnet er fyldt 18 år.",
    "Bekymringen er afklaret; ingen yderligere foranstaltninger.",
]
EVALUATION_COMMENTS = [
    "",
    "",
    "",
    "Godt at alle kom til orde.",
    "Det var rart at vide på forhånd, hvad mødet handlede om.",
    "Lidt mange mennesker på én gang, men aftalerne er tydelige.",
]
RISK_SUMMARY = "Samtale med barnet og SSP. Vurderingen er dokumenteret i journalen."

# Placements (kreds.placements): why placement is considered, why a network placement was not possible, contact.
PLACEMENT_WHY = [
    "Omsorgssvigt; forældrene kan ikke løfte omsorgen trods støtte.",
    "Mors misbrug er forværret; barnet kan ikke blive hjemme.",
    "Vold i hjemmet; barnet skal have et trygt sted at bo.",
    "Barnets behov kræver mere, end familien kan give lige nu.",
]
NO_NETWORK_REASONS = [
    "Ingen i netværket kunne tage barnet; to blev afsøgt og sagde nej.",
    "Barnets behov kræver en specialiseret plejefamilie.",
    "Akut anbringelse; netværket afsøges efterfølgende til samvær.",
    "Den eneste mulige i netværket blev vurderet ikke egnet.",
]
NOT_SUITABLE_REASONS = ["Verserende sag om vold.", "Kan ikke skærme barnet mod forældrenes konflikt."]
CONTACT_FREQUENCIES = ["Hver anden weekend", "Hver onsdag eftermiddag", "En gang om måneden", "Ugentlig videosamtale"]
CONTACT_PLACES = ["", "Familiecentret", "Hos plejefamilien", "Hos mormor"]
