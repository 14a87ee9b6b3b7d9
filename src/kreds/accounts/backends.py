"""The authentication backend: Django's, reading with the user what every page asks next.

Every logged-in request reads the user (``AuthenticationMiddleware``), then whether the session's second factor is
one of the user's confirmed authenticators (``OTPMiddleware``), its municipality (the page header) and its
memberships (every authorization question). ``get_user`` reads all four in one query: the municipality by a join,
the memberships in that municipality and the ids of the confirmed TOTP devices as aggregated columns, which
:func:`kreds.authz.roles.unit_ids_with_role` and :class:`kreds.accounts.middleware.OTPMiddleware` read instead of
querying. They are read afresh on every request, so a role removed or an authenticator reset takes effect on the
user's next request, as before.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.aggregates import StringAgg
from django.db.models.functions import Cast, Concat
from django_otp.plugins.otp_totp.models import TOTPDevice

from kreds.accounts.models import Membership, User

# The names of the aggregated memberships and confirmed TOTP device ids on a user read by this backend.
MEMBERSHIPS = "kreds_membership_list"
TOTP_DEVICES = "kreds_totp_device_ids"
_UNREAD = object()


def with_memberships(users: Any) -> Any:
    """``users`` with their municipality and, as :data:`MEMBERSHIPS`, their memberships in it."""
    held = (
        Membership.objects.filter(user_id=OuterRef("pk"), unit__municipality_id=OuterRef("municipality_id"))
        .order_by()
        .values("user_id")
        .annotate(all=StringAgg(Concat("role", Value(":"), Cast("unit_id", CharField())), delimiter=Value(",")))
        .values("all")
    )
    confirmed = (
        TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
        .order_by()
        .values("user_id")
        .annotate(all=StringAgg(Cast("pk", CharField()), delimiter=Value(",")))
        .values("all")
    )
    return users.select_related("municipality").annotate(
        **{MEMBERSHIPS: Subquery(held), TOTP_DEVICES: Subquery(confirmed)}
    )


def memberships_of(user: User) -> list[tuple[str, int]] | None:
    """The memberships read with ``user`` by :func:`with_memberships`, or None when it was read otherwise."""
    held = getattr(user, MEMBERSHIPS, _UNREAD)  # getattr, not __dict__: request.user is a lazy proxy
    if held is _UNREAD:
        return None
    held = str(held or "")
    return [(role, int(unit)) for role, _, unit in (item.partition(":") for item in held.split(",") if item)]


def confirmed_totp_ids(user: Any) -> set[int] | None:
    """The ids of ``user``'s confirmed TOTP devices as read by :func:`with_memberships`, or None when read otherwise."""
    held = getattr(user, TOTP_DEVICES, _UNREAD)
    if held is _UNREAD:
        return None
    return {int(pk) for pk in str(held or "").split(",") if pk}


@functools.cache
def _users() -> Any:
    """The annotated queryset, built once per process: building its subqueries cost as much as running it
    (bench: 1.6 ms of 5.8). Only ever cloned by ``get``, never evaluated itself."""
    return with_memberships(User._default_manager.all())


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        # get(), not first(): first() orders by pk, which costs another 1.8 ms of compiling here (bench).
        try:
            user = _users().get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
