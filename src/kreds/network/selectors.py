"""Reads of the network map: as of a moment, comparisons and size over time (all derived from versions)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from kreds.cases.models import Case
from kreds.network.models import NetworkPersonVersion, PersonRelationVersion


def _valid_at(at: datetime.datetime) -> Q:
    return Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=at))


def persons_as_of(case: Case, at: datetime.datetime | None = None) -> list[NetworkPersonVersion]:
    """The persons on the map at ``at`` (now by default): one query, whatever the map's size."""
    when = at or timezone.now()
    return list(
        NetworkPersonVersion.objects.filter(_valid_at(when), person__map__case=case, removed=False)
        .select_related("sector", "person")
        .order_by("sector__order", "ring", "name")
    )


def relations_as_of(case: Case, at: datetime.datetime | None = None) -> list[PersonRelationVersion]:
    when = at or timezone.now()
    return list(
        PersonRelationVersion.objects.filter(_valid_at(when), relation__map__case=case, removed=False).select_related(
            "relation"
        )
    )


@dataclass(frozen=True)
class Change:
    kind: str  # joined | left | closer | further | sector | quality | safe_adult
    person_id: str
    name: str
    before: str = ""
    after: str = ""


def compare(case: Case, first: datetime.datetime, second: datetime.datetime) -> list[Change]:
    """What changed on the map between two moments (DOMAIN §3: who joined, who left, who moved closer)."""
    before = {str(v.person.public_id): v for v in persons_as_of(case, first)}
    after = {str(v.person.public_id): v for v in persons_as_of(case, second)}
    changes: list[Change] = [Change("joined", pid, after[pid].name) for pid in after.keys() - before.keys()]
    changes.extend(Change("left", pid, before[pid].name) for pid in before.keys() - after.keys())
    for pid in before.keys() & after.keys():
        old, new = before[pid], after[pid]
        if new.ring < old.ring:
            changes.append(Change("closer", pid, new.name, str(old.ring), str(new.ring)))
        elif new.ring > old.ring:
            changes.append(Change("further", pid, new.name, str(old.ring), str(new.ring)))
        if new.sector_id != old.sector_id:
            changes.append(Change("sector", pid, new.name, old.sector.name, new.sector.name))
        if new.quality != old.quality:
            changes.append(Change("quality", pid, new.name, old.quality, new.quality))
        if new.safe_adult != old.safe_adult:
            changes.append(Change("safe_adult", pid, new.name, str(old.safe_adult), str(new.safe_adult)))
    return sorted(changes, key=lambda c: (c.kind, c.name))


def size_per_sector_over_time(case: Case) -> list[tuple[datetime.datetime, dict[str, int]]]:
    """Network size per sector at every moment it changed; computed from the versions, never stored."""
    versions = list(
        NetworkPersonVersion.objects.filter(person__map__case=case).select_related("sector").order_by("valid_from")
    )
    instants = sorted({v.valid_from for v in versions} | {v.valid_to for v in versions if v.valid_to})
    series = []
    for instant in instants:
        counts: Counter[str] = Counter(
            v.sector.key
            for v in versions
            if not v.removed and v.valid_from <= instant and (v.valid_to is None or v.valid_to > instant)
        )
        series.append((instant, dict(counts)))
    return series


def map_drawing(case: Case, at: datetime.datetime | None = None) -> dict[str, object]:
    """Everything the SVG template needs (two queries for persons/relations, one for sectors)."""
    from kreds.core.text import xml_text
    from kreds.network.layout import CENTRE_RADIUS, RING_EDGES, SIZE, layout, ring_band
    from kreds.network.models import Sector

    versions = persons_as_of(case, at)
    sectors = list(Sector.objects.filter(municipality_id=case.municipality_id, active=True).order_by("order", "id"))
    geometry, nodes = layout(
        [
            {
                "person_id": str(v.person.public_id),
                "name": xml_text(v.name),
                "relation": xml_text(v.relation),
                "sector_key": v.sector.key,
                "ring": v.ring,
                "quality": v.quality,
                "safe_adult": v.safe_adult,
                "professional": v.is_professional,
            }
            for v in versions
        ],
        [{"key": s.key, "name": xml_text(s.name), "colour": s.colour} for s in sectors],
    )
    by_id = {n.person_id: n for n in nodes}
    pk_to_public = {v.person_id: str(v.person.public_id) for v in versions}
    lines = []
    for rel in relations_as_of(case, at):
        a, b = pk_to_public.get(rel.relation.a_id), pk_to_public.get(rel.relation.b_id)
        if a in by_id and b in by_id:
            lines.append({"a": by_id[a], "b": by_id[b], "kind": rel.kind})
    return {
        "size": SIZE,
        "half": SIZE // 2,
        # Wider than tall: long sector names left and right of the circle must not be cut off.
        "width": SIZE + 600,
        "x0": -(SIZE + 600) // 2,
        "centre_radius": CENTRE_RADIUS,
        "rings": [int(ring_band(r)[1]) for r in (1, 2, 3)],
        "ring_edges": ",".join(str(e) for e in RING_EDGES),
        "sectors": geometry,
        "nodes": nodes,
        "lines": lines,
        "child_name": xml_text(case.child.first_name),
        "versions": versions,
    }
