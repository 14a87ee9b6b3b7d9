"""Personal-link rate limits (ADR 0011, SECURITY 29): guessing is limited per client address, a valid link only per
link. An outside probe made a valid child's or parent's link answer 429 with 605 requests for unknown tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kreds.meetings import services
from kreds.participants.models import RateCounter
from kreds.participants.services import token_for
from kreds.testing.meetings import planned_meeting

pytestmark = pytest.mark.django_db

GUESSER = "203.0.113.66"
FAMILY = "198.51.100.7"


def _link_url(participant) -> str:
    participant.refresh_from_db()
    services.ensure_link(participant, actor=None)
    return reverse("participants:home", kwargs={"token": token_for(participant.link)})


def _unknown_url(i: int) -> str:
    return reverse("participants:home", kwargs={"token": f"{i:064x}"})


def _get(url: str, address: str, **headers: str) -> int:
    return Client().get(url, REMOTE_ADDR=address, headers=headers).status_code


@pytest.fixture
def link_url(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator)
    return _link_url(setup.participants["mormor"])


@pytest.fixture
def other_link_url(world):
    setup = planned_meeting(world.case, world.caseworker, world.facilitator, purpose="Et andet møde")
    return _link_url(setup.participants["mormor"])


def test_the_probe_605_unknown_tokens_do_not_block_a_valid_link(link_url, settings):
    """The reported probe, with the default limits."""
    assert settings.PARTICIPANT_LINK_BAD_TOKENS_PER_IP < 605
    browser = Client()
    codes = [browser.get(_unknown_url(i), REMOTE_ADDR=GUESSER).status_code for i in range(605)]
    assert codes[0] == 404 and codes[-1] == 429
    assert _get(link_url, GUESSER) == 200  # the same address
    assert _get(link_url, FAMILY) == 200  # another address
    assert not RateCounter.objects.filter(key__startswith="ip:").exists()  # no counter of all requests per address


def test_unknown_tokens_from_an_address_are_eventually_refused(world, settings):
    settings.PARTICIPANT_LINK_BAD_TOKENS_PER_IP = 3
    codes = [_get(_unknown_url(i), GUESSER) for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    assert _get(_unknown_url(99), FAMILY) == 404  # another address has its own count


def test_a_valid_link_works_from_an_address_over_its_bad_token_limit(link_url, settings):
    settings.PARTICIPANT_LINK_BAD_TOKENS_PER_IP = 3
    assert [_get(_unknown_url(i), GUESSER) for i in range(10)][-1] == 429
    assert [_get(link_url, GUESSER) for _ in range(3)] == [200, 200, 200]
    assert _get(link_url, FAMILY) == 200
    assert _get(_unknown_url(11), GUESSER) == 429  # and the guessing address is still refused


def test_valid_requests_are_not_counted_against_the_address(link_url, other_link_url, settings):
    settings.PARTICIPANT_LINK_BAD_TOKENS_PER_IP = 2
    settings.PARTICIPANT_LINK_RATE_PER_LINK = 50
    for _ in range(10):
        assert _get(link_url, FAMILY) == 200
        assert _get(other_link_url, FAMILY) == 200
    assert _get(_unknown_url(1), FAMILY) == 404  # a mistyped link afterwards still gets the plain answer


def test_each_link_is_limited_whatever_the_address(link_url, other_link_url, settings):
    settings.PARTICIPANT_LINK_RATE_PER_LINK = 3
    assert [_get(link_url, f"203.0.113.{i}") for i in range(1, 5)] == [200, 200, 200, 429]
    assert _get(other_link_url, "203.0.113.4") == 200  # another link from the same address is not affected
    assert _get(_unknown_url(1), "203.0.113.4") == 404  # a 429 for the link is not a failure of the address


def test_behind_the_proxy_guessing_is_counted_per_forwarded_client(link_url, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PARTICIPANT_LINK_BAD_TOKENS_PER_IP = 3
    proxy = "10.0.0.1"
    # A guesser varying the left-most X-Forwarded-For entry is still one client.
    codes = [_get(_unknown_url(i), proxy, **{"X-Forwarded-For": f"192.0.2.{i}, {GUESSER}"}) for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    # Everyone arrives from the proxy; another client is not refused, and the link works for the guesser too.
    assert _get(_unknown_url(50), proxy, **{"X-Forwarded-For": FAMILY}) == 404
    assert _get(link_url, proxy, **{"X-Forwarded-For": FAMILY}) == 200
    assert _get(link_url, proxy, **{"X-Forwarded-For": GUESSER}) == 200


def test_an_ipv6_guesser_cannot_escape_by_changing_address_within_its_64(world, settings):
    settings.PARTICIPANT_LINK_BAD_TOKENS_PER_IP = 3
    codes = [_get(_unknown_url(i), f"2001:db8:1:2::{i + 1:x}") for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    assert _get(_unknown_url(9), "2001:db8:1:3::1") == 404  # another /64 is another subscriber
