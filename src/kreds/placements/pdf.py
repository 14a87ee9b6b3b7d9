"""The contact plan (samvær) as PDF/A for the case file: every arrangement as it stands, its earlier versions and
the suspensions at the child's request. Built from the same rows as the page (``selectors.contacts``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.core.pdf import render
from kreds.placements.selectors import ContactRow


def _day(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d.%m.%Y")


def _block(row: ContactRow, today: datetime.date) -> dict[str, Any]:
    title = row.name + (f" ({row.person.relation})" if row.person and row.person.relation else "")
    block: dict[str, Any] = {"title": title}
    current = row.current
    if current is not None:
        facts = [
            [_("How often"), current.frequency],
            [_("Form"), str(current.get_mode_display())],
            [_("Where"), current.place or "—"],
            [_("Support"), str(current.get_support_display())],
            [_("The child's views"), current.child_views or "—"],
        ]
        if current.note:
            facts.append([_("Note"), current.note])
        facts.append([_("Since"), _day(current.valid_from)])
        block["facts"] = facts
    items = [
        _("Earlier: %(from)s–%(to)s: %(frequency)s, %(mode)s, %(support)s")
        % {
            "from": _day(v.valid_from),
            "to": _day(v.valid_to) if v.valid_to else "",
            "frequency": v.frequency,
            "mode": str(v.get_mode_display()).lower(),
            "support": str(v.get_support_display()).lower(),
        }
        + (f", {v.place}" if v.place else "")
        for v in row.history
    ]
    for s in row.suspensions:
        line = _("Suspended at the child's request %(from)s–%(to)s: %(request)s") % {
            "from": _day(s.starts_on),
            "to": _day(s.ends_on),
            "request": s.child_request,
        }
        if s.ended_early_on:
            line += " " + _("(contact started again %(date)s)") % {"date": _day(s.ended_early_on)}
        items.append(line)
    if items:
        block["items"] = items
    active = row.active_suspension(today)
    if active is not None:
        block["note"] = _("Contact is suspended until %(date)s.") % {"date": _day(active.last_day)}
    return block


def contact_plan_pdf(case: Case, rows: list[ContactRow], today: datetime.date) -> bytes:
    blocks = [_block(row, today) for row in rows] or [
        {"title": _("Contact plan (samvær)"), "text": _("No contact arrangements yet.")}
    ]
    return render(
        title=_("Contact plan for %(name)s") % {"name": case.child.first_name},
        subtitle=_("Barnets Lov § 103 · as of %(date)s") % {"date": _day(today)},
        municipality=case.municipality.name,
        blocks=blocks,
    )
