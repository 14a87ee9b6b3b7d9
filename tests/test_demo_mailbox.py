"""Production fails fast, and no secret reaches a log (issue 13 §8, SECURITY 32); in the demo, mail is kept in a
mailbox a newcomer can read instead of being printed."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from kreds.core.logging import RedactCprFilter
from tests.test_security import PRODUCTION_ENV

pytestmark = pytest.mark.django_db


def _start(**changes: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("DEBUG", None)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_production_starts_with_https_site_url_and_refuses_debug_and_http():
    assert _start().stdout.strip() == "https://kreds.example.dk"
    debug = _start(DEBUG="1")
    assert debug.returncode != 0 and "DEBUG must be off in production" in debug.stderr
    plain = _start(SITE_URL="http://kreds.example.dk")
    assert plain.returncode != 0 and "SITE_URL must be an https address" in plain.stderr
    missing = _start(SITE_URL=None)
    assert missing.returncode != 0 and "SITE_URL must be set in production" in missing.stderr


def test_runserver_access_log_never_shows_a_link_token(settings):
    """The access log line of a personal link (django.server) goes through the same redaction as every other."""
    handler = logging.getLogger("django.server").handlers
    assert handler and any(isinstance(f, RedactCprFilter) for h in handler for f in h.filters)
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s', None, None)
    record.args = ("GET /l/" + "ab12" * 16 + "/ HTTP/1.1", "200", "5120")
    for f in handler[0].filters:
        f.filter(record)
    assert "ab12ab12" not in record.getMessage() and "/l/[LINK]" in record.getMessage()


def test_demo_keeps_mail_in_a_mailbox_never_in_the_log_and_shows_it(world, client, login, settings, tmp_path, caplog):
    from kreds.core.mail import DemoMailbox, email

    settings.MAILBOX_DIR = tmp_path
    settings.DEMO_MODE = True
    token = "ab12" * 16
    message = email(
        subject="Invitation: møde om Vigga", body=f"Din side: https://kreds.example/l/{token}/", to=["mor@example.dk"]
    )
    message.attach("netvaerksmoede.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    with caplog.at_level(logging.DEBUG):
        DemoMailbox().send_messages([message])
    assert token not in caplog.text and "Vigga" not in caplog.text and "1 message(s) kept" in caplog.text
    login(world.caseworker)
    page = client.get(reverse("sent_mail"))
    html = page.content.decode()
    assert page.status_code == 200 and "Invitation: møde om Vigga" in html and token in html
    [name] = [p.name for p in tmp_path.iterdir()]
    attachment = client.get(reverse("sent_mail_attachment", args=[name, 0]))
    assert attachment.status_code == 200 and attachment.content.startswith(b"BEGIN:VCALENDAR")
    assert client.get(reverse("sent_mail_attachment", args=["..%2Fsettings.eml", 0])).status_code == 404
    client.logout()
    assert client.get(reverse("sent_mail")).status_code == 302  # to the login page


def test_without_demo_mode_there_is_no_mailbox_page(world, client, login):
    login(world.caseworker)
    assert client.get(reverse("sent_mail")).status_code == 404
