"""The OpenID Connect flow end to end against a real provider: oidc-provider-mock served over HTTP in this test.

The provider is wrapped so that it enforces PKCE (it would otherwise ignore the challenge): the token request must
carry the verifier whose S256 hash the authorization request sent, or the code is refused.
"""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.urls import reverse

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership, User
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.sso import oidc, services
from kreds.sso.models import SignOn

LOA = "https://data.gov.dk/concept/core/nsis/loa"
SUB = "c0ffee00-1111-4222-8333-444455556666"


class EnforcePkce:
    """WSGI middleware: remembers each authorization's code_challenge by the code it issues, and refuses a token
    request whose code_verifier does not hash to it."""

    def __init__(self, app) -> None:
        self.app = app
        self.challenges: dict[str, str] = {}
        self.verified: list[str] = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.endswith("/oauth2/token") and environ["REQUEST_METHOD"] == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            expected = self.challenges.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if expected is None or digest != expected:
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [b'{"error": "invalid_grant", "error_description": "PKCE verifier does not match"}']
            self.verified.append(form["code"])
        challenge = parse_qs(environ.get("QUERY_STRING", "")).get("code_challenge", [""])[0]
        method = parse_qs(environ.get("QUERY_STRING", "")).get("code_challenge_method", [""])[0]

        def capture(status, headers, exc_info=None):
            location = dict(headers).get("Location", "")
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            if code and challenge and method == "S256":
                self.challenges[code] = challenge
            return start_response(status, headers, exc_info)

        return self.app(environ, capture)


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[str, EnforcePkce]]:
    app = EnforcePkce(oidc_provider_mock.app(require_nonce=True))
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()


def set_person(base: str, **claims) -> None:
    values = {
        "given_name": "Jens-Christian",
        "family_name": "Skovgaard Møller",
        "email": "jcsm@kommune.invalid",
        LOA: "Substantial",
        "roles": ["kreds-raadgiver"],
    }
    values.update(claims)
    requests.put(f"{base}/users/{SUB}", json=values, timeout=5).raise_for_status()


@pytest.fixture
def sign_on(world, provider, monkeypatch):
    base, _ = provider
    monkeypatch.setenv("OIDC_CLIENT_SECRET_999", "test-secret-for-the-mock")
    found = services.sign_on_of(world.municipality)
    services.save_oidc(
        actor=world.administrator,
        sign_on=found,
        enabled=True,
        issuer=base,
        client_id="kreds-999",
        roles_claim="roles",
        provider=oidc.discover(base),
        version=found.version,
    )
    for role, unit, privilege in (
        (Role.CASEWORKER, world.authority, "kreds-raadgiver"),
        (Role.FACILITATOR, world.family_centre, "kreds-moedeleder"),
    ):
        services.add_rule(
            actor=world.administrator,
            municipality=world.municipality,
            privilege=privilege,
            constraint_name="",
            constraint_value="",
            role=role,
            unit=unit,
        )
    return SignOn.objects.get(pk=found.pk)


def log_in(client, base: str, *, next_path: str = "", deny: bool = False):
    """Start at Kreds, let the provider authorize the person (its form, over HTTP), and come back to Kreds."""
    query = f"?next={next_path}" if next_path else ""
    start = client.get(reverse("sso:oidc_login", kwargs={"code": "999"}) + query)
    assert start.status_code == 302
    authorize = start["Location"]
    params = parse_qs(urlsplit(authorize).query)
    assert params["code_challenge_method"] == ["S256"] and len(params["code_challenge"][0]) == 43
    assert params["nonce"][0] and params["state"][0] and params["scope"] == ["openid profile email"]
    form = {"action": "deny"} if deny else {"sub": SUB}
    answer = requests.post(authorize, data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse("sso:oidc_callback")
    return client.get(f"{back.path}?{back.query}"), back


def test_first_login_creates_the_user_with_roles_from_the_claim(client, sign_on, provider):
    base, pkce = provider
    set_person(base)
    response, _ = log_in(client, base, next_path="/sager/")
    assert response.status_code == 302 and response["Location"] == "/sager/"
    user = User.objects.get(is_local_account=False)
    assert user.get_full_name() == "Jens-Christian Skovgaard Møller" and not user.has_usable_password()
    assert [(m.role, m.unit.name) for m in Membership.objects.filter(user=user)] == [
        (Role.CASEWORKER, "MyndighedsCenter")
    ]
    assert pkce.verified, "the token request carried the PKCE verifier"
    login = AuditEvent.objects.get(action=Action.LOGIN, actor=user)
    assert login.details == {"via": "oidc", "level": "Substantial"}
    assert client.get(reverse("cases:my_cases")).status_code == 200  # no TOTP asked


def test_a_role_removed_at_the_provider_is_gone_at_the_next_login(client, sign_on, provider):
    base, _ = provider
    set_person(base)
    log_in(client, base)
    client.post(reverse("accounts:logout"))
    set_person(base, roles=["kreds-moedeleder"])
    response, _ = log_in(client, base)
    assert response.status_code == 302
    user = User.objects.get(is_local_account=False)
    assert [(m.role, m.unit.name) for m in Membership.objects.filter(user=user)] == [
        (Role.FACILITATOR, "FamilieCenter")
    ]


@pytest.mark.parametrize(
    ("claims", "reason", "text"),
    [
        ({LOA: "Low"}, "low_assurance", "level of assurance is too low"),
        ({"roles": ["noget-andet"]}, "no_role", "you have no privilege"),
    ],
)
def test_refusals_get_a_danish_page_an_audit_event_and_no_account(client, sign_on, provider, claims, reason, text):
    base, _ = provider
    set_person(base, **claims)
    response, _ = log_in(client, base)
    assert response.status_code == 403 and text in response.content.decode().lower()
    assert AuditEvent.objects.get(action=Action.SSO_REFUSED).details["reason"] == reason
    assert not User.objects.filter(is_local_account=False).exists()
    assert "_auth_user_id" not in client.session


def test_a_cancelled_login_and_a_replayed_callback_are_refused(client, sign_on, provider):
    base, _ = provider
    set_person(base)
    response, _ = log_in(client, base, deny=True)
    assert response.status_code == 403
    assert AuditEvent.objects.get(action=Action.SSO_REFUSED).details["reason"] == "provider_error"
    response, back = log_in(client, base)
    assert response.status_code == 302
    again = client.get(f"{back.path}?{back.query}")  # the same code and state once more
    assert again.status_code == 403
    assert AuditEvent.objects.filter(action=Action.SSO_REFUSED, details__reason="unsolicited").exists()


def test_a_municipality_without_openid_connect_refuses_politely(client, world):
    response = client.get(reverse("sso:oidc_login", kwargs={"code": "999"}))
    assert response.status_code == 403 and "not set up" in response.content.decode()
    assert client.get(reverse("sso:oidc_login", kwargs={"code": "12x"})).status_code == 404


def test_the_last_role_removed_at_the_provider_takes_the_roles_away(client, sign_on, provider):
    base, _ = provider
    set_person(base)
    log_in(client, base)
    user = User.objects.get(is_local_account=False)
    client.post(reverse("accounts:logout"))
    set_person(base, roles=[])
    response, _ = log_in(client, base)
    assert response.status_code == 403
    assert not Membership.objects.filter(user=user).exists()
