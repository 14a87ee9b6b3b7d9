"""Browser journey for issue 7, with axe-core (WCAG 2.1 A/AA) on every page.

A leader opens the unit's figures, reads how a figure is computed, chooses another period (a bad custom period
first: the message is shown and the dates are kept), opens the cases behind a figure, and downloads the CSV.

Screenshots go to /tmp/e2e-shots/insights-NN-*.png.
"""

from __future__ import annotations

import itertools

import pytest

from kreds.testing.meetings import held_meeting

from .test_caseworker_flow import Browser

pytestmark = pytest.mark.e2e


def test_leader_reads_the_figures_and_the_cases_behind_them(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    held_meeting(world.case, world.caseworker, world.facilitator, days_ago=1, send_minutes=True)
    leader = Browser(browser_page, live_server.url, shot_prefix="insights-", shot_counter=itertools.count(1))
    page = leader.page
    leader.log_in(world.leader.username, totp_device(world.leader))

    leader.goto("/indsigt/")
    assert f"/indsigt/{world.authority.public_id}/" in page.url
    leader.check("unit")
    page.locator("details.kreds-definition summary").first.click()
    assert page.locator("details.kreds-definition[open] p").first.is_visible()

    page.select_option("#id_period", "custom")
    page.fill("#id_start", "2026-11-10")
    page.fill("#id_end", "2026-11-01")
    with page.expect_navigation():
        page.click("form.kreds-period-form button[type=submit]")
    assert page.locator("#id_end_error").is_visible()
    assert page.input_value("#id_start") == "2026-11-10"
    leader.check("bad-period")

    page.select_option("#id_period", "year")
    with page.expect_navigation():
        page.click("form.kreds-period-form button[type=submit]")
    assert "period=year" in page.url
    leader.check("year")

    with page.expect_navigation():
        page.locator("a[href*='/tal/coverage/']").first.click()
    assert page.locator("main table").get_by_text(world.case.child.full_name).is_visible()
    leader.check("drilldown")

    leader.goto(f"/indsigt/{world.authority.public_id}/")
    with page.expect_download() as download:
        page.locator("a[href*='eksport.csv']").click()
    assert download.value.suggested_filename.endswith(".csv")
