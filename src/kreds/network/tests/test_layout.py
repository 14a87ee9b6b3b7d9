"""The circle map's geometry (issue 14 §8): readable names that never collide, and conflict lines nothing hides.

Pure layout tests need no database; the rendered-SVG tests go through the real template and page CSS.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from kreds.network.layout import (
    NAME_FONT,
    NAME_MAX_CHARS,
    SCREEN_SCALE,
    Box,
    cell_for_point,
    layout,
    relation_line,
    sample,
    shorten,
    spoke,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
CSS = Path(__file__).resolve().parents[2] / "static" / "kreds" / "kreds.css"
SECTORS = [
    {"key": "family", "name": "Familie", "colour": "#1f5fa8"},
    {"key": "relatives", "name": "Slægt", "colour": "#7a3e9d"},
    {"key": "friends", "name": "Venner og naboer", "colour": "#2f7d32"},
    {"key": "school", "name": "Skole, dagtilbud og fritid", "colour": "#a65400"},
    {"key": "professionals", "name": "Professionelle", "colour": "#4d4d4d"},
]
FIRST = ["Anne-Marie", "Mikkel", "Sofie", "Jørgen", "Ida", "Mohammed", "Karoline", "Bo", "Æbelø", "Christoffer"]
LAST = ["Østergaard", "Jensen", "Frederiksen-Holm", "Nielsen", "Aagaard", "Christiansen", "Li", "Kristoffersen"]
# The page's content width at a 1280 px window: DKFDS' .container is at most 1200 px with 16 px padding, and the
# map's frame has a 1 px border.
CONTENT_WIDTH_AT_1280 = min(1280, 1200) - 2 * 16 - 2


def _persons(n: int, *, skew: bool = False, seed: int = 14) -> list[dict]:
    rnd = random.Random(seed)
    people = []
    for i in range(n):
        name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        if i % 23 == 0:
            name = "Prof. Dr. Anne-Marie Christoffersen Østergaard Bendtsen"  # longer than any label may be
        sector = SECTORS[0]["key"] if skew and i < n // 3 else SECTORS[i % 5]["key"]
        people.append(
            {
                "person_id": f"p{i:03d}",
                "name": name,
                "relation": "ven",
                "sector_key": sector,
                "ring": 1 if skew and i < n // 3 else 1 + (i * 7) % 3,
                "quality": rnd.choice(["supportive", "ambivalent", "conflict", "broken"]),
                "safe_adult": i % 9 == 0,
                "professional": False,
            }
        )
    return people


def _overlapping(boxes: list[tuple[str, Box]]) -> list[tuple[str, str]]:
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


@pytest.mark.parametrize("skew", [False, True], ids=["spread", "a third in one cell"])
def test_no_two_names_or_dots_overlap_on_a_150_person_map(skew):
    drawn = layout(_persons(150, skew=skew), SECTORS)
    assert len(drawn.nodes) == 150
    boxes = [(f"name of {n.person_id}", n.label_box) for n in drawn.nodes]
    boxes += [(f"dot of {n.person_id}", n.box) for n in drawn.nodes]
    assert _overlapping(boxes) == []
    keys = [s["key"] for s in SECTORS]
    for node in drawn.nodes:
        # Everyone stays in their own sector and ring, the name inside the circle and no name wider than the box.
        assert cell_for_point(node.x, node.y, keys, drawn.ring_edges) == (node.sector_key, node.ring)
        box = node.label_box
        assert all(math.hypot(x, y) <= drawn.ring_edges[-1] for x in (box.x0, box.x1) for y in (box.y0, box.y1))
        assert box.x1 - box.x0 >= text_width(node.label, NAME_FONT) - 0.01


def test_a_150_person_map_shows_names_of_at_least_12_px_at_1280_px():
    """The names' size on screen: font-size × (rendered width / viewBox width), where the rendered width is the
    smaller of the SVG's own width and the page's content width (kreds.css lets the map shrink, never grow)."""
    css = CSS.read_text()
    assert re.search(r"\.kreds-map \{[^}]*max-width: 100%", css)
    wrap = re.search(r"\.kreds-map-wrap \{([^}]*)\}", css)
    assert wrap and "max-width" not in wrap.group(1), "the map's frame must not cap the map below the page's width"
    drawn = layout(_persons(150), SECTORS)
    svg = ET.fromstring(
        render_to_string(
            "network/map_svg.html",
            {"drawing": _drawing(drawn)},
        )
    )
    view_width = float(svg.get("viewBox").split()[2])
    rendered = min(float(svg.get("width")), CONTENT_WIDTH_AT_1280)
    sizes = [float(t.get("font-size")) for t in svg.iter(f"{SVG}text") if t.get("font-size")]
    assert sizes and min(sizes) * rendered / view_width >= 12
    # A small map is shown at its own size: names at NAME_FONT × SCREEN_SCALE px.
    assert NAME_FONT * SCREEN_SCALE >= 14


def test_compare_view_shows_each_map_at_full_width():
    css = CSS.read_text()
    rule = re.search(r"\.kreds-compare \{([^}]*)\}", css).group(1)
    assert "minmax(0, 1fr)" in rule and "repeat" not in rule  # one map under the other, not two half-width maps


def test_very_long_names_are_shortened_on_the_map_and_whole_in_the_tooltip():
    long_name = "Prof. Dr. Anne-Marie Christoffersen Østergaard Bendtsen"
    assert len(shorten(long_name)) <= NAME_MAX_CHARS and shorten(long_name).endswith("…")
    assert shorten("Bo Li") == "Bo Li"
    drawn = layout(_persons(24)[23:24], SECTORS)
    node = drawn.nodes[0]
    assert node.name == long_name and node.label == shorten(long_name)
    svg = render_to_string("network/map_svg.html", {"drawing": _drawing(drawn)})
    assert f">{node.label}</text>" in svg and f"<title>{long_name} – ven</title>" in svg


def test_crowded_ring_gets_wider_and_the_drop_lookup_uses_the_drawings_edges():
    few = layout(_persons(5), SECTORS)
    many = layout(_persons(60, skew=True), SECTORS)
    assert many.ring_edges[1] > few.ring_edges[1]
    keys = [s["key"] for s in SECTORS]
    for node in many.nodes:
        assert cell_for_point(node.x, node.y, keys, many.ring_edges) == (node.sector_key, node.ring)


def test_the_same_people_give_the_same_picture():
    first, second = layout(_persons(40), SECTORS), layout(_persons(40), SECTORS)
    assert [(n.x, n.y, n.label_x, n.label_y) for n in first.nodes] == [
        (n.x, n.y, n.label_x, n.label_y) for n in second.nodes
    ]


def _signature(path: ET.Element, marks: list[ET.Element]) -> tuple:
    commands = len(re.findall(r"[ML]", path.get("d")))
    return (path.get("stroke-dasharray"), path.get("stroke-width"), commands > 2, bool(marks))


def test_every_line_kind_differs_in_shape_not_only_in_colour():
    signatures = {}
    for kind in ("supportive", "ambivalent", "conflict", "broken", "knows"):
        svg = ET.fromstring(render_to_string("network/_line_sample.html", {"l": sample(kind)}))
        paths = list(svg.iter(f"{SVG}path"))
        line = next(p for p in paths if p.get("class") == f"line-{kind}")
        signatures[kind] = _signature(line, [p for p in paths if p is not line])
    assert len(set(signatures.values())) == 5, signatures
    assert signatures["conflict"][2] and signatures["broken"][3]  # a zigzag; a line cut by two bars


def test_conflict_and_broken_contact_are_drawn_after_every_other_line_and_the_child():
    people = _persons(30)
    drawn = layout(people, SECTORS)
    by_id = {n.person_id: n for n in drawn.nodes}
    lines = [spoke(n) for n in drawn.nodes]
    lines += [relation_line(kind, by_id["p001"], by_id[f"p0{i}"]) for i, kind in ((12, "conflict"), (13, "knows"))]
    lines += [relation_line("broken", by_id["p002"], by_id["p015"])]
    svg = ET.fromstring(render_to_string("network/map_svg.html", {"drawing": _drawing(drawn, lines)}))
    order = list(svg.iter())
    child = next(i for i, e in enumerate(order) if e.get("class") == "child")
    kinds = [(i, e.get("class")) for i, e in enumerate(order) if (e.get("class") or "").startswith("line-")]
    alarm = [i for i, k in kinds if k in ("line-conflict", "line-broken")]
    others = [i for i, k in kinds if k not in ("line-conflict", "line-broken")]
    assert alarm and others and min(alarm) > max(max(others), child)
    # ... and before the persons, whose dots and names stay on top.
    first_node = next(i for i, e in enumerate(order) if e.get("class") == "node")
    assert max(alarm) < first_node


def _drawing(drawn, lines=None) -> dict:
    from kreds.network.layout import CENTRE_RADIUS

    lines = [spoke(n) for n in drawn.nodes] if lines is None else lines
    size = 2 * drawn.half
    return {
        "half": drawn.half,
        "size": size,
        "px": round(size * SCREEN_SCALE),
        "centre_radius": CENTRE_RADIUS,
        "name_font": NAME_FONT,
        "rings": list(drawn.ring_edges[1:]),
        "ring_edges": ",".join(str(e) for e in drawn.ring_edges),
        "sectors": drawn.sectors,
        "nodes": drawn.nodes,
        "lines": [line for line in lines if not line.alarm],
        "alarm_lines": [line for line in lines if line.alarm],
        "child_name": "Emma",
        "child_label": "Emma",
        "child_font": 24,
    }
