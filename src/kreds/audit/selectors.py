from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.constants import READ_ACTIONS, Action
from kreds.audit.models import AuditEvent, SecurityAlert
from kreds.authz.policies import is_administrator, unit_ids_with_role
from kreds.tenancy.models import Unit


def is_read(event: AuditEvent) -> bool:
    return event.action in READ_ACTIONS


def denials_in(municipality_id: int) -> QuerySet[AuditEvent]:
    """Refused accesses of the municipality's own users, newest first."""
    return (
        AuditEvent.objects.filter(action=Action.ACCESS_DENIED, municipality_id=municipality_id)
        .select_related("actor")
        .order_by("-seq")
    )


def denial_counts(municipality_id: int, hours: int = 24) -> list[dict[str, Any]]:
    """Who was refused most in the last ``hours``."""
    since = timezone.now() - datetime.timedelta(hours=hours)
    rows = (
        AuditEvent.objects.filter(
            action=Action.ACCESS_DENIED, municipality_id=municipality_id, occurred_at__gte=since, actor__isnull=False
        )
        .values("actor")
        .annotate(n=Count("seq"))
        .order_by("-n")[:10]
    )
    users = User.objects.in_bulk([r["actor"] for r in rows])
    return [{"user": users.get(r["actor"]), "count": r["n"]} for r in rows]


def alerts_in(municipality_id: int) -> QuerySet[SecurityAlert]:
    return SecurityAlert.objects.filter(municipality_id=municipality_id).select_related("actor")


def role_change_units(user: User) -> list[Unit]:
    """The units whose role changes the user sees: every unit of the municipality for an administrator, the units
    they lead for a leader."""
    units = Unit.objects.filter(municipality_id=user.municipality_id or 0).order_by("name")
    if is_administrator(user):
        return list(units)
    return list(units.filter(pk__in=unit_ids_with_role(user, Role.LEADER)))


def role_change_events(municipality_id: int, units: list[Unit]) -> QuerySet[AuditEvent]:
    """Roles given and taken away in ``units``, newest first (events before the unit id was recorded are matched
    by the unit's name)."""
    in_units = Q(details__unit_id__in=[str(u.public_id) for u in units]) | Q(
        details__unit_id__isnull=True, details__unit__in=[u.name for u in units]
    )
    return (
        AuditEvent.objects.filter(
            municipality_id=municipality_id, action__in=[Action.MEMBERSHIP_ADD, Action.MEMBERSHIP_REMOVE]
        )
        .filter(in_units)
        .select_related("actor")
        .order_by("-seq")
    )


def user_names(public_ids: list[str]) -> dict[str, str]:
    """Full names of the users with these public ids (the people whose roles changed)."""
    users = User.objects.filter(public_id__in=[p for p in public_ids if p]).only("public_id", "first_name", "last_name")
    return {str(u.public_id): u.get_full_name() or u.username for u in users}
