"""The plan, who does what, and the legal deadlines on the case overview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.plans import selectors


@register("plans", "plans/panel.html", order=8)
def plans_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    rows = selectors.tasks(case)
    return {
        "case": case,
        "plan": selectors.plan(case),
        "clocks": selectors.case_clocks(case),
        "open_count": sum(1 for t in rows if t.is_open),
        "overdue_count": sum(1 for t in rows if t.overdue),
    }
