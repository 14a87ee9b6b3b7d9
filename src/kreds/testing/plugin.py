"""The suite's pytest plugin (loaded by the root ``conftest.py``): shared fixtures and per-worker isolation.

Under pytest-xdist every worker is its own process with its own test database (pytest-django names it
``test_<name>_gw<N>``; SQLite's is in memory), its own caches and, from here, its own upload and mailbox folders,
so no test sees files another worker wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from kreds.accounts.models import User
from kreds.testing.clients import login_staff
from kreds.testing.smtp import smtp_server
from kreds.testing.world import World, build_world

__all__ = ["english_messages", "login", "smtp_server", "test_clock", "worker_files", "world"]

APPS = Path(__file__).resolve().parents[1]  # src/kreds/: each app's tests live in <app>/tests/
# Apps whose tests were written against the Danish interface (the default language), and the demo, which is seeded
# in Danish as ``make demo`` does; every other app's tests, a new app's included, run in English.
DANISH_APPS = frozenset({"accounts", "audit", "authz", "consent", "core", "demo", "network"})


# The longest tests, started first: each is one long test that no worker can share, so a worker that met it last
# would run alone at the end (pytest-xdist's work stealing balances the short tests around them).
LONGEST_FIRST = ("tests/test_hostile_input.py", "tests/test_crawler.py", "tests/e2e/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: the order within each group stays as collected


@pytest.fixture(scope="session", autouse=True)
def test_clock() -> Iterator[None]:
    """``KREDS_TEST_CLOCK=2026-12-05T22:40:00+00:00 make test`` runs the whole suite from that moment on (the clock
    keeps ticking). Tests that hold only by day (a meeting "now + 10 days" that ends after midnight, "started an hour
    ago" but yesterday by the local date) fail only in the evening; this runs them in the evening on purpose."""
    moment = os.environ.get("KREDS_TEST_CLOCK", "")
    if not moment:
        yield
        return
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def worker_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Uploads and the demo mailbox go to this worker's temporary folder, never to ``var/``.

    ``documents.services.purge_orphans`` deletes every file under ``UPLOAD_ROOT`` it does not know, so a shared
    folder would let one worker delete another's uploads. Tests may still point these at their own ``tmp_path``.
    """
    base = tmp_path_factory.mktemp("files")
    saved = django_settings.UPLOAD_ROOT, django_settings.MAILBOX_DIR
    django_settings.UPLOAD_ROOT, django_settings.MAILBOX_DIR = base / "uploads", base / "sent-mail"
    yield base
    django_settings.UPLOAD_ROOT, django_settings.MAILBOX_DIR = saved


@pytest.fixture(autouse=True)
def english_messages(request: pytest.FixtureRequest) -> Iterator[None]:
    """App tests assert on the English msgids, pages included (via the language cookie on ``client``).

    The cross-cutting tests in ``tests/`` and the apps in :data:`DANISH_APPS` see the Danish interface, as users
    do; ``tests/test_i18n.py`` checks that the Danish catalogue is complete.
    """
    if not _asserts_english(request.path):
        yield
        return
    if "client" in request.fixturenames:
        client: Client = request.getfixturevalue("client")
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _asserts_english(path: Path) -> bool:
    if not path.is_relative_to(APPS):
        return False
    return path.relative_to(APPS).parts[0] not in DANISH_APPS


@pytest.fixture
def world(db: None) -> World:
    """Two municipalities, every actor kind and a case in each (see :class:`kreds.testing.world.World`)."""
    return build_world()


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    """Log a user in with a verified second factor (as after TOTP)."""

    def _login(user: User) -> Client:
        return login_staff(client, user)

    return _login
