from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kreds.accounts.constants import CASE_CONTENT_ROLES, Role
from kreds.accounts.models import User
from kreds.audit.constants import READ_ACTIONS, Action, Purpose
from kreds.audit.selectors import (
    alerts_in,
    case_access_log,
    denial_counts,
    denials_in,
    role_change_events,
    role_change_units,
    user_names,
)
from kreds.audit.services import record
from kreds.authz.policies import can, is_administrator
from kreds.cases.selectors import get_case
from kreds.core.viewhelpers import deny


@login_required
def case_access_log_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Who has looked at or changed this case (for the unit's leader)."""
    user: User = request.user  # type: ignore[assignment]
    case = get_case(user, public_id)
    if not can(user, "case.view_access_log", case):
        raise deny(request, "case.view_access_log", object_type="case", object_id=str(case.public_id))
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


def _staff_page(request: HttpRequest, action: str, object_id: str) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not can(user, action):
        raise deny(request, action, object_type="audit", object_id=object_id)
    return user


@login_required
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    """The municipality's refused accesses (its own users'), newest first, and the alerts sent about bursts."""
    user = _staff_page(request, "admin.security", "security")
    record(Action.SECURITY_LOG_VIEW, actor=user, purpose=Purpose.SECURITY)
    denials = denials_in(user.municipality_id or 0)
    page = Paginator(denials, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "audit/security.html",
        {
            "page": page,
            "top": denial_counts(user.municipality_id or 0),
            "alerts": alerts_in(user.municipality_id or 0)[:10],
            "burst": settings.AUTHZ_DENIAL_BURST,
            "burst_minutes": settings.AUTHZ_DENIAL_BURST_MINUTES,
        },
    )


@login_required
@require_GET
def role_changes(request: HttpRequest) -> HttpResponse:
    """Who was given or lost a role, by whom and when: a leader sees their units, an administrator all units."""
    user = _staff_page(request, "audit.role_changes", "role_changes")
    record(Action.SECURITY_LOG_VIEW, actor=user, purpose=Purpose.SUPERVISION, details={"view": "role_changes"})
    units = role_change_units(user)
    page = Paginator(role_change_events(user.municipality_id or 0, units), 50).get_page(request.GET.get("side"))
    names = user_names([e.object_id for e in page])
    rows = [
        {
            "event": e,
            "given": e.action == Action.MEMBERSHIP_ADD,
            "who": names.get(e.object_id, "–"),
            "role": _role_label(e.details.get("role", "")),
            "content": bool(e.details.get("sees_case_content", e.details.get("role") in CASE_CONTENT_ROLES)),
            "unit": e.details.get("unit", ""),
        }
        for e in page
    ]
    return render(
        request,
        "audit/role_changes.html",
        {
            "page": page,
            "rows": rows,
            "unit_names": ", ".join(u.name for u in units),
            "unit_count": len(units),
            "all_units": is_administrator(user),
        },
    )


def _role_label(value: str) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return value
