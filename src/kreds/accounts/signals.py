"""Failed logins and lockouts become audit events (SECURITY 11, 15)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from kreds.accounts.lockout import lockout_details
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record


def _username(credentials: dict[str, Any] | None, request: Any) -> str:
    name = (credentials or {}).get("username") or ""
    if not name and request is not None:
        name = request.POST.get("username", "")
    return str(name)[:150]


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any) -> None:
    record(
        Action.LOGIN_FAILED,
        actor=None,
        actor_label=_username(credentials, request),
        purpose=Purpose.SECURITY,
    )


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    # details["limit"] says which limit was hit: "username_and_address" or "username" (ADR 0011).
    record(
        Action.LOCKOUT,
        actor=None,
        actor_label=(username or "")[:150],
        purpose=Purpose.SECURITY,
        details=lockout_details(request),
    )
