"""Protections on the case overview: shown to those who may see them, first of all panels when there are any."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kreds.authz.policies import can
from kreds.cases import archive
from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.protection.disclosure import in_force
from kreds.protection.models import Protection


@register("protection", "protection/panel.html", order=1)
def protection_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    if not can(request.user, "protection.view", case):
        return None
    return {"case": case, "active": in_force(case.pk)}


@archive.register_facts
def archive_facts(case: Case) -> dict[str, object]:
    """The archive extract says whether it holds protected details (issue 18): staff who may export the case see
    everything, so the archive must know what it received and treat it accordingly."""
    found = list(Protection.objects.filter(case=case).select_related("person").order_by("created_at"))
    return {
        "protected_data": {
            "contains_protected_data": bool(found),
            "note": _(
                "The extract holds protected details (an address, contact details or whereabouts). They must never "
                "be given to the persons listed as must not learn them."
            )
            if found
            else "",
            "protections": [
                {
                    "person": str(p.person.public_id) if p.person else "barnet",
                    "details": p.details(),
                    "reason": p.reason,
                    "recorded_at": p.created_at.isoformat(),
                    "ended_at": p.ended_at.isoformat() if p.ended_at else None,
                    "must_not_learn": [str(m.public_id) for m in p.must_not_learn.all()],
                }
                for p in found
            ],
        }
    }
