"""Browser test: build a small network map with the keyboard (list view) and the mouse (drag on the map).

axe-core runs on every page visited (see test_caseworker_flow.Browser).
"""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from kreds.network.selectors import persons_as_of
from kreds.testing.factories import PASSWORD

from .test_caseworker_flow import Browser

pytestmark = pytest.mark.e2e


def _current(case, name):
    return next(v for v in persons_as_of(case) if v.name == name)


def test_build_map_by_keyboard_and_mouse(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    case = world.case
    base = f"/sager/{case.public_id}/netvaerk/"
    b = Browser(browser_page, live_server.url)
    page = browser_page
    b.log_in(world.caseworker.username, totp_device(world.caseworker))

    # Consent to map comes first.
    b.goto(base + "samtykke/")
    b.check("network-consent")
    page.fill("#id_given_by", "Lise Holm (mor)")
    page.locator("form:has(input[name=form][value=map]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/netvaerk/$"))
    b.check("network-map-empty")

    # Keyboard only: add two persons in the form, pressing Enter to submit.
    for name, relation in (("Inge", "mormor"), ("Ole", "nabo")):
        b.goto(base + "person/ny/")
        if name == "Inge":
            b.check("network-person-add")
        # A page whose main content is a form starts in its first field (kreds.js).
        assert page.evaluate("document.activeElement.id") == "id_name"
        page.focus("#id_name")
        page.keyboard.type(name)
        page.keyboard.press("Tab")
        page.keyboard.type(relation)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/netvaerk/liste/$"))
    b.check("network-list")
    assert {v.name for v in persons_as_of(case)} == {"Inge", "Ole"}

    # Keyboard only: move Inge one ring closer with the list's button.
    inge = _current(case, "Inge")
    assert inge.ring == 2
    page.locator("tr:has(a:text('Inge')) button:has(span.sr-only)").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _current(case, "Inge").ring == 1
    # Focus stays with Inge (now only "Further out" is left in her row) and the move is announced.
    expect(page.locator("#move-status")).to_contain_text("Inge")  # a string wait_for_function is eval, refused by CSP
    assert page.evaluate("document.activeElement.closest('tr').id") == f"person-{inge.person.public_id}"
    assert page.evaluate("document.activeElement.dataset.direction") == "further"

    # Mouse: drag Ole to the outer ring of the fourth sector (school/daycare/leisure).
    b.goto(base)
    b.check("network-map")
    ole = _current(case, "Ole")
    page.set_viewport_size({"width": 1280, "height": 1600})  # the whole map on screen for the mouse
    page.locator(".kreds-map-wrap").scroll_into_view_if_needed()
    node = page.locator(f"g.node[data-person='{ole.person.public_id}']")
    box = node.locator("circle").bounding_box()
    angle = 3.5 * 2 * math.pi / 5
    # The middle of ring 3: the drawing's own ring edges (a crowded ring is wider than layout.RING_EDGES).
    edges = [float(e) for e in page.locator(".kreds-map-wrap svg").get_attribute("data-ring-edges").split(",")]
    radius = (edges[2] + edges[3]) / 2
    target = page.evaluate(
        """([x, y]) => {
            const svg = document.querySelector('.kreds-map-wrap svg');
            const p = svg.createSVGPoint(); p.x = x; p.y = y;
            const s = p.matrixTransform(svg.getScreenCTM());
            return [s.x, s.y];
        }""",
        [radius * math.sin(angle), -radius * math.cos(angle)],
    )
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(target[0], target[1], steps=12)
    with page.expect_response(re.compile(r"/flyt/$")):
        page.mouse.up()
    page.wait_for_selector(f"g.node[data-person='{ole.person.public_id}']")
    moved = _current(case, "Ole")
    assert (moved.sector.key, moved.ring) == ("school", 3)
    b.check("network-map-after-drag")

    # History and comparison.
    b.goto(base + f"person/{ole.person.public_id}/")
    b.check("network-person")
    b.goto(base + "sammenlign/?fra=2020-01-01&til=2099-12-31")
    b.check("network-compare")
    assert page.locator("#changes").count() == 1


def test_administrator_configures_sectors(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    b = Browser(browser_page, live_server.url)
    page = browser_page
    token = totp_device(world.administrator)
    b.goto("/konto/log-ind/")
    page.fill("input[name=username]", world.administrator.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/konto/to-faktor/"))
    page.fill("input[name=otp_token]", token())
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/konto/brugere/"))
    b.check("admin-users")
    b.goto("/indstillinger/sektorer/")
    b.check("admin-sectors")
    page.fill("#id_name", "Fritid og foreninger")
    page.fill("#id_order", "9")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/indstillinger/sektorer/$"))
    assert page.locator("td a", has_text="Fritid og foreninger").count() == 1
    b.check("admin-sectors-added")


def test_side_panel_opens_person_from_map(e2e_world, live_server, browser_page, totp_device):
    world = e2e_world
    from kreds.network import services

    services.record_map_consent(
        actor=world.caseworker,
        case=world.case,
        given_by="Mor",
        role="parent",
        given_on=__import__("datetime").date(2026, 1, 1),
    )
    family = services.ensure_default_sectors(world.municipality)[0]
    person = services.add_person(
        actor=world.caseworker, case=world.case, data={"name": "Inge", "relation": "mormor", "sector": family}
    )
    b = Browser(browser_page, live_server.url)
    page = browser_page
    b.log_in(world.caseworker.username, totp_device(world.caseworker))
    b.goto(f"/sager/{world.case.public_id}/netvaerk/")
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.locator(f"g.node[data-person='{person.public_id}'] a").click()
    page.wait_for_selector("#side-panel #id_name")
    assert page.url.endswith("/netvaerk/")  # stayed on the map
    assert page.evaluate("document.activeElement.id") == "panel-title"
    page.fill("#side-panel #id_relation", "mormor (mors mor)")
    with page.expect_navigation():
        page.locator("#side-panel button[type=submit]").first.click()
    assert page.url.endswith("/netvaerk/")
    assert services.current_version(person).relation == "mormor (mors mor)"
    b.check("network-map-side-panel")
