"""Browser journey for issue 8, with axe-core (WCAG 2.1 A/AA) on every page.

A caseworker considering placement follows the case overview's call to search the network first: starts the
exploration (a missing reason first: the message is shown and the date kept), adds the aunt the map marks as a
possible foster carer, takes her through contact and assessment to approval, records a check, records the
placement in the network, and writes the contact plan with the mother, with a suspension at the child's request
(too long first: refused with the reason, the text kept), finds it on the deadline page as it ends within a
week, and ends it early.

Screenshots go to /tmp/e2e-shots/placement-NN-*.png.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

from kreds.network import services as network
from kreds.network.models import Sector
from kreds.placements.models import CandidateCheck, Placement
from kreds.testing.meetings import network_for

from .test_caseworker_flow import Browser

pytestmark = pytest.mark.e2e


def _submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.click(f"{form_selector} button[type=submit]")


def test_caseworker_searches_the_network_first_and_places_the_child_with_family(
    e2e_world, live_server, browser_page, totp_device
):
    world = e2e_world
    people = network_for(world.case, world.caseworker)
    family = Sector.objects.get(municipality=world.municipality, key="family")
    network.add_person(
        actor=world.caseworker,
        case=world.case,
        data={"name": "Lene Moster", "relation": "moster", "sector": family, "resource_tags": ["foster_carer"]},
    )
    caseworker = Browser(browser_page, live_server.url, shot_prefix="placement-", shot_counter=itertools.count(1))
    page = caseworker.page
    caseworker.log_in(world.caseworker.username, totp_device(world.caseworker))
    case_url = f"/sager/{world.case.public_id}/"

    caseworker.goto(case_url)
    with page.expect_navigation():
        page.click("#panel-placement ~ p a[href$='/anbringelse/']")
    caseworker.check("start")

    today = timezone.localdate().isoformat()
    page.fill("#id_started_on", today)
    _submit(page, "form[action$='/anbringelse/start/']")
    assert page.locator("#id_why_error").is_visible()
    assert page.input_value("#id_started_on") == today
    caseworker.check("start-missing-reason")
    page.fill("#id_why", "Mor skal indlægges i flere måneder.")
    _submit(page, "form[action$='/anbringelse/start/']")

    first = page.locator("#suggestions ~ div table tbody tr").first
    assert "Lene Moster" in first.inner_text()  # the possible foster carer is suggested first
    assert page.locator("text=Jonas Lærer").count() == 0  # never a professional
    caseworker.check("exploring")
    with page.expect_navigation():
        first.locator("button[type=submit]").click()
    caseworker.check("candidate")

    for status in ("contacted", "assessment", "approved"):
        page.select_option("#id_status", status)
        _submit(page, "form[action$='/status/']")
        assert page.locator(".alert-success").is_visible()
    page.locator("details:has(form[action$='/tjek/home_visit/']) summary").click()
    page.select_option("#id_home_visit-state", "done")
    page.fill("#id_home_visit-on", today)
    _submit(page, "form[action$='/tjek/home_visit/']")
    assert CandidateCheck.objects.get(candidate__exploration__case=world.case, key="home_visit").state == "done"
    caseworker.check("approved")

    caseworker.goto(case_url + "anbringelse/")
    page.check("input[name=in_network][value=yes]")
    page.select_option("#id_candidate", index=1)
    page.select_option("#id_setting", "network")
    page.fill("#id_decided_on", today)
    page.fill("#id_starts_on", today)
    _submit(page, "form[action$='/afgoerelse/']")
    assert page.locator("main .alert-success").first.is_visible()
    caseworker.check("placed")
    placement = Placement.objects.get(case=world.case)
    assert placement.in_network and placement.candidate is not None

    with page.expect_navigation():
        page.click("a[href$='/samvaer/']")
    page.select_option("#id_new-person", str(people["mother"].public_id))
    page.fill("#id_new-frequency", "Hver anden weekend")
    page.check("input[name='new-mode'][value=visit]")
    page.check("input[name='new-support'][value=supported]")
    page.fill("#id_new-child_views", "Vil gerne se mor, men ikke sove der endnu.")
    _submit(page, "form[action$='/samvaer/ny/']")
    assert page.locator("dd", has_text="Hver anden weekend").is_visible()
    caseworker.check("contact-plan")

    page.locator("details:has(form[action$='/pause/']) summary").first.click()  # at the child's request
    start = timezone.localdate()
    form = page.locator("form[action$='/pause/']").first
    form.locator("input[name$='starts_on']").fill(start.isoformat())
    form.locator("input[name$='ends_on']").fill((start + datetime.timedelta(days=70)).isoformat())
    form.locator("textarea").fill("Vil ikke se mor i en periode.")
    _submit(page, "form[action$='/pause/']")
    assert form.locator(".alert-error").first.is_visible()  # at most 8 weeks
    assert form.locator("textarea").input_value() == "Vil ikke se mor i en periode."
    caseworker.check("suspension-too-long")
    form = page.locator("form[action$='/pause/']").first
    form.locator("input[name$='ends_on']").fill((start + datetime.timedelta(days=5)).isoformat())
    _submit(page, "form[action$='/pause/']")
    assert page.locator("main .badge-error").first.is_visible()  # suspended now
    caseworker.check("suspended")

    # Ending within a week: the deadline page lists it, with the way back to the contact plan.
    caseworker.goto("/frister/")
    assert page.locator(f"main a[href='/sager/{world.case.public_id}/samvaer/']").is_visible()
    caseworker.check("deadlines-suspension")

    # The child is ready sooner: contact starts again today.
    with page.expect_navigation():
        page.click(f"main a[href='/sager/{world.case.public_id}/samvaer/']")
    _submit(page, "form[action$='/slut/']")
    assert page.locator("main .alert-success").first.is_visible()
    assert page.locator("main .badge-error").count() == 0
    caseworker.check("suspension-ended")
