"""Which app sends which kind of message: apps register their senders in ``AppConfig.ready``.

A sender gets the locked row inside the worker's transaction (the attempt already counted), sends the message or
decides not to, records that on the row (``mark_sent``, ``mark_done`` or ``mark_not_sent``) and returns a short
result such as ``"sent"`` or ``"refused"``. An exception from a sender is recorded by the worker as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from kreds.outbox.constants import KIND_MAX_LENGTH

if TYPE_CHECKING:
    from kreds.outbox.models import Outbox

Sender = Callable[["Outbox"], str]


@dataclass(frozen=True)
class Registered:
    kind: str
    sender: Sender
    label: str | Promise


_KINDS: dict[str, Registered] = {}
# Who reads a row's message (issue 18): the protection app declares the recipient as the reader before any sender
# runs, so every e-mail and attachment a sender builds passes the recipient's guard (kreds.core.disclosure).
Envelope = Callable[["Outbox"], AbstractContextManager[object]]
Refused = Callable[["Outbox", str], None]
_envelope: Envelope | None = None
_refused: Refused | None = None


def set_envelope(envelope: Envelope, *, refused: Refused) -> None:
    """``envelope(row)`` declares the row's reader around its sender; ``refused(row, reason)`` records a message
    withheld from its recipient (an audit event)."""
    global _envelope, _refused
    _envelope, _refused = envelope, refused


def withheld(row: Outbox, reason: str) -> None:
    if _refused is not None:
        _refused(row, reason)


def envelope_for(row: Outbox) -> AbstractContextManager[object]:
    return _envelope(row) if _envelope is not None else nullcontext()


def register(kind: str, sender: Sender, *, label: str | Promise) -> None:
    """Claim ``kind`` (the stored value, at most 16 characters) for ``sender``. Two apps cannot claim one kind."""
    kind = str(kind)
    if not kind or len(kind) > KIND_MAX_LENGTH:
        raise ImproperlyConfigured(f"Outbox kind {kind!r} must be 1 to {KIND_MAX_LENGTH} characters.")
    known = _KINDS.get(kind)
    if known is not None and known.sender is not sender:
        raise ImproperlyConfigured(f"Outbox kind {kind!r} is already registered by {known.sender.__module__}.")
    _KINDS[kind] = Registered(kind, sender, label)


def unregister(kind: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(kind, None)


def sender_for(kind: str) -> Sender | None:
    known = _KINDS.get(kind)
    return known.sender if known else None


def label_for(kind: str) -> str:
    known = _KINDS.get(kind)
    return str(known.label) if known else kind


def is_registered(kind: str) -> bool:
    return kind in _KINDS
