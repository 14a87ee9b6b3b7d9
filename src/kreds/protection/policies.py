"""Who may see and record protections: those who see protected values (assigned caseworkers, the leader of the
responsible unit); everyone else on the case sees "Beskyttet" (registered with kreds.authz)."""

from __future__ import annotations

from kreds.authz.policies import Permission, Policy, register
from kreds.cases.policies import can_see_case, is_assigned, leads_case_unit


def sees_protected(user: object, case: object) -> bool:
    return can_see_case(user, case) and (is_assigned(user, case) or leads_case_unit(user, case))  # type: ignore[arg-type]


register(
    Policy(
        app="protection",
        actions={
            "protection.view": Permission(
                "see the protected details of people on the case and the protections", sees_protected
            ),
            "protection.manage": Permission("record, change and end protections of people's details", sees_protected),
        },
    )
)
