"""Checks that the demo (seed_demo) shows issue 6: a Signs of Safety mapping with versions and scaling history,
a safety plan, the child's voice with an unread answer, plans with the network in the goals, and legal deadlines
in every state. Run by ``test_demo.py``."""

from __future__ import annotations

from kreds.cases.models import Case
from kreds.plans import selectors
from kreds.plans.models import ChildPlan
from kreds.safety.models import Mapping, SafetyRule, Scaling
from kreds.voice.models import ChildInput, ThreeHouses, WordsAndPictures


def check_mapping_with_versions_and_scaling_history():
    mapping = Mapping.objects.order_by("-version").first()
    assert mapping is not None and mapping.version == 3
    assert Mapping.objects.filter(case=mapping.case, sparring=True).exists()
    kinds = set(Scaling.objects.filter(case=mapping.case).values_list("scorer_kind", flat=True))
    assert kinds == {"staff", "parent", "network", "child"}
    dates = Scaling.objects.filter(case=mapping.case).values_list("scored_on", flat=True).distinct()
    assert len(dates) >= 4, "months of history"
    assert SafetyRule.objects.filter(plan__case=mapping.case).count() == 3


def check_childs_voice_with_an_unread_answer():
    assert ThreeHouses.objects.filter(checked_with_child_on__isnull=False, shown_to_parents_first=True).exists()
    assert ChildInput.objects.filter(reviewed_at__isnull=True).count() == 1
    assert ChildInput.objects.filter(reviewed_at__isnull=False).exclude(review_note="").exists()
    assert WordsAndPictures.objects.exists()


def check_plans_and_the_list_of_who_does_what():
    assert ChildPlan.objects.count() == 2
    case = ChildPlan.objects.filter(reviews__isnull=False).first().case
    rows = selectors.tasks(case)
    assert {"meeting", "safety", "plan"} <= {t.source for t in rows}
    assert any(t.is_network for t in rows) and any(not t.is_network for t in rows)
    assert any(t.overdue for t in rows)


def check_deadlines_in_every_state():
    states = {c.state for case in Case.objects.filter(status="open") for c in selectors.case_clocks(case)}
    assert {"met", "overdue", "due_soon", "running"} <= states


CHECKS = [
    check_mapping_with_versions_and_scaling_history,
    check_childs_voice_with_an_unread_answer,
    check_plans_and_the_list_of_who_does_what,
    check_deadlines_in_every_state,
]
