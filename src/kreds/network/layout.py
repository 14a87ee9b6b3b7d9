"""The circle map's geometry: one pure function used for the screen, the SVG download and the PDF.

Sectors are equal slices (in ``Sector.order``, starting at the top, clockwise), rings 1–3 are bands from the
centre outwards, and persons in the same sector × ring cell are spread evenly along the arc (sorted by name,
so the picture is deterministic). Crowded cells alternate between two radii so labels do not collide.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

SIZE = 1200  # viewBox is -SIZE/2 .. SIZE/2 (room for sector labels outside the rings)
CENTRE_RADIUS = 70
# Ring edges from the centre outwards. The inner ring is widest: it is the shortest arc, and the closest
# people are usually the most (and the most important) to read. The browser script reads these from the page.
RING_EDGES = (CENTRE_RADIUS, 235, 355, 460)


@dataclass(frozen=True)
class SectorGeometry:
    key: str
    name: str
    colour: str
    start: float  # radians, 0 = top, clockwise
    end: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor so long names run away from the circle
    path: str  # wedge outline for the background


@dataclass(frozen=True)
class Node:
    person_id: str
    name: str
    relation: str
    sector_key: str
    colour: str
    ring: int
    quality: str
    safe_adult: bool
    professional: bool
    x: float
    y: float


def _point(angle: float, radius: float) -> tuple[float, float]:
    # angle 0 at the top, clockwise (screen coordinates: y grows downwards)
    return round(radius * math.sin(angle), 1), round(-radius * math.cos(angle), 1)


def ring_band(ring: int) -> tuple[float, float]:
    return float(RING_EDGES[ring - 1]), float(RING_EDGES[ring])


def layout(persons: list[dict[str, Any]], sectors: list[dict[str, Any]]) -> tuple[list[SectorGeometry], list[Node]]:
    """``persons``: dicts with person_id, name, relation, sector_key, ring, quality, safe_adult, professional.

    ``sectors``: dicts with key, name, colour in display order. Returns sector geometry and positioned nodes.
    """
    n = max(len(sectors), 1)
    span = 2 * math.pi / n
    outer = RING_EDGES[-1]
    geometry: list[SectorGeometry] = []
    index = {}
    for i, sector in enumerate(sectors):
        start, end = i * span, (i + 1) * span
        index[sector["key"]] = (i, sector)
        lx, ly = _point((start + end) / 2, outer + 45)
        x1, y1 = _point(start, outer)
        x2, y2 = _point(end, outer)
        large = 1 if span > math.pi else 0
        path = f"M0,0 L{x1},{y1} A{outer},{outer} 0 {large} 1 {x2},{y2} Z"
        anchor = "middle" if abs(lx) < 60 else ("start" if lx > 0 else "end")
        geometry.append(
            SectorGeometry(sector["key"], sector["name"], sector["colour"], start, end, lx, ly, anchor, path)
        )

    cells: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for person in persons:
        if person["sector_key"] in index:
            cells[(person["sector_key"], person["ring"])].append(person)

    nodes: list[Node] = []
    for (sector_key, ring), members in sorted(cells.items()):
        i, sector = index[sector_key]
        start = i * span
        inner, outer_r = ring_band(ring)
        members.sort(key=lambda p: (p["name"].lower(), p["person_id"]))
        count = len(members)
        margin = span * 0.08
        usable = span - 2 * margin
        # Crowded cells are laid out in several arcs (rows) inside the ring's band, ~60 units apart on each arc.
        per_row = max(1, int(usable * (inner + outer_r) / 2 // 60))
        rows = math.ceil(count / per_row)
        for k, person in enumerate(members):
            row, slot = divmod(k, per_row)
            in_row = min(per_row, count - row * per_row)
            angle = start + margin + usable * (slot + 0.5) / in_row
            radius = inner + (outer_r - inner) * (row + 0.5) / rows
            x, y = _point(angle, radius)
            nodes.append(
                Node(
                    person_id=person["person_id"],
                    name=person["name"],
                    relation=person["relation"],
                    sector_key=sector_key,
                    colour=sector["colour"],
                    ring=ring,
                    quality=person["quality"],
                    safe_adult=person["safe_adult"],
                    professional=person["professional"],
                    x=x,
                    y=y,
                )
            )
    return geometry, nodes


def cell_for_point(x: float, y: float, sector_keys: list[str]) -> tuple[str, int]:
    """The sector and ring under a point (used when a person is dropped on the map)."""
    radius = math.hypot(x, y)
    ring = next((r for r in (1, 2) if radius < RING_EDGES[r]), 3)
    angle = math.atan2(x, -y) % (2 * math.pi)
    index = min(len(sector_keys) - 1, int(angle / (2 * math.pi / len(sector_keys))))
    return sector_keys[index], ring
