"""Who may see a unit's leadership figures (rules on the unit, registered with kreds.authz)."""

from __future__ import annotations

from typing import Any

from kreds.accounts.constants import Role
from kreds.authz.policies import Permission, Policy, register
from kreds.authz.roles import unit_ids_with_role


def _leads_unit(user: Any, unit: Any) -> bool:
    return unit is not None and unit.pk in unit_ids_with_role(user, Role.LEADER)


register(
    Policy(
        app="insights",
        actions={
            "insights.view": Permission(
                "see a unit's leadership figures, their drill-down and the per-caseworker breakdown", _leads_unit
            ),
            "insights.export": Permission("export a unit's leadership figures as CSV or XLSX", _leads_unit),
        },
    )
)
