"""The placement panel on the case overview: search the network first (one query)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.placements.constants import SUSPENSION_WARN_DAYS, CandidateStatus
from kreds.placements.models import Candidate, ContactArrangement, Exploration, Placement, Suspension


def _count(qs: Any) -> Subquery:
    return Subquery(qs.order_by().annotate(n=Func("id", function="COUNT")).values("n")[:1], output_field=IntegerField())


@register("placements", "placements/panel.html", order=45)
def placement_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    today = timezone.localdate()
    open_candidates = Candidate.objects.filter(exploration__case=OuterRef("pk"), exploration__closed_on__isnull=True)
    latest = Placement.objects.filter(case=OuterRef("pk")).order_by("-decided_on", "-id")
    facts = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            exploration_started_on=Subquery(
                Exploration.objects.filter(case=OuterRef("pk"), closed_on__isnull=True).values("started_on")[:1]
            ),
            candidates=_count(open_candidates.values("exploration")),
            approved=_count(open_candidates.filter(status=CandidateStatus.APPROVED).values("exploration")),
            placement_on=Subquery(latest.values("starts_on")[:1]),
            placement_in_network=Subquery(latest.values("in_network")[:1]),
            contact_count=_count(ContactArrangement.objects.filter(case=OuterRef("pk")).values("case")),
            # A suspension at the child's request that ends within a week: plan how contact starts again.
            suspension_ends_on=Subquery(
                Suspension.objects.filter(
                    contact__case=OuterRef("pk"),
                    starts_on__lte=today,
                    ends_on__gte=today,
                    ends_on__lte=today + datetime.timedelta(days=SUSPENSION_WARN_DAYS),
                    ended_early_on__isnull=True,
                )
                .order_by("ends_on")
                .values("ends_on")[:1]
            ),
        )
        .values(
            "exploration_started_on",
            "candidates",
            "approved",
            "placement_on",
            "placement_in_network",
            "contact_count",
            "suspension_ends_on",
        )
        .get()
    )
    return {"case": case, "can_edit": can(request.user, "placement.edit", case), **facts}
