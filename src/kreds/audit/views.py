from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kreds.accounts.constants import CASE_CONTENT_ROLES, Role
from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.selectors import (
    alerts_in,
    denial_counts,
    denials_in,
    role_change_events,
    role_change_units,
    user_names,
)
from kreds.audit.services import record
from kreds.authz.access import deny
from kreds.authz.policies import can, is_administrator


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
