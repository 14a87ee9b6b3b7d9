"""Encryption of CPR numbers at rest.

* Authenticated encryption (AES-256-GCM) with a dedicated key ring from ``settings.CPR_KEYS``
  ("id:base64key,..."); the first key encrypts, all keys decrypt, so keys can be rotated
  (``manage.py rotate_cpr_keys`` re-encrypts with the current key).
* A keyed blind index (HMAC-SHA256 with ``settings.CPR_INDEX_KEY``) for exact lookup without
  decrypting every row.
Neither key is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CPR_RE = re.compile(r"^(\d{6})-?(\d{4})$")


def normalise_cpr(value: str) -> str:
    """Return ``ddmmyyxxxx`` (10 digits) or raise ValueError."""
    match = CPR_RE.match(value.strip().replace(" ", ""))
    if not match:
        raise ValueError("invalid CPR number")
    return match.group(1) + match.group(2)


def mask_cpr(cpr: str) -> str:
    """``ddmmyy-XXXX``: birth date visible, serial hidden."""
    return f"{cpr[:6]}-XXXX"


def format_cpr(cpr: str) -> str:
    return f"{cpr[:6]}-{cpr[6:]}"


@lru_cache(maxsize=4)
def _key_ring(spec: str) -> list[tuple[str, bytes]]:
    ring: list[tuple[str, bytes]] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        key_id, _, b64 = part.strip().partition(":")
        key = base64.b64decode(b64)
        if len(key) != 32 or not key_id:
            raise ImproperlyConfigured("CPR_KEYS entries must be 'id:base64(32 bytes)'.")
        ring.append((key_id, key))
    if not ring:
        raise ImproperlyConfigured("CPR_KEYS is empty.")
    return ring


def key_ring() -> list[tuple[str, bytes]]:
    return _key_ring(settings.CPR_KEYS)


def current_key_id() -> str:
    return key_ring()[0][0]


def encrypt_cpr(cpr: str) -> str:
    key_id, key = key_ring()[0]
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, cpr.encode(), key_id.encode())
    return f"{key_id}:{base64.b64encode(nonce + ciphertext).decode()}"


def decrypt_cpr(token: str) -> str:
    key_id, _, payload = token.partition(":")
    keys = dict(key_ring())
    if key_id not in keys:
        raise ImproperlyConfigured(f"CPR key {key_id!r} is not in the key ring.")
    raw = base64.b64decode(payload)
    return AESGCM(keys[key_id]).decrypt(raw[:12], raw[12:], key_id.encode()).decode()


def cpr_blind_index(cpr: str) -> str:
    key = base64.b64decode(settings.CPR_INDEX_KEY)
    return hmac.new(key, normalise_cpr(cpr).encode(), hashlib.sha256).hexdigest()
