"""The client's address: one definition for the audit log, log lines, login lockouts and link rate limits.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, ``REMOTE_ADDR`` is the nearest proxy and the client's address is in
``X-Forwarded-For``. Each proxy *appends* the address it received the request from, so the list reads
``<whatever the client sent>, …, <added by proxy 1>, …, <added by proxy N>``: only the right-most
``TRUSTED_PROXY_COUNT`` entries were written by machines we trust. The entry written by the outermost proxy
(``TRUSTED_PROXY_COUNT`` from the right) is the client. Anything to its left came from the client and is never used.

When the header cannot be trusted (missing, fewer entries than proxies, or not an address where the client's entry
should be) the answer falls back to ``REMOTE_ADDR``: the TCP peer, the one address nobody can forge. See
docs/adr/0011-lockout-and-client-address.md.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger(__name__)


def normalise(value: str | None) -> str | None:
    """``value`` as a canonical IP address string, or None when it is not one.

    Accepts what proxies write: ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1``, ``[2001:db8::1]`` and
    ``[2001:db8::1]:443``. IPv4-mapped IPv6 addresses become IPv4, so one client is one key. Scoped IPv6 addresses
    (``fe80::1%eth0``) are refused: they are not meaningful outside the host.
    """
    if not value:
        return None
    text = value.strip()
    if text.startswith("["):
        end = text.find("]")
        if end == -1 or (text[end + 1 :] and not text[end + 1 :].startswith(":")):
            return None
        text = text[1:end]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has at least two colons
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return None
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
    return str(address)


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0))


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``, or None when even ``REMOTE_ADDR`` is not an address."""
    peer = normalise(request.META.get("REMOTE_ADDR"))
    proxies = trusted_proxy_count()
    if proxies == 0:
        return peer
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Several X-Forwarded-For headers arrive joined with commas, in order; the split treats them as one list.
    if not header:
        # A request that reached gunicorn without passing a proxy, e.g. a health check from the same host.
        return peer
    entries = [entry.strip() for entry in str(header).split(",")]
    if len(entries) < proxies:
        log.warning(
            "X-Forwarded-For has %d entries but TRUSTED_PROXY_COUNT is %d; using the peer address",
            len(entries),
            proxies,
        )
        return peer
    address = normalise(entries[-proxies])
    if address is None:
        log.warning("X-Forwarded-For entry from the outermost trusted proxy is not an address; using the peer address")
        return peer
    return address


def address_bucket(address: str | None) -> str:
    """The key a per-address limit counts under: an IPv4 address as it is, an IPv6 address by its /64.

    One IPv6 subscriber (a home, a phone) is given at least a /64 and can pick any of its 2^64 addresses per
    request, so a limit per single IPv6 address limits nothing. ``"unknown"`` when there is no address.
    """
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((int(parsed) >> 64 << 64, 64)))
    return str(parsed)
