"""The figures' rules (docs/kpi-definitions.md) on hand-made facts: no database, every edge on purpose."""

from __future__ import annotations

import datetime
import pathlib
import re
from decimal import Decimal

import pytest

from kreds.insights.facts import AgreementRow, CaseRow, Facts, MeetingRow, PlacementRow, SessionRow
from kreds.insights.figures import FIGURES, compute
from kreds.insights.periods import Period
from kreds.insights.shown import suppressed
from kreds.tenancy.models import Municipality

D = datetime.date
NOVEMBER = Period.containing("month", D(2026, 11, 15))
TODAY = D(2026, 11, 30)


def facts(*cases: CaseRow, caseworkers=None, follow_ups_held=None, referral=None, today=TODAY) -> Facts:
    municipality = Municipality(name="Test", code="000", network_activity_days=60, cost_per_network_meeting=4100)
    return Facts(
        municipality=municipality,
        start=D(2025, 1, 1),
        end=D(2026, 12, 31),
        today=today,
        cases={c.id: c for c in cases},
        caseworkers=caseworkers or {},
        referral_wellbeing=referral or {},
        follow_ups_held=follow_ups_held or {},
    )


JANUARY = D(2026, 1, 1)


def case(pk: int, opened: D = JANUARY, closed: D | None = None, **kw) -> CaseRow:
    return CaseRow(pk, opened, closed, 1, **kw)


_ids = iter(range(1000, 100000))


def meeting(case_id: int, held: D | None, kind: str = "network", **kw) -> MeetingRow:
    values = {
        "id": next(_ids),
        "case_id": case_id,
        "kind": kind,
        "status": "held" if held else "planned",
        "held_on": held,
        "starts_on": held or D(2026, 12, 20),
        "follow_up_on": None,
        "minutes_sent_on": None,
        "summary_queued_on": None,
        "has_facilitator": True,
        "child_participation": "not",
        "previous_id": None,
    }
    values.update(kw)
    return MeetingRow(**values)


def test_every_figure_is_defined_in_the_docs_and_the_docs_define_no_other():
    text = (pathlib.Path(__file__).parents[4] / "docs" / "kpi-definitions.md").read_text()
    documented = set(re.findall(r"^### `([a-z_]+)`", text, re.MULTILINE))
    assert documented == set(FIGURES)


def test_coverage_counts_open_cases_with_a_meeting_held_in_the_period():
    a = case(1)
    a.meetings = [meeting(1, D(2026, 11, 3))]
    b = case(2)
    b.meetings = [meeting(2, D(2026, 10, 30)), meeting(2, None)]  # held before; planned in the future
    c = case(3, closed=D(2026, 11, 10))  # open for part of the period: counts
    gone = case(4, closed=D(2026, 10, 31))  # closed before: does not count
    gone.meetings = [meeting(4, D(2026, 11, 2))]
    result = compute(facts(a, b, c, gone), NOVEMBER)["coverage"]
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.hits == {1} and result.cases == {1, 2, 3}


def test_early_activity_waits_for_the_days_to_pass():
    done = case(1, opened=D(2026, 9, 1))
    done.meetings = [meeting(1, D(2026, 10, 20))]  # 49 days: in time
    late = case(2, opened=D(2026, 9, 10))
    late.meetings = [meeting(2, D(2026, 11, 20))]  # 71 days: too late
    referred = case(3, opened=D(2026, 9, 15), fgc_referred_on=D(2026, 9, 30))
    waiting = case(4, opened=D(2026, 11, 1))  # its 60 days have not passed
    period = Period.containing("quarter", D(2026, 9, 1))
    result = compute(facts(done, late, referred, waiting), period)["early_activity"]
    # As of 30 September only the referral has happened; the others' 60 days are still running.
    assert (result.numerator, result.denominator) == (1, 1)
    result = compute(facts(done, late, referred, waiting), Period.custom(D(2026, 9, 1), D(2026, 11, 30)))[
        "early_activity"
    ]
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.hits == {1, 3}


def test_map_figures_use_the_counts_on_the_as_of_day():
    a = case(1, map_counts={TODAY: (9, 7)}, map_first_private=4, map_started_on=D(2026, 2, 1))
    b = case(2, map_counts={TODAY: (3, 3)}, map_first_private=3, map_started_on=D(2026, 5, 1))
    c = case(3)  # no map
    out = compute(facts(a, b, c), NOVEMBER)
    assert (out["map_coverage"].numerator, out["map_coverage"].denominator) == (2, 3)
    assert out["map_size"].value == 5  # median of 7 and 3
    assert out["map_change"].value == 1.5  # median of +3 and 0
    assert out["map_change"].hits == {1}


def test_meetings_by_method_neutral_lead_and_the_child():
    a = case(1)
    a.meetings = [
        meeting(1, D(2026, 11, 2), child_attended=True, safety_plan=True),
        meeting(1, D(2026, 11, 9), kind="follow_up", child_participation="written"),
        meeting(1, D(2026, 11, 16), kind="fgc", has_facilitator=False),
        meeting(1, D(2026, 11, 17), status="cancelled"),
    ]
    out = compute(facts(a), NOVEMBER)
    assert compute(facts(a), NOVEMBER, {1}) == out  # a few cases read their own rows, all cases the month index
    held = out["meetings_held"]
    assert held.value == 3
    assert [p.value for p in held.parts] == [1, 1, 1, 0, 1]
    assert (out["neutral_lead"].numerator, out["neutral_lead"].denominator) == (2, 3)
    assert (out["child_part"].numerator, out["child_part"].denominator) == (2, 3)


def test_minutes_within_two_working_days_and_not_before_the_deadline_has_passed():
    a = case(1)
    a.meetings = [
        meeting(1, D(2026, 11, 2), minutes_sent_on=D(2026, 11, 4)),  # Monday → Wednesday: on time
        meeting(1, D(2026, 11, 6), minutes_sent_on=D(2026, 11, 11)),  # Friday → Wednesday: a day late
        meeting(1, D(2026, 11, 12)),  # never sent, deadline passed
        meeting(1, D(2026, 11, 27)),  # Friday; deadline Tuesday 1 December: not yet counted
    ]
    result = compute(facts(a), NOVEMBER)["minutes_on_time"]
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.per_case == {1: (1, 3)}  # the drill-down shows "1 of 3" for the case


def test_minutes_deadline_skips_easter():
    a = case(1)
    # Held Wednesday 1 April 2026; Skærtorsdag, Langfredag and 2. påskedag are closed: deadline Tuesday 7 April.
    a.meetings = [meeting(1, D(2026, 4, 1), minutes_sent_on=D(2026, 4, 7))]
    result = compute(facts(a), Period.containing("month", D(2026, 4, 1)))["minutes_on_time"]
    assert (result.numerator, result.denominator) == (1, 1)


def test_follow_up_on_time_allows_seven_days():
    first = meeting(1, D(2026, 9, 1), follow_up_on=D(2026, 11, 2))
    second = meeting(1, D(2026, 9, 2), follow_up_on=D(2026, 11, 5))
    third = meeting(1, D(2026, 9, 3), follow_up_on=D(2026, 11, 26))  # 7 days not passed, not held: not counted
    fourth = meeting(1, D(2026, 9, 4), follow_up_on=D(2026, 11, 10))  # never followed up
    a = case(1)
    a.meetings = [first, second, third, fourth]
    held = {first.id: D(2026, 11, 9), second.id: D(2026, 11, 13)}  # 7 days after: on time; 8 days: late
    result = compute(facts(a, follow_ups_held=held), NOVEMBER)["follow_up_on_time"]
    assert (result.numerator, result.denominator) == (1, 3)


def test_summary_fourteen_days_before_the_follow_up():
    a = case(1)
    a.meetings = [
        meeting(1, None, kind="follow_up", starts_on=D(2026, 11, 20), summary_queued_on=D(2026, 11, 6)),
        meeting(1, None, kind="follow_up", starts_on=D(2026, 11, 21), summary_queued_on=D(2026, 11, 10)),
        meeting(1, None, kind="follow_up", starts_on=D(2026, 11, 22), status="cancelled"),
        meeting(1, None, kind="network", starts_on=D(2026, 11, 23)),
    ]
    result = compute(facts(a), NOVEMBER)["summary_on_time"]
    assert (result.numerator, result.denominator) == (1, 2)


def test_agreements_made_done_on_time_and_held_by_the_private_network():
    a = case(1)
    a.agreements = [
        AgreementRow(1, 1, D(2026, 11, 2), D(2026, 11, 10), "done", "private", D(2026, 11, 9)),
        AgreementRow(2, 1, D(2026, 11, 2), D(2026, 11, 12), "done", "professional", D(2026, 11, 14)),  # late
        AgreementRow(3, 1, D(2026, 10, 2), D(2026, 11, 20), "agreed", "parent", None),  # overdue
        AgreementRow(4, 1, D(2026, 11, 2), D(2026, 12, 20), "agreed", "private", None),  # not due in November
        AgreementRow(5, 1, D(2026, 10, 1), D(2026, 11, 30), "agreed", "private", None),  # due today: not yet
    ]
    out = compute(facts(a), NOVEMBER)
    assert compute(facts(a), NOVEMBER, {1}) == out
    assert out["agreements_made"].value == 3
    assert (out["agreements_done"].numerator, out["agreements_done"].denominator) == (1, 3)
    assert (out["agreements_private"].numerator, out["agreements_private"].denominator) == (2, 3)


def test_family_group_conference_figures():
    a = case(1)
    conference = SessionRow(1, 10, 0, 100, D(2026, 8, 1), approved_items=3)
    follow_up = SessionRow(
        2,
        10,
        1,
        101,
        D(2026, 11, 5),
        approved_items=0,
        reviews=["realised", "partly", "realised", "not_realised"],
        wellbeing=[4, 5],
    )
    b = case(2)
    no_plan = SessionRow(3, 11, 0, 102, D(2026, 11, 6), approved_items=0)
    with_plan = SessionRow(4, 12, 0, 103, D(2026, 11, 7), approved_items=2)
    a.sessions = [conference, follow_up]
    b.sessions = [no_plan, with_plan]
    answers = [(5, 5, 4, 4, 4, None), (3, 3, 3, 3, 2, None), (4, 4, 4, 4, 3, None)]
    b.meetings = [meeting(2, D(2026, 11, 6), kind="fgc", evaluations=answers)]
    out = compute(facts(a, b, referral={10: [2, 2]}), NOVEMBER)
    assert (out["fgc_plan"].numerator, out["fgc_plan"].denominator) == (1, 2)
    assert (out["fgc_realised"].numerator, out["fgc_realised"].denominator) == (2, 4)
    assert out["fgc_wellbeing"].value == 4.5 and out["fgc_wellbeing"].second == 2
    assert out["fgc_satisfaction"].value == 3
    evaluation = out["evaluation"]
    assert evaluation.parts[0].value == 4 and evaluation.parts[0].n == 3
    assert evaluation.parts[-1].n == 0  # plan satisfaction not answered


def test_evaluation_means_need_three_answers():
    """With one or two answers (one family's meeting) a "mean" is someone's own answers: shown as "–" (issue 14)."""
    from kreds.insights.templatetags.insights import figure_value, part_value

    b = case(2)
    b.meetings = [meeting(2, D(2026, 11, 6), kind="fgc", evaluations=[(5, 5, 4, 4, 4, None), (3, 3, 3, 3, 2, None)])]
    out = compute(facts(b), NOVEMBER)
    assert out["fgc_satisfaction"].value is None and out["fgc_satisfaction"].n == 2
    assert figure_value(out["fgc_satisfaction"]) == "–"
    evaluation = out["evaluation"]
    assert evaluation.value is None and evaluation.n == 2
    assert all(part.value is None for part in evaluation.parts)
    assert part_value(evaluation.parts[0], "means") == "–"


def test_legal_deadlines_as_they_stood_on_the_last_day_of_the_period():
    # Investigation started 1 June: due 1 October; completed 15 December (after the period): overdue in November.
    a = case(1, investigation_started_on=D(2026, 6, 1), investigation_completed_on=D(2026, 12, 15))
    b = case(2, investigation_started_on=D(2026, 6, 1), investigation_completed_on=D(2026, 9, 1))
    out = compute(facts(a, b, today=D(2026, 12, 20)), NOVEMBER)["clocks_overdue"]
    assert out.value == 1 and out.hits == {1} and out.denominator == 2
    assert [p.value for p in out.parts] == [1, 0, 0]


def test_costs_meetings_times_the_rate_plus_recorded_conference_costs():
    a = case(1)
    a.meetings = [
        meeting(1, D(2026, 11, 2)),
        meeting(1, D(2026, 11, 20), kind="follow_up"),
        meeting(1, D(2026, 11, 21), kind="fgc"),
    ]
    a.sessions = [SessionRow(1, 10, 0, a.meetings[2].id, D(2026, 11, 21), 0, costs=Decimal("12500.50"))]
    result = compute(facts(a), NOVEMBER)["costs"]
    assert result.value == Decimal("8200") + Decimal("12500.50")


def test_a_caseworker_sees_only_their_cases():
    a, b = case(1), case(2)
    a.meetings = [meeting(1, D(2026, 11, 3))]
    f = facts(a, b, caseworkers={7: {2}})
    result = compute(f, NOVEMBER, f.caseworkers[7], keys=["coverage"])["coverage"]
    assert (result.numerator, result.denominator) == (0, 1)


@pytest.mark.parametrize(
    ("numerator", "denominator", "hidden"),
    [(0, 0, False), (0, 12, False), (3, 12, True), (7, 12, False), (7, 4, True), (5, 5, False)],
)
def test_suppression_of_small_groups(numerator, denominator, hidden):
    a = case(1)
    a.meetings = [meeting(1, D(2026, 11, 2), has_facilitator=i < numerator) for i in range(denominator)]
    result = compute(facts(a), NOVEMBER, keys=["neutral_lead"])["neutral_lead"]
    if denominator and numerator <= denominator:
        assert (result.numerator, result.denominator) == (numerator, denominator)
        assert suppressed(result) is hidden


def test_periods():
    assert Period.containing("quarter", D(2026, 11, 30)) == Period("quarter", D(2026, 10, 1), D(2026, 12, 31))
    assert Period.containing("month", D(2026, 1, 15)).previous() == Period("month", D(2025, 12, 1), D(2025, 12, 31))
    assert Period.containing("year", D(2026, 5, 1)).previous().start == D(2025, 1, 1)
    custom = Period.custom(D(2026, 11, 1), D(2026, 11, 10))
    assert custom.previous() == Period("custom", D(2026, 10, 22), D(2026, 10, 31))
    months = NOVEMBER.months_back(12)
    assert len(months) == 12 and months[0].start == D(2025, 12, 1) and months[-1] == NOVEMBER
    assert NOVEMBER.as_of(D(2026, 11, 20)) == D(2026, 11, 20)


def test_placement_figures_count_decisions_in_the_period_and_whether_the_network_came_first():
    # Four decisions in November, one in October (another period).
    a = case(1, placements=[PlacementRow(1, D(2026, 11, 10), True, D(2026, 9, 1), 3)])  # explored 70 days before
    b = case(2, placements=[PlacementRow(2, D(2026, 11, 12), False, D(2026, 11, 2), 2)])  # explored 10 days before
    c = case(3, placements=[PlacementRow(3, D(2026, 11, 20), False, D(2026, 11, 20), 0)])  # same day, nobody explored
    d = case(4, placements=[PlacementRow(4, D(2026, 11, 30), False, None, 0)])  # no exploration at all
    e = case(5, placements=[PlacementRow(5, D(2026, 10, 31), True, D(2026, 10, 1), 4)])  # October
    # Field trial (issue 14): decided the day the search started, after one candidate passed every check and was
    # approved that day. "Before or on the day": it counts.
    f = case(6, placements=[PlacementRow(6, D(2026, 11, 25), True, D(2026, 11, 25), 1)])
    out = compute(facts(a, b, c, d, e, f), NOVEMBER)
    network = out["placements_network"]
    assert (network.numerator, network.denominator) == (2, 5) and network.hits == {1, 6}
    assert out["placements_candidates"].value == pytest.approx((3 + 2 + 0 + 0 + 1) / 5)
    before = out["placements_explored_before"]
    assert (before.numerator, before.denominator) == (3, 5) and before.hits == {1, 2, 6}
    days = out["placements_days"]
    assert days.value == 5  # median of 70, 10, 0 and 0; the decision without an exploration has no days
    assert days.n == 4 and days.cases == {1, 2, 3, 6}
    empty = compute(facts(e), NOVEMBER)
    assert empty["placements_network"].value is None and empty["placements_days"].value is None


# Rounding and suppression (kreds.insights.shown): one rule for the screen and every export (issue 14) --------------


def _evaluated(scores: list[int]) -> CaseRow:
    a = case(1)
    a.meetings = [meeting(1, D(2026, 11, 2), evaluations=[(s, s, s, s, s, None) for s in scores])]
    return a


def test_one_rounding_rule_on_screen_and_in_every_export():
    """Field trial: the evaluation mean read 4,7 on screen and 4,8 in the export (4,75: cut off on screen, rounded
    in the file). Half up everywhere, with a decimal comma on screen and in CSV."""
    from django.utils import translation

    from kreds.insights import exports
    from kreds.insights.shown import rounded
    from kreds.insights.templatetags.insights import figure_value, part_value, shown_parts

    assert rounded(4.75, 1) == Decimal("4.8") and rounded(4.65, 1) == Decimal("4.7") and rounded(12.5, 0) == 13
    result = compute(facts(_evaluated([5, 5, 5, 5, 5, 5, 4, 4])), NOVEMBER, keys=["evaluation"])["evaluation"]
    assert result.value == pytest.approx(4.75)
    with translation.override("da"):
        assert figure_value(result) == "4,8"
        assert {part_value(p, "means") for p in shown_parts(result) if p.value is not None} == {"4,8"}
        [row, *parts] = exports.records([result], NOVEMBER, "Enhed")
        assert row["value"] == 4.8 and all(p["value"] == 4.8 for p in parts if p["value"] is not None)
        csv = exports.to_csv([row])
        assert ";4,8;" in csv and "4,7" not in csv
    # A share of 12,5 % is 13 % on screen and 13 in the file (it was 12 % and 12.5).
    a = case(1)
    a.meetings = [meeting(1, D(2026, 11, 2), has_facilitator=i < 5) for i in range(40)]
    share = compute(facts(a), NOVEMBER, keys=["neutral_lead"])["neutral_lead"]
    assert figure_value(share) == "13 %"
    assert exports.records([share], NOVEMBER, "Enhed")[0]["value"] == 13


def _share(numerator: int, denominator: int):
    a = case(1)
    a.meetings = [meeting(1, D(2026, 11, 2), has_facilitator=i < numerator) for i in range(denominator)]
    return compute(facts(a), NOVEMBER, keys=["neutral_lead"])["neutral_lead"]


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (0, 0, (None, 0, 0)),
        (0, 12, (0, 0, 12)),
        (3, 10, ("<5", "<5", 10)),  # field trial: the denominator 10 was printed as <5
        (8, 10, ("<5", "<5", 10)),  # 2 not counted: the numerator would give them away
        (5, 10, (50, 5, 10)),
        (3, 4, ("<5", "<5", "<5")),
        (5, 5, (100, 5, 5)),
    ],
)
def test_a_share_hides_a_small_part_and_keeps_the_denominator(numerator, denominator, shown):
    from kreds.insights.shown import present

    cells = present(_share(numerator, denominator), suppress=True)
    assert (cells.value, cells.numerator, cells.denominator) == shown
    assert suppressed(_share(numerator, denominator)) is (shown[0] == "<5")


def test_complementary_suppression_a_hidden_part_cannot_be_recomputed_from_the_total():
    """Field trial: a cost part was suppressed while the total and the other part were shown (total − other part =
    the hidden one)."""
    from kreds.insights import exports
    from kreds.insights.shown import present

    a = case(1)
    a.meetings = [meeting(1, D(2026, 11, d)) for d in range(2, 8)]  # six network meetings
    a.meetings += [meeting(1, D(2026, 11, 20), kind="fgc"), meeting(1, D(2026, 11, 21), kind="fgc")]
    a.sessions = [
        SessionRow(1, 10, 0, a.meetings[6].id, D(2026, 11, 20), 1, costs=Decimal("9000")),
        SessionRow(2, 10, 1, a.meetings[7].id, D(2026, 11, 21), 1, costs=Decimal("3000")),
    ]
    out = compute(facts(a), NOVEMBER)
    costs = present(out["costs"], suppress=True)
    assert costs.value == Decimal(6 * 4100 + 12000)  # 8 meetings and conferences behind the total: shown
    assert [p.value for p in costs.parts] == ["<5", "<5"], "the conferences (2) hidden, and the meetings with them"
    held = present(out["meetings_held"], suppress=True)
    by_key = {p.key: p.value for p in held.parts}
    assert held.value == 8
    assert by_key["kind:fgc"] == "<5" and by_key["kind:network"] == "<5", "the smallest other part is hidden too"
    assert by_key["kind:follow_up"] == 0 and by_key["safety_plan"] == 0
    rows = exports.records([out["costs"]], NOVEMBER, "Enhed")
    assert [r["value"] for r in rows] == [36600, "<5", "<5"]
    # One part only, and small: the total is that part, so the total is hidden.
    b = case(2)
    b.meetings = [meeting(2, D(2026, 11, 2)), meeting(2, D(2026, 11, 3))]
    assert present(compute(facts(b), NOVEMBER)["meetings_held"], suppress=True).value == "<5"


def test_the_screen_shows_the_municipality_column_with_the_same_suppression_as_the_files():
    from kreds.insights.templatetags.insights import figure_detail, figure_value

    result = _share(3, 10)
    assert (figure_value(result), figure_detail(result)) == ("30 %", "3 of 10")  # the unit's own: in full
    result.suppress = True  # the whole municipality: cases the leader may not open
    assert (figure_value(result), figure_detail(result)) == ("<5", "<5 of 10")


def test_the_conference_figures_page_rounds_shares_by_the_same_rule():
    from kreds.insights.templatetags.insights import share_percent

    assert share_percent(0.125) == "13 %" and share_percent(1) == "100 %" and share_percent(None) == "–"
    assert share_percent(2 / 3) == "67 %"
