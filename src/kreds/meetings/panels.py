"""The meetings panel on the case overview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.meetings import selectors
from kreds.meetings.models import Agreement, Meeting


@register("meetings", "meetings/panel.html", order=30)
def meetings_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    # The panel shows the five latest meetings and the number of open agreements: no counts per meeting, no
    # agreement rows (the case's meeting list has those).
    meetings = list(Meeting.objects.filter(case=case).order_by("-starts_at", "-id")[:5])
    return {
        "case": case,
        "meetings": meetings,
        "open_agreement_count": Agreement.objects.filter(case=case, status__in=selectors.OPEN).count(),
        "can_plan": can(request.user, "meeting.plan", case),
    }
