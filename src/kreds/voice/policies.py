"""Who may see and record the child's voice (rules on the case, registered with kreds.authz)."""

from __future__ import annotations

from kreds.authz.policies import Permission, Policy, register
from kreds.cases.policies import can_see_case, works_on_case

register(
    Policy(
        app="voice",
        actions={
            "voice.view": Permission(
                "see the child's voice: Three Houses, the child's answers, Words & Pictures", can_see_case
            ),
            "voice.edit": Permission(
                "record the child's voice, review the child's answers, issue the child's link", works_on_case
            ),
        },
    )
)
