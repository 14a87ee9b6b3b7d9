"""Every PDF Kreds makes lays out any text length (issue 14, field trial: the family's plan became unreadable once
an item was rejected with a reason of about 100 characters: columns printed over each other, text ran one word a
line).

Each generator is built through the real services with the longest texts people write: free texts of 300+
characters, a 100-character rejection reason, 80-character names, a 70-character word without a space (a file
name, a web address). The PDF must be a PDF/A, hold every text in full, and keep its layout, read from the word
positions ``pdftotext -bbox`` reports:

- no word in the side margins or off the page;
- no two words on top of each other (a column running into the next);
- no "one word a line": no five or more words in a column each alone on its line, one under the other.

The archive extract runs every PDF the case's apps register, so a new generator is held to the same.
Set ``KREDS_PDF_DIR`` to keep the PDFs (to look at them: ``pdftoppm -png -r 60``).
"""

from __future__ import annotations

import datetime
import html
import io
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone, translation

from kreds.conferences import services as conferences
from kreds.conferences.models import PlanItem
from kreds.meetings import services as meetings
from kreds.meetings.models import Agreement, Meeting, Participant
from kreds.network import services as network
from kreds.network.models import NetworkPerson, Sector
from kreds.placements import services as placements
from kreds.plans import selectors as plan_selectors
from kreds.plans import services as plans
from kreds.safety import services as safety
from kreds.testing.conferences import at_follow_up, held
from kreds.testing.meetings import held_meeting, network_for, planned_meeting
from kreds.voice import services as voice

pytestmark = pytest.mark.django_db

# The texts ---------------------------------------------------------------------------------------------------------

LONG = (
    "Mormor henter Emma fra skole hver tirsdag og torsdag og sørger for, at hun får aftensmad, laver lektier og "
    "kommer i seng til tiden. Hvis mormor er syg, ringer hun til moster Hanne, som så overtager, og hun giver "
    "skolen besked samme morgen, så Emma ved, hvem der kommer og henter hende, og ingen står og venter forgæves."
)
REASON = "Strider mod bundlinjen om skolegang, fordi Emma så ville være alene hjemme tre eftermiddage hver uge"
NAME = "Anne-Sofie Marie-Louise Christensen-Abildgaard Østergaard-Vestergaard Bech-Lunde"
WORD = "Bekymringsunderretning_Skovvangskolen_2026-01-15_endelig_udgave_02.pdf"
RELATION = "plejemor til Emmas halvbror og nabo i opgangen, og Emmas faste kontaktperson i fritidsklubben"
SECTOR = "Fritid, foreninger, idræt og klubber i lokalområdet omkring Skovvangskolen"


def test_the_texts_are_as_long_as_promised():
    assert len(LONG) >= 300 and len(REASON) == 100 and len(NAME) == 80 and len(WORD) == 70
    assert " " not in WORD and len(RELATION) <= 100 and len(SECTOR) <= 80


# Reading the layout --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def same_line(self, other: Word) -> bool:
        return min(self.y1, other.y1) - max(self.y0, other.y0) > 0.5 * min(self.height, other.height)

    def __str__(self) -> str:
        return f"{self.text!r} at ({self.x0:.0f}, {self.y0:.0f})"


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def _pdftotext(content: bytes, *options: str) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (Debian poppler-utils) is installed by scripts/system-deps"
    return subprocess.run([exe, *options, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def _pages(content: bytes) -> list[tuple[float, float, list[Word]]]:
    return [
        (
            float(width),
            float(height),
            [Word(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in _WORD.findall(body)],
        )
        for width, height, body in _PAGE.findall(_pdftotext(content, "-bbox", "-raw"))
    ]


def _overlapping(words: list[Word]) -> list[tuple[Word, Word]]:
    found = []
    by_top = sorted(words, key=lambda w: w.y0)
    for i, a in enumerate(by_top):
        for b in by_top[i + 1 :]:
            if b.y0 >= a.y1:
                break
            if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and a.same_line(b):
                found.append((a, b))
    return found


def _one_word_a_line(words: list[Word], run: int = 5) -> list[Word]:
    """The longest run of words that follow each other in the text, each alone on its line (no neighbour within
    about a space), one under the other: what a text in a column squeezed to nothing looks like. (A column of
    one-word cells, such as "Attended" in every row, is no such run: other cells come between them in the text.)"""
    alone = {
        id(w)
        for w in words
        if not any(
            o is not w and w.same_line(o) and (0 <= o.x0 - w.x1 < 1.2 * w.height or 0 <= w.x0 - o.x1 < 1.2 * w.height)
            for o in words
        )
    }
    longest: list[Word] = []
    stack: list[Word] = []
    for w in words:  # in the order of the text
        if id(w) not in alone:
            stack = []
            continue
        below = stack and abs(stack[-1].x0 - w.x0) < 1 and 0 < w.y0 - stack[-1].y0 < 1.6 * w.height
        stack = [*stack, w] if below else [w]
        if len(stack) > len(longest):
            longest = stack
    return longest if len(longest) >= run else []


def _flat(text: str) -> str:
    """Text without what line breaking adds or takes away: white space, (soft) hyphens."""
    return re.sub(r"[\s\u00ad\u200b\u2010-]", "", unicodedata.normalize("NFKC", text))


def _in_full(expected: str, pages: list[str]) -> bool:
    """``expected`` is in the text, whole or, where a table row breaks across pages, its start at the end of one
    page and the rest on the next (each page's part as long as it can be)."""
    rest = expected
    started = False
    for page in pages:
        size = 0
        low, high = 1, len(rest)
        while low <= high:  # the longest start of the rest this page holds
            middle = (low + high) // 2
            if rest[:middle] in page:
                size, low = middle, middle + 1
            else:
                high = middle - 1
        if started and size == 0:
            return False
        started = started or size > 0
        rest = rest[size:]
        if not rest:
            return True
    return False


MARGIN = 28.35  # 10 mm: every template's side margins are wider, so a word here ran out of its column


def assert_laid_out(content: bytes, expected: list[str], name: str = "") -> None:
    assert content.startswith(b"%PDF-") and b"pdfaid" in content, f"{name}: not a PDF/A"
    for number, (width, height, words) in enumerate(_pages(content), start=1):
        where = f"{name}, page {number}"
        outside = [w for w in words if w.x0 < MARGIN or w.x1 > width - MARGIN or w.y0 < 0 or w.y1 > height]
        assert not outside, f"{where}: in the margin or off the page: {', '.join(map(str, outside[:5]))}"
        over = _overlapping(words)
        assert not over, f"{where}: printed over each other: " + "; ".join(f"{a} and {b}" for a, b in over[:5])
        stack = _one_word_a_line(words)
        assert not stack, f"{where}: one word a line: " + " / ".join(w.text for w in stack)
    pages = [_flat(page) for page in _pdftotext(content, "-raw").split("\f")]
    for part in expected:
        assert _in_full(_flat(part), pages), f"{name}: not in full: {part[:60]}…"


def _keep(name: str, content: bytes) -> None:
    folder = os.environ.get("KREDS_PDF_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        Path(folder, f"{name}.pdf").write_bytes(content)


# What the family's plan looked like in the field trial: two texts in "auto" columns take the width, the text columns
# between them get none.
SQUEEZED = """
#let data = json(bytes(sys.inputs.data))
#set text(lang: "da", size: 10.5pt)
#table(columns: (auto, 1fr, auto, 1fr, auto), inset: 5pt,
  [Hvem], [Hvad], [Senest], [Støtte], [Beslutning],
  data.who, data.what, [01.02.2026], data.what, data.decision)
"""


def test_the_checks_see_what_the_field_trial_saw(tmp_path):
    import json

    import typst

    template = tmp_path / "squeezed.typ"
    template.write_text(SQUEEZED)
    data = json.dumps({"who": NAME, "what": LONG, "decision": "Afvist: " + REASON})
    squeezed = bytes(typst.compile(str(template), sys_inputs={"data": data}, pdf_standards=["a-2b"]))
    with pytest.raises(AssertionError, match=r"printed over each other|one word a line"):
        assert_laid_out(squeezed, [LONG], "squeezed")


# The generators -------------------------------------------------------------------------------------------------


def _long_person(world, **extra) -> NetworkPerson:
    """A person on the map with an 80-character name and a long relation, in a sector with a long name."""
    network_for(world.case, world.caseworker)
    sector = Sector.objects.filter(municipality=world.municipality, key="friends").first()
    Sector.objects.filter(pk=sector.pk).update(name=SECTOR)
    sector.refresh_from_db()
    return network.add_person(
        actor=world.caseworker,
        case=world.case,
        data={"name": NAME, "relation": RELATION, "sector": sector, "ring": 1, **extra},
    )


def _long_participants(meeting: Meeting) -> None:
    Participant.objects.filter(meeting=meeting, role__in=["private", "parent"]).update(name=NAME, relation=RELATION)


def family_plan(world) -> tuple[bytes, list[str]]:
    from kreds.conferences.pdf import plan_pdf

    setup = held(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    type(conference).objects.filter(pk=conference.pk).update(questions=LONG + " " + WORD)
    first, *_middle, last = setup.items
    PlanItem.objects.filter(pk=first.pk).update(what=LONG, responsible_name=NAME, support_requested=LONG)
    PlanItem.objects.filter(pk=last.pk).update(what=WORD + " " + LONG, responsible_name=NAME)
    for item in setup.items:
        item.refresh_from_db()
        if item.pk == last.pk:
            conferences.decide(
                actor=world.caseworker, conference=conference, item=item, decision="rejected", reason=REASON
            )
            continue
        if item.needs_support:
            conferences.set_support(
                actor=world.caseworker, conference=conference, item=item, status="available", note=LONG
            )
        conferences.decide(actor=world.caseworker, conference=conference, item=item, decision="approved")
    _long_participants(setup.meeting)
    return plan_pdf(setup.meeting), [LONG, REASON, NAME, WORD, RELATION]


def follow_up_plan(world) -> tuple[bytes, list[str]]:
    """The follow-up conference's document: how the plan went (a comment per item) and the revised plan."""
    from kreds.conferences.pdf import plan_pdf

    setup = at_follow_up(world.case, world.caseworker, world.facilitator)
    conference = setup.conference
    first, *rest = setup.items
    PlanItem.objects.filter(pk=first.pk).update(what=LONG + " " + WORD, responsible_name=NAME)
    first.refresh_from_db()
    conferences.review_item(
        actor=world.facilitator, conference=conference, item=first, outcome="partly", comment=REASON + " " + LONG
    )
    for item in rest:
        conferences.review_item(
            actor=world.facilitator, conference=conference, item=item, outcome="realised", comment=""
        )
    return plan_pdf(setup.session.meeting), [LONG, REASON, NAME, WORD]


def minutes(world) -> tuple[bytes, list[str]]:
    from kreds.meetings.sending import minutes_pdf

    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    meeting = setup.meeting
    Meeting.objects.filter(pk=meeting.pk).update(
        purpose=LONG, notes_descriptive=LONG + "\n" + WORD, notes_reflective=LONG, place=NAME
    )
    Agreement.objects.filter(meeting=meeting).update(what=LONG + " " + WORD, responsible_name=NAME)
    _long_participants(meeting)
    meeting.refresh_from_db()
    return minutes_pdf(meeting), [LONG, NAME, WORD, RELATION]


def invitation_letter(world) -> tuple[bytes, list[str]]:
    from kreds.meetings.notices import letter_pdf

    setup = planned_meeting(world.case, world.caseworker, world.facilitator, purpose=LONG, place=NAME)
    _long_participants(setup.meeting)
    participant = Participant.objects.get(meeting=setup.meeting, role="private")
    return letter_pdf("invitation", participant), [NAME, RELATION]


def minutes_letter(world) -> tuple[bytes, list[str]]:
    """The minutes by letter, with the agreements table and the minutes enclosed."""
    from kreds.meetings.notices import letter_pdf

    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    meeting = setup.meeting
    Agreement.objects.filter(meeting=meeting).update(what=LONG + " " + WORD, responsible_name=NAME)
    _long_participants(meeting)
    meetings.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
    participant = Participant.objects.get(meeting=meeting, role="private")
    return letter_pdf("minutes", participant), [LONG, NAME, WORD]


def child_minutes(world) -> tuple[bytes, list[str]]:
    from kreds.meetings.child_minutes import child_minutes_pdf

    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    meeting = setup.meeting
    Agreement.objects.filter(meeting=meeting).update(what=LONG + " " + WORD, responsible_name=NAME)
    _long_participants(meeting)
    meeting.refresh_from_db()
    return child_minutes_pdf(meeting, setup.participants["child"]), [LONG, WORD]


def network_map(world) -> tuple[bytes, list[str]]:
    from kreds.network.pdf import map_pdf

    _long_person(world)
    return map_pdf(world.case), [NAME, RELATION, SECTOR]


def safety_mapping(world) -> tuple[bytes, list[str]]:
    from kreds.safety.pdf import mapping_pdf

    person = _long_person(world)
    statement = {
        "who_worried": NAME,
        "about_what": LONG,
        "if_nothing_changes": REASON + " " + WORD,
        "goal_parent": LONG,
        "goal_child": REASON,
        "goal_professionals": WORD,
    }
    data = {"worry_basis": LONG, "strengths": LONG + " " + WORD, "next_steps": LONG}
    mapping = safety.save_mapping(
        actor=world.caseworker, case=world.case, data=data, statements=[statement], expected_version=0
    )
    safety.add_scaling(
        actor=world.caseworker,
        case=world.case,
        statement_key=str(mapping.statements.get().key),
        scored_on=timezone.localdate(),
        scorer_kind="network",
        score=4,
        person=person,
    )
    safety.add_rule(
        actor=world.caseworker,
        case=world.case,
        rule=LONG + " " + WORD,
        responsible=person,
        due_on=timezone.localdate() + datetime.timedelta(days=9),
    )
    return mapping_pdf(world.case, mapping), [LONG, REASON, NAME, WORD]


def words_and_pictures(world) -> tuple[bytes, list[str]]:
    from kreds.voice.pdf import words_pdf

    title = (NAME + " " + WORD)[:120]
    current = voice.save_words_and_pictures(
        actor=world.caseworker, case=world.case, title=title, text=LONG + "\n" + WORD + "\n" + LONG
    )
    return words_pdf(world.case, current), [LONG, WORD]


def contact_plan(world) -> tuple[bytes, list[str]]:
    from kreds.placements.pdf import contact_plan_pdf
    from kreds.placements.selectors import contacts

    person = _long_person(world)
    data = {
        "frequency": REASON,
        "mode": "visit",
        "support": "none",
        "place": NAME + " " + WORD,
        "child_views": LONG,
        "note": LONG,
    }
    contact = placements.save_contact(actor=world.caseworker, case=world.case, person=person, data=data)
    today = timezone.localdate()
    placements.save_contact(
        actor=world.caseworker,
        case=world.case,
        person=person,
        data={**data, "frequency": "Hver anden weekend"},
        expected_version=1,
    )
    placements.suspend(
        actor=world.caseworker,
        contact=contact,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=9),
        child_request=LONG + " " + WORD,
    )
    return contact_plan_pdf(world.case, contacts(world.case, today), today), [LONG, REASON, NAME, WORD]


def placement_decisions(world) -> tuple[bytes, list[str]]:
    from kreds.placements.pdf import decisions_pdf

    person = _long_person(world)
    today = timezone.localdate()
    exploration = placements.start_exploration(actor=world.caseworker, case=world.case, started_on=today, why=LONG)
    candidate = placements.add_candidate(actor=world.caseworker, exploration=exploration, person=person)
    placements.set_status(
        actor=world.caseworker,
        candidate=candidate,
        status="not_suitable",
        on=today,
        expected_version=candidate.version,
        reason=REASON + " " + WORD,
    )
    placements.decide(
        actor=world.caseworker,
        case=world.case,
        decided_on=today,
        starts_on=today,
        setting="foster_family",
        in_network=False,
        candidate=None,
        no_network_reason=LONG,
    )
    return decisions_pdf(world.case), [LONG, REASON, NAME, WORD]


def _child_plan(world) -> None:
    person = _long_person(world)
    today = timezone.localdate()
    plans.save_plan(actor=world.caseworker, case=world.case, decided_on=today, purpose=LONG)
    goal = plans.add_goal(actor=world.caseworker, case=world.case, area="school", text=LONG)
    plans.add_contribution(
        actor=world.caseworker, goal=goal, what=LONG + " " + WORD, person=person, due_on=today + datetime.timedelta(9)
    )
    plans.add_contribution(actor=world.caseworker, goal=goal, what=REASON, responsible_name=NAME)
    plans.add_goal(actor=world.caseworker, case=world.case, area="wellbeing", text=REASON)
    plans.add_review(actor=world.caseworker, case=world.case, reviewed_on=today, note=LONG)


def child_plan(world) -> tuple[bytes, list[str]]:
    from kreds.plans.pdf import child_plan_pdf

    _child_plan(world)
    plan = plan_selectors.plan(world.case)
    assert plan is not None
    return child_plan_pdf(world.case, plan), [LONG, REASON, NAME, WORD]


def who_does_what(world) -> tuple[bytes, list[str]]:
    from kreds.plans.pdf import tasks_pdf

    _child_plan(world)
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    Agreement.objects.filter(meeting=setup.meeting).update(what=LONG, responsible_name=NAME)
    today = timezone.localdate()
    rows = plan_selectors.tasks(world.case, today)
    return tasks_pdf(world.case, rows, len(rows), today), [LONG, REASON, NAME, WORD]


GENERATORS: dict[str, Callable[..., tuple[bytes, list[str]]]] = {
    "family-plan": family_plan,
    "follow-up-plan": follow_up_plan,
    "minutes": minutes,
    "invitation-letter": invitation_letter,
    "minutes-letter": minutes_letter,
    "child-minutes": child_minutes,
    "network-map": network_map,
    "safety-mapping": safety_mapping,
    "words-and-pictures": words_and_pictures,
    "contact-plan": contact_plan,
    "placement-decisions": placement_decisions,
    "child-plan": child_plan,
    "who-does-what": who_does_what,
}


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_pdf_lays_out_long_texts(world, name, language):
    with translation.override(language):
        content, expected = GENERATORS[name](world)
    _keep(f"{name}-{language}", content)
    assert_laid_out(content, expected, name)


def test_every_pdf_in_the_archive_extract_lays_out_long_texts(world):
    """The extract holds every PDF the case's apps register (kreds.cases.archive), so one added later is held to
    the same."""
    from kreds.cases import archive

    for build in (family_plan, safety_mapping, words_and_pictures, contact_plan, placement_decisions):
        build(world)
    held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)
    extract = zipfile.ZipFile(io.BytesIO(archive.build(world.case)))
    pdfs = [n for n in extract.namelist() if n.endswith(".pdf")]
    assert len(pdfs) >= 6, pdfs
    for name in pdfs:
        assert_laid_out(extract.read(name), [], name)
