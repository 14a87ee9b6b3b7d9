"""Login lockout with two limits (ADR 0011, SECURITY 29).

django-axes counts failed logins per **username and client address together** (``AXES_LOCKOUT_PARAMETERS =
[["username", "ip_address"]]``, ``AXES_FAILURE_LIMIT``, default 5): wrong passwords for one user never lock out other
users who share the address (an office NAT, the reverse proxy). That alone would let an attacker guess one user's
password from many addresses, so this handler adds a higher limit per **username across every address**
(``LOGIN_USERNAME_FAILURE_LIMIT``, default 30, within the same cool-off). Unknown usernames are counted the same way
(axes records the attempted name; no user is created).

The per-username limit does not apply at an address the user logged in from successfully within
``LOGIN_KNOWN_ADDRESS_DAYS`` (axes' ``AccessLog``): someone spraying guesses from elsewhere can lock a named user
out of new addresses, but not out of the office they work from. At such an address the per-address limit still
holds.

axes asks :meth:`KredsLockoutHandler.get_failures` both before authenticating (``is_locked``) and after recording a
failure (``user_login_failed``, which sends ``user_locked_out``), and compares the answer with ``AXES_FAILURE_LIMIT``
both times. The decision is therefore made in one place, here, and its reason is left on the request for the
audit event (:func:`lockout_details`, used by ``kreds.accounts.signals``).
"""

from __future__ import annotations

import datetime
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

# The reasons, as written to the audit event's details (stable values).
USERNAME_AND_ADDRESS = "username_and_address"
USERNAME = "username"

_REQUEST_ATTRIBUTE = "kreds_lockout"


def username_failures(request: HttpRequest, username: str) -> int:
    """Failed logins for ``username`` from every address within the cool-off."""
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def is_known_address(username: str, address: str | None) -> bool:
    """Whether ``username`` logged in successfully from ``address`` within ``LOGIN_KNOWN_ADDRESS_DAYS``."""
    days = settings.LOGIN_KNOWN_ADDRESS_DAYS
    if not address or days <= 0:
        return False
    since = timezone.now() - datetime.timedelta(days=days)
    return bool(AccessLog.objects.filter(username=username, ip_address=address, attempt_time__gte=since).exists())


class KredsLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes has no type information
    """axes' database handler with a second, per-username limit."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures axes compares with ``AXES_FAILURE_LIMIT``: those of this username at this address, or the
        limit itself when the username is over its own limit across all addresses."""
        failures = int(super().get_failures(request, credentials))
        limit = int(get_failure_limit(request, credentials))
        username = get_client_username(request, credentials)
        details: dict[str, Any] | None = None
        if failures >= limit:
            details = {"limit": USERNAME_AND_ADDRESS, "failures": failures, "threshold": limit}
        elif username:
            total = username_failures(request, username)
            username_limit = settings.LOGIN_USERNAME_FAILURE_LIMIT
            if total >= username_limit and not is_known_address(username, getattr(request, "axes_ip_address", None)):
                details = {"limit": USERNAME, "failures": total, "threshold": username_limit}
                failures = limit
        setattr(request, _REQUEST_ATTRIBUTE, details)
        return failures


def lockout_details(request: Any) -> dict[str, Any]:
    """Which limit locked ``request`` out, for the audit event: ``{"limit": …, "failures": …, "threshold": …}``."""
    details = getattr(request, _REQUEST_ATTRIBUTE, None) if request is not None else None
    return dict(details) if details else {}
