"""Fixtures for the browser tests: a live server with real data, Debian Chromium via Playwright.

Run with ``KREDS_ENV=test .venv/bin/pytest tests/e2e -q``. Playwright's own browser downloads
are never used; the system Chromium at ``/usr/bin/chromium`` is driven instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KREDS_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS_DIR = Path(os.environ.get("KREDS_E2E_SHOTS", "/tmp/e2e-shots"))


@pytest.fixture
def e2e_world(transactional_db, live_server, world):
    """The shared ``world`` (root conftest), built in a transactional database the live server can see.

    ``world`` asks for ``db``; pytest-django switches ``db`` to transactional mode whenever
    ``transactional_db`` or ``live_server`` is requested by the same test, so the data is committed
    and visible to the server thread, and flushed after the test.
    """
    return world


@pytest.fixture
def totp_device():
    """Give a user a confirmed TOTP device; returns a function that yields the current code."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def _make(user):
        device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)

        def current_token() -> str:
            device.refresh_from_db()
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            return f"{totp.token():0{device.digits}d}"

        return current_token

    return _make


@pytest.fixture
def browser_page(monkeypatch) -> Iterator:
    """A fresh Chromium page. The Django ORM is used from the test while Playwright's loop runs."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (scripts/system-deps installs Debian's chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI must never pass by skipping the browser test
        pytest.skip(message)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # The ORM calls the test makes while Playwright runs get their own connection (Django keeps
            # connections per context, and Playwright's sync API runs in a greenlet). Close it here, or PostgreSQL
            # refuses to drop the test database at the end ("being accessed by other users").
            from django.db import connections

            connections.close_all()
