"""Browser journey through a family group conference, with axe-core (WCAG 2.1 A/AA) on every page.

The caseworker refers the case (questions, bottom lines, consent, the child's well-being). The independent
coordinator takes the referral from the FGC service's queue, holds the pre-meeting, sets the date and venue,
invites from the network map, logs a home visit and sends the invitations. The grandmother answers on her phone.
On the day the coordinator runs the conference: attendance, the information phase, the family's private time
and the plan, and completes it. The caseworker refuses to approve an item whose support is not yet confirmed,
confirms it, approves the plan and sends it. The grandmother reads the plan and her own part on her link and
answers the evaluation. At the follow-up conference the coordinator reviews each item and scores the child's
well-being, and the caseworker sends the follow-up record.

Each person has their own browser context (the grandmother a phone-sized one); screenshots go to
/tmp/e2e-shots/fgc-NN-*.png.
"""

from __future__ import annotations

import datetime
import itertools
import re
import time

import pytest
from django.utils import timezone

from kreds.conferences.constants import ConferenceStatus, Decision
from kreds.conferences.models import Conference, ConferenceSession, PlanItem, Wellbeing
from kreds.meetings.constants import MeetingStatus, MessageKind, Rsvp
from kreds.meetings.models import Evaluation, Meeting, Participant
from kreds.participants.services import token_for
from kreds.testing.meetings import network_for

from .test_caseworker_flow import Browser
from .test_meeting_journey import DESKTOP, PHONE, _check, _deliver, _pick, _submit

pytestmark = pytest.mark.e2e

QUESTIONS = "Hvordan sikrer familien, at Emma har en voksen efter skole hver dag?"
BOTTOM_LINE = "Emma må ikke være alene hjemme om natten."
VENUE = "Sognegården, den store sal"
PICK_UP = "Mormor henter Emma tirsdag og torsdag"
RESPITE = "Emma er hos moster hver tredje weekend"


def _move_to_earlier_today(meeting: Meeting) -> None:
    now = timezone.localtime()
    start = max(now - datetime.timedelta(hours=3), now.replace(hour=0, minute=0, second=0, microsecond=0))
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=4))


def test_conference_journey(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    case = world.case
    started = time.monotonic()
    people = network_for(case, world.caseworker)
    shots = itertools.count(1)
    browser = browser_page.context.browser
    today = timezone.localdate()

    def person(page, viewport) -> Browser:
        if page is None:
            context = browser.new_context(viewport=viewport, locale="da-DK", is_mobile=viewport == PHONE)
            page = context.new_page()
            page.set_default_timeout(15_000)
        return Browser(page, live_server.url, shot_prefix="fgc-", shot_counter=shots)

    # --- The caseworker refers the case. ---------------------------------------------------------------------
    cw = person(browser_page, DESKTOP)
    page = cw.page
    cw.log_in(world.caseworker.username, totp_device(world.caseworker))
    cw.goto(f"/sager/{case.public_id}/")
    with page.expect_navigation():
        page.locator(f"main a[href='/sager/{case.public_id}/familieraadslagning/ny/']").click()
    cw.check("referral-form")
    page.fill("#id_questions", QUESTIONS)
    page.fill("#id_bottom_lines", BOTTOM_LINE + "\nEmma skal i skole hver dag.")
    page.fill("#id_support_offered", "Aflastning hver tredje weekend.")
    page.fill("#id_parents_consent_by", "Sara Mor")
    page.select_option("#id_wellbeing_child", "2")
    page.select_option("#id_wellbeing_family", "2")
    _submit(page, "main form[method=post]")
    conference = Conference.objects.get(case=case)
    detail = f"/familieraadslagning/{conference.public_id}/"
    assert page.url.endswith(detail), page.url
    cw.check("referred")

    # --- The coordinator takes it from the queue and prepares. -----------------------------------------------
    co = person(None, DESKTOP)
    cpage = co.page
    co.log_in(world.facilitator.username, totp_device(world.facilitator), landing=r"/moeder/$")
    co.goto("/familieraadslagning/")
    co.check("queue")
    assert case.child.first_name not in cpage.locator("main table").first.inner_text()
    _submit(cpage, f"form[action='{detail}tildel/']:has(input[value=me])")
    assert cpage.url.endswith(detail)
    co.check("allocated")
    conference.refresh_from_db()
    assert conference.coordinator_id == world.facilitator.pk

    co.goto(f"{detail}forberedelse/")
    co.check("preparation")
    cpage.fill("#id_premeeting_on", today.isoformat())
    cpage.fill("#id_premeeting_with", "Emma og Sara (mor)")
    cpage.fill("#id_premeeting_notes", "Mor, mormor og klasselæreren.")
    cpage.select_option("#id_support_person", str(people["grandmother"].pk))
    _submit(cpage, "form:has(#id_premeeting_on)")
    cpage.fill("#id_date", (today + datetime.timedelta(days=10)).isoformat())
    cpage.fill("#id_start", "16:00")
    cpage.fill("#id_end", "20:00")
    cpage.fill("#id_place", VENUE)
    with cpage.expect_navigation():  # sections 1, 2 and the well-being are one form, each with its own button
        cpage.locator("#prepare-form button[name=save][value=schedule]").click()
    conference.refresh_from_db()
    meeting = conference.meeting
    assert meeting is not None and meeting.facilitator_id == world.facilitator.pk
    with cpage.expect_navigation():
        cpage.locator(f"main a[href='/moeder/{meeting.public_id}/deltagere/']").click()
    co.check("choose-invitees")
    for key in ("mother", "grandmother", "teacher"):
        _check(cpage, f"p-{people[key].public_id}")
    _check(cpage, f"parent-{people['mother'].public_id}")
    _submit(cpage, "main form[method=post]")
    co.goto(f"{detail}forberedelse/")
    co.check("preparation-invitees")
    grandma = Participant.objects.get(meeting=meeting, person=people["grandmother"])
    with cpage.expect_navigation():
        cpage.locator(f"main a[href='{detail}forberedelse/{grandma.public_id}/']").click()
    co.check("invitee-log")
    cpage.select_option("#id_kind", "home_visit")
    cpage.fill("#id_note", "Hjemmebesøg. Mormor glæder sig og vil gerne hente Emma.")
    _submit(cpage, f"form[action='{detail}forberedelse/{grandma.public_id}/kontakt/']")
    _check(cpage, "id_prepared")
    _submit(cpage, "main form:has(#id_prepared)")
    assert cpage.url.endswith(f"{detail}forberedelse/")
    _submit(cpage, f"form[action='/moeder/{meeting.public_id}/inviter/']")
    co.check("invited")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.INVITED

    invitations = _deliver(meeting, MessageKind.INVITATION)
    invitation = invitations["inge@example.invalid"]
    assert QUESTIONS in invitation.body and VENUE in invitation.body
    grandma.refresh_from_db()
    token = token_for(grandma.link)
    assert f"/l/{token}/" in invitation.body

    # --- The grandmother answers on her phone. ---------------------------------------------------------------
    gm = person(None, PHONE)
    gpage = gm.page
    home = f"/l/{token}/"
    gm.goto(home)
    gm.check("link-invitation-phone")
    assert BOTTOM_LINE in gpage.locator("main").inner_text()
    _pick(gpage, "answer", "yes")
    _submit(gpage, f"form[action='/l/{token}/svar/']")
    grandma.refresh_from_db()
    assert grandma.rsvp == Rsvp.YES

    # --- The conference day. ---------------------------------------------------------------------------------
    _move_to_earlier_today(meeting)
    co.goto(f"{detail}afvikling/")
    co.check("conference-screen")
    for p in meeting.participants.filter(removed_at__isnull=True):
        _pick(cpage, f"attended-{p.public_id}", "yes")
    _submit(cpage, f"form[action='{detail}afvikling/fremmoede/']")
    caseworker_participant = meeting.participants.get(user=world.caseworker)
    cpage.select_option("#id_participant", str(caseworker_participant.pk))
    cpage.fill("#id_worries", "Emma er meget alene om eftermiddagen.")
    _submit(cpage, f"form[action='{detail}afvikling/information/']")
    _submit(cpage, f"form[action='{detail}afvikling/egen-tid/']:has(input[value=start])")
    co.check("private-time")
    assert cpage.locator(f"form[action='{detail}afvikling/plan/']").count() == 0, "no notes in private time"
    _submit(cpage, f"form[action='{detail}afvikling/egen-tid/']:has(input[value=end])")
    due = (today + datetime.timedelta(days=30)).isoformat()
    mother = Participant.objects.get(meeting=meeting, person=people["mother"])
    for who, what, support in ((grandma, PICK_UP, ""), (mother, RESPITE, "Kommunen betaler aflastningen")):
        cpage.select_option("#id_responsible", str(who.pk))
        cpage.fill("#id_what", what)
        cpage.fill("#id_due_on", due)
        cpage.fill("#id_support_requested", support)
        _submit(cpage, f"form[action='{detail}afvikling/plan/']")
    co.check("plan-presented")
    cpage.once("dialog", lambda dialog: dialog.accept())
    _submit(cpage, f"form[action='{detail}afvikling/afslut/']")
    assert cpage.url.endswith(detail), cpage.url
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.AWAITING_APPROVAL

    # --- The caseworker decides on each item and sends the plan. ---------------------------------------------
    cw.goto(f"{detail}godkendelse/")
    cw.check("approval")
    pick_up, respite = PlanItem.objects.filter(session__conference=conference).order_by("number")
    _check(page, f"d-{respite.public_id}-a")
    _submit(page, f"form[action='{detail}godkendelse/{respite.public_id}/beslutning/']")
    assert "Kommunen betaler aflastningen" in page.locator(".alert-error").inner_text()
    cw.check("approval-refused")
    _check(page, f"s-{respite.public_id}-yes")
    page.fill(f"#sn-{respite.public_id}", "Aflastning bevilget efter § 32.")
    _submit(page, f"form[action='{detail}godkendelse/{respite.public_id}/stoette/']")
    for item in (pick_up, respite):
        _check(page, f"d-{item.public_id}-a")
        _submit(page, f"form[action='{detail}godkendelse/{item.public_id}/beslutning/']")
    page.once("dialog", lambda dialog: dialog.accept())
    _submit(page, f"form[action='{detail}godkendelse/send/']")
    assert page.url.endswith(detail), page.url
    cw.check("plan-sent")
    assert set(PlanItem.objects.values_list("decision", flat=True)) == {Decision.APPROVED}
    plan_mail = _deliver(meeting, MessageKind.MINUTES)["inge@example.invalid"]
    assert plan_mail.attachments[0][0] == "familiens-plan.pdf"

    # --- The grandmother reads the plan and answers the evaluation. ------------------------------------------
    gm.goto(home)
    gm.check("link-plan-phone")
    assert PICK_UP in gpage.locator("section[aria-labelledby=h-own]").inner_text()
    assert RESPITE in gpage.locator("section[aria-labelledby=h-minutes]").inner_text()
    with gpage.expect_navigation():
        gpage.locator(f"a[href='/l/{token}/evaluering/']").click()
    gm.check("link-evaluation-phone")
    for field in ("heard", "knew_purpose", "realistic", "own_part_clear", "plan_satisfaction"):
        _pick(gpage, field, "5")
    _pick(gpage, "plan_made", "yes")
    _pick(gpage, "satisfaction", "5")
    _submit(gpage, "main form[method=post]")
    assert Evaluation.objects.get(participant=grandma).plan_made is True

    # --- The follow-up conference. ---------------------------------------------------------------------------
    follow = ConferenceSession.objects.get(conference=conference, number=1).meeting
    _move_to_earlier_today(follow)
    co.goto(f"{detail}afvikling/")
    for p in follow.participants.filter(removed_at__isnull=True):
        _pick(cpage, f"attended-{p.public_id}", "yes")
    _submit(cpage, f"form[action='{detail}afvikling/fremmoede/']")
    for item, outcome, comment in ((pick_up, "realised", ""), (respite, "partly", "Kun hver fjerde weekend.")):
        _check(cpage, f"o-{item.public_id}-{outcome}")
        cpage.fill(f"#c-{item.public_id}", comment)
        _submit(cpage, f"form[action='{detail}afvikling/plan/{item.public_id}/opfoelgning/']")
    cpage.select_option("#id_wellbeing-child", "4")
    cpage.select_option("#id_wellbeing-family", "4")
    _submit(cpage, f"form[action='{detail}trivsel/']")
    co.check("follow-up-screen")
    cpage.once("dialog", lambda dialog: dialog.accept())
    _submit(cpage, f"form[action='{detail}afvikling/afslut/']")
    assert cpage.url.endswith(detail), cpage.url

    cw.goto(f"{detail}godkendelse/")
    page.once("dialog", lambda dialog: dialog.accept())
    _submit(page, f"form[action='{detail}godkendelse/send/']")
    cw.check("follow-up-sent")
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.ACTIVE
    scores = dict(Wellbeing.objects.filter(session__number=1).values_list("scored_by", "score"))
    assert scores == {"child": 4, "family": 4}
    assert re.search(r"Partly realised|Delvist", page.locator("main").inner_text())

    for b in (cw, co, gm):
        for name, items in b.axe_incomplete.items():
            for item in items:
                print(f"axe needs review on {name}: {item['id']} {[n['target'] for n in item['nodes']]}")
    print(f"\nConference journey: {cw.checked + co.checked + gm.checked} pages in {time.monotonic() - started:.1f}s")
