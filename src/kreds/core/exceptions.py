"""Business-rule errors carry a clear Danish (translated) message for the user."""

from __future__ import annotations


class KredsError(Exception):
    """A refused action. ``message`` is translated text meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleEdit(KredsError):
    """Somebody else saved the record after the form was opened (optimistic locking)."""


class SafetyGateOpen(KredsError):
    """§ 18 stk. 3: network involvement is blocked until a risk assessment allows it."""
