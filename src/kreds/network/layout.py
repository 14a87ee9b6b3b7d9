"""The circle map's geometry: one pure function used for the screen, the SVG download and the PDF.

Sectors are equal slices (in ``Sector.order``, starting at the top, clockwise) and rings 1–3 are bands from the
centre outwards. Every person is placed inside their own sector × ring cell together with their name, and no
name ever covers another name or another person: persons start from evenly spread places (several arcs in a
crowded cell, sorted by name, so the picture is deterministic) and move to the nearest free place where both
the dot and the name fit, with the name below, beside or above the dot. When a ring has no room left for
someone, that ring is made wider and the map laid out again, so a big network gives a bigger map, never a
cluttered one. Very long names are shortened on the map (the full name is in the SVG's ``<title>``).

Text sizes are in map units; the page shows the map at :data:`SCREEN_SCALE` pixels per unit (or smaller, when
the page is narrower), see ``.kreds-map`` in kreds.css.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

CENTRE_RADIUS = 70
# The smallest ring edges (from the centre outwards); a crowded ring gets wider. The inner ring is widest: it is
# the shortest arc, and the closest people are usually the most (and the most important) to read.
RING_EDGES = (CENTRE_RADIUS, 235, 355, 460)
NAME_FONT = 22
SECTOR_FONT = 26
CHILD_FONT = 24
NAME_MAX_CHARS = 24  # longer names are shortened on the map; the full name is in the tooltip and the list
NODE_RADIUS = 14
SAFE_NODE_RADIUS = 17
# Pixels per map unit at which the page shows a map that fits (the SVG's width/height attributes): names are
# 22 × 0.64 ≈ 14 px. A wider map than the page is shown smaller, but never below 12 px for a map that fits
# 1,166 px at 1280 px (tested with 150 persons, tests in network/tests/test_layout.py).
SCREEN_SCALE = 0.64
SECTOR_GAP = 10  # between the outer ring and the sector names around it
MARGIN = 16
_LABEL_GAP = 4  # between a dot and its name
_PAD = 3  # around every name and dot: nothing else comes closer
_MAX_ATTEMPTS = 80

# Advance widths in em (the wider of IBM Plex Sans, the page's font, and Liberation Sans/Arial, the PDF's), so an
# estimated name is never narrower than the drawn one.
_REGULAR = {
    0.25: "ij'",
    0.28: "l .,",
    0.34: "f()",
    0.37: "tr",
    0.4: "I-/",
    0.51: "svyzcxJ",
    0.53: "k",
    0.57: "aegoLåéèöähnuü",
    0.58: "bdpq",
    0.6: "0123456789",
    0.62: "FTZø",
    0.67: "ABEKPSVXYÅÄ",
    0.73: "&CDHNRUÜ",
    0.78: "wGOQØÖ",
    0.89: "Mmæ",
    1.0: "WÆ…",
}
_BOLD = {
    0.29: "'ij ",
    0.31: "l.,",
    0.37: "f()",
    0.41: "tr-",
    0.46: "I/",
    0.56: "zcsvxyJ",
    0.58: "aeåéèäk",
    0.6: "0123456789",
    0.62: "bdghnopquFLTZøüö",
    0.68: "EPSVYX",
    0.73: "ABCDHKNRUÅÄÜ&",
    0.78: "GOQØÖ",
    0.85: "Mw",
    0.9: "mæ",
    1.0: "WÆ…",
}
_WIDTHS = {False: {c: w for w, cs in _REGULAR.items() for c in cs}, True: {c: w for w, cs in _BOLD.items() for c in cs}}


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """A safe (slightly wide) estimate of the drawn width of ``text`` at font ``size``."""
    table = _WIDTHS[bold]
    total = 0.0
    for char in text:
        if char in table:
            total += table[char]
        elif unicodedata.combining(char):
            continue
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += 1.0
        else:
            total += 0.7
    return total * size * 1.03


def shorten(text: str, limit: int = NAME_MAX_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, at a word boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" -,.") + "…"


def fit_text(text: str, room: float, size: float, *, smallest: float, bold: bool = False) -> tuple[str, float]:
    """``text`` at the largest font size from ``size`` down to ``smallest`` that fits ``room``; shortened when even
    the smallest size is too wide."""
    width = text_width(text, size, bold=bold)
    if width <= room:
        return text, size
    fitted = max(smallest, math.floor(size * room / width * 10) / 10)
    limit = len(text)
    while limit > 2 and text_width(shorten(text, limit), fitted, bold=bold) > room:
        limit -= 1
    return shorten(text, limit), fitted


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@dataclass(frozen=True)
class SectorGeometry:
    key: str
    name: str
    colour: str
    start: float  # radians, 0 = top, clockwise
    end: float
    path: str  # wedge outline for the background
    label_path: str  # arc just outside the circle that the sector's name is written along
    label_size: float  # font size of the name (smaller when a long name would not fit its arc)


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
    label: str = ""  # the name as written on the map (shortened when very long)
    label_x: float = 0.0  # where the name's text starts, relative to the dot
    label_y: float = 0.0
    anchor: str = "middle"
    radius: float = NODE_RADIUS
    label_box: Box = field(default=Box(0, 0, 0, 0), compare=False)  # in map coordinates

    @property
    def box(self) -> Box:
        r = self.radius
        return Box(self.x - r, self.y - r, self.x + r, self.y + r)


@dataclass(frozen=True)
class Layout:
    sectors: tuple[SectorGeometry, ...]
    nodes: tuple[Node, ...]
    ring_edges: tuple[float, ...]
    half: float  # the drawing spans -half .. half in both directions


def _point(angle: float, radius: float) -> tuple[float, float]:
    # angle 0 at the top, clockwise (screen coordinates: y grows downwards)
    return round(radius * math.sin(angle), 1), round(-radius * math.cos(angle), 1)


def ring_band(ring: int, edges: tuple[float, ...] = RING_EDGES) -> tuple[float, float]:
    return float(edges[ring - 1]), float(edges[ring])


class _Space:
    """The boxes placed so far, in a grid of buckets so a test for overlap looks only nearby."""

    SIZE = 48.0

    def __init__(self) -> None:
        self.buckets: dict[tuple[int, int], list[Box]] = defaultdict(list)

    def _keys(self, box: Box) -> list[tuple[int, int]]:
        s = self.SIZE
        return [
            (i, j)
            for i in range(math.floor(box.x0 / s), math.floor(box.x1 / s) + 1)
            for j in range(math.floor(box.y0 / s), math.floor(box.y1 / s) + 1)
        ]

    def free(self, box: Box) -> bool:
        return not any(box.overlaps(other) for key in self._keys(box) for other in self.buckets.get(key, ()))

    def copy(self) -> _Space:
        other = _Space()
        other.buckets = defaultdict(list, {key: list(boxes) for key, boxes in self.buckets.items()})
        return other

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.buckets[key].append(box)


def _grow(box: Box, pad: float) -> Box:
    return Box(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)


def _label_options(
    x: float, y: float, r: float, width: float, outward_right: bool
) -> list[tuple[Box, float, float, str]]:
    """Places for a name around a dot at (x, y): (box, text x and baseline relative to the dot, text-anchor)."""
    h = NAME_FONT * 1.2
    ascent = NAME_FONT * 0.92
    below = (
        Box(x - width / 2, y + r + _LABEL_GAP, x + width / 2, y + r + _LABEL_GAP + h),
        0.0,
        r + _LABEL_GAP + ascent,
    )
    above = (
        Box(x - width / 2, y - r - _LABEL_GAP - h, x + width / 2, y - r - _LABEL_GAP),
        0.0,
        -r - _LABEL_GAP - h + ascent,
    )
    right_x = r + _LABEL_GAP + 2
    right = (Box(x + right_x, y - h / 2, x + right_x + width, y + h / 2), right_x, -h / 2 + ascent)
    left = (Box(x - right_x - width, y - h / 2, x - right_x, y + h / 2), -right_x, -h / 2 + ascent)
    sides = [(*right, "start"), (*left, "end")] if outward_right else [(*left, "end"), (*right, "start")]
    return [(*below, "middle"), *sides, (*above, "middle")]


def _inside_circle(box: Box, radius: float) -> bool:
    return all(math.hypot(px, py) <= radius for px in (box.x0, box.x1) for py in (box.y0, box.y1))


def _steps(step: float = 10.0, reach: int = 40) -> list[tuple[float, float]]:
    """Steps away from a person's evenly spread place, nearest first (a grid of ``step`` up to ``reach`` steps)."""
    grid = [(dx * step, dy * step) for dx in range(-reach, reach + 1) for dy in range(-reach, reach + 1)]
    return sorted((p for p in grid if math.hypot(*p) <= reach * step), key=lambda p: (math.hypot(*p), p))


_STEPS = _steps()


def _in_cell(x: float, y: float, r: float, start: float, end: float, inner: float, outer: float) -> bool:
    radius = math.hypot(x, y)
    if not inner + r + _PAD <= radius <= outer - r - _PAD:
        return False
    margin = (r + _PAD) / radius
    angle = math.atan2(x, -y) % (2 * math.pi)
    return start + margin <= angle <= end - margin


def _ideal(
    start: float, span: float, inner: float, outer: float, count: int, widths: list[float]
) -> list[tuple[float, float]]:
    """Evenly spread places: one arc for a few persons, several arcs (rows) in a crowded cell. Rows are shifted
    against each other, so no two persons sit on the same line from the child (their lines would cover each
    other)."""
    margin = span * 0.08
    usable = span - 2 * margin
    mean = sum(widths) / len(widths) if widths else 60.0
    per_row = max(1, int(usable * (inner + outer) / 2 // max(60.0, mean + 16)))
    rows = math.ceil(count / per_row)
    places = []
    for k in range(count):
        row, slot = divmod(k, per_row)
        in_row = min(per_row, count - row * per_row)
        shift = (0.25 if row % 2 else -0.25) if rows > 1 else 0.0
        angle = start + margin + usable * (slot + 0.5 + shift) / in_row
        places.append(_point(angle, inner + (outer - inner) * (row + 0.5) / rows))
    return places


def _sector_geometry(sectors: list[dict[str, Any]], outer: float) -> list[SectorGeometry]:
    n = max(len(sectors), 1)
    span = 2 * math.pi / n
    geometry = []
    for i, sector in enumerate(sectors):
        start, end = i * span, (i + 1) * span
        x1, y1 = _point(start, outer)
        x2, y2 = _point(end, outer)
        large = 1 if span > math.pi else 0
        path = f"M0,0 L{x1},{y1} A{outer},{outer} 0 {large} 1 {x2},{y2} Z"
        # The name follows the circle just outside it, reading left to right: clockwise over the top half,
        # anticlockwise (and a line lower, so the letters stand outside the circle) under the bottom half.
        size = float(SECTOR_FONT)
        room = span * (outer + SECTOR_GAP) * 0.92
        width = text_width(sector["name"], size, bold=True)
        if width > room:
            size = max(14.0, size * room / width)
        if math.cos((start + end) / 2) >= 0:
            radius = outer + SECTOR_GAP
            ax, ay = _point(start, radius)
            bx, by = _point(end, radius)
            label_path = f"M{ax},{ay} A{radius},{radius} 0 {large} 1 {bx},{by}"
        else:
            radius = outer + SECTOR_GAP + size * 0.75
            ax, ay = _point(end, radius)
            bx, by = _point(start, radius)
            label_path = f"M{ax},{ay} A{radius},{radius} 0 {large} 0 {bx},{by}"
        geometry.append(
            SectorGeometry(
                sector["key"], sector["name"], sector["colour"], start, end, path, label_path, round(size, 1)
            )
        )
    return geometry


def _footprint(width: float) -> float:
    """Room one person takes in a cell (dot and name with the space around them), with slack for packing."""
    return (width + 2 * SAFE_NODE_RADIUS + 12) * (NAME_FONT * 1.2 + 12) * 1.5


def _place_ring(
    ring: int,
    cells: dict[str, list[dict[str, Any]]],
    index: dict[str, tuple[int, dict[str, Any]]],
    span: float,
    inner: float,
    outer: float,
    space: _Space,
) -> list[Node] | None:
    """Place every person of one ring in ``space``, or None when someone has no room."""
    nodes: list[Node] = []
    for sector_key, members in sorted(cells.items(), key=lambda item: index[item[0]][0]):
        i, sector = index[sector_key]
        start, end = i * span, (i + 1) * span
        ideal = _ideal(start, span, inner, outer, len(members), [p["_width"] for p in members])
        for person, (ix, iy) in zip(members, ideal, strict=True):
            r = SAFE_NODE_RADIUS if person["safe_adult"] else NODE_RADIUS
            found = None
            for dx, dy in _STEPS:
                x, y = round(ix + dx, 1), round(iy + dy, 1)
                if not _in_cell(x, y, r, start, end, inner, outer):
                    continue
                dot = Box(x - r - _PAD, y - r - _PAD, x + r + _PAD, y + r + _PAD)
                if not space.free(dot):
                    continue
                for box, tx, ty, anchor in _label_options(x, y, r, person["_width"], x >= 0):
                    padded = _grow(box, _PAD)
                    if not dot.overlaps(padded) and _inside_circle(box, outer) and space.free(padded):
                        found = (x, y, box, tx, ty, anchor)
                        break
                if found:
                    break
            if found is None:
                return None
            x, y, box, tx, ty, anchor = found
            space.add(Box(x - r, y - r, x + r, y + r))
            space.add(box)
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
                    label=person["_label"],
                    label_x=round(tx, 1),
                    label_y=round(ty, 1),
                    anchor=anchor,
                    radius=r,
                    label_box=box,
                )
            )
    return nodes


def layout(persons: list[dict[str, Any]], sectors: list[dict[str, Any]]) -> Layout:
    """``persons``: dicts with person_id, name, relation, sector_key, ring, quality, safe_adult, professional.

    ``sectors``: dicts with key, name, colour in display order. Returns the sector geometry, the positioned
    persons (each with where its name goes), the ring edges used and the drawing's extent.

    The placement is a pure function of its input and the largest part of showing a big map (about 100 ms of
    Python for 150 persons, bench/results/2026-12-06-before-cprofile-network_map_150.txt), so each worker keeps
    the last layouts it drew: a map shown again unchanged is drawn from memory; any change to a person, a sector
    or their order is a different input and is placed afresh. The result is frozen, so sharing it is safe.
    """
    key = (
        tuple(tuple(sorted(p.items())) for p in persons),
        tuple(tuple(sorted(s.items())) for s in sectors),
    )
    return _remembered(key)


@functools.lru_cache(maxsize=64)
def _remembered(key: tuple[tuple[tuple[tuple[str, Any], ...], ...], tuple[tuple[tuple[str, Any], ...], ...]]) -> Layout:
    persons, sectors = ([dict(items) for items in part] for part in key)
    return _place(persons, sectors)


def _place(persons: list[dict[str, Any]], sectors: list[dict[str, Any]]) -> Layout:
    n = max(len(sectors), 1)
    span = 2 * math.pi / n
    index = {sector["key"]: (i, sector) for i, sector in enumerate(sectors)}
    cells: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for person in persons:
        if person["sector_key"] in index:
            label = shorten(person["name"])
            cells[(person["sector_key"], person["ring"])].append(
                {**person, "_label": label, "_width": text_width(label, NAME_FONT)}
            )
    for members in cells.values():
        members.sort(key=lambda p: (p["name"].lower(), p["person_id"]))

    space = _Space()
    space.add(Box(-CENTRE_RADIUS - _PAD, -CENTRE_RADIUS - _PAD, CENTRE_RADIUS + _PAD, CENTRE_RADIUS + _PAD))
    edges = [float(RING_EDGES[0])]
    nodes: list[Node] = []
    for ring in (1, 2, 3):
        ring_cells = {key: members for (key, r), members in cells.items() if r == ring}
        inner = edges[-1]
        # Start from about enough room for the most crowded cell (never less than the usual band) and widen the
        # ring until everyone fits; the rings inside it stay as they are.
        need = max((sum(_footprint(p["_width"]) for p in m) for m in ring_cells.values()), default=0.0)
        outer = max(inner + RING_EDGES[ring] - RING_EDGES[ring - 1], math.sqrt(inner**2 + 2 * need / span))
        for _ in range(_MAX_ATTEMPTS):
            trial = space.copy()
            placed = _place_ring(ring, ring_cells, index, span, inner, outer, trial)
            if placed is not None:
                break
            outer += max(16.0, (outer - inner) * 0.06)
        else:  # pragma: no cover - only a map far beyond any real network (thousands of persons) ends here
            raise ValueError("the map has no room for everyone")
        space = trial
        nodes.extend(placed)
        edges.append(outer)
    edges = [round(e, 1) for e in edges]
    outer = edges[-1]
    geometry = _sector_geometry(sectors, outer)
    half = math.ceil(outer + SECTOR_GAP + SECTOR_FONT * 1.2 + MARGIN)
    return Layout(tuple(geometry), tuple(nodes), tuple(edges), half)


# How a line looks, by kind: lines from the child show the relation's quality, lines between two persons how they
# relate. Conflict and broken contact differ by shape, not only by colour (a zigzag; a dotted line cut by two
# bars), and are drawn last, over every other line and the child's circle.
ALARM_KINDS = ("conflict", "broken")


@dataclass(frozen=True)
class Line:
    kind: str  # supportive | ambivalent | conflict | broken (from the child) or knows | conflict | broken
    path: str  # a straight line, or a zigzag for conflict
    marks: str = ""  # broken contact: two short bars across the middle

    @property
    def alarm(self) -> bool:
        return self.kind in ALARM_KINDS


def _zigzag(x1: float, y1: float, x2: float, y2: float, amplitude: float = 6.0, step: float = 9.0) -> str:
    length = math.hypot(x2 - x1, y2 - y1)
    teeth = max(2, int(length // step))
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    nx, ny = -uy, ux
    points = [f"M{x1:.1f},{y1:.1f}"]
    for k in range(1, teeth):
        side = amplitude if k % 2 else -amplitude
        t = length * k / teeth
        points.append(f"L{x1 + ux * t + nx * side:.1f},{y1 + uy * t + ny * side:.1f}")
    points.append(f"L{x2:.1f},{y2:.1f}")
    return " ".join(points)


def _cut_marks(x1: float, y1: float, x2: float, y2: float, half: float = 10.0) -> str:
    length = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    nx, ny = -uy, ux
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    marks = []
    for shift in (-4.0, 4.0):
        cx, cy = mx + ux * shift, my + uy * shift
        marks.append(
            f"M{cx + nx * half - ux * 3:.1f},{cy + ny * half - uy * 3:.1f} "
            f"L{cx - nx * half + ux * 3:.1f},{cy - ny * half + uy * 3:.1f}"
        )
    return " ".join(marks)


def connector(kind: str, x1: float, y1: float, r1: float, x2: float, y2: float, r2: float) -> Line:
    """The line of ``kind`` between two circles (centre and radius), from edge to edge."""
    length = math.hypot(x2 - x1, y2 - y1)
    if length <= r1 + r2 + 1:
        return Line(kind, f"M{x1:.1f},{y1:.1f}")
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    ax, ay, bx, by = x1 + ux * r1, y1 + uy * r1, x2 - ux * r2, y2 - uy * r2
    if kind == "conflict":
        return Line(kind, _zigzag(ax, ay, bx, by))
    path = f"M{ax:.1f},{ay:.1f} L{bx:.1f},{by:.1f}"
    return Line(kind, path, _cut_marks(ax, ay, bx, by) if kind == "broken" else "")


def spoke(node: Node) -> Line:
    """The line from the child to a person, in the style of the relation's quality."""
    return connector(node.quality, 0.0, 0.0, CENTRE_RADIUS, node.x, node.y, node.radius)


def relation_line(kind: str, a: Node, b: Node) -> Line:
    return connector(kind, a.x, a.y, a.radius, b.x, b.y, b.radius)


def sample(kind: str, width: float = 48.0) -> Line:
    """A short line of ``kind`` for the legend (in a ``0 0 width 16`` box)."""
    return connector(kind, 0.0, 8.0, 0.0, width, 8.0, 0.0)


def cell_for_point(
    x: float, y: float, sector_keys: list[str], edges: tuple[float, ...] = RING_EDGES
) -> tuple[str, int]:
    """The sector and ring under a point (used when a person is dropped on the map)."""
    radius = math.hypot(x, y)
    ring = next((r for r in (1, 2) if radius < edges[r]), 3)
    angle = math.atan2(x, -y) % (2 * math.pi)
    index = min(len(sector_keys) - 1, int(angle / (2 * math.pi / len(sector_keys))))
    return sector_keys[index], ring
