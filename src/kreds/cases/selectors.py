"""All reads of cases start from the authorization scope. Searches are audit-logged here (a case's own page logs
its read through ``kreds.authz.access``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.cases.constants import LegalBasis
from kreds.cases.models import Case, CaseAssignment, Child
from kreds.cases.policies import hidden_restricted, visible_cases
from kreds.core.crypto import CPR_RE, cpr_blind_index


@dataclass
class CaseFilter:
    text: str = ""
    cpr_index: str = ""  # a search for a CPR number, by its blind index (the number itself is never kept)
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
    restricted = user.municipality is not None and user.municipality.restrictions_in_force
    # A restricted case the user may not open is listed as "Begrænset sag" (the reader's guard keeps its name and
    # journal number out); the list leaves out its other details too (issue 18).
    closed = Exists(hidden_restricted(user).filter(case_id=OuterRef("pk"))) if restricted else Value(False)
    qs = qs.annotate(kreds_closed=closed)
    if (flt.cpr_index or text) and restricted:
        # A search never finds a restricted case the user may not open (issue 18): the hit alone would say that
        # the searched child has a case here.
        qs = qs.exclude(pk__in=hidden_restricted(user).values("case_id"))
    if flt.cpr_index:
        qs = qs.filter(child__cpr_index=flt.cpr_index)
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


def with_unread_answers(qs: QuerySet[Case]) -> QuerySet[Case]:
    """``unread_answers`` on each case: the child's answers from their own page that nobody has read yet (the same
    count the case overview flags, ``voice.selectors.unreviewed_count``). One subquery in the list's own query, so
    the list costs the same number of queries for 1 case as for 25."""
    # Voice builds on cases (a layer above it): importing it here at module level would point the layers upwards.
    from kreds.voice.models import ChildInput

    unread = (
        ChildInput.objects.filter(case=OuterRef("pk"), reviewed_at__isnull=True)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(unread_answers=Coalesce(Subquery(unread, output_field=IntegerField()), 0))


@dataclass
class SiblingCase:
    public_id: Any


@dataclass
class Sibling:
    child: Any
    case: SiblingCase | None  # the sibling's case the viewer may open; None: the viewer sees no case of the sibling


def siblings_for(user: User, child: Any) -> list[Sibling]:
    """The child's linked siblings. A sibling's name is shown only to someone who may see one of the sibling's
    cases: that a child has a case in the municipality is itself personal data (DOMAIN §12, "never reveal a
    child's identity to someone without access to that case")."""
    visible = visible_cases(user).filter(child=OuterRef("pk")).order_by("status", "-opened_on").values("public_id")
    siblings = child.siblings.annotate(visible_case=Subquery(visible[:1])).order_by("first_name", "last_name")
    return [Sibling(s, SiblingCase(s.visible_case) if s.visible_case else None) for s in siblings]


def cpr_conflict(user: User, cpr: str, child: Any = None) -> str:
    """Why ``cpr`` cannot be recorded for ``child`` (a new child when None): another child of the municipality has
    it. The reason names that child only to someone who may see one of its cases; anyone else is told whom to ask
    and the attempt is an ``authz.denied`` event, so trying numbers shows on the security page. '' when free."""
    compact = (cpr or "").replace(" ", "")
    if not compact or not CPR_RE.match(compact) or user.municipality_id is None:
        return ""
    others = Child.objects.filter(municipality_id=user.municipality_id, cpr_index=cpr_blind_index(compact))
    if child is not None:
        others = others.exclude(pk=child.pk)
    other = others.first()
    if other is None:
        return ""
    case = visible_cases(user).filter(child=other).order_by("status", "-opened_on").first()
    if case is not None:
        return _(
            "%(name)s already has this CPR number in Kreds (case %(ref)s). Open that case, or reopen it if it is "
            "closed, instead of recording the child again."
        ) % {"name": other.full_name, "ref": case.external_ref or case.opened_on.strftime("%d.%m.%Y")}
    record(
        Action.ACCESS_DENIED,
        actor=user,
        object_type="child",
        object_id=str(other.public_id),
        person_concerned=str(other.public_id),
        purpose=Purpose.CASEWORK,
        details={
            "policy": "cpr.unique",
            "reason": "the CPR number is another child's, whose cases the user may not see",
        },
    )
    return _(
        "A child with this CPR number already has a case in the municipality, and you do not have access to it. "
        "Ask your leader to find out who has the case; they can assign you to it or refer it to your unit."
    )


def audit_search(user: User, flt: CaseFilter, result_count: int) -> None:
    text = flt.text.strip()
    is_cpr = bool(flt.cpr_index) or bool(CPR_RE.match(text.replace(" ", "")))
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
