"""The family group conference panel on the case overview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.conferences import selectors
from kreds.conferences.constants import OPEN_STATUSES


@register("conferences", "conferences/panel.html", order=35)
def conferences_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    conferences = list(selectors.conferences_for_case(case)[:5])
    return {
        "case": case,
        "conferences": conferences,
        "can_refer": can(request.user, "conference.refer", case)
        and not any(c.status in OPEN_STATUSES for c in conferences),
    }
