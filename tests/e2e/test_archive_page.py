"""Browser check for the archive extract of a closed case: the case page leads to it, the page passes axe-core,
and the download is a ZIP named by the journal number.

Screenshots go to /tmp/e2e-shots/archive-NN-*.png.
"""

from __future__ import annotations

import itertools
import zipfile

import pytest

from kreds.cases import services as case_services
from kreds.testing.meetings import held_meeting

from .test_caseworker_flow import Browser

pytestmark = pytest.mark.e2e


def test_a_closed_case_is_extracted_for_the_archive(e2e_world, live_server, browser_page, totp_device, tmp_path):
    world = e2e_world
    held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True)
    case_services.close_case(actor=world.caseworker, case=world.case, reason="Forløbet er slut")
    caseworker = Browser(browser_page, live_server.url, shot_prefix="archive-", shot_counter=itertools.count(1))
    page = caseworker.page
    caseworker.log_in(world.caseworker.username, totp_device(world.caseworker))

    caseworker.goto(f"/sager/{world.case.public_id}/")
    with page.expect_navigation():
        page.click(f"main a[href='/sager/{world.case.public_id}/arkiv/']")
    caseworker.check("archive-page")
    with page.expect_download() as info:
        page.click("main a[href$='/arkiv/udtraek.zip']")
    download = info.value
    assert download.suggested_filename.startswith("arkiv-") and download.suggested_filename.endswith(".zip")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    names = zipfile.ZipFile(saved).namelist()
    assert names[0] == "sag.json" and "netvaerkskort.pdf" in names
    assert any(name.startswith("moeder/") for name in names)
