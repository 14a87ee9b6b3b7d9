"""What reaches participants: e-mails (also over real SMTP), .ics, PDFs, and sending exactly once."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from kreds.consent.models import SharingConsent
from kreds.consent.services import withdraw_consent
from kreds.meetings import notices, sending, services
from kreds.meetings.constants import MessageKind
from kreds.meetings.models import Meeting
from kreds.meetings.tasks import dispatch_due, queue_staff_reminders, queue_summaries
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import retry_rows, send_outbox
from kreds.participants.services import resolve, token_for
from kreds.testing.meetings import held_meeting, planned_meeting, reminder_day
from kreds.testing.text import cpr_shaped, pdf_text

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^\s]+/l/([0-9a-f]{64})/")


def _invited(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    services.send_invitations(actor=world.caseworker, meeting=setup.meeting)
    return setup


def _send_all() -> None:
    for row in Outbox.objects.filter(sent_at__isnull=True):
        send_outbox.call(row.pk)


def test_invitation_email_has_purpose_others_leaflet_link_and_ics(world):
    setup = _invited(world)
    _send_all()
    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if m.to == ["inge@example.invalid"])
    body = message.body
    assert message.subject.startswith("Invitation: møde om")  # participants get Danish, whatever the staff use
    assert "Kære Inge Mormor" in body
    assert "Medborgerhuset" in body and "god skolegang" in body
    assert "Sara Mor" in body and "Jonas Lærer" in body  # who else is invited (consented)
    assert "jonas@skole.invalid" not in body  # never other participants' contact details
    assert "neutral" in body.lower()  # the leaflet is in the e-mail
    token = LINK.search(body).group(1)
    assert not cpr_shaped(body) and not cpr_shaped(message.subject)
    link = resolve(token)
    setup.participants["mormor"].refresh_from_db()
    assert link is not None and link == setup.participants["mormor"].link
    _name, content, mimetype = message.attachments[0]
    assert mimetype == "text/calendar; method=REQUEST"  # a meeting request that later changes can update
    calendar = Calendar.from_ical(content)
    assert str(calendar.get("method")) == "REQUEST"
    event = next(c for c in calendar.walk("VEVENT"))
    assert event.get("uid") == f"{setup.meeting.public_id}@kreds" and int(event.get("sequence")) == 0
    assert "inge@example.invalid" in str(event.get("attendee")) and event.get("organizer")
    assert event.decoded("dtstart") == setup.meeting.starts_at.replace(microsecond=0)
    assert str(event.get("location")) == "Medborgerhuset, mødelokale 2"
    assert token in str(event.get("description"))
    setup.participants["mormor"].refresh_from_db()
    assert setup.participants["mormor"].invited_at is not None


def test_invitation_over_real_smtp(world, settings, smtp_server):
    settings.MAILERS = {"default": smtp_server.mailer}
    _invited(world)
    _send_all()
    assert len(smtp_server.messages) == 3
    received = next(m for m in smtp_server.messages if m["To"] == "inge@example.invalid")
    assert "Invitation" in received["Subject"] or "Invitation" in str(received["Subject"])
    parts = {p.get_content_type(): p for p in received.walk()}
    assert "text/calendar" in parts
    cal = Calendar.from_ical(parts["text/calendar"].get_payload(decode=True))
    assert cal.walk("VEVENT")[0].get("summary")
    text = parts["text/plain"].get_content()
    assert "Medborgerhuset" in text and not cpr_shaped(text)
    envelope = next(e for e in smtp_server.envelopes if "inge@example.invalid" in e.rcpt_tos)
    assert envelope.rcpt_tos == ("inge@example.invalid",)


def test_send_task_is_idempotent(world):
    _invited(world)
    row = Outbox.objects.filter(kind="invitation", channel="email").first()
    assert send_outbox.call(row.pk) == "sent"
    assert send_outbox.call(row.pk) == "already sent"
    assert len(mail.outbox) == 1


def test_withdrawn_consent_after_queueing_stops_the_message(world):
    setup = _invited(world)
    for consent in SharingConsent.objects.filter(case=world.case):
        withdraw_consent(actor=world.caseworker, consent=consent)
    _send_all()
    assert {m.to[0] for m in mail.outbox} == {"sara@example.invalid", "jonas@skole.invalid"}
    refused = Outbox.objects.get(participant=setup.participants["mormor"])
    assert refused.sent_at is None and "consent" in refused.last_error


def test_minutes_email_carries_the_pdfa(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    mail.outbox.clear()
    services.approve_and_send_minutes(actor=world.caseworker, meeting=setup.meeting)
    for row in Outbox.objects.filter(kind="minutes"):
        send_outbox.call(row.pk)
    message = next(m for m in mail.outbox if m.to == ["inge@example.invalid"])
    assert "Henter Emma fra skole" in message.body  # her own agreement
    _name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF") and b"pdfaid" in content


def test_minutes_pdf_content(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    meeting = setup.meeting
    services.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
    meeting.refresh_from_db()
    pdf = sending.minutes_pdf(meeting)
    assert b"pdfaid" in pdf
    text = pdf_text(pdf)
    for expected in (
        "god skolegang",
        "Inge Mormor",
        "Henter Emma",
        "Attended",
        meeting.follow_up_on.strftime("%d.%m.%Y"),
    ):
        assert expected in text, expected
    assert not cpr_shaped(text)


def test_letter_pdf_has_link_and_no_cpr(world):
    setup = _invited(world)
    grandmother = setup.participants["mormor"]
    grandmother.refresh_from_db()
    pdf = notices.letter_pdf("invitation", grandmother)
    text = pdf_text(pdf)
    assert "Lindevej 4" in text and "Medborgerhuset" in text
    # A long address may wrap in the layout; joined up it is the holder's link.
    joined = LINK.search(re.sub(r"\s+", "", text))
    assert joined, "the personal link is printed as text"
    assert joined.group(1) == token_for(grandmother.link)
    # The hex token may wrap anywhere (and ten of its characters can happen to be digits): remove it, wrapped or not.
    wrapped_link = re.compile(r"\s*".join(map(re.escape, joined.group(0))))
    assert not cpr_shaped(wrapped_link.sub("", text))
    assert b"pdfaid" in pdf


def test_fourteen_day_summary_is_sent_exactly_once_across_a_worker_restart(world):
    setup = held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)
    _send_all()
    mail.outbox.clear()
    follow = setup.meeting.follow_ups.get()
    start = timezone.now() + datetime.timedelta(days=20)
    Meeting.objects.filter(pk=follow.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    assert queue_summaries() == []  # 20 days ahead: not yet
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7), tick=False):
        rows = queue_summaries()
        assert len([r for r in rows if r.channel == "email"]) == 3
        assert [r.participant.role for r in rows if r.channel == "letter"] == ["child"]  # the child gets a letter
        # The worker dies before it runs any of the queued tasks; on restart the dispatcher runs again ...
        assert queue_summaries() == []
        assert retry_rows() == [], "the lost tasks are not yet due for retry"
        dispatch_due.call()  # may queue today's staff reminder (invite to the follow-up), never a summary again
        assert Outbox.objects.filter(kind=MessageKind.SUMMARY).count() == 4
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=11), tick=False):
        retried = retry_rows()
        emailed = {r.pk for r in rows if r.channel == "email"}
        assert {r.pk for r in retried if r.kind == MessageKind.SUMMARY} == emailed  # letters are never retried
        # ... and both the original tasks and the retries run: each participant still gets one summary.
        for row in rows + retried:
            send_outbox.call(row.pk)
        dispatch_due.call()
        assert Outbox.objects.filter(kind=MessageKind.SUMMARY).count() == 4
    invitees = {p.email for p in follow.participants.exclude(role="caseworker")}
    summaries = [m for m in mail.outbox if m.to[0] in invitees]  # not the caseworker's reminder to invite
    assert sorted(m.to[0] for m in summaries) == ["inge@example.invalid", "jonas@skole.invalid", "sara@example.invalid"]
    assert "Henter Emma fra skole" in summaries[0].body
    follow.refresh_from_db()
    assert follow.summary_queued_at is not None


def test_minutes_timeliness_counts_working_days(world):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC), tick=False):
        setup = held_meeting(world.case, world.caseworker, world.facilitator, days_ago=0)  # held Wed 1 April
    meeting = setup.meeting
    # Easter: Thu 2 and Fri 3 April and Mon 6 April are holidays, so the deadline is Wed 8 April.
    with time_machine.travel(datetime.datetime(2026, 4, 8, 12, tzinfo=datetime.UTC), tick=False):
        assert sending.minutes_timeliness(meeting) == {"sent": False, "deadline": datetime.date(2026, 4, 8), "late": 0}
    with time_machine.travel(datetime.datetime(2026, 4, 10, 12, tzinfo=datetime.UTC), tick=False):
        services.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
    meeting.refresh_from_db()
    assert sending.minutes_timeliness(meeting) == {"sent": True, "deadline": datetime.date(2026, 4, 8), "late": 2}


def test_staff_reminder_once_a_day(world, settings):
    setup = held_meeting(world.case, world.caseworker, world.facilitator)
    world.caseworker.email = "cw@kommune.invalid"
    world.caseworker.save()
    agreement = setup.meeting.agreements.get()
    agreement.due_on = timezone.localdate() - datetime.timedelta(days=1)
    agreement.save()
    mail.outbox.clear()
    day = reminder_day()
    rows = queue_staff_reminders(day)
    assert len(rows) == 1 and queue_staff_reminders(day) == []
    send_outbox.call(rows[0].pk)
    assert mail.outbox[0].to == ["cw@kommune.invalid"]
    assert "1" in mail.outbox[0].subject and "Henter Emma" in mail.outbox[0].body
