"""The meetings panel on the case overview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.meetings import selectors


@register("meetings", "meetings/panel.html", order=30)
def meetings_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    meetings = list(selectors.meetings_for_case(case)[:5])
    agreements = selectors.open_agreements(case)
    return {
        "case": case,
        "meetings": meetings,
        "open_agreements": agreements[:5],
        "open_agreement_count": len(agreements),
        "can_plan": can(request.user, "meeting.plan", case),
    }
