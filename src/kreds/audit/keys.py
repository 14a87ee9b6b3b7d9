"""The audit chain's key ring (``settings.AUDIT_CHAIN_KEY``, ADR 0010).

Same shape as ``CPR_KEYS``: ``id:base64(32 bytes),id:base64(32 bytes)``. The first key signs new rows, purge
records and checkpoints; every key in the ring verifies. Rows keep the id of the key that signed them, so rotating
means putting a new key first and keeping the old ones after it for as long as anything signed with them exists
(for the audit log: always). The key is dedicated: never derived from ``SECRET_KEY`` or the CPR keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
KEY_BYTES = 32


class UnknownKeyError(KeyError):
    """A row, purge record or checkpoint names a key id that is not in the ring."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id)
        self.key_id = key_id

    def __str__(self) -> str:
        return f"key id {self.key_id} is not in AUDIT_CHAIN_KEY"


@lru_cache(maxsize=8)
def parse_key_ring(spec: str) -> tuple[tuple[str, bytes], ...]:
    """``"k2:base64,k1:base64"`` → ``(("k2", key), ("k1", key))``; raise ImproperlyConfigured when malformed."""
    ring: list[tuple[str, bytes]] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        key_id, _, b64 = part.strip().partition(":")
        try:
            key = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not KEY_ID.match(key_id) or len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                "AUDIT_CHAIN_KEY entries must be 'id:base64(32 bytes)' with an id of letters, digits, '-' or '_' "
                "(at most 16)."
            )
        if any(existing == key_id for existing, _ in ring):
            raise ImproperlyConfigured(f"AUDIT_CHAIN_KEY names key id {key_id} twice.")
        ring.append((key_id, key))
    if not ring:
        raise ImproperlyConfigured("AUDIT_CHAIN_KEY is empty.")
    return tuple(ring)


def key_ring() -> tuple[tuple[str, bytes], ...]:
    return parse_key_ring(str(settings.AUDIT_CHAIN_KEY))


def signing_key() -> tuple[str, bytes]:
    """The first key of the ring: signs everything new."""
    return key_ring()[0]


def key_for(key_id: str) -> bytes:
    for candidate, key in key_ring():
        if candidate == key_id:
            return key
    raise UnknownKeyError(key_id)


def mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
