"""Browser journey for issue 17: staff sign on through the municipality's identity provider — a real pysaml2 IdP
(kreds.sso.testidp) served over HTTP beside the live server — with the HTTP-Redirect request, the IdP's picker,
the HTTP-POST answer, single logout through the IdP, a refusal, and a privilege removed at the IdP. axe-core on
every page, the IdP's included.

Screenshots go to /tmp/e2e-shots/sign-on-NN-*.png.
"""

from __future__ import annotations

import itertools
import threading

import pytest
import werkzeug.serving

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership, User
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.sso import keys, services, testidp
from kreds.sso.privileges import Grant
from kreds.testing.sso import set_up_saml

from .test_caseworker_flow import Browser

pytestmark = pytest.mark.e2e


class _Late:
    """A WSGI app set after the server is bound (the IdP's base URL needs the port)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture
def idp_server(tmp_path):
    late = _Late()
    server = werkzeug.serving.make_server("127.0.0.1", 0, late, threaded=True)
    idp = testidp.TestIdP(f"http://127.0.0.1:{server.server_port}", key_dir=tmp_path / "idp")
    late.app = idp.wsgi_app()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        server.shutdown()


def test_staff_sign_on_through_the_municipalitys_identity_provider(
    e2e_world, live_server, browser_page, idp_server, settings
):
    world, idp, page = e2e_world, idp_server, browser_page
    settings.SITE_URL = live_server.url  # Kreds' SAML addresses (entity id, ACS, SLO) are built from it
    set_up_saml(
        world,
        idp,
        keys.generate("Kreds e2e", bits=2048),
        [
            (testidp.ROLE_LEDER, testidp.ORG_MYNDIGHED, Role.LEADER, world.authority),
            (testidp.ROLE_SAGSBEHANDLER, testidp.ORG_MYNDIGHED, Role.CASEWORKER, world.authority),
        ],
    )
    b = Browser(page, live_server.url, shot_prefix="sign-on-", shot_counter=itertools.count(1))

    def at_the_idp(name: str) -> None:
        page.wait_for_load_state("load")
        page.screenshot(path=f"/tmp/e2e-shots/sign-on-idp-{name}.png", full_page=True)
        assert testidp.BANNER in page.content()  # clearly a test identity provider
        b._assert_accessible(f"idp-{name}")

    def sign_on_as(full_name: str) -> None:
        b.goto("/konto/log-ind/")
        b.check("login")
        page.get_by_role("link", name="Log ind med kommunens login").click()
        at_the_idp("picker")
        page.get_by_role("button", name=f"Log ind som {full_name}").click()
        at_the_idp("continue")
        page.get_by_role("button", name="Fortsæt til tjenesten").click()
        page.wait_for_load_state("load")

    # Birgitte, leader at the IdP, signs on: a user is made with her roles, and no authenticator app is asked for.
    sign_on_as("Birgitte Lykke Holm Frederiksen")
    b.check("signed-on")
    assert "Birgitte Lykke Holm Frederiksen" in page.locator("header").inner_text()
    birgitte = User.objects.get(is_local_account=False)
    assert {(m.role, m.unit_id) for m in Membership.objects.filter(user=birgitte)} == {
        (Role.LEADER, world.authority.pk),
        (Role.CASEWORKER, world.authority.pk),
    }
    assert page.get_by_role("link", name="Indsigt").count() == 1  # the leader's figures

    # Logging out of Kreds logs out of the IdP too (single logout) and comes back to Kreds' login page.
    page.locator("header form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/konto/log-ind/")
    b.check("logged-out")
    assert "Du er logget ud af Kreds og kommunens login." in page.content()
    assert not idp.sessions()

    # Søren has no privilege for Kreds: a Danish page says why, nothing is made, and the refusal is audited.
    sign_on_as("Søren Aksel Østergaard Winther-Bech")
    assert b.failed and b.failed[-1].startswith("403 ")
    b.failed.clear()  # the 403 is the point here
    b.console_errors.clear()
    b.check("refused")
    assert "Du har ingen rettighed, der giver dig en rolle i Kreds" in page.content()
    assert User.objects.filter(is_local_account=False).count() == 1
    assert AuditEvent.objects.get(action=Action.SSO_REFUSED).details["reason"] == "no_role"

    # At the IdP, Birgitte's caseworker privilege is taken away: at her next login the role is gone.
    idp.people["birgitte"].privileges = [
        testidp.Privilege((testidp.ROLE_LEDER,), ((testidp.CONSTRAINT_ORGENHED, testidp.ORG_MYNDIGHED),))
    ]
    sign_on_as("Birgitte Lykke Holm Frederiksen")
    b.check("signed-on-again")
    assert {m.role for m in Membership.objects.filter(user=birgitte)} == {Role.LEADER}
    assert AuditEvent.objects.filter(action=Action.MEMBERSHIP_REMOVE, object_id=str(birgitte.public_id)).exists()


def test_the_administrator_sets_up_the_login(e2e_world, live_server, browser_page, idp_server, settings):
    """The settings page with a key, the IdP's metadata and the rules, and a signed-on user's page, with axe."""
    world, idp, page = e2e_world, idp_server, browser_page
    settings.DEMO_MODE = True  # no second factor for the administrator's local account
    settings.SITE_URL = live_server.url
    set_up_saml(
        world,
        idp,
        keys.generate("Kreds e2e", bits=2048),
        [(testidp.ROLE_SAGSBEHANDLER, testidp.ORG_MYNDIGHED, Role.CASEWORKER, world.authority)],
    )
    signed_on = services.sign_on(
        municipality=world.municipality,
        claims=services.Claims(
            protocol="saml",
            issuer=idp.entity_id,
            subject="3c1d2f8e-0000-4000-8000-00000000e2e0",
            first_name="Karen Margrethe",
            last_name="Dalgaard Bøgh-Andersen",
            level="Substantial",
            grants=[
                Grant(testidp.ROLE_SAGSBEHANDLER, {testidp.CONSTRAINT_ORGENHED: frozenset({testidp.ORG_MYNDIGHED})})
            ],
        ),
    )
    b = Browser(page, live_server.url, shot_prefix="sign-on-admin-", shot_counter=itertools.count(1))
    b.goto("/konto/log-ind/")
    page.fill("input[name=username]", world.administrator.username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("load")
    b.goto("/indstillinger/log-ind/")
    b.check("settings")
    assert "Certifikatets SHA-256-fingeraftryk" in page.content()
    assert page.locator("#rules-table tbody tr").count() == 1
    page.get_by_text("Upload organisationens egen nøgle og eget certifikat").click()  # the folded upload form
    b.check("settings-upload-open")
    b.goto(f"/konto/brugere/{signed_on.public_id}/")
    b.check("signed-on-user")
    assert "rollerne følger rettighederne dér" in page.content()
