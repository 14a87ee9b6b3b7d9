"""All reads of cases start from the authorization scope. Reads of a case are audit-logged here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.authz.policies import visible_cases
from kreds.cases.constants import LegalBasis
from kreds.cases.models import Case, CaseAssignment
from kreds.core.crypto import CPR_RE, cpr_blind_index


@dataclass
class CaseFilter:
    text: str = ""
    status: str = "open"
    unit: str = ""
    basis: str = ""
    mine_only: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def case_list(user: User, flt: CaseFilter) -> QuerySet[Case]:
    qs = (
        visible_cases(user)
        .select_related("child", "responsible_unit")
        .prefetch_related(Prefetch("assignments", queryset=CaseAssignment.objects.select_related("user")))
    )
    if flt.mine_only:
        qs = qs.filter(assignments__user=user)
    if flt.status in {"open", "closed"}:
        qs = qs.filter(status=flt.status)
    if flt.unit:
        qs = qs.filter(responsible_unit__public_id=flt.unit)
    if flt.basis in LegalBasis.values:
        qs = qs.filter(**{flt.basis: True})
    text = flt.text.strip()
    if text:
        compact = text.replace(" ", "")
        if CPR_RE.match(compact):
            qs = qs.filter(child__cpr_index=cpr_blind_index(compact))
        else:
            for word in text.split()[:5]:
                qs = qs.filter(
                    Q(child__first_name__icontains=word)
                    | Q(child__last_name__icontains=word)
                    | Q(external_ref__icontains=word)
                )
    return qs.order_by("-opened_on", "-id").distinct()


def get_case(user: User, public_id: UUID | str) -> Case:
    """The case if the user may see it, else 404 (a foreign object is indistinguishable from a missing one)."""
    try:
        return visible_cases(user).select_related("child", "responsible_unit", "municipality").get(public_id=public_id)
    except (Case.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def get_case_for_reading(user: User, public_id: UUID | str, purpose: Purpose = Purpose.CASEWORK) -> Case:
    """As :func:`get_case`, and the read is audit-logged with its purpose."""
    case = get_case(user, public_id)
    record(
        Action.CASE_VIEW,
        actor=user,
        municipality=case.municipality,
        object_type="case",
        object_id=str(case.public_id),
        person_concerned=str(case.child.public_id),
        purpose=purpose,
    )
    return case


def audit_search(user: User, flt: CaseFilter, result_count: int) -> None:
    text = flt.text.strip()
    is_cpr = bool(CPR_RE.match(text.replace(" ", "")))
    record(
        Action.CASE_SEARCH,
        actor=user,
        purpose=Purpose.CASEWORK,
        details={
            "criterion": "[CPR]" if is_cpr else text[:100],
            "status": flt.status,
            "results": result_count,
        },
    )
