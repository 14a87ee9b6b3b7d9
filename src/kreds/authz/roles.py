"""What roles a user holds where: the facts every domain's policy is built from (no domain knowledge here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kreds.accounts.backends import memberships_of
from kreds.accounts.constants import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kreds.accounts.models import User

    Actor = User | AnonymousUser


def staff(user: Actor) -> User | None:
    """The user as an active staff member of a municipality, or None (anonymous, inactive, no municipality)."""
    if not (user.is_authenticated and user.is_active):
        return None
    member: User = user
    return member if member.municipality_id is not None else None


def municipality_id(user: Actor) -> int | None:
    member = staff(user)
    return member.municipality_id if member is not None else None


def unit_ids_with_role(user: Actor, *roles: Role) -> set[int]:
    """Units where the user holds any of ``roles`` (cached per request object)."""
    member = staff(user)
    if member is None:
        return set()
    # Every membership is read once per request object (one query, not one per combination of roles asked).
    memberships: list[tuple[str, int]] | None = member.__dict__.get("_kreds_memberships")
    if memberships is None:
        memberships = memberships_of(member)  # read with the request's user (accounts.backends)
    if memberships is None:  # a user read otherwise (a service's actor, a test)
        memberships = list(
            member.memberships.filter(unit__municipality_id=member.municipality_id or 0).values_list("role", "unit_id")
        )
    member.__dict__["_kreds_memberships"] = memberships
    wanted = set(roles)
    return {unit_id for role, unit_id in memberships if role in wanted}


def has_role(user: Actor, *roles: Role) -> bool:
    return bool(unit_ids_with_role(user, *roles))


def is_administrator(user: Actor) -> bool:
    return has_role(user, Role.ADMINISTRATOR)
