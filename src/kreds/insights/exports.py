"""The figures as CSV, XLSX and JSON: rounded and with small numbers suppressed by ``kreds.insights.shown``, the
same function the screen uses (docs/kpi-definitions.md)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from kreds.core import disclosure
from kreds.core.text import printable, spreadsheet_cell
from kreds.insights.figures import Result
from kreds.insights.periods import Period
from kreds.insights.shown import SUPPRESSED, present

__all__ = ["SUPPRESSED", "records", "to_csv", "to_json", "to_xlsx"]

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
    """A shown value for a file: whole numbers as int, others as float (already rounded by ``shown.rounded``), a
    suppressed cell as ``<5``."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def records(results: list[Result], period: Period, scope: str) -> list[dict[str, Any]]:
    """One record per figure, and one per part of a figure that has parts. Every cell is what
    ``shown.present(..., suppress=True)`` gives: rounded as on screen, small numbers as ``<5``."""
    out = []
    for r in results:
        cells = present(r, suppress=True)
        base = {
            "figure": r.key,
            "title": str(r.spec.title),
            "part": "",
            "value": _number(cells.value),
            "numerator": _number(cells.numerator),
            "denominator": _number(cells.denominator),
            "answers": _number(cells.n),
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "scope": scope,
        }
        out.append(base)
        out.extend(
            {
                **base,
                "part": part.label,
                "value": _number(part.value),
                "numerator": None,
                "denominator": None,
                "answers": _number(part.n),
            }
            for part in cells.parts
        )
        if cells.second is not None:
            out.append(
                {
                    **base,
                    "part": _("at referral"),
                    "value": _number(cells.second),
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
    """Danish decimal comma; the value is already rounded (``shown.rounded``), so it is written as it is."""
    if isinstance(value, float):
        return repr(value).replace(".", ",")
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
    """A spreadsheet is not text the response's guard can read afterwards: its cells pass the reader's guard here
    (issue 18; the figures hold no personal details, so this is the door, not a redaction that ever happens)."""
    rows = disclosure.data(rows)
    title = disclosure.text(title)
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
