"""The child's plan and the list of who does what as PDF/A, to print and hand over or put in the case file.

Built from the same rows as the pages (``selectors.plan`` and ``selectors.tasks``); nothing here reads the child's
CPR number, and the texts were checked for CPR-shaped numbers when they were written (``services._no_cpr``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.core.pdf import render, table_block, text_block
from kreds.plans.models import ChildPlan, Contribution
from kreds.plans.selectors import Task


def _day(value: datetime.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def _who(name: str, kin_label: str) -> str:
    """The name with who the person is to the child, as on the page: the child, parent, network, professional."""
    return f"{name} ({kin_label})"


def _goal_block(goal: Any) -> dict[str, Any]:
    contributions: list[Contribution] = list(goal.contributions.all())
    title = _("Goal %(number)d: %(area)s") % {"number": goal.number, "area": goal.get_area_display()}
    notes = []
    if contributions:
        block = table_block(
            title,
            [_("Who"), _("What"), _("By when"), _("Status")],
            [
                [_who(c.responsible_name, c.kin_label), c.what, _day(c.due_on), str(c.get_status_display())]
                for c in contributions
            ],
            ["auto", "2fr", "auto", "auto"],
        )
    else:
        block = {"title": title}
        notes.append(_("No contributions yet."))
    block["text"] = goal.text
    if goal.achieved_on:
        notes.append(_("Achieved %(date)s") % {"date": _day(goal.achieved_on)})
    if notes:
        block["note"] = " · ".join(notes)
    return block


def child_plan_pdf(case: Case, plan: ChildPlan) -> bytes:
    """The plan (Barnets Lov §§ 91–92): its purpose, every goal with who contributes what, and the follow-ups."""
    goals = list(plan.goals.all())
    blocks: list[dict[str, Any]] = [text_block(_("The purpose of the support"), plan.purpose)]
    blocks.extend(_goal_block(goal) for goal in goals)
    if not goals:
        blocks.append(text_block(_("Goals"), _("No goals yet.")))
    reviews = list(plan.reviews.all())
    if reviews:
        blocks.append(
            {
                "title": _("Follow-ups of the plan"),
                "items": [
                    f"{_day(r.reviewed_on)} · {r.created_by.get_full_name()}" + (f": {r.note}" if r.note else "")
                    for r in reviews
                ],
            }
        )
    else:
        blocks.append(text_block(_("Follow-ups of the plan"), _("Not followed up yet.")))
    return render(
        title=_("The child's plan for %(name)s") % {"name": case.child.first_name},
        subtitle=_("Barnets Lov §§ 91–92 · made on %(date)s") % {"date": _day(plan.decided_on)},
        municipality=case.municipality.name,
        blocks=blocks,
        closing=_("Printed %(date)s") % {"date": _day(timezone.localdate())},
    )


def _by_when(task: Task) -> str:
    text = _day(task.due_on) if task.due_on else str(_("standing"))
    return f"{text} · {_('Overdue')}" if task.overdue else text


def tasks_pdf(case: Case, rows: list[Task], total: int, today: datetime.date) -> bytes:
    """Who does what: every agreement and task on the case (the rows the page shows with its filters)."""
    if rows:
        block = table_block(
            _("Agreements and tasks"),
            [_("Who"), _("What"), _("By when"), _("Status"), _("Where agreed")],
            [[_who(t.who, t.kin_label), t.what, _by_when(t), t.status_label, t.source_label] for t in rows],
            ["auto", "2fr", "auto", "auto", "1fr"],
        )
    else:
        block = text_block(_("Agreements and tasks"), _("No agreements or tasks match."))
    block["note"] = _("Showing %(shown)s of %(total)s.") % {"shown": len(rows), "total": total}
    return render(
        title=_("Who does what for %(name)s") % {"name": case.child.first_name},
        subtitle=_("Every agreement and task on the case · as of %(date)s") % {"date": _day(today)},
        municipality=case.municipality.name,
        blocks=[block],
    )
