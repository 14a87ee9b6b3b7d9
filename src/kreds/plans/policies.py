"""Who may see and change the child's plan, the agreements and the deadlines (registered with kreds.authz)."""

from __future__ import annotations

from kreds.accounts.constants import Role
from kreds.authz.policies import Permission, Policy, register
from kreds.authz.roles import has_role
from kreds.cases.policies import can_see_case, edits_case, works_on_case

register(
    Policy(
        app="plans",
        actions={
            "plan.view": Permission("see the child's plan, the agreement list and the legal deadlines", can_see_case),
            "plan.edit": Permission("make and change the child's plan (the authority)", edits_case),
            "plan.contribute": Permission(
                "update the status of tasks and send a network person their list", works_on_case
            ),
            "plan.unit_deadlines": Permission(
                "see the legal deadlines of the unit's cases", lambda u, o: has_role(u, Role.LEADER, Role.CASEWORKER)
            ),
        },
    )
)
