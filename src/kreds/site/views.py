"""The front door: where a signed-in user starts, by what they may do."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kreds.accounts.constants import Role
from kreds.authz.policies import can, has_role


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        if can(request.user, "case.list"):
            return redirect("cases:my_cases")
        if can(request.user, "admin.manage_users"):
            return redirect("accounts:user_list")
        if has_role(request.user, Role.FACILITATOR):
            return redirect("meetings:mine")
        return render(request, "core/no_role.html")
    return redirect(settings.LOGIN_URL)
