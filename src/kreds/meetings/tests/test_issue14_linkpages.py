"""Issue 14 §5, privacy on participants' pages: changes and cancellations on the personal page, a removed holder,
evaluations only for groups of 3 or more, no draft agreements, and the child's version of the minutes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kreds.audit.models import AuditEvent
from kreds.conferences import selectors as conference_selectors
from kreds.conferences import services as conferences
from kreds.core.exceptions import KredsError
from kreds.core.text import lix
from kreds.meetings import child_minutes, selectors, sending, services
from kreds.meetings.constants import EVALUATION_MIN_RESPONDENTS, MeetingStatus
from kreds.meetings.models import Meeting, Participant
from kreds.participants.services import token_for
from kreds.plans import services as plans
from kreds.testing.conferences import held as held_conference
from kreds.testing.conferences import prepared as prepared_conference
from kreds.testing.meetings import held_meeting, planned_meeting
from kreds.testing.text import pdf_text

pytestmark = pytest.mark.django_db


def _url(participant: Participant, name: str = "participants:home") -> str:
    """The participant's link as if it is still valid (issued again if a service stopped it)."""
    participant.refresh_from_db()
    services.ensure_link(participant, actor=None)
    return reverse(name, kwargs={"token": token_for(participant.link)})


def _page(client, participant: Participant) -> str:
    response = client.get(_url(participant))
    assert response.status_code == 200
    return response.content.decode()


def _invited(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    setup.meeting.refresh_from_db()
    return setup


def _change(world, meeting: Meeting, **changes) -> Meeting:
    data = {k: getattr(meeting, k) for k in services.PLANNING_FIELDS}
    data.update(changes)
    return services.update_meeting(actor=world.caseworker, meeting=meeting, data=data, expected_version=meeting.version)


# 1. A change on the link page ----------------------------------------------------------------------------------


def test_moved_meeting_says_what_changed_and_asks_for_a_new_answer(world, client):
    setup = _invited(world)
    grandmother = setup.participants["mormor"]
    services.record_rsvp(participant=grandmother, answer="yes", message="")
    before = sending.when_text(setup.meeting)
    start = setup.meeting.starts_at + datetime.timedelta(days=2, hours=1)
    meeting = _change(world, setup.meeting, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    html = _page(client, grandmother)
    assert "The meeting is moved" in html
    assert f"New time: <strong>{sending.when_text(meeting)}</strong>" in html
    assert f"Before: <del>{before}</del>" in html
    assert "please answer again" in html and 'name="answer"' in html
    assert "New place" not in html


def test_new_place_only_keeps_the_answer_and_says_the_old_place(world, client):
    setup = _invited(world)
    grandmother = setup.participants["mormor"]
    services.record_rsvp(participant=grandmother, answer="yes", message="")
    _change(world, setup.meeting, place="Rådhuset, lokale 4")
    html = _page(client, grandmother)
    assert "The meeting has a new place" in html and "The meeting is moved" not in html
    assert "New place: <strong>Rådhuset, lokale 4</strong>" in html
    assert "Before: <del>Medborgerhuset, mødelokale 2</del>" in html
    assert "please answer again" not in html and "You have said you are coming" in html


def test_no_change_notice_before_any_change_or_once_the_meeting_is_held(world, client):
    setup = _invited(world)
    assert "data-change" not in _page(client, setup.participants["mormor"])
    held = held_meeting(world.case, world.caseworker, world.facilitator)
    Meeting.objects.filter(pk=held.meeting.pk).update(
        changed_at=timezone.now(), was_place="Et andet sted", was_starts_at=held.meeting.starts_at
    )
    assert "data-change" not in _page(client, held.participants["mormor"])


# 2. Cancellation and removal on the link page -----------------------------------------------------------------


def test_cancelled_meeting_says_so_plainly_and_shows_nothing_else(world, client):
    setup = _invited(world)
    when = sending.when_text(setup.meeting)
    services.cancel_meeting(
        actor=world.caseworker,
        meeting=setup.meeting,
        reason="Internt: mor er indlagt",
        message="Vi finder en ny dato sammen med jer.",
    )
    grandmother = setup.participants["mormor"]
    html = _page(client, grandmother)
    assert "The meeting is cancelled" in html and f"<del>{when}</del>" in html
    assert "Vi finder en ny dato sammen med jer." in html
    assert world.facilitator.get_full_name() in html  # whom to ask
    assert "mor er indlagt" not in html  # the reason is internal
    assert 'name="answer"' not in html and "Jonas Lærer" not in html and "Sara Mor" not in html
    assert "god skolegang" not in html  # no purpose, no documents
    for name in ("participants:ics", "participants:minutes", "participants:rsvp"):
        assert _url(grandmother, name) not in html
    # The other addresses of the link lead back to the page that says the meeting is cancelled.
    assert client.get(_url(grandmother, "participants:ics"))["Location"] == _url(grandmother)
    response = client.post(_url(grandmother, "participants:rsvp"), {"answer": "yes"})
    assert response.status_code == 302
    grandmother.refresh_from_db()
    assert grandmother.rsvp != "yes"


def test_withdrawn_conference_page_says_it_is_cancelled(world, client):
    setup = prepared_conference(world.case, world.caseworker, world.facilitator)
    conferences.withdraw(actor=world.caseworker, conference=setup.conference, reason="Familien har trukket samtykket.")
    html = _page(client, setup.participants["mormor"])
    assert "The family group conference is cancelled" in html
    assert "trukket samtykket" not in html and 'name="answer"' not in html and "Jonas Lærer" not in html
    assert world.facilitator.get_full_name() in html


def test_removed_holder_gets_a_page_that_says_so(world, client):
    setup = _invited(world)
    teacher = setup.participants["klasselærer"]
    Participant.objects.filter(pk=teacher.pk).update(invited_at=timezone.now())  # the invitation went out
    teacher.refresh_from_db()
    services.remove_participant(actor=world.caseworker, participant=teacher)
    html = _page(client, teacher)
    assert "You are no longer invited" in html
    assert "Medborgerhuset" not in html and "god skolegang" not in html and "Sara Mor" not in html
    assert client.post(_url(teacher, "participants:rsvp"), {"answer": "yes"}).status_code == 302
    teacher.refresh_from_db()
    assert teacher.rsvp == "no"  # as removal left it


# 3. Evaluations only for groups of at least 3 -----------------------------------------------------------------

# Long enough that no CSRF token or CSP nonce on the page can contain it by chance ("Mig" once did).
MORMOR_SAYS = "Mormor syntes, mødet var for langt."

ANSWERS = {"heard": 5, "knew_purpose": 2, "realistic": 4, "own_part_clear": 5, "satisfaction": 1}


def test_staff_page_hides_the_means_of_fewer_than_three_adults(world, client, login):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    services.submit_evaluation(
        participant=setup.participants["mormor"], scores=ANSWERS, comment=MORMOR_SAYS, child_form=False
    )
    services.submit_evaluation(participant=setup.participants["child"], scores=ANSWERS, comment="", child_form=True)
    summary = selectors.evaluation_summary(setup.meeting)
    assert not summary["shown"] and summary["means"] is None and summary["comments"] == []
    login(world.caseworker)
    url = reverse("meetings:detail", kwargs={"meeting_id": setup.meeting.public_id})
    html = client.get(url).content.decode()
    assert "data-evaluations-withheld" in html and "data-score" not in html and MORMOR_SAYS not in html
    assert "data-child-evaluation" in html  # the child's own answers, as the child's
    for adult in ("mor", "klasselærer"):
        services.submit_evaluation(participant=setup.participants[adult], scores=ANSWERS, comment="", child_form=False)
    assert EVALUATION_MIN_RESPONDENTS == 3
    html = client.get(url).content.decode()
    assert 'data-score="heard"' in html and "data-evaluations-withheld" not in html and MORMOR_SAYS in html


def test_conference_figures_hide_the_mean_of_fewer_than_three(world):
    setup = held_conference(world.case, world.caseworker, world.facilitator)
    services.submit_evaluation(
        participant=Participant.objects.get(pk=setup.participants["mormor"].pk),
        scores={**ANSWERS, "plan_satisfaction": 5},
        comment="",
        child_form=False,
        plan_made=True,
    )
    figures = conference_selectors.figures(world.municipality)
    assert figures["evaluations"] == 1 and not figures["evaluations_shown"]
    assert figures["satisfaction"] is None and figures["plan_satisfaction"] is None
    assert figures["plan_made_share"] is None


# 4. No draft agreements on any link page ----------------------------------------------------------------------


def test_agreements_show_only_after_the_minutes_are_approved(world, client):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    grandmother = setup.participants["mormor"]
    assert "Henter Emma fra skole" not in _page(client, grandmother)
    follow_up = setup.meeting.follow_ups.get()
    assert sending.agreements_for_summary(follow_up) == []
    person_link = plans.ensure_person_link(actor=world.caseworker, case=world.case, person=setup.grandmother)
    person_page = reverse("participants:home", kwargs={"token": token_for(person_link)})
    assert "Henter Emma fra skole" not in client.get(person_page).content.decode()
    services.approve_and_send_minutes(actor=world.caseworker, meeting=setup.meeting)
    assert "Henter Emma fra skole" in _page(client, grandmother)
    assert len(sending.agreements_for_summary(follow_up)) == 1
    assert "Henter Emma fra skole" in client.get(person_page).content.decode()


# 5. The child's version of the minutes --------------------------------------------------------------------------


@pytest.fixture
def sent(world):
    """A held meeting with notes the child must not read, an agreement for the child, minutes approved and sent."""
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    meeting = setup.meeting
    services.save_notes(
        actor=world.facilitator,
        meeting=meeting,
        notes={"descriptive": "Mor har svært ved at stå op om morgenen.", "reflective": "", "agreements": ""},
        authority_declared=True,
        expected_version=meeting.version,
    )
    services.add_agreement(
        actor=world.facilitator,
        meeting=meeting,
        responsible=setup.participants["child"],
        what="Fortæller mormor om skolen",
        due_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    services.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
    meeting.refresh_from_db()
    return setup


def test_child_link_shows_the_childs_version_on_screen_and_as_pdf(sent, world, client):
    child = sent.participants["child"]
    html = _page(client, child)
    assert "What we talked about" in html and "Read the minutes (PDF)" not in html
    assert "Inge Mormor (mormor)" in html and "Henter Emma fra skole om tirsdagen" in html
    assert "Fortæller mormor om skolen" in html
    assert "stå op om morgenen" not in html
    response = client.get(_url(child, "participants:minutes"))
    assert response["Content-Disposition"] == f'inline; filename="{child_minutes.FILENAME}"'
    text = pdf_text(response.content)
    with sending.in_language():  # documents are in the municipality's language
        title = child_minutes.child_minutes_data(sent.meeting, child)["title"]
    assert title in text and "Fortæller mormor om skolen" in text
    assert "stå op om morgenen" not in text and "Descriptive part" not in text
    # An adult's link still opens the adults' minutes.
    adult = client.get(_url(sent.participants["mormor"], "participants:minutes"))
    assert "stå op om morgenen" in pdf_text(adult.content)


def test_caseworker_can_give_the_child_the_full_minutes(sent, world, client, login):
    meeting = sent.meeting
    url = reverse("meetings:child_minutes", kwargs={"meeting_id": meeting.public_id})
    minutes_page = reverse("meetings:minutes", kwargs={"meeting_id": meeting.public_id})
    login(world.facilitator)  # the neutral facilitator does not decide what the child reads
    assert url not in client.get(minutes_page).content.decode()
    assert client.post(url, {"version": "full"}).status_code == 404
    login(world.caseworker)
    page = client.get(minutes_page).content.decode()
    assert url in page and reverse("meetings:child_minutes_pdf", kwargs={"meeting_id": meeting.public_id}) in page
    assert client.post(url, {"version": "nonsense"}).status_code == 302
    meeting.refresh_from_db()
    assert not meeting.child_gets_full_minutes
    assert client.post(url, {"version": "full"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.child_gets_full_minutes
    assert AuditEvent.objects.filter(action="meeting.update", details__child_gets_full_minutes=True).exists()
    child = sent.participants["child"]
    assert "Read the minutes (PDF)" in _page(client, child)
    assert "stå op om morgenen" in pdf_text(client.get(_url(child, "participants:minutes")).content)


def test_only_staff_who_plan_the_meeting_decide(sent, world):
    with pytest.raises(KredsError):
        services.set_child_minutes(actor=world.facilitator, meeting=sent.meeting, full=True)
    with pytest.raises(KredsError):
        services.set_child_minutes(actor=world.colleague, meeting=sent.meeting, full=True)
    assert not Meeting.objects.get(pk=sent.meeting.pk).child_gets_full_minutes


def test_staff_can_read_the_childs_version(sent, world, client, login):
    login(world.caseworker)
    url = reverse("meetings:child_minutes_pdf", kwargs={"meeting_id": sent.meeting.public_id})
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert b"pdfaid" in response.content  # PDF/A
    planned = planned_meeting(world.case, world.caseworker, world.facilitator)
    assert (
        client.get(reverse("meetings:child_minutes_pdf", kwargs={"meeting_id": planned.meeting.public_id})).status_code
        == 404
    )


@pytest.mark.parametrize("language", ["en", "da"])
def test_childs_version_is_easy_to_read(sent, language):
    with translation.override(language):
        text = child_minutes.plain_text(child_minutes.child_minutes_data(sent.meeting, sent.participants["child"]))
    assert lix(text) <= 25, (lix(text), text)


def test_lix():
    assert lix("") == 0
    # 2 sentences, 13 words, no long words.
    assert lix("Vi holdt et møde om dig. Vi talte om det, der går godt.") == 6.5
    # 1 sentence of 5 words, 4 of them long (over 6 letters).
    assert lix("Netværksmødet understøtter barnets trivsel godt.") == 5 + 100 * 4 / 5
    assert lix("Overskrift\nEn kort linje. To ord.") == pytest.approx(6 / 3 + 100 / 6)


def test_meeting_states_are_respected_by_the_childs_version(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    assert setup.meeting.status == MeetingStatus.HELD
    assert child_minutes.gets_child_version(setup.participants["child"])
    assert not child_minutes.gets_child_version(setup.participants["mormor"])
