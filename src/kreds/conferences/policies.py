"""Who may refer, allocate, prepare, run and decide a family group conference (registered with kreds.authz)."""

from __future__ import annotations

from typing import Any

from kreds.accounts.constants import Role
from kreds.authz.policies import Permission, Policy, register
from kreds.authz.roles import has_role
from kreds.cases.policies import can_see_case, edits_case, shut_out, works_on_case
from kreds.conferences.models import Conference


def _coordinates(user: Any, conference: Any) -> bool:
    """The conference's coordinator (not on a restricted case they are not named on)."""
    return bool(user.pk == conference.coordinator_id) and not shut_out(user, conference.case_id)


def _service(user: Any, obj: Any) -> bool:
    return has_role(user, Role.FACILITATOR, Role.LEADER)


def _coordinates_or_edits(user: Any, conference: Any) -> bool:
    return _coordinates(user, conference) or edits_case(user, conference.case)


register(
    Policy(
        app="conferences",
        model=Conference,
        actions={
            "conference.refer": Permission(
                "refer a case to a family group conference", lambda u, case: works_on_case(u, case) and case.is_open
            ),
            "conference.service": Permission("see the FGC service's queue and figures", _service),
            "conference.allocate": Permission("allocate a coordinator to a referred family group conference", _service),
            "conference.view": Permission(
                "see a family group conference and its referral",
                lambda u, c: _coordinates(u, c) or can_see_case(u, c.case),
            ),
            "conference.edit_referral": Permission(
                "change the referral, withdraw the conference, record well-being at referral",
                lambda u, c: edits_case(u, c.case),
            ),
            "conference.prepare": Permission(
                "prepare the conference as its coordinator: pre-meeting, invitees, date and place", _coordinates
            ),
            "conference.run": Permission("run the conference and its follow-ups as coordinator", _coordinates),
            "conference.approve": Permission(
                "decide on the items of the family's plan and send the approved plan",
                lambda u, c: edits_case(u, c.case),
            ),
            "conference.costs": Permission("record the costs of a family group conference", _coordinates_or_edits),
            "conference.close": Permission("close a family group conference course", _coordinates_or_edits),
            "conference.follow_up": Permission(
                "move or cancel a planned follow-up conference, or plan a new one after a cancellation",
                _coordinates_or_edits,
            ),
        },
    )
)
