"""Browser journey for issue 13, in demo mode (the banner inside the page's landmarks, the mailbox a newcomer reads):
an administrator is refused a role for itself and sees the refused accesses; the leader sees the role change; a
caseworker reads the mail Kreds "sent". axe-core (WCAG 2.1 A/AA and best practices) on every page.

Screenshots go to /tmp/e2e-shots/misuse-NN-*.png.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import reverse

from kreds.accounts import services as account_services
from kreds.accounts.constants import Role
from kreds.core.mail import DemoMailbox, email
from kreds.testing.factories import staff

from .test_caseworker_flow import Browser

pytestmark = pytest.mark.e2e


def test_refusals_role_changes_and_the_demo_mailbox(e2e_world, live_server, browser_page, settings, tmp_path):
    world = e2e_world
    settings.DEMO_MODE = True  # the demo's banner, and no second factor for the demo's own logins
    settings.MAILBOX_DIR = tmp_path
    counter = itertools.count(1)
    b = Browser(browser_page, live_server.url, shot_prefix="misuse-", shot_counter=counter)
    page = browser_page

    def log_in(username: str) -> None:
        b.goto("/konto/log-ind/")
        b.check(f"login-{username}")
        assert page.locator("header .demo-banner").count() == 1  # inside the banner landmark
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "correct horse battery staple")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state("load")

    # The administrator: no role for itself, and a look at what was refused.
    log_in(world.administrator.username)
    b.goto(reverse("accounts:user_detail", args=[world.administrator.public_id]))
    b.check("own-user-page")
    assert "Du kan ikke give dig selv en rolle" in page.content()
    assert page.locator("select[name=role]").count() == 0
    b.page.goto(live_server.url + reverse("cases:detail", args=[world.case.public_id]))  # refused: no case content
    b.failed.clear()  # the 404 is the point here
    b.console_errors.clear()
    b.goto(reverse("audit:security"))
    b.check("security-page")
    assert page.locator("#denials tbody tr").filter(has_text=str(world.case.public_id)).count() == 1
    other_admin = staff(world.authority, Role.ADMINISTRATOR, first_name="Otto", last_name="Admin")
    account_services.add_membership(actor=other_admin, user=world.colleague, unit=world.authority, role=Role.LEADER)
    b.log_out()

    # The leader sees the role given in the unit.
    log_in(world.leader.username)
    b.goto(reverse("audit:role_changes"))
    b.check("role-changes")
    row = page.locator("#role-changes tbody tr").first
    assert world.colleague.get_full_name() in row.inner_text() and "Otto Admin" in row.inner_text()
    b.goto(reverse("conferences:figures"))  # its figures were a definition list with paragraphs inside
    b.check("fgc-figures")
    b.log_out()

    # A caseworker reads what Kreds "sent" in the demo, from the banner's link.
    message = email(
        subject="Invitation: møde om Vigga den 10.12.2026",
        body="Kære Inge\n\nDu er inviteret.\n\nDin side: http://127.0.0.1:8000/l/" + "ab" * 32 + "/\n",
        to=["mormor@example.dk"],
    )
    message.attach("netvaerksmoede.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    DemoMailbox().send_messages([message])
    log_in(world.caseworker.username)
    page.locator("header .demo-banner a").click()
    page.wait_for_url(re.compile(r"/demo/post/$"))
    page.locator("details.kreds-mail summary").first.click()
    b.check("sent-mail")
    assert "Du er inviteret." in page.locator("details.kreds-mail").first.inner_text()
