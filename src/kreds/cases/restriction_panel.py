"""The restriction on the case overview (issue 18): who may open a restricted case, and who broke the glass."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.authz.policies import can
from kreds.cases import services
from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.cases.policies import edits_case


@register("restriction", "cases/_restriction_panel.html", order=2)
def restriction_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    may_restrict = can(request.user, "case.restrict", case)
    # Nothing restricted in the municipality: nothing to read (only the way to restrict is shown).
    if not case.municipality.restrictions_in_force:
        return {"case": case, "restriction": None, "may_restrict": may_restrict} if may_restrict else None
    restriction = services.restriction_in_force(case)
    if restriction is None and not may_restrict:
        return None
    return {
        "case": case,
        "restriction": restriction,
        "may_restrict": may_restrict,
        # Who broke the glass is shown to the case's caseworkers and the leader (edits_case), not to everyone named.
        "glasses": services.break_glass_history(case) if restriction and edits_case(request.user, case) else [],
    }
