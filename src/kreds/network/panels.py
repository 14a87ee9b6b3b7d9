"""The network panel on the case overview (registered in cases.panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.network.selectors import persons_as_of


@register("network", "network/panel.html", order=10)
def network_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    versions = persons_as_of(case)
    per_sector: dict[str, int] = {}
    for v in versions:
        per_sector[v.sector.name] = per_sector.get(v.sector.name, 0) + 1
    return {
        "case": case,
        "count": len(versions),
        "private": sum(1 for v in versions if not v.is_professional),
        "professional": sum(1 for v in versions if v.is_professional),
        "per_sector": list(per_sector.items()),
        "safe_adults": sum(1 for v in versions if v.safe_adult),
        "interventions": [
            f"{v.intervention} ({v.organisation or v.name})" for v in versions if v.is_professional and v.intervention
        ],
        "updated": max((v.valid_from for v in versions), default=None),
    }
