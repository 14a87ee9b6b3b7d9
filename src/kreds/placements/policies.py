"""Who may see and decide a placement in the network and the contact plan (registered with kreds.authz)."""

from __future__ import annotations

from typing import Any

from kreds.authz.policies import Permission, Policy, register
from kreds.cases.policies import can_see_case, edits_case


def _edits_open_case(user: Any, case: Any) -> bool:
    return edits_case(user, case) and case.is_open


register(
    Policy(
        app="placements",
        actions={
            "placement.view": Permission(
                "see the exploration of the network before a placement, the decision and the contact plan",
                can_see_case,
            ),
            "placement.edit": Permission(
                "explore the network, assess candidates, record the placement decision and the contact plan",
                _edits_open_case,
            ),
        },
    )
)
