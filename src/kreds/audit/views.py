from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kreds.accounts.models import User
from kreds.audit.constants import READ_ACTIONS, Action, Purpose
from kreds.audit.selectors import case_access_log
from kreds.audit.services import record
from kreds.authz.policies import can
from kreds.cases.selectors import get_case


@login_required
def case_access_log_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Who has looked at or changed this case (for the unit's leader)."""
    user: User = request.user  # type: ignore[assignment]
    case = get_case(user, public_id)
    if not can(user, "case.view_access_log", case):
        record(
            Action.ACCESS_DENIED,
            actor=user,
            object_type="case",
            object_id=str(case.public_id),
            details={"policy": "case.view_access_log"},
        )
        raise Http404
    record(
        Action.ACCESS_LOG_VIEW,
        actor=user,
        municipality=case.municipality,
        object_type="case",
        object_id=str(case.public_id),
        person_concerned=str(case.child.public_id),
        purpose=Purpose.SUPERVISION,
    )
    only_reads = request.GET.get("vis") == "laesninger"
    events = case_access_log(case)
    if only_reads:
        events = events.filter(action__in=[str(a) for a in READ_ACTIONS])
    page = Paginator(events, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "audit/case_access_log.html",
        {
            "case": case,
            "page": page,
            "only_reads": only_reads,
            "read_actions": {str(a) for a in READ_ACTIONS},
            "page_query": "&vis=laesninger" if only_reads else "",
        },
    )
