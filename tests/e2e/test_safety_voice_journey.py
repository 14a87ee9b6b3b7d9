"""Browser journeys for issue 6, with axe-core (WCAG 2.1 A/AA) on every page.

1. A caseworker starts a Signs of Safety mapping (worry basis, a worry statement with its safety goal, strengths),
   records scaling answers, adds a rule to the safety plan with a person from the map, makes the child's plan with
   a goal and a contribution from the network, and reads the list of who does what.
2. The caseworker opens a page for the child; the child answers on a phone-sized screen without JavaScript; the
   caseworker sees the unread answer on the case and marks it as read.

Screenshots go to /tmp/e2e-shots/sos-NN-*.png.
"""

from __future__ import annotations

import itertools
import re

import pytest

from kreds.plans.models import Contribution
from kreds.safety.models import Mapping, SafetyRule, Scaling
from kreds.testing.meetings import network_for
from kreds.voice.models import ChildInput

from .test_caseworker_flow import Browser
from .test_meeting_journey import PHONE, _pick, _submit

pytestmark = pytest.mark.e2e
LINK_IN_PAGE = re.compile(r"/l/([0-9a-f]{64})/")


def test_caseworker_maps_scales_and_plans(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    case = world.case
    people = network_for(case, world.caseworker)
    shots = itertools.count(1)
    cw = Browser(browser_page, live_server.url, shot_prefix="sos-", shot_counter=shots)
    page = cw.page
    cw.log_in(world.caseworker.username, totp_device(world.caseworker))
    base = f"/sager/{case.public_id}"

    cw.goto(f"{base}/sos/")
    cw.check("sos-empty")
    with page.expect_navigation():
        page.locator(f"main a[href='{base}/sos/ny-version/']").first.click()
    cw.check("sos-first-version")
    page.fill("#id_worry_basis", "Underretning fra skolen om fravær.")
    page.fill("#id_strengths", "Mormor er der for Emma.")
    page.fill("#id_s-0-who_worried", "Skolen")
    page.fill("#id_s-0-about_what", "at Emma er alene hjemme om aftenen")
    page.fill("#id_s-0-if_nothing_changes", "Emma holder op med at gå i skole")
    page.fill("#id_s-0-goal_parent", "Mor sørger for en voksen hjemme hver aften")
    with page.expect_navigation():  # Enter in a field saves; it does not add a statement
        page.press("#id_s-0-who_worried", "Enter")
    assert page.url.endswith(f"{base}/sos/"), page.url
    mapping = Mapping.objects.get(case=case)
    assert mapping.version == 1 and mapping.statements.count() == 1

    page.fill("#id_scorer_name", "Rikke")
    _pick(page, "score", "3")
    _submit(page, f"form[action='{base}/sos/skalering/']")
    page.select_option("#id_scorer_kind", "parent")
    page.select_option("#id_person", str(people["mother"].pk))
    _pick(page, "score", "5")
    _submit(page, f"form[action='{base}/sos/skalering/']")
    cw.check("sos-scaled")
    assert Scaling.objects.filter(case=case).count() == 2
    assert page.locator("figure.kreds-chart svg circle, figure.kreds-chart svg rect").count() >= 2

    cw.goto(f"{base}/sos/sikkerhedsplan/")
    page.fill("#id_rule", "Mormor ringer hver aften kl. 19")
    page.select_option("#id_responsible", str(people["grandmother"].pk))
    _submit(page, f"form[action='{base}/sos/sikkerhedsplan/regel/']")
    cw.check("safety-plan")
    assert SafetyRule.objects.get().responsible_id == people["grandmother"].pk

    cw.goto(f"{base}/plan/")
    cw.check("plan-empty")
    _submit(page, f"form[action='{base}/plan/gem/']")
    page.select_option("#id_area", "school")
    page.fill("#id_text", "Emma går i skole hver dag")
    _submit(page, f"form[action='{base}/plan/maal/']")
    page.locator("details summary").first.click()
    page.select_option("#id_g1-person", str(people["grandmother"].pk))
    page.fill("#id_g1-what", "Følger Emma i skole om mandagen")
    _submit(page, "form[action$='/bidrag/']")
    cw.check("plan")
    assert Contribution.objects.get().is_network

    cw.goto(f"{base}/aftaler/")
    cw.check("who-does-what")
    text = page.locator("main table").inner_text()
    assert "Mormor ringer hver aften" in text and "Følger Emma i skole" in text


def test_child_answers_on_a_phone(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    case = world.case
    shots = itertools.count(20)
    cw = Browser(browser_page, live_server.url, shot_prefix="sos-", shot_counter=shots)
    page = cw.page
    cw.log_in(world.caseworker.username, totp_device(world.caseworker))
    base = f"/sager/{case.public_id}/barnets-stemme/"
    cw.goto(base)
    cw.check("voice-empty")
    _submit(page, f"form[action='{base}barnets-side/']")
    cw.check("voice-link")
    token = LINK_IN_PAGE.search(page.locator("main").inner_text()).group(1)

    # JavaScript stays on so axe-core can run; the page itself has no script at all (checked below).
    context = browser_page.context.browser.new_context(viewport=PHONE, locale="da-DK", is_mobile=True)
    kid = Browser(context.new_page(), live_server.url, shot_prefix="sos-", shot_counter=shots)
    kid.page.set_default_timeout(15_000)
    kid.goto(f"/l/{token}/")
    kid.check("child-page-phone")
    assert "<script" not in kid.page.content()
    kid.page.fill("#id_good_things", "Fodbold og mormor")
    kid.page.fill("#id_who_to_meeting", "Mormor og Bent")
    kid.page.fill("#id_tell_adults", "Jeg vil gerne bo hjemme")
    _submit(kid.page, "main form[method=post]")
    kid.check("child-page-sent-phone")
    answer = ChildInput.objects.get()
    assert answer.who_to_meeting == "Mormor og Bent" and answer.reviewed_at is None

    cw.goto(f"/sager/{case.public_id}/")
    cw.check("case-with-unread")
    assert page.locator("#panel-voice + .alert, .kreds-panel-attention .alert").count() == 1
    cw.goto(base)
    _submit(page, f"form[action='{base}svar/{answer.public_id}/']")
    cw.check("voice-read")
    answer.refresh_from_db()
    assert answer.reviewed_by == world.caseworker
