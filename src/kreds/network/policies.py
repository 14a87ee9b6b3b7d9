"""Who may see and change a child's network map (rules on the case, registered with kreds.authz)."""

from __future__ import annotations

from kreds.authz.policies import Permission, Policy, register
from kreds.cases.policies import can_see_case, works_on_case

register(
    Policy(
        app="network",
        actions={
            "network.view": Permission("see the child's network map, its history and consents", can_see_case),
            "network.edit": Permission("change the network map and record consents", works_on_case),
        },
    )
)
