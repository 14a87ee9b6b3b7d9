"""``manage.py export_stats``: the leadership figures as CSV or JSON on standard output, groups < 5 suppressed."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.insights import exports, selectors
from kreds.insights.periods import Period
from kreds.tenancy.models import Municipality, Unit


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Print the leadership figures (docs/kpi-definitions.md) for a municipality or unit and period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="Municipality code (three digits) or name")
        parser.add_argument("--unit", help="Unit name; the whole municipality when left out")
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--language", default="da", help="Language of titles (da or en)")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["municipality"]
        municipality = Municipality.objects.filter(code=code).first() or Municipality.objects.filter(name=code).first()
        if municipality is None:
            raise CommandError(f"No municipality with code or name {code!r}")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(municipality=municipality, name=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit named {options['unit']!r} in {municipality.name}")
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError("--to is before --from")
        period = Period.custom(start, end)
        with translation.override(options["language"]):
            results = selectors.export_rows(unit, municipality, period, timezone.localdate())
            rows = exports.records(results, period, unit.name if unit else municipality.name)
            out = exports.to_csv(rows) if options["format"] == "csv" else exports.to_json(rows)
        record(
            Action.INSIGHTS_EXPORT,
            actor=None,
            actor_label="export_stats",
            municipality=municipality,
            object_type="unit" if unit else "municipality",
            object_id=str(unit.public_id) if unit else municipality.code,
            purpose=Purpose.SUPERVISION,
            details={"format": options["format"], "from": start.isoformat(), "to": end.isoformat()},
        )
        self.stdout.write(out, ending="" if out.endswith("\n") else "\n")
