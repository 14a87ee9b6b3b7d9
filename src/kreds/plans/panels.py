"""The plan, who does what, and the legal deadlines on the case overview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.plans import selectors


@register("plans", "plans/panel.html", order=8)
def plans_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    open_count, overdue_count = selectors.task_counts(case)
    header = selectors.plan_header(case)
    return {
        "case": case,
        "plan": header,
        "clocks": selectors.case_clocks(case, header=header),
        "open_count": open_count,
        "overdue_count": overdue_count,
    }
