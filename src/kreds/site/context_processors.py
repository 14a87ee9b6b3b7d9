"""What every page's template needs: demo mode, the municipality, and the navigation the user may use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kreds.accounts.constants import Role
from kreds.accounts.middleware import two_factor_required
from kreds.authz.policies import can, has_role


def kreds(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    municipality = getattr(user, "municipality", None) if user is not None and user.is_authenticated else None
    nav: list[tuple[str, str]] = []
    show_nav = False
    if user is not None and user.is_authenticated and not two_factor_required(request):
        show_nav = True

        if can(user, "case.list"):
            nav.append(("cases:my_cases", "cases"))
        if has_role(user, Role.CASEWORKER, Role.FACILITATOR, Role.LEADER, Role.PRACTITIONER):
            nav.append(("meetings:mine", "meetings"))
        if can(user, "conference.service"):
            nav.append(("conferences:queue", "conferences"))
        if can(user, "plan.unit_deadlines"):
            nav.append(("deadlines:list", "deadlines"))
        if has_role(user, Role.LEADER):
            nav.append(("insights:index", "insights"))
        if can(user, "admin.manage_users"):
            nav.append(("accounts:user_list", "admin"))
        if can(user, "admin.manage_settings"):
            nav.append(("network_settings:sectors", "settings"))
        if can(user, "admin.security"):
            nav.append(("audit:security", "security"))
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "current_municipality": municipality,
        "nav_items": [name for _, name in nav],
        "show_nav": show_nav,
    }
