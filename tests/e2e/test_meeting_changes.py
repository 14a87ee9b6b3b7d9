"""Browser journey: an invited meeting is moved and then cancelled (issue 14).

The caseworker moves the meeting two days on the edit page; everyone invited gets an e-mail with an updated
calendar entry (same UID, SEQUENCE 1, METHOD:REQUEST) and the child's letter about the move is due on the meeting
page, downloaded under a name that says what it is. The grandmother's page shows the new time and asks her to
answer again. Then the caseworker cancels with a message to the participants: e-mails with a calendar
cancellation, the child's cancellation letter, and the grandmother's page says plainly that the meeting is
cancelled. axe-core runs on every page (see :class:`test_caseworker_flow.Browser`).
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone
from icalendar import Calendar

from kreds.meetings import services
from kreds.meetings.constants import MeetingStatus, MessageKind, Rsvp
from kreds.outbox.models import Outbox
from kreds.participants.services import token_for
from kreds.testing.meetings import planned_meeting

from .test_caseworker_flow import Browser
from .test_meeting_journey import PHONE, _deliver

pytestmark = pytest.mark.e2e


def _calendar(message) -> Calendar:
    _name, content, mimetype = next(a for a in message.attachments if a[2].startswith("text/calendar"))
    return mimetype, Calendar.from_ical(content)


def _download_letter(browser: Browser, meeting, kind: str) -> str:
    page = browser.page
    row = Outbox.objects.get(meeting=meeting, kind=kind, channel="letter", sent_at__isnull=True)
    with page.expect_download() as download:
        page.locator(f"form[action='/moeder/{meeting.public_id}/breve/{row.pk}/'] button").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # A form POST that answers with a file is an aborted navigation to the browser, not a failed request.
    browser.failed = [f for f in browser.failed if not (f"/breve/{row.pk}/" in f and "ERR_ABORTED" in f)]
    row.refresh_from_db()
    assert row.letter_done == "printed"
    return download.value.suggested_filename


def test_moving_and_cancelling_a_meeting(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    meeting = setup.meeting
    services.send_invitations(actor=world.caseworker, meeting=meeting)
    _deliver(meeting, MessageKind.INVITATION)
    for row in services.letters_due(meeting):  # the child's invitation, handed over
        services.record_letter_printed(actor=world.caseworker, row=row)
    grandma = setup.participants["mormor"]
    grandma.refresh_from_db()
    services.record_rsvp(participant=grandma, answer=Rsvp.YES, message="")
    shots = itertools.count(1)

    cw = Browser(browser_page, live_server.url, shot_prefix="changes-", shot_counter=shots)
    page = cw.page
    cw.log_in(world.caseworker.username, totp_device(world.caseworker))

    # --- Move the meeting two days. -------------------------------------------------------------------------
    cw.goto(f"/moeder/{meeting.public_id}/rediger/")
    cw.check("edit")
    new_day = timezone.localtime(meeting.starts_at).date() + datetime.timedelta(days=2)
    page.fill("#id_date", new_day.isoformat())
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    cw.check("moved")
    assert (
        "Alle inviterede får besked om ændringen: 3 på e-mail og 1 som brev til print."
        in page.locator("main").inner_text()
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and timezone.localtime(meeting.starts_at).date() == new_day
    grandma.refresh_from_db()
    assert grandma.rsvp == Rsvp.NONE  # her answer was for the old day

    changes = _deliver(meeting, MessageKind.CHANGE)
    assert set(changes) == {"sara@example.invalid", "inge@example.invalid", "jonas@skole.invalid"}
    mimetype, calendar = _calendar(changes["inge@example.invalid"])
    event = calendar.walk("VEVENT")[0]
    assert mimetype == "text/calendar; method=REQUEST" and int(event.get("sequence")) == 1
    assert str(event.get("uid")) == f"{meeting.public_id}@kreds"
    assert new_day.strftime("%d.%m.%Y") in changes["inge@example.invalid"].body

    cw.goto(f"/moeder/{meeting.public_id}/")
    cw.check("letters-due")
    assert _download_letter(cw, meeting, MessageKind.CHANGE).startswith("brev-moedet-er-flyttet-")

    gm = Browser(
        browser_page.context.browser.new_context(viewport=PHONE, locale="da-DK", is_mobile=True).new_page(),
        live_server.url,
        shot_prefix="changes-",
        shot_counter=shots,
    )
    home = f"/l/{token_for(grandma.link)}/"
    gm.goto(home)
    gm.check("link-moved")
    text = gm.page.locator("main").inner_text()
    assert "flyttet" in text and new_day.strftime("%d.%m.%Y") in text

    # --- Cancel it, with a message to the participants. --------------------------------------------------
    cw.goto(f"/moeder/{meeting.public_id}/aflys/")
    cw.check("cancel")
    assert "3 personer får en e-mail med en aflysning til kalenderen" in page.locator("main").inner_text()
    page.fill("#id_reason", "Mor er blevet indlagt på Hvidovre Hospital.")
    page.fill("#id_message", "Vi finder en ny dato sammen med jer.")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    cw.check("cancelled")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 2

    cancellations = _deliver(meeting, MessageKind.CANCELLATION)
    assert set(cancellations) == {"sara@example.invalid", "inge@example.invalid", "jonas@skole.invalid"}
    message = cancellations["sara@example.invalid"]
    assert "Vi finder en ny dato sammen med jer." in message.body and "Hvidovre Hospital" not in message.body
    mimetype, calendar = _calendar(message)
    assert mimetype == "text/calendar; method=CANCEL" and str(calendar.walk("VEVENT")[0].get("status")) == "CANCELLED"
    assert _download_letter(cw, meeting, MessageKind.CANCELLATION).startswith("brev-aflysning-")
    cw.check("cancel-letter-printed")

    gm.goto(home)
    gm.check("link-cancelled")
    text = gm.page.locator("main").inner_text()
    assert "aflyst" in text and "Vi finder en ny dato sammen med jer." in text
    assert "Hvidovre Hospital" not in text
