"""Browser journey for protected people (issue 18), with axe-core on every page.

Sara and Emma have moved to a crisis centre. The caseworker records the protection in the browser: Sara's address,
phone, e-mail and whereabouts, with Jens (the father) as the one who must never learn them. The meeting page warns
that both parents are invited. The invitations go out by e-mail; the meeting is held, and the minutes mention the
shelter's address by mistake. Jens's invitation carries nothing protected, the minutes letter to him is refused
with a Danish reason when the caseworker tries to print it, his personal page shows none of it, and the minutes on
his page are withheld too. The family centre's practitioner, who works on the case, sees "Beskyttet" on the map.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core import mail

from kreds.meetings import services as meetings
from kreds.meetings.constants import Delivery, MessageKind
from kreds.meetings.models import Meeting, Participant
from kreds.network import services as network
from kreds.network.models import Sector
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_outbox
from kreds.participants.services import token_for
from kreds.protection.models import Protection
from kreds.testing.meetings import planned_meeting
from kreds.testing.protection import (
    FATHER_EMAIL,
    MOTHER_EMAIL,
    MOTHER_PHONE,
    SHELTER_ADDRESS,
    WHEREABOUTS,
    complete,
    hold,
)
from kreds.testing.text import pdf_text

from .test_caseworker_flow import Browser

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
VALUES = [SHELTER_ADDRESS, MOTHER_PHONE, MOTHER_EMAIL, WHEREABOUTS]


def _none_of_it(text: str, where: str) -> None:
    for value in VALUES:
        assert value not in text, f"{where} shows {value!r}"


def _check(page, input_id: str) -> None:
    page.locator(f"#{input_id}").check()
    assert page.locator(f"#{input_id}").is_checked(), input_id


def _pick(page, name: str, value: str) -> None:
    _check(page, page.locator(f"input[name='{name}'][value='{value}']").get_attribute("id"))


def _deliver(meeting: Meeting, kind: str) -> dict[str, mail.EmailMessage]:
    before = len(mail.outbox)
    for row in Outbox.objects.filter(meeting=meeting, kind=kind, channel="email", sent_at__isnull=True):
        send_outbox.call(row.pk)
    return {m.to[0]: m for m in mail.outbox[before:]}


def test_crisis_centre_journey(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    case = world.case
    network.get_or_create_map(case=case)
    network.record_map_consent(
        actor=world.caseworker, case=case, given_by="Sara Mor", role="parent", given_on=datetime.date(2026, 1, 1)
    )
    family = Sector.objects.get(municipality=world.municipality, key="family")
    father = network.add_person(
        actor=world.caseworker,
        case=case,
        data={"name": "Jens Far", "relation": "far", "sector": family, "email": FATHER_EMAIL},
    )
    setup = planned_meeting(case, world.caseworker, world.facilitator, more=[father])
    meeting = setup.meeting
    mother = setup.mother
    current = network.current_version(mother)
    network.update_person(
        actor=world.caseworker,
        person=mother,
        expected_version=current.pk,
        data={
            **{k: getattr(current, k) for k in network.PERSON_FIELDS},
            "address": SHELTER_ADDRESS,
            "phone": MOTHER_PHONE,
            "email": MOTHER_EMAIL,
        },
    )
    Participant.objects.filter(meeting=meeting, person=mother).update(
        address=SHELTER_ADDRESS, phone=MOTHER_PHONE, email=MOTHER_EMAIL
    )
    shots = itertools.count(1)

    # --- The caseworker records the protection. -------------------------------------------------------------
    cw = Browser(browser_page, live_server.url, shot_prefix="protection-", shot_counter=shots)
    page = cw.page
    cw.log_in(world.caseworker.username, totp_device(world.caseworker))
    cw.goto(f"/sager/{case.public_id}/")
    cw.check("case")
    with page.expect_navigation():
        page.get_by_role("link", name="Åbn beskyttelserne").click()
    cw.check("protections-empty")
    with page.expect_navigation():
        page.get_by_role("link", name="Beskyt en persons oplysninger").click()
    cw.check("protection-form")
    page.select_option("#id_person", str(mother.public_id))
    for what in ("address", "contact", "whereabouts"):
        _pick(page, "protects", what)
    page.fill("#id_whereabouts_text", WHEREABOUTS)
    _pick(page, "reason", "crisis")
    _pick(page, "must_not_learn", str(father.public_id))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    cw.check("protections")
    assert "Beskyttelsen er registreret" in page.content()
    protection = Protection.objects.get(case=case)
    assert protection.address and protection.contact and protection.whereabouts
    assert list(protection.must_not_learn.all()) == [father]

    # The meeting page warns that both parents are invited.
    cw.goto(f"/moeder/{meeting.public_id}/")
    cw.check("meeting-warning")
    body = page.locator("main").inner_text()
    assert "Jens Far må ikke kende de beskyttede oplysninger om Sara Mor, og begge er inviteret." in body

    # --- Invitations by e-mail: Jens's carries nothing protected; Sara's is her own. ------------------------
    meetings.send_invitations(actor=world.caseworker, meeting=meeting)
    invitations = _deliver(meeting, MessageKind.INVITATION)
    to_father = invitations[FATHER_EMAIL]
    _none_of_it(to_father.body, "the father's invitation")
    for _name, content, _type in to_father.attachments:
        _none_of_it(content if isinstance(content, str) else content.decode(), "the father's calendar file")
    assert MOTHER_EMAIL in invitations

    # --- The meeting is held; the minutes mention the shelter by mistake. Jens gets letters from now on. ----
    meeting = hold(meeting, world.facilitator, f"Sara og Emma bor nu på {SHELTER_ADDRESS} og har det godt.")
    complete(meeting, world.facilitator)
    Participant.objects.filter(meeting=meeting, person=father).update(
        delivery=Delivery.LETTER, address="Skovvej 3, 8600 Silkeborg"
    )
    meetings.approve_and_send_minutes(actor=world.caseworker, meeting=meeting)
    minutes = _deliver(meeting, MessageKind.MINUTES)
    assert FATHER_EMAIL not in minutes
    grandmother = minutes["inge@example.invalid"]
    for _name, content, mimetype in grandmother.attachments:
        if mimetype == "application/pdf":
            text = pdf_text(content)
            _none_of_it(text, "the grandmother's minutes")
            assert "Beskyttet" in text

    # The caseworker tries to print the minutes letter to Jens: refused, with the reason.
    cw.goto(f"/moeder/{meeting.public_id}/")
    letter = Outbox.objects.get(meeting=meeting, participant__person=father, kind=MessageKind.MINUTES)
    assert letter.channel == "letter"
    with page.expect_navigation():
        page.locator(f"form[action='/moeder/{meeting.public_id}/breve/{letter.pk}/'] button").click()
    cw.check("letter-refused")
    assert "Ikke sendt: den indeholder" in page.locator("main").inner_text()
    letter.refresh_from_db()
    assert letter.sent_at is None
    cw.log_out()

    # --- Jens opens his personal page on his phone: none of it. ---------------------------------------------
    context = browser_page.context.browser.new_context(viewport=PHONE, locale="da-DK", is_mobile=True)
    jens = Browser(context.new_page(), live_server.url, shot_prefix="protection-", shot_counter=shots)
    token = token_for(Participant.objects.get(meeting=meeting, person=father).link)
    jens.goto(f"/l/{token}/")
    jens.check("father-page")
    _none_of_it(jens.page.content(), "the father's page")
    # The minutes mention the shelter: they are withheld from him here too (a document handed over, like a letter).
    jens.goto(f"/l/{token}/referat.pdf")
    jens.check("father-minutes-withheld")
    assert "Dokumentet kan ikke vises her" in jens.page.locator("main").inner_text()
    _none_of_it(jens.page.content(), "the father's minutes page")
    # The grandmother's minutes from her page are there, without the address.
    granny = Participant.objects.get(meeting=meeting, person=setup.grandmother)
    minutes_pdf = jens.page.request.get(f"{live_server.url}/l/{token_for(granny.link)}/referat.pdf")
    assert minutes_pdf.status == 200
    text = pdf_text(minutes_pdf.body())
    _none_of_it(text, "the minutes on the grandmother's page")
    assert "Beskyttet" in text
    context.close()

    # --- The family centre works on the case and sees "Beskyttet". -------------------------------------------
    fc_context = browser_page.context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    fc = Browser(fc_context.new_page(), live_server.url, shot_prefix="protection-", shot_counter=shots)
    fc.log_in(world.practitioner.username, totp_device(world.practitioner))
    fc.goto(f"/sager/{case.public_id}/netvaerk/liste/")
    fc.check("practitioner-network-list")
    html = fc.page.content()
    _none_of_it(html, "the practitioner's network list")
    assert "Beskyttet" in html
    fc_context.close()


def test_restricted_case_and_breaking_the_glass(e2e_world, live_server, browser_page, totp_device):
    """A colleague's child: the caseworker restricts the case in the browser; the leader lists it as "Begrænset
    sag", opens it only by stating a reason; the caseworker sees who opened it and why."""
    from kreds.cases.models import BreakGlass

    world = e2e_world
    case = world.case
    name = case.child.full_name
    shots = itertools.count(1)
    cw = Browser(browser_page, live_server.url, shot_prefix="restricted-", shot_counter=shots)
    page = cw.page
    cw.log_in(world.caseworker.username, totp_device(world.caseworker))
    cw.goto(f"/sager/{case.public_id}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Begræns sagen til navngivne medarbejdere").click()
    cw.check("restrict-form")
    page.fill("#id_reason", "Barnet er barn af en kollega i enheden.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    cw.check("restricted-case")
    assert "Kun disse medarbejdere kan åbne sagen" in page.locator("main").inner_text()

    leader_context = browser_page.context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    lead = Browser(leader_context.new_page(), live_server.url, shot_prefix="restricted-", shot_counter=shots)
    lead.log_in(world.leader.username, totp_device(world.leader))
    lead.goto("/sager/")
    lead.check("leader-case-list")
    listing = lead.page.locator("main").inner_text()
    assert "Begrænset sag" in listing and name not in listing and case.external_ref not in listing
    with lead.page.expect_navigation():
        lead.page.locator(f"main a[href='/sager/{case.public_id}/']").first.click()
    assert lead.page.url.endswith(f"/sager/{case.public_id}/begraenset/"), lead.page.url
    lead.check("break-the-glass")
    assert name not in lead.page.content()
    lead.page.fill("#id_reason", "Forælderen har klaget, og klagen skal besvares i dag.")
    with lead.page.expect_navigation():
        lead.page.locator("main form button[type=submit]").click()
    lead.check("leader-opened-case")
    assert name in lead.page.locator("h1").inner_text()
    assert BreakGlass.objects.filter(case=case, user=world.leader).exists()
    leader_context.close()

    # The caseworker (still signed in) opens the case again and is shown who opened it, and why.
    cw.goto(f"/sager/{case.public_id}/")
    cw.check("caseworker-sees-notice")
    notice = page.locator("#panel-restriction").locator("..").inner_text()
    assert "Forælderen har klaget" in notice and world.leader.get_full_name() in notice
