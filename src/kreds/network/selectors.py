"""Reads of the network map: as of a moment, comparisons and size over time (all derived from versions)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.core.text import xml_text
from kreds.network.layout import (
    CENTRE_RADIUS,
    CHILD_FONT,
    NAME_FONT,
    SCREEN_SCALE,
    fit_text,
    layout,
    relation_line,
    sample,
    spoke,
)
from kreds.network.models import NetworkMap, NetworkPersonVersion, PersonRelationVersion, Sector


def _valid_at(at: datetime.datetime) -> Q:
    return Q(valid_from__lte=at) & (Q(valid_to__isnull=True) | Q(valid_to__gt=at))


def map_of(case: Case) -> NetworkMap:
    """The case's network map as saved, or an empty unsaved one: looking at a case whose map nobody has begun
    writes nothing (the services create the map on the first change)."""
    return NetworkMap.objects.filter(case=case).first() or NetworkMap(case=case)


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


def line_legend() -> list[tuple[object, str]]:
    """A sample of every kind of line with what it means, for the legend on screen and in the PDF."""

    return [
        (sample("supportive"), _("Supportive")),
        (sample("ambivalent"), _("Ambivalent")),
        (sample("conflict"), _("Conflict")),
        (sample("broken"), _("Broken contact")),
        (sample("knows"), _("Know each other (a line between two persons)")),
    ]


def map_drawing(case: Case, at: datetime.datetime | None = None) -> dict[str, object]:
    """Everything the SVG template needs (two queries for persons/relations, one for sectors)."""

    versions = persons_as_of(case, at)
    sectors = list(Sector.objects.filter(municipality_id=case.municipality_id, active=True).order_by("order", "id"))
    drawn = layout(
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
    by_id = {n.person_id: n for n in drawn.nodes}
    pk_to_public = {v.person_id: str(v.person.public_id) for v in versions}
    lines = [spoke(n) for n in drawn.nodes]
    for rel in relations_as_of(case, at):
        a, b = pk_to_public.get(rel.relation.a_id), pk_to_public.get(rel.relation.b_id)
        if a in by_id and b in by_id:
            lines.append(relation_line(rel.kind, by_id[a], by_id[b]))
    size = 2 * drawn.half
    child_name = xml_text(case.child.first_name)
    child_label, child_font = fit_text(child_name, 2 * CENTRE_RADIUS - 16, CHILD_FONT, smallest=15, bold=True)
    return {
        "half": drawn.half,
        "size": size,
        # Shown at SCREEN_SCALE pixels per unit, or smaller on a narrower page (kreds.css: max-width 100 %).
        "px": round(size * SCREEN_SCALE),
        "centre_radius": CENTRE_RADIUS,
        "name_font": NAME_FONT,
        "rings": list(drawn.ring_edges[1:]),
        "ring_edges": ",".join(f"{e:g}" for e in drawn.ring_edges),
        "sectors": drawn.sectors,
        "nodes": drawn.nodes,
        # Conflict and broken contact are drawn after the other lines and the child's circle, so nothing hides them.
        "lines": [line for line in lines if not line.alarm],
        "alarm_lines": [line for line in lines if line.alarm],
        "line_legend": line_legend(),
        "child_name": child_name,
        "child_label": child_label,
        "child_font": child_font,
        "versions": versions,
    }
