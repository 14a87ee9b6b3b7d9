"""The family's plan as PDF/A (DOMAIN §6): what every participant receives after a conference or follow-up.

Built from the same data as the screens; nothing here reads the child's CPR number, and the texts that go into
it were checked for CPR-shaped numbers when they were written.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.conferences import selectors
from kreds.conferences.constants import Decision, SupportStatus
from kreds.conferences.models import ConferenceSession, PlanItem
from kreds.conferences.services import items_to_review
from kreds.core import disclosure
from kreds.core.pdf import render, table_block, text_block
from kreds.meetings.models import Meeting
from kreds.meetings.sending import when_text


def _date(value: Any) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def _decision(item: PlanItem) -> str:
    if item.decision == Decision.APPROVED:
        return str(_("Approved"))
    if item.decision == Decision.REJECTED:
        return _("Rejected: %(reason)s") % {"reason": item.decision_reason}
    return str(_("Not decided yet"))


def _support(item: PlanItem) -> str:
    if not item.needs_support:
        return "—"
    text = str(item.support_requested)
    if item.support_status == SupportStatus.AVAILABLE:
        text += " – " + _("provided: %(note)s") % {"note": item.support_note}
    elif item.support_status == SupportStatus.NOT_AVAILABLE:
        text += " – " + _("not available: %(note)s") % {"note": item.support_note}
    return text


def plan_data(session: ConferenceSession) -> dict[str, Any]:
    meeting = session.meeting
    conference = session.conference
    child = conference.case.child.first_name
    # A participant hidden from the others (issue 18) is left out of the copy they read, attendance included.
    people = [
        p
        for p in meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")
        if disclosure.shows_person(p.person_id)
    ]
    attended = {True: _("Attended"), False: _("Did not attend"), None: _("Not recorded")}
    header = [_("Who"), _("What"), _("By when"), _("Support from the municipality"), _("Decision")]
    blocks: list[dict[str, Any]] = [
        text_block(_("The questions the plan must answer"), conference.questions),
        {
            "title": _("Bottom lines: what must be in place for the child's safety"),
            "items": conference.bottom_line_list,
        },
    ]
    if session.number:
        reviews = {r.item_id: r for r in session.reviews.all()}
        rows = [
            [
                item.responsible_name,
                item.what,
                _date(item.due_on),
                str(reviews[item.pk].get_outcome_display()) if item.pk in reviews else "—",
                reviews[item.pk].comment if item.pk in reviews else "",
            ]
            for item in _earlier_items(session)
        ]
        blocks.append(
            table_block(
                _("How the plan went"),
                [_("Who"), _("What"), _("By when"), _("Realised?"), _("Comment")],
                rows,
                ["auto", "1fr", "auto", "auto", "1fr"],
            )
        )
        scores = {w.scored_by: w.score for w in session.wellbeing.all()}
        blocks.append(
            {
                "title": _("The child's well-being (1 = very bad, 5 = very good)"),
                "facts": [
                    [_("The child's own score"), str(scores.get("child", "—"))],
                    [_("The family's score"), str(scores.get("family", "—"))],
                ],
            }
        )
    items = list(session.items.order_by("number"))
    title = _("The revised plan") if session.number else _("The family's plan")
    if items:
        blocks.append(
            table_block(
                title,
                header,
                [[i.responsible_name, i.what, _date(i.due_on), _support(i), _decision(i)] for i in items],
                ["auto", "1fr", "auto", "1fr", "auto"],
            )
        )
    elif session.number == 0:
        blocks.append(text_block(title, _("No plan was made: %(reason)s") % {"reason": session.no_plan_reason or "—"}))
    blocks.append(
        table_block(
            _("Participants"),
            [_("Name"), _("Role"), _("Attendance")],
            [[p.name, p.relation or str(p.get_role_display()), str(attended[p.attended])] for p in people],
            ["1fr", "1fr", "auto"],
        )
    )
    facts = [
        [_("Coordinator"), meeting.facilitator.get_full_name() if meeting.facilitator else "—"],
        [_("Follow-up conference"), _date(meeting.follow_up_on)],
    ]
    support_person = selectors.support_person_name(conference)
    if support_person:
        facts.insert(1, [_("The child's support person"), support_person])
    blocks.append({"title": _("Practical"), "facts": facts})
    closing = (
        _("Approved %(date)s by %(name)s")
        % {
            "date": timezone.localtime(session.plan_finalised_at).strftime("%d.%m.%Y %H.%M"),
            "name": session.plan_finalised_by.get_full_name() if session.plan_finalised_by else "",
        }
        if session.plan_finalised_at
        else _("Draft, not yet approved by the municipality")
    )
    return {
        "title": _("The family's plan") if not session.number else _("Follow-up family group conference"),
        "subtitle": _("About %(name)s · %(when)s · %(place)s")
        % {"name": child, "when": when_text(meeting), "place": meeting.place},
        "municipality": conference.case.municipality.name,
        "blocks": blocks,
        "closing": closing,
    }


def _earlier_items(session: ConferenceSession) -> list[Any]:

    return items_to_review(session)


def plan_pdf(meeting: Meeting) -> bytes:
    session = ConferenceSession.objects.select_related("conference__case__child", "conference__case__municipality").get(
        meeting=meeting
    )
    return render(**plan_data(session))
