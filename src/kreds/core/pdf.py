"""PDF/A-2b documents built from blocks by typst (ENGINEERING: data as JSON through sys_inputs, never markup).

Use :func:`render` for any document that is a title and a list of blocks (the family's plan, later the Signs of
Safety mapping). A block is a dict with a ``title`` and any of ``text``, ``facts``, ``items``, ``table`` and
``note``; see ``core/typst/document.typ``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typst

from kreds.core.text import clean_structure

TEMPLATE = Path(__file__).resolve().parent / "typst" / "document.typ"


def compile_typst(template: Path | str, data: dict[str, Any], **inputs: str) -> bytes:
    """The one way Kreds runs typst: ``data`` as JSON (every string made printable first, so no stored text can
    break a document), any other ``inputs`` as given, PDF/A-2b out."""
    payload = json.dumps(clean_structure(data), ensure_ascii=False)
    return bytes(typst.compile(str(template), sys_inputs={"data": payload, **inputs}, pdf_standards=["a-2b"]))


def text_block(title: str, text: str) -> dict[str, Any]:
    return {"title": title, "text": text or "—"}


def table_block(title: str, header: list[str], rows: list[list[str]], widths: list[str]) -> dict[str, Any]:
    assert all(len(r) == len(header) for r in rows), "every row needs a cell per column"
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
