"""PDF/A-2b documents built from blocks by typst (ENGINEERING: data as JSON through sys_inputs, never markup).

Use :func:`render` for any document that is a title and a list of blocks (the family's plan, the Signs of
Safety mapping). A block is a dict with a ``title`` and any of ``text``, ``facts``, ``items``, ``table`` and
``note``; see ``core/typst/document.typ``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typst

from kreds.core import disclosure
from kreds.core.text import clean_structure

TEMPLATE = Path(__file__).resolve().parent / "typst" / "document.typ"
# The typst root: every template can import the shared layout as "/core/typst/kit.typ" (and read nothing outside).
ROOT = Path(__file__).resolve().parent.parent


def compile_typst(template: Path | str, data: dict[str, Any], **inputs: str) -> bytes:
    """The one way Kreds runs typst: ``data`` as JSON (every string made printable first, so no stored text can
    break a document), any other ``inputs`` as given, PDF/A-2b out; both pass the reader's guard. Templates lay out
    any text length by using ``core/typst/kit.typ`` (tests/test_pdf_layout.py holds every generator to that)."""
    # The reader's guard sees every string of the document (issue 18): a protected value becomes "Beskyttet", or the
    # document is withheld from a reader who must not learn it (kreds.core.disclosure).
    payload = json.dumps(clean_structure(disclosure.data(data)), ensure_ascii=False)
    return bytes(
        typst.compile(
            str(template),
            root=str(ROOT),
            sys_inputs={"data": payload, **{key: disclosure.text(value) for key, value in inputs.items()}},
            pdf_standards=["a-2b"],
        )
    )


def text_block(title: str, text: str) -> dict[str, Any]:
    return {"title": title, "text": text or "—"}


def table_block(title: str, header: list[str], rows: list[list[str]], widths: list[str]) -> dict[str, Any]:
    """A table. ``widths`` per column: "auto" (as wide as its widest cell, but all "auto" columns together at most
    about half the page, so give short columns such as dates "auto") or a fraction such as "1fr" or "2fr"."""
    assert all(len(r) == len(header) for r in rows), "every row needs a cell per column"
    assert len(widths) == len(header), "a width per column"
    return {"title": title, "table": {"header": header, "rows": rows, "widths": widths}}


def render(
    *,
    title: str,
    subtitle: str,
    municipality: str,
    blocks: list[dict[str, Any]],
    closing: str = "",
    footer: str = "",
    lang: str = "da",
) -> bytes:
    data: dict[str, Any] = {
        "title": title,
        "subtitle": subtitle,
        "municipality": municipality,
        "footer": footer or f"{municipality} · Kreds",
        "blocks": blocks,
        "lang": lang,
    }
    if closing:
        data["closing"] = closing
    return compile_typst(TEMPLATE, data)
