from __future__ import annotations

from django.db.models import QuerySet

from kreds.audit.constants import READ_ACTIONS
from kreds.audit.models import AuditEvent
from kreds.cases.models import Case


def case_access_log(case: Case) -> QuerySet[AuditEvent]:
    """Every event about this case or its child, newest first (reads and changes)."""
    from django.db.models import Q

    return (
        AuditEvent.objects.filter(municipality_id=case.municipality_id)
        .filter(Q(object_type="case", object_id=str(case.public_id)) | Q(person_concerned=str(case.child.public_id)))
        .select_related("actor")
        .order_by("-seq")
    )


def is_read(event: AuditEvent) -> bool:
    return event.action in READ_ACTIONS
