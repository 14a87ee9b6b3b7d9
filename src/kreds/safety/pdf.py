"""The mapping as PDF/A (DOMAIN §7): the three columns, the scaling and the safety plan, for sparring and the file."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.core.pdf import render, table_block, text_block
from kreds.core.text import mid_sentence, sentence_start
from kreds.safety import selectors
from kreds.safety.models import Mapping, WorryStatement


def worry_sentence(statement: WorryStatement) -> str:
    """ "Skolen er bekymret for at Tom er alene hjemme": the statement as one sentence, as the screen shows it."""
    return _("%(who)s is worried about %(what)s") % {
        "who": sentence_start(statement.who_worried),
        "what": mid_sentence(statement.about_what),
    }


def mapping_pdf(case: Case, mapping: Mapping) -> bytes:
    statements = list(mapping.statements.order_by("number"))
    blocks: list[dict[str, Any]] = [
        {
            "title": _("What are we worried about?"),
            "facts": [
                [_("Worry basis"), mapping.worry_basis or "—"],
                [_("Past harm"), mapping.past_harm or "—"],
                [_("Complicating factors"), mapping.complicating or "—"],
            ],
        },
        table_block(
            _("Worry statements"),
            ["#", _("Worry statement"), _("If nothing changes")],
            [[str(s.number), worry_sentence(s), sentence_start(s.if_nothing_changes)] for s in statements],
            ["auto", "1fr", "1fr"],
        ),
        {
            "title": _("What is working well?"),
            "facts": [
                [_("Strengths"), mapping.strengths or "—"],
                [_("Existing safety"), mapping.existing_safety or "—"],
            ],
        },
        table_block(
            _("What needs to happen? Safety goals"),
            ["#", _("The parents will"), _("The child will experience"), _("The professionals will see")],
            [
                [str(s.number), s.goal_parent or "—", s.goal_child or "—", s.goal_professionals or "—"]
                for s in statements
            ],
            ["auto", "1fr", "1fr", "1fr"],
        ),
        text_block(_("Next steps"), mapping.next_steps),
    ]
    charts = selectors.charts(case, mapping)
    rows = [
        [
            str(chart.statement.number),
            s.scored_on.strftime("%d.%m.%Y"),
            s.scorer_name,
            str(s.get_scorer_kind_display()),
            str(s.score),
        ]
        for chart in charts
        for s in chart.rows
    ]
    if rows:
        blocks.append(
            table_block(
                _("Scaling, 0 to 10"),
                ["#", _("Date"), _("Name"), _("Who answered"), _("Score")],
                rows,
                ["auto", "auto", "1fr", "auto", "auto"],
            )
        )
    rules = selectors.rules(case)
    if rules:
        late = [r for r in rules if r.overdue]
        if late:
            blocks.append(
                text_block(
                    _("Overdue in the safety plan"),
                    _("Rules whose date has passed and that are not done: %(numbers)s.")
                    % {"numbers": ", ".join(str(r.number) for r in late)},
                )
            )
        blocks.append(
            table_block(
                _("Safety plan"),
                ["#", _("Rule or arrangement"), _("Responsible"), _("By when"), _("Status")],
                [
                    [
                        str(r.number),
                        r.rule,
                        r.responsible_name,
                        (r.due_on.strftime("%d.%m.%Y") if r.due_on else _("standing"))
                        + (" – " + _("OVERDUE") if r.overdue else ""),
                        str(r.get_status_display()),
                    ]
                    for r in rules
                ],
                ["auto", "1fr", "auto", "auto", "auto"],
            )
        )
    return render(
        title=_("Signs of Safety mapping for %(name)s") % {"name": case.child.first_name},
        subtitle=_("Version %(version)d · %(date)s")
        % {
            "version": mapping.version,
            "date": timezone.localtime(mapping.created_at).strftime("%d.%m.%Y"),
        },
        municipality=case.municipality.name,
        blocks=blocks,
        closing=_("Made in professional sparring") if mapping.sparring else "",
    )
