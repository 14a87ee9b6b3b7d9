"""The case's access log: every audit event about the case or its child. It lives with cases, not in the shared
``audit`` layer, because it needs to know what a case is (the layers contract: shared layers import no domain)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kreds.audit.constants import READ_ACTIONS
from kreds.audit.models import AuditEvent
from kreds.cases.models import Case


def case_access_log(case: Case, *, only_reads: bool = False) -> QuerySet[AuditEvent]:
    """Every event about this case or its child, newest first (reads and changes; only reads if asked)."""
    events = (
        AuditEvent.objects.filter(municipality_id=case.municipality_id)
        .filter(Q(object_type="case", object_id=str(case.public_id)) | Q(person_concerned=str(case.child.public_id)))
        .select_related("actor")
        .order_by("-seq")
    )
    if only_reads:
        events = events.filter(action__in=[str(a) for a in READ_ACTIONS])
    return events
