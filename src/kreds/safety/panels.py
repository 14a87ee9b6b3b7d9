"""The Signs of Safety panel on the case overview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.safety import selectors


@register("safety", "safety/panel.html", order=40)
def safety_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    mapping = selectors.mapping(case)
    return {
        "case": case,
        "mapping": mapping,
        "statement_count": len(mapping.statements.all()) if mapping else 0,
        "rule_count": len(selectors.rules(case)),
        "can_edit": can(request.user, "safety.edit", case),
    }
