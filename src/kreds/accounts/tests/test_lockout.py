"""Login lockout (ADR 0011, SECURITY 29): per username and address together, plus a higher per-username limit.

Five wrong passwords for one user from one address must not lock out the other users behind that address (an
office NAT, the reverse proxy); guessing one user's password from many addresses must still be stopped.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kreds.accounts.lockout import USERNAME, USERNAME_AND_ADDRESS
from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong password!"
OFFICE = "192.0.2.10"  # one office NAT: every member of staff has this address
HOME = "198.51.100.20"


def _login(username: str, address: str, password: str = PASSWORD) -> int:
    """One login attempt from ``address`` in a fresh browser; the status code (302 in, 200 refused, 429 locked)."""
    response = Client().post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def _fail(username: str, address: str, times: int) -> list[int]:
    return [_login(username, address, WRONG) for _ in range(times)]


def _lockouts(username: str) -> list[dict]:
    return [e.details for e in AuditEvent.objects.filter(action=Action.LOCKOUT, actor_label=username).order_by("seq")]


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 12
    settings.LOGIN_KNOWN_ADDRESS_DAYS = 30
    return settings


def test_five_failures_lock_the_user_at_that_address_but_not_the_colleague_behind_it(world, limits):
    a, b = world.caseworker.username, world.colleague.username
    assert _fail(a, OFFICE, 5) == [200, 200, 200, 200, 429]
    assert _login(a, OFFICE) == 429  # the right password, but A is locked at this address
    assert _login(b, OFFICE) == 302  # B shares the address and is not affected
    assert _lockouts(a)[0]["limit"] == USERNAME_AND_ADDRESS
    assert _lockouts(a)[0]["failures"] == 5
    event = AuditEvent.objects.filter(action=Action.LOCKOUT, actor_label=a).first()
    assert event is not None and event.ip == OFFICE
    assert not _lockouts(b)


def test_the_user_can_still_log_in_from_another_address(world, limits):
    a = world.caseworker.username
    _fail(a, OFFICE, 5)
    assert _login(a, HOME) == 302


def test_the_per_username_limit_locks_the_user_out_everywhere(world, limits):
    a = world.caseworker.username
    # Twelve guesses from three addresses, four each: below the per-address limit everywhere.
    assert _fail(a, "203.0.113.1", 4) == [200] * 4
    assert _fail(a, "203.0.113.2", 4) == [200] * 4
    assert _fail(a, "203.0.113.3", 4) == [200, 200, 200, 429]  # the twelfth failure
    assert _login(a, HOME) == 429  # the right password, from an address that never failed
    assert _login(a, "203.0.113.99") == 429
    reasons = {d["limit"] for d in _lockouts(a)}
    assert reasons == {USERNAME}
    first = _lockouts(a)[0]
    assert first["failures"] >= 12 and first["threshold"] == 12
    assert _login(world.colleague.username, HOME) == 302  # only that username


def test_the_lockout_ends_after_the_cool_off(world, limits):
    a = world.caseworker.username
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            _fail(a, address, 4)
        assert _login(a, HOME) == 429
        traveller.shift(limits.AXES_COOLOFF_TIME + timedelta(minutes=1))
        assert _login(a, HOME) == 302


def test_unknown_usernames_count_too_and_no_user_is_created(world, limits):
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        _fail("ghost", address, 4)
    assert _login("ghost", "203.0.113.50", WRONG) == 429
    assert _lockouts("ghost") and _lockouts("ghost")[0]["limit"] == USERNAME
    assert not User.objects.filter(username="ghost").exists()


def test_success_resets_only_the_combination(world, limits):
    a = world.caseworker.username
    _fail(a, "203.0.113.1", 4)
    _fail(a, "203.0.113.2", 4)  # someone guessing from elsewhere: 8 for the username
    assert _fail(a, OFFICE, 3) == [200] * 3  # the user's own typos: 11
    assert _login(a, OFFICE) == 302  # forgives the typos at the office (3), not the guesses from elsewhere (8)
    assert _fail(a, OFFICE, 3) == [200] * 3  # a fresh count at the office; 11 for the username
    assert _fail(a, "203.0.113.3", 1) == [429]  # the twelfth
    assert _login(a, HOME) == 429


def test_a_spray_from_elsewhere_does_not_lock_the_user_out_of_an_address_they_logged_in_from(world, limits):
    a = world.caseworker.username
    assert _login(a, OFFICE) == 302  # the office becomes a known address for A
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        _fail(a, address, 4)
    assert _login(a, HOME) == 429  # a new address: locked by the per-username limit
    assert _login(a, OFFICE) == 302  # the office: still in
    # The per-address limit still holds at the known address.
    assert _fail(a, OFFICE, 5)[-1] == 429
    assert _login(a, OFFICE) == 429


def test_known_addresses_can_be_switched_off(world, limits):
    limits.LOGIN_KNOWN_ADDRESS_DAYS = 0
    a = world.caseworker.username
    assert _login(a, OFFICE) == 302
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        _fail(a, address, 4)
    assert _login(a, OFFICE) == 429


def test_a_known_address_expires(world, limits):
    a = world.caseworker.username
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert _login(a, OFFICE) == 302
        traveller.shift(timedelta(days=31))
        for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            _fail(a, address, 4)
        assert _login(a, OFFICE) == 429


def test_behind_the_proxy_the_lockout_follows_the_forwarded_address(world, limits):
    limits.TRUSTED_PROXY_COUNT = 1
    a, b = world.caseworker.username, world.colleague.username

    def attempt(username: str, client_address: str, password: str) -> int:
        return (
            Client()
            .post(
                reverse("accounts:login"),
                {"username": username, "password": password},
                REMOTE_ADDR="10.0.0.1",  # every request arrives from the proxy
                headers={"X-Forwarded-For": f"{HOME}, {client_address}"},  # the left-most entry is the client's lie
            )
            .status_code
        )

    assert [attempt(a, "203.0.113.1", WRONG) for _ in range(5)][-1] == 429
    assert attempt(a, "203.0.113.1", PASSWORD) == 429
    assert attempt(a, "203.0.113.2", PASSWORD) == 302  # the same user from another client behind the proxy
    assert attempt(b, "203.0.113.1", PASSWORD) == 302
    event = AuditEvent.objects.filter(action=Action.LOCKOUT, actor_label=a).first()
    assert event is not None and event.ip == "203.0.113.1"
