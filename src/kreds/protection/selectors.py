"""Reading protections for the case's screens."""

from __future__ import annotations

from dataclasses import dataclass

from kreds.cases.models import Case
from kreds.network.models import NetworkPersonVersion
from kreds.network.selectors import persons_as_of
from kreds.protection.models import Protection


@dataclass(frozen=True)
class Row:
    protection: Protection
    whose: str
    barred: list[str]


def map_people(case: Case) -> dict[int, NetworkPersonVersion]:
    """The people on the map now, by person id (one query)."""
    return {v.person_id: v for v in persons_as_of(case)}


def label(version: NetworkPersonVersion) -> str:
    return f"{version.name} ({version.relation})" if version.relation else version.name


def rows(case: Case, *, active: bool = True) -> list[Row]:
    people = map_people(case)
    found = (
        Protection.objects.filter(case=case, ended_at__isnull=active)
        .select_related("recorded_by", "ended_by", "changed_by")
        .prefetch_related("must_not_learn")
        .order_by("-created_at")
    )
    out = []
    for p in found:
        whose = (
            case.child.full_name
            if p.person_id is None
            else (label(people[p.person_id]) if p.person_id in people else "—")
        )
        barred = [label(people[m.pk]) for m in p.must_not_learn.all() if m.pk in people]
        out.append(Row(p, whose, barred))
    return out
