"""The contact plan (samvær) as PDF/A for the case file: every arrangement as it stands, its earlier versions and
the suspensions at the child's request. Built from the same rows as the page (``selectors.contacts``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.core.pdf import render, table_block
from kreds.network.services import current_version
from kreds.placements.constants import CandidateStatus
from kreds.placements.models import Exploration, Placement
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
        if s.by_decision:
            line = _("Suspended by a decision of %(date)s (journal %(ref)s) %(from)s–%(to)s") % {
                "date": _day(s.decision_on) if s.decision_on else "",
                "ref": s.decision_ref,
                "from": _day(s.starts_on),
                "to": _day(s.ends_on),
            }
            if s.child_request:
                line += ": " + s.child_request
        else:
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


def decisions_pdf(case: Case) -> bytes:
    """The searches of the network and the placement decisions, with each candidate's history (the archive)."""

    def person_name(person: Any) -> str:
        version = current_version(person)
        return version.name if version else _("(no longer on the map)")

    blocks: list[dict[str, Any]] = []
    for found in Exploration.objects.filter(case=case).prefetch_related("candidates__events").order_by("started_on"):
        blocks.append(
            {
                "title": _("Search of the network from %(date)s") % {"date": _day(found.started_on)},
                "facts": [
                    [_("Why placement is considered"), found.why],
                    [_("Closed"), _day(found.closed_on) if found.closed_on else "—"],
                ],
            }
        )
        rows = []
        for candidate in found.candidates.all():
            history = ", ".join(
                f"{CandidateStatus(e.status).label} {_day(e.on)}"
                for e in sorted(candidate.events.all(), key=lambda e: e.on)
            )
            rows.append(
                [person_name(candidate.person), history + (f" ({candidate.reason})" if candidate.reason else "")]
            )
        if rows:
            blocks.append(table_block(_("Candidates"), [_("Name"), _("Status history")], rows, ["auto", "1fr"]))
    for placed in Placement.objects.filter(case=case).select_related("candidate__person").order_by("decided_on"):
        facts = [
            [_("Decided on"), _day(placed.decided_on)],
            [_("The child moves on"), _day(placed.starts_on)],
            [_("Placement"), str(placed.get_setting_display())],
            [_("In the child's network"), _("Yes") if placed.in_network else _("No")],
        ]
        if placed.candidate is not None:
            facts.append([_("With"), person_name(placed.candidate.person)])
        if placed.no_network_reason:
            facts.append([_("Why no network placement was possible"), placed.no_network_reason])
        facts.append(
            [
                _("Search of the network started"),
                _day(placed.exploration_started_on) if placed.exploration_started_on else _("Not before the decision"),
            ]
        )
        facts.append([_("The network was searched first"), _("Yes") if placed.searched_first else _("No")])
        blocks.append({"title": _("Placement decision %(date)s") % {"date": _day(placed.decided_on)}, "facts": facts})
    return render(
        title=_("Placement for %(name)s") % {"name": case.child.first_name},
        subtitle=_("The search of the network and the decisions"),
        municipality=case.municipality.name,
        blocks=blocks,
    )
