"""SECURITY.md checks: sessions, login, headers, CPR exposure, logging."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kreds.accounts import services as account_services
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.logging import RedactCprFilter, redact
from kreds.testing.factories import PASSWORD
from kreds.testing.text import cpr_shaped
from tests.test_authz_matrix import ACTORS, MATRIX, OK

FULL_CPR = "140315-0123"


def test_anonymous_allowlist_is_pinned():
    public = {name for name, row in MATRIX.items() if row.expect.get("anonymous") == OK}
    assert public == {
        "healthz",
        "set_language",
        "accessibility",
        "accounts:login",
        "leaflet",
        "fgc_leaflet",  # what a family group conference is, linked from invitations
        "sso:saml_metadata",  # the SAML service provider's metadata: entity id, endpoints, certificate (docs/sso.md)
        # Personal links: the 256-bit token in the URL is the credential (DOMAIN §11).
        "participants:home",
        "participants:rsvp",
        "participants:ics",
        "participants:minutes",
        "participants:evaluation",
    }
    assert "anonymous" in ACTORS


def _password_login(client, user, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


def test_session_key_rotates_at_login(world, client):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    _password_login(client, world.caseworker)
    assert client.session.session_key != before
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=world.caseworker).exists()


def test_local_account_needs_totp_before_case_pages(world, client):
    response = _password_login(client, world.caseworker)
    assert response.status_code == 302
    response = client.get(reverse("cases:detail", args=[world.case.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_enrol")


def test_totp_enrolment_then_verified(world, client):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _password_login(client, world.caseworker)
    TOTPDevice.objects.filter(user=world.caseworker).delete()
    assert client.get(reverse("accounts:otp_enrol")).status_code == 200
    assert not TOTPDevice.objects.filter(user=world.caseworker).exists(), "showing the QR code stores nothing"
    shown = client.get(reverse("accounts:otp_enrol")).context["secret"]  # a reload shows the same secret
    device = TOTPDevice(key=binascii.hexlify(base64.b32decode(shown.replace(" ", ""))).decode())
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    wrong = client.post(reverse("accounts:otp_enrol"), {"otp_token": f"{(int(token) + 1) % 1000000:06d}"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(user=world.caseworker).exists()
    assert wrong.context["secret"] == shown, "a wrong code keeps the secret the app already scanned"
    response = client.post(reverse("accounts:otp_enrol"), {"otp_token": token})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=world.caseworker).confirmed
    assert client.get(reverse("cases:detail", args=[world.case.public_id])).status_code == 200
    assert AuditEvent.objects.filter(action=Action.OTP_ENROL, actor=world.caseworker).exists()


def test_failed_logins_lock_out_and_are_audited(world, client):
    for _ in range(5):
        _password_login(client, world.caseworker, password="wrong password!")
    response = _password_login(client, world.caseworker)  # right password, but locked
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() >= 5
    assert AuditEvent.objects.filter(action=Action.LOCKOUT, actor_label=world.caseworker.username).exists()


def test_idle_timeout(world, client, login):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(world.caseworker)
        url = reverse("cases:my_cases")
        assert client.get(url).status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get(url).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(url)
        assert response.status_code == 302 and "log-ind" in response["Location"]
    assert AuditEvent.objects.filter(action=Action.SESSION_EXPIRED).exists()


def test_activity_is_stamped_at_most_once_a_minute(world, client, login):
    """The idle stamp is not written on every request (each write is an UPDATE of the session and a commit)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_written() -> bool:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:my_cases")).status_code == 200
        return any('UPDATE "django_session"' in q["sql"] for q in ctx.captured_queries)

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(world.caseworker)
        session_written()
        traveller.shift(timedelta(seconds=30))
        assert not session_written()
        traveller.shift(timedelta(seconds=40))
        assert session_written(), "a minute after the last stamp"
        traveller.shift(timedelta(minutes=29, seconds=50))
        assert client.get(reverse("cases:my_cases")).status_code == 200, "idle measured from the last stamp"


def test_absolute_lifetime(world, client, login, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(world.caseworker)
        url = reverse("cases:my_cases")
        for _ in range(25):  # active every 25 minutes, never idle
            traveller.shift(timedelta(minutes=25))
            if client.get(url).status_code != 200:
                break
        elapsed = 25 * 25 * 60
        assert elapsed > settings.SESSION_ABSOLUTE_LIFETIME
        response = client.get(url)
        assert response.status_code == 302 and "log-ind" in response["Location"]


def test_logout_kills_the_old_cookie(world, client, login):
    login(world.caseworker)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    client.cookies["sessionid"] = cookie
    response = client.get(reverse("cases:my_cases"))
    assert response.status_code == 302 and "log-ind" in response["Location"]
    assert AuditEvent.objects.filter(action=Action.LOGOUT, actor=world.caseworker).exists()


def test_deactivated_user_is_anonymous_at_next_request(world, client, login):
    login(world.caseworker)
    account_services.set_active(actor=world.administrator, user=world.caseworker, active=False)
    response = client.get(reverse("cases:my_cases"))
    assert response.status_code == 302 and "log-ind" in response["Location"]


def test_administrator_ends_all_sessions(world, client, login):
    login(world.caseworker)
    assert client.get(reverse("cases:my_cases")).status_code == 200
    account_services.end_all_sessions(actor=world.administrator, user=world.caseworker)
    response = client.get(reverse("cases:my_cases"))
    assert response.status_code == 302 and "log-ind" in response["Location"]
    assert AuditEvent.objects.filter(action=Action.SESSIONS_ENDED).exists()


def test_password_rules_and_argon2():
    with pytest.raises(ValidationError):
        validate_password("kort1234")
    with pytest.raises(ValidationError):
        validate_password("password1234")  # common
    validate_password("en lang sætning om min hund og hans kugle")  # passphrases, no composition rules
    assert make_password("en lang sætning om min hund").startswith("argon2$")


def test_security_headers_on_authenticated_page(world, client, login):
    login(world.caseworker)
    response = client.get(reverse("cases:detail", args=[world.case.public_id]))
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts)
    assert " style=" not in html
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


def test_hsts_when_secure(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("healthz"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


# Throw-away secrets for starting the production settings in a subprocess.
PRODUCTION_ENV = {
    "KREDS_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "CPR_KEYS": "k1:" + "A" * 43 + "=",
    "CPR_INDEX_KEY": "B" * 43 + "=",
    "AUDIT_CHAIN_KEY": "k1:" + "C" * 43 + "=",
    "SITE_URL": "https://kreds.example.dk",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def test_production_settings_cookies_and_fail_fast(tmp_path):
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps([s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE, s.DEBUG]))"
    )
    env = {**os.environ, **PRODUCTION_ENV}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    name, secure, httponly, samesite, csrf_name, csrf_secure, debug = json.loads(out.stdout)
    assert name.startswith("__Host-") and csrf_name.startswith("__Host-")
    assert secure and httponly and csrf_secure and samesite == "Lax" and not debug
    del env["CPR_KEYS"]
    failed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert failed.returncode != 0 and "CPR_KEYS must be set" in failed.stderr


def test_no_cpr_shaped_string_without_reveal_right(world, client, login):
    for actor in (world.leader, world.practitioner):
        login(actor)
        html = client.get(reverse("cases:detail", args=[world.case.public_id])).content.decode()
        assert "140315-XXXX" in html
        assert not cpr_shaped(html), actor.username
        assert reverse("cases:reveal_cpr", args=[world.case.public_id]) not in html


def test_reveal_cpr_is_audited_and_needs_a_reason(world, client, login):
    login(world.caseworker)
    url = reverse("cases:reveal_cpr", args=[world.case.public_id])
    assert FULL_CPR not in client.post(url, {"reason": ""}).content.decode()
    response = client.post(url, {"reason": "Underretning til skolen"})
    assert FULL_CPR in response.content.decode()
    event = AuditEvent.objects.get(action=Action.CPR_REVEAL)
    assert event.actor == world.caseworker
    assert event.details["reason"] == "Underretning til skolen"
    assert event.person_concerned == str(world.case.child.public_id)


def test_cpr_search_by_post_never_in_url_or_log(world, client, login):
    login(world.caseworker)
    response = client.post(reverse("cases:my_cases"), {"text": FULL_CPR, "status": "", "scope": "mine"}, follow=True)
    assert FULL_CPR.replace("-", "") not in response.redirect_chain[-1][0]
    assert world.case.child.first_name in response.content.decode()
    search = AuditEvent.objects.get(action=Action.CASE_SEARCH)
    assert search.details["criterion"] == "[CPR]"
    assert "0123" not in json.dumps([e.details for e in AuditEvent.objects.all()])


def test_logging_filter_redacts_cpr():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "child %s and %s", ("1403150123", "140315-0123"), None)
    RedactCprFilter().filter(record)
    assert record.getMessage() == "child [CPR] and [CPR]"
    keep = logging.LogRecord("x", logging.INFO, __file__, 1, "journal 27.12.00-G01-1012-26 id 12345", None, None)
    RedactCprFilter().filter(keep)
    assert "1012" in keep.getMessage()


def test_redaction_leaves_uuids_whole_and_still_finds_cpr_next_to_them():
    label = "link:ef60109d-d347-43f3-82b9-db1229768055"  # ten digits at the end of a UUID, by chance
    assert redact(label) == label
    assert redact("ef60109d-d347-43f3-82b9-db1229768055 1403150123") == "ef60109d-d347-43f3-82b9-db1229768055 [CPR]"


def test_error_pages_reveal_nothing(client):
    response = client.get("/findes-ikke/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Traceback" not in body and "urlpatterns" not in body.lower()


def test_cpr_finder_sees_numbers_not_identifiers():
    assert cpr_shaped("Barnets CPR: 140315-0123.") == "140315-0123"
    assert cpr_shaped("/sager/1403150123/") == "1403150123"
    assert cpr_shaped("/moeder/0b1c2d3e-1403-4150-8123-140315012345/ token=ab12cd34ef1403150123aa") is None
