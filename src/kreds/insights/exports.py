"""The figures as CSV, XLSX and JSON, with groups smaller than 5 suppressed (docs/kpi-definitions.md)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kreds.core.text import printable, spreadsheet_cell
from kreds.insights.figures import SUPPRESS_BELOW, Result, suppressed
from kreds.insights.periods import Period

SUPPRESSED = f"<{SUPPRESS_BELOW}"
COLUMNS = (
    "figure",
    "title",
    "part",
    "value",
    "numerator",
    "denominator",
    "answers",
    "period_start",
    "period_end",
    "scope",
)


def _number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return round(value, 3)
    return value


def _share_value(result: Result) -> float | None:
    return None if result.value is None else round(100 * result.value, 1)


def records(results: list[Result], period: Period, scope: str) -> list[dict[str, Any]]:
    """One record per figure, and one per part of a figure that has parts; suppressed cells read ``<5``."""
    out = []
    for r in results:
        hidden = suppressed(r)
        value = _share_value(r) if r.spec.kind == "share" else _number(r.value)
        base = {
            "figure": r.key,
            "title": str(r.spec.title),
            "part": "",
            "value": SUPPRESSED if hidden and value is not None else value,
            "numerator": (SUPPRESSED if hidden else r.numerator) if r.spec.kind == "share" else None,
            "denominator": (SUPPRESSED if hidden else r.denominator) if r.spec.kind in ("share",) else None,
            "answers": SUPPRESSED if 0 < r.n < SUPPRESS_BELOW else r.n,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "scope": scope,
        }
        out.append(base)
        for part in r.parts:
            small = 0 < part.n < SUPPRESS_BELOW
            out.append(
                {
                    **base,
                    "part": part.label,
                    "value": SUPPRESSED if small else _number(part.value),
                    "numerator": None,
                    "denominator": None,
                    "answers": SUPPRESSED if small else part.n,
                }
            )
        if r.second is not None:
            out.append(
                {
                    **base,
                    "part": _("at referral"),
                    "value": SUPPRESSED if hidden else _number(r.second),
                    "numerator": None,
                    "denominator": None,
                }
            )
    return out


def headers() -> list[str]:
    return [
        _("Figure"),
        _("Title"),
        _("Part"),
        _("Value (shares in per cent)"),
        _("Numerator"),
        _("Denominator"),
        _("Number behind"),
        _("From"),
        _("To"),
        _("Unit"),
    ]


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # Danish Excel opens semicolon-separated files directly
    writer.writerow([spreadsheet_cell(str(h)) for h in headers()])
    for row in rows:
        writer.writerow(["" if row[c] is None else spreadsheet_cell(_csv_value(row[c])) for c in COLUMNS])
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _write(sheet: Any, row: int, col: int, value: Any, *style: Any) -> None:
    """Text as text (never a formula, whatever a unit or figure name starts with), numbers as numbers."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, value, *style)
    else:
        sheet.write_string(row, col, printable(str(value)), *style)


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def to_xlsx(rows: list[dict[str, Any]], title: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Figures"))
    bold = book.add_format({"bold": True})
    _write(sheet, 0, 0, title, bold)
    for col, header in enumerate(headers()):
        _write(sheet, 2, col, header, bold)
    for r, row in enumerate(rows, start=3):
        for col, key in enumerate(COLUMNS):
            value = row[key]
            if value is None:
                continue
            _write(sheet, r, col, value)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 2, 48)
    sheet.set_column(3, 9, 14)
    book.close()
    return buffer.getvalue()
