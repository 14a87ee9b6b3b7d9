"""The client's address (ADR 0011): REMOTE_ADDR, or behind N trusted proxies the N-th X-Forwarded-For entry from
the right; never the left-most entry, which the client writes itself."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.clientip import address_bucket, client_ip, normalise
from kreds.core.logging import RequestIdFilter
from kreds.core.request_context import reset_request_context, set_request_context

PROXY = "10.0.0.1"  # the reverse proxy, as gunicorn sees it
CLIENT = "203.0.113.7"  # what the proxy appended: the address it received the request from
SPOOFED = "198.51.100.66"  # what the client put in its own X-Forwarded-For header


def _request(remote_addr: str | None = PROXY, forwarded_for: str | None = None):
    meta = {}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().get("/", **meta)
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr
    return request


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded_for=f"{SPOOFED}, {CLIENT}")) == PROXY


def test_one_proxy_takes_the_right_most_entry_and_ignores_a_spoofed_left_most(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded_for=CLIENT)) == CLIENT
    assert client_ip(_request(forwarded_for=f"{SPOOFED}, {CLIENT}")) == CLIENT
    assert client_ip(_request(forwarded_for=f"{SPOOFED},{SPOOFED}, {CLIENT}")) == CLIENT


def test_two_proxies_take_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # The outer proxy appended the client, the inner proxy appended the outer proxy.
    assert client_ip(_request(forwarded_for=f"{SPOOFED}, {CLIENT}, 10.0.0.2")) == CLIENT
    assert client_ip(_request(forwarded_for=f"{CLIENT}, 10.0.0.2")) == CLIENT


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("203.0.113.7:51234", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0db8:0000::0001", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("  203.0.113.7  ", "203.0.113.7"),
    ],
)
def test_ports_brackets_and_spellings_are_normalised(settings, entry, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded_for=f"{SPOOFED}, {entry}")) == expected


@pytest.mark.parametrize(
    "header",
    [
        "unknown",  # RFC 7239 obfuscated identifier
        "203.0.113.999",
        "<script>",
        "[2001:db8::1",
        "[2001:db8::1]x",
        "fe80::1%eth0",
        f"{CLIENT}, ",  # the proxy's own entry is empty
        "",
    ],
)
def test_garbage_where_the_client_should_be_falls_back_to_the_peer(settings, header):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded_for=header)) == PROXY


def test_too_few_entries_fall_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # Only one proxy appended an entry: the request did not come through both, so no entry is trusted.
    assert client_ip(_request(forwarded_for=CLIENT)) == PROXY
    assert client_ip(_request(forwarded_for=None)) == PROXY


def test_no_usable_peer_address_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(remote_addr=None)) is None
    assert client_ip(_request(remote_addr="")) is None
    assert client_ip(_request(remote_addr="not an address")) is None


def test_normalise_refuses_what_is_not_an_address():
    assert normalise(None) is None
    assert normalise("example.org") is None
    assert normalise("1.2.3.4:80:90") is None


def test_ipv6_clients_are_bucketed_by_their_64():
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address_bucket("2001:db8:1:3::1") != address_bucket("2001:db8:1:2::1")
    assert address_bucket("203.0.113.7") == "203.0.113.7"
    assert address_bucket(None) == address_bucket("") == "unknown"


@pytest.mark.django_db
@pytest.mark.parametrize(("proxies", "expected"), [(1, CLIENT), (0, PROXY)])
def test_audit_events_carry_the_chosen_address(settings, client, proxies, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    client.post(
        reverse("accounts:login"),
        {"username": "nobody", "password": "wrong password!"},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": f"{SPOOFED}, {CLIENT}"},
    )
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED, actor_label="nobody")
    assert event.ip == expected


@pytest.fixture
def log_lines():
    """Log output formatted exactly as the console handler of settings.LOGGING formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(django_settings.LOGGING["formatters"]["plain"]["format"]))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def test_the_log_format_has_the_client_address():
    assert "%(client_ip)s" in django_settings.LOGGING["formatters"]["plain"]["format"]
    assert "request_id" in django_settings.LOGGING["handlers"]["console"]["filters"]


def test_log_lines_carry_the_request_id_and_client_address(log_lines):
    tokens = set_request_context("req-12345678", "2001:db8::7")
    try:
        logging.getLogger("kreds.test").warning("something happened")
    finally:
        reset_request_context(tokens)
    logging.getLogger("kreds.test").warning("outside a request")
    first, second = log_lines.getvalue().splitlines()
    assert "[req-12345678 2001:db8::7] something happened" in first
    assert "[- -] outside a request" in second


@pytest.mark.django_db
def test_a_log_line_written_during_a_request_carries_the_forwarded_address(settings, client, log_lines):
    settings.TRUSTED_PROXY_COUNT = 1
    # axes logs a warning for a failed login, inside the request.
    client.post(
        reverse("accounts:login"),
        {"username": "nobody", "password": "wrong password!"},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": f"{SPOOFED}, {CLIENT}", "X-Request-ID": "probe-request-0001"},
    )
    lines = [line for line in log_lines.getvalue().splitlines() if "probe-request-0001" in line]
    assert lines and all(f"[probe-request-0001 {CLIENT}]" in line for line in lines)
    assert SPOOFED not in log_lines.getvalue()
