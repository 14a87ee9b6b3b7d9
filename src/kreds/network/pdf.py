"""The network map as PDF/A-2b, rendered by typst from JSON data and the same SVG as on screen."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.core.pdf import compile_typst
from kreds.network.selectors import map_drawing

TEMPLATE = Path(__file__).resolve().parent / "typst" / "map.typ"


def map_pdf(case: Case) -> bytes:
    drawing = map_drawing(case)
    svg = render_to_string("network/map_svg.html", {"drawing": drawing, "xml_declaration": True})
    versions = drawing["versions"]
    data = {
        "title": _("Network map for %(name)s") % {"name": case.child.first_name},
        "subtitle": _("As of %(date)s") % {"date": timezone.localdate().strftime("%d.%m.%Y")},
        "municipality": case.municipality.name,
        "footer": f"{case.municipality.name} · Kreds",
        "legend_title": _("Legend"),
        "legend_text": _("Rings: 1 closest to the child, 3 furthest out. Thick dark outline: safe adult."),
        "lines_text": _(
            "Lines from the child show the relation's quality. Conflict and broken contact are also shown between "
            "two persons, and are always drawn on top."
        ),
        # The same line samples as the legend on screen (one template draws them everywhere).
        "lines": [
            {"svg": render_to_string("network/_line_sample.html", {"l": line}).strip(), "label": str(label)}
            for line, label in drawing["line_legend"]  # type: ignore[attr-defined]
        ],
        "sectors": [{"name": s.name, "colour": s.colour} for s in drawing["sectors"]],  # type: ignore[attr-defined]
        "people_title": _("Persons on the map"),
        "people_header": [
            _("Name"),
            _("Relation"),
            _("Sector"),
            _("Closeness"),
            _("Relation quality"),
            _("Resources"),
        ],
        "people": [
            {
                "name": v.name,
                "relation": v.relation,
                "sector": v.sector.name,
                "ring": v.ring,
                "quality": str(v.get_quality_display()),
                # The ticked resources and the person's own words, as in the list's "Resources" column.
                "resources": "\n".join([", ".join(v.resource_tag_labels), v.resources.strip()]).strip(),
            }
            for v in versions  # type: ignore[attr-defined]
        ],
    }
    return compile_typst(TEMPLATE, data, svg=svg)
