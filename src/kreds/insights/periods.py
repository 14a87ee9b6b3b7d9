"""Reporting periods: a calendar month, quarter or year, or a custom range (docs/kpi-definitions.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from kreds.plans.clocks import add_months

KINDS = ("month", "quarter", "year", "custom")
MAX_CUSTOM_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> Period:
        if kind == "month":
            start = day.replace(day=1)
            return cls(kind, start, add_months(start, 1) - datetime.timedelta(days=1))
        if kind == "quarter":
            start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
            return cls(kind, start, add_months(start, 3) - datetime.timedelta(days=1))
        if kind == "year":
            return cls(kind, datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))
        raise ValueError(kind)

    @classmethod
    def custom(cls, start: datetime.date, end: datetime.date) -> Period:
        if end < start:
            raise ValueError("end before start")
        return cls("custom", start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        if self.kind == "custom":
            return Period("custom", self.start - datetime.timedelta(days=self.days), self.start - datetime.timedelta(1))
        return Period.containing(self.kind, self.start - datetime.timedelta(days=1))

    def next(self) -> Period:
        if self.kind == "custom":
            return Period("custom", self.end + datetime.timedelta(1), self.end + datetime.timedelta(days=self.days))
        return Period.containing(self.kind, self.end + datetime.timedelta(days=1))

    def as_of(self, today: datetime.date) -> datetime.date:
        return min(self.end, today)

    def contains(self, day: datetime.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def months_back(self, n: int) -> list[Period]:
        """The ``n`` calendar months ending with the month of this period's last day, oldest first."""
        last = Period.containing("month", self.end)
        out = [last]
        for _i in range(n - 1):
            out.append(out[-1].previous())
        return list(reversed(out))

    @property
    def label(self) -> str:
        if self.kind == "month":
            return formats.date_format(self.start, "F Y")
        if self.kind == "quarter":
            return _("Q%(quarter)s %(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == "year":
            return str(self.start.year)
        return f"{formats.date_format(self.start, 'j. M Y')} – {formats.date_format(self.end, 'j. M Y')}"

    @property
    def short_label(self) -> str:
        if self.kind == "month":
            return formats.date_format(self.start, "M Y")
        return self.label

    def query(self) -> dict[str, str]:
        """GET parameters that select this period again."""
        if self.kind == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.kind, "on": self.start.isoformat()}
