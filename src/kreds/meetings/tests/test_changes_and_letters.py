"""Issue 14: a meeting that moves or is cancelled reaches everyone invited, by e-mail (with a calendar update two
libraries understand) or by letter; every message has its letter; the texts fit their reader."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
import vobject
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kreds.meetings import notices, sending, services
from kreds.meetings.constants import MeetingStatus, MessageKind, Rsvp
from kreds.meetings.models import Meeting
from kreds.meetings.tasks import dispatch_due, queue_rsvp_reminders
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_outbox
from kreds.testing.meetings import held_meeting, planned_meeting
from kreds.testing.text import cpr_shaped, pdf_text

pytestmark = pytest.mark.django_db


def _send_all() -> None:
    for row in Outbox.objects.filter(sent_at__isnull=True, channel="email"):
        send_outbox.call(row.pk)


def _print_letters(meeting: Meeting, actor) -> None:
    for row in services.letters_due(meeting):
        services.record_letter_printed(actor=actor, row=row)


def _invited_and_told(world):
    """Invitations e-mailed and the child's letter printed; everyone has answered 'coming'."""
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    _send_all()
    _print_letters(setup.meeting, world.caseworker)
    setup.meeting.participants.exclude(role="caseworker").update(rsvp=Rsvp.YES, rsvp_at=timezone.now())
    setup.meeting.refresh_from_db()
    mail.outbox.clear()
    return setup


def _move(world, meeting: Meeting, *, days: int = 2, place: str | None = None) -> Meeting:
    data = {
        "purpose": meeting.purpose,
        "starts_at": meeting.starts_at + datetime.timedelta(days=days),
        "ends_at": meeting.ends_at + datetime.timedelta(days=days),
        "place": place or meeting.place,
        "facilitator": meeting.facilitator,
    }
    return services.update_meeting(actor=world.caseworker, meeting=meeting, data=data, expected_version=meeting.version)


def _calendar(message) -> tuple[str, bytes]:
    _name, content, mimetype = next(a for a in message.attachments if a[2].startswith("text/calendar"))
    return mimetype, content


def _both_readers(content: bytes) -> tuple[object, object]:
    """The same file through icalendar and through vobject: both must read it and agree."""
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    second = vobject.readOne(content if isinstance(content, str) else content.decode())
    return event, second


def test_moving_an_invited_meeting_tells_everyone_and_resets_the_answers(world):
    setup = _invited_and_told(world)
    old_start = setup.meeting.starts_at
    meeting = _move(world, setup.meeting)
    assert meeting.sequence == 1 and meeting.was_starts_at == old_start and meeting.changed_at is not None
    # Answers given for the old time no longer hold.
    assert not meeting.participants.exclude(role="caseworker").exclude(rsvp=Rsvp.NONE).exists()
    rows = Outbox.objects.filter(meeting=meeting, kind=MessageKind.CHANGE)
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "email", "email", "letter"]
    assert rows.get(channel="letter").participant.role == "child"
    _send_all()
    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if m.to == ["inge@example.invalid"])
    assert message.subject.startswith("Flyttet")
    new_day = timezone.localtime(meeting.starts_at).strftime("%d.%m.%Y")
    old_day = timezone.localtime(old_start).strftime("%d.%m.%Y")
    assert new_day in message.body and old_day in message.body  # the new time, and what it was
    assert "svare igen" in message.body
    mimetype, content = _calendar(message)
    assert mimetype == "text/calendar; method=REQUEST"
    event, second = _both_readers(content)
    assert str(event.get("uid")) == f"{meeting.public_id}@kreds" and int(event.get("sequence")) == 1
    assert event.decoded("dtstart") == meeting.starts_at.replace(microsecond=0)
    assert second.method.value == "REQUEST"
    assert second.vevent.uid.value == f"{meeting.public_id}@kreds" and second.vevent.sequence.value == "1"
    assert second.vevent.dtstart.value == meeting.starts_at.replace(microsecond=0)


def test_a_new_place_keeps_the_answers_and_a_second_move_supersedes_an_unsent_first(world):
    setup = _invited_and_told(world)
    meeting = _move(world, setup.meeting, days=0, place="Rådhuset, lokale 4")
    assert meeting.sequence == 1 and meeting.was_place == "Medborgerhuset, mødelokale 2"
    assert meeting.participants.filter(rsvp=Rsvp.YES).count() == 4  # the time holds, so do the answers
    meeting = _move(world, meeting, days=1)  # before the worker sent the first change
    keys = list(Outbox.objects.filter(meeting=meeting, kind=MessageKind.CHANGE).values_list("key", flat=True))
    assert len(keys) == 4 and all(k.endswith(":2") for k in keys), "one message per person: the latest"


def test_a_change_before_anyone_is_told_sends_nothing(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)  # queued, not yet sent or printed
    setup.meeting.refresh_from_db()
    meeting = _move(world, setup.meeting)
    assert not Outbox.objects.filter(kind=MessageKind.CHANGE).exists()  # the invitation will carry the new time
    _send_all()
    message = next(m for m in mail.outbox if m.to == ["inge@example.invalid"])
    assert timezone.localtime(meeting.starts_at).strftime("%d.%m.%Y") in message.body


def test_cancelling_tells_everyone_invited_with_a_calendar_cancellation_or_a_letter(world):
    setup = _invited_and_told(world)
    meeting = services.cancel_meeting(
        actor=world.caseworker, meeting=setup.meeting, reason="Mor er indlagt", message="Vi finder en ny dato."
    )
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
    rows = Outbox.objects.filter(meeting=meeting, kind=MessageKind.CANCELLATION)
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "email", "email", "letter"]
    _send_all()
    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if m.to == ["sara@example.invalid"])
    assert message.subject.startswith("Aflyst")
    assert "Vi finder en ny dato." in message.body
    assert "indlagt" not in message.body  # the internal reason never leaves the case
    mimetype, content = _calendar(message)
    assert mimetype == "text/calendar; method=CANCEL"
    event, second = _both_readers(content)
    assert str(event.get("status")) == "CANCELLED" and int(event.get("sequence")) == 1
    assert second.method.value == "CANCEL" and second.vevent.status.value == "CANCELLED"
    # The child's letter says it plainly, in the child's words.
    row = rows.get(channel="letter")
    with sending.in_language():
        text = pdf_text(notices.letter_pdf(row.kind, row.participant))
    assert "skal ikke holdes" in text and "indlagt" not in text


def test_cancelling_a_meeting_nobody_was_told_about_sends_nothing_and_drops_unsent_invitations(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    services.cancel_meeting(actor=world.caseworker, meeting=setup.meeting, reason="Fejl")
    assert not Outbox.objects.filter(meeting=setup.meeting).exists()


def test_every_message_has_its_letter_named_by_what_it_is(world):
    """The child (no e-mail) gets the invitation, the change, the minutes and the summary as letters."""
    setup = held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)
    child = setup.meeting.participants.get(role="child")
    due = {row.kind: row for row in services.letters_due(setup.meeting)}
    assert MessageKind.MINUTES in due, "the minutes letter for the child is due after the minutes are sent"
    minutes = due[MessageKind.MINUTES]
    assert notices.letter_filename(minutes) == f"brev-referat-{child.name.lower()}.pdf"
    with sending.in_language():
        pdf = notices.letter_pdf(minutes.kind, child)
    text = pdf_text(pdf)
    assert "Hej" in text and not cpr_shaped(text)
    names = {
        notices.letter_filename(Outbox(kind=k, participant=child, meeting=setup.meeting)) for k in notices.LETTER_NAMES
    }
    assert len(names) == len(notices.LETTER_NAMES), "each kind of letter has its own file name"


def _lix(text: str) -> float:
    words = re.findall(r"[A-Za-zÆØÅæøå]+", text)
    sentences = max(1, len(re.findall(r"[.!?:]", text)))
    long_words = [w for w in words if len(w) > 6]
    return len(words) / sentences + 100 * len(long_words) / len(words)


@pytest.mark.parametrize(
    "kind",
    [MessageKind.INVITATION, MessageKind.CHANGE, MessageKind.CANCELLATION, MessageKind.MINUTES, MessageKind.SUMMARY],
)
def test_the_childs_letters_are_short_and_plain(world, kind):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    child = setup.meeting.participants.get(role="child")
    with sending.in_language("da"):
        content = notices.compose(kind, child)
    text = " ".join([content.title, *content.paragraphs, content.link_text])
    assert content.greeting.startswith("Hej ")
    assert "Kære" not in text and "møde om Tom" not in text
    assert _lix(text) <= 25, (kind, round(_lix(text), 1), text)


def test_absent_participant_is_not_thanked_for_taking_part(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator, absent=("mormor",))
    services.approve_and_send_minutes(actor=world.caseworker, meeting=setup.meeting)
    _send_all()
    minutes = [m for m in mail.outbox if m.subject.startswith("Referat")]
    absent = next(m for m in minutes if m.to == ["inge@example.invalid"])
    present = next(m for m in minutes if m.to == ["sara@example.invalid"])
    assert "Tak, fordi du deltog" not in absent.body and "kunne ikke komme" in absent.body
    assert "Tak, fordi du deltog" in present.body


def test_summary_says_how_many_days_there_are(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)
    _send_all()
    mail.outbox.clear()
    follow = setup.meeting.follow_ups.get()
    start = timezone.now() + datetime.timedelta(days=13)
    Meeting.objects.filter(pk=follow.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    dispatch_due.call()
    _send_all()
    summary = next(m for m in mail.outbox if m.to == ["sara@example.invalid"] and "opfølgningsmødet" in m.subject)
    assert "om 13 dage" in summary.body and "14 dage" not in summary.body


def test_non_responders_get_one_reminder_before_the_meeting(world, settings):
    settings.MEETING_RSVP_REMINDER_DAYS = 3
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    _send_all()
    _print_letters(setup.meeting, world.caseworker)
    mother = setup.participants["mor"]
    services.record_rsvp(participant=mother, answer=Rsvp.YES, message="")
    mail.outbox.clear()
    assert queue_rsvp_reminders() == []  # a week ahead: not yet
    with time_machine.travel(setup.meeting.starts_at - datetime.timedelta(days=2), tick=False):
        rows = queue_rsvp_reminders()
        names = sorted(r.participant.name for r in rows)
        assert names == ["Inge Mormor", "Jonas Lærer"]  # not the mother (answered), not the child
        assert queue_rsvp_reminders() == []  # one reminder, however often the dispatcher runs
        for row in rows:
            send_outbox.call(row.pk)
    assert {m.to[0] for m in mail.outbox} == {"inge@example.invalid", "jonas@skole.invalid"}
    assert "Kommer du" in mail.outbox[0].subject


def test_the_reminder_is_not_sent_to_someone_who_answered_in_the_meantime(world, settings):
    settings.MEETING_RSVP_REMINDER_DAYS = 3
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    _send_all()
    with time_machine.travel(setup.meeting.starts_at - datetime.timedelta(days=2), tick=False):
        rows = queue_rsvp_reminders()
        grandmother = setup.participants["mormor"]
        services.record_rsvp(participant=grandmother, answer=Rsvp.NO, message="")
        row = next(r for r in rows if r.participant_id == grandmother.pk)
        assert send_outbox.call(row.pk) == "refused"


def test_cancel_page_says_who_is_told_and_the_letters_are_due(world, client, login):
    setup = _invited_and_told(world)
    login(world.caseworker)
    page = client.get(reverse("meetings:cancel", args=[setup.meeting.public_id])).content.decode()
    assert "contact them yourself" not in page and "3 people get an e-mail with a calendar cancellation" in page
    client.post(
        reverse("meetings:cancel", args=[setup.meeting.public_id]),
        {"reason": "Syg", "message": "Vi ringer til jer."},
    )
    page = client.get(reverse("meetings:detail", args=[setup.meeting.public_id])).content.decode()
    row = Outbox.objects.get(meeting=setup.meeting, kind=MessageKind.CANCELLATION, channel="letter")
    assert reverse("meetings:letter", args=[setup.meeting.public_id, row.pk]) in page
    response = client.post(reverse("meetings:letter", args=[setup.meeting.public_id, row.pk]))
    assert 'filename="brev-aflysning-' in response["Content-Disposition"]
    handled = Outbox.objects.get(
        meeting=setup.meeting, kind=MessageKind.CANCELLATION, channel="email", participant__name="Sara Mor"
    )
    response = client.post(reverse("meetings:letter_handled", args=[setup.meeting.public_id, handled.pk]))
    assert response.status_code == 404  # an e-mail is not a letter


def test_a_foreign_meetings_letter_is_404(world, client, login):
    setup = _invited_and_told(world)
    other = services.create_meeting(
        actor=world.caseworker,
        case=world.case,
        data={
            "purpose": "Et andet møde",
            "place": "Rådhuset",
            "starts_at": setup.meeting.starts_at + datetime.timedelta(days=9),
            "ends_at": setup.meeting.ends_at + datetime.timedelta(days=9),
        },
    )
    child = other.participants.get(role="child")
    row = Outbox.objects.create(
        key="other-letter", kind="invitation", meeting=other, participant=child, channel="letter"
    )
    login(world.caseworker)
    response = client.post(reverse("meetings:letter", args=[setup.meeting.public_id, row.pk]))
    assert response.status_code == 404


def test_letters_lay_out_long_texts(world):
    """A 300-character message, an 80-character name and an unbroken 70-character word stay inside the page."""
    setup = _invited_and_told(world)
    long_name = "Inge-Margrethe Christiansen-Vestergaard Bødker-Østergaard Lindholm Frederiksen"
    unbroken = "x" * 70
    message = ("Vi finder en ny dato sammen med jer, og vi ringer til hver enkelt i næste uge. " * 4) + unbroken
    setup.meeting.participants.filter(role="private").update(name=long_name, address="Lindevej 4, 8000 Aarhus C")
    meeting = services.cancel_meeting(actor=world.caseworker, meeting=setup.meeting, reason="Syg", message=message)
    grandmother = meeting.participants.get(role="private")
    with sending.in_language():
        text = pdf_text(notices.letter_pdf(MessageKind.CANCELLATION, grandmother))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    single_words = [line for line in lines if " " not in line and len(line) < 20]
    assert len(single_words) <= 4, single_words  # no column of one word a line
    assert "ringer til hver enkelt i næste uge" in " ".join(lines)
    assert max(len(line) for line in text.splitlines()) < 140
