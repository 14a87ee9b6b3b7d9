"""Who may see and change the Signs of Safety work on a case (rules on the case, registered with kreds.authz)."""

from __future__ import annotations

from kreds.authz.policies import Permission, Policy, register
from kreds.cases.policies import can_see_case, edits_case, works_on_case

register(
    Policy(
        app="safety",
        actions={
            "safety.view": Permission("see the Signs of Safety mapping, scaling and safety plan", can_see_case),
            "safety.edit": Permission(
                "save a new mapping version (not its worries), record scaling, change the safety plan", works_on_case
            ),
            "safety.edit_worries": Permission(
                "write the worry basis and the worry statements (the authority)", edits_case
            ),
        },
    )
)
