"""Who may see, plan, run and minute a network meeting (rules on the meeting, registered with kreds.authz)."""

from __future__ import annotations

from typing import Any

from kreds.authz.policies import Permission, Policy, register
from kreds.authz.roles import staff
from kreds.cases.policies import can_see_case, edits_case, shut_out, works_on_case
from kreds.meetings.models import Meeting


def leads_meeting(user: Any, meeting: Any) -> bool:
    """The meeting's facilitator or minute taker (not on a restricted case they are not named on)."""
    member = staff(user)
    return (
        member is not None
        and member.pk in (meeting.facilitator_id, meeting.minute_taker_id)
        and not shut_out(member, meeting.case_id)
    )


def _plans(user: Any, obj: Any) -> bool:
    if getattr(obj, "is_fgc", False):  # the coordinator prepares and invites to a conference
        return leads_meeting(user, obj)
    return works_on_case(user, getattr(obj, "case", obj))  # a meeting, or the case a new meeting is for


register(
    Policy(
        app="meetings",
        model=Meeting,
        actions={
            "meeting.view": Permission(
                "see a network meeting, its participants, minutes and evaluations",
                lambda u, m: can_see_case(u, m.case) or leads_meeting(u, m),
            ),
            "meeting.plan": Permission("plan a network meeting, choose participants and send invitations", _plans),
            "meeting.run": Permission(
                "run the meeting as facilitator or minute taker: phases, speaking order, attendance, agreements",
                leads_meeting,
            ),
            "meeting.minutes": Permission(
                "approve and send the minutes, and update agreements",
                lambda u, m: leads_meeting(u, m) or works_on_case(u, m.case),
            ),
            "meeting.journalise": Permission(
                "export the minutes to the municipality's records system and mark them journalised",
                lambda u, m: edits_case(u, m.case),
            ),
        },
    )
)
