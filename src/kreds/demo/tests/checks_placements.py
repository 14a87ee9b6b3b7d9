"""Checks that the demo (seed_demo) shows issue 8: an exploration with five candidates in different states, a
placement in the network with a contact plan and a suspension, a placement outside the network with its reason.
Run by ``test_demo.py``."""

from __future__ import annotations

from kreds.placements import selectors
from kreds.placements.models import Candidate, ContactArrangement, Exploration, Placement, Suspension


def check_an_exploration_with_five_candidates_in_different_states():
    open_ones = [e for e in Exploration.objects.filter(closed_on__isnull=True) if not e.placements.exists()]
    assert len(open_ones) == 1
    statuses = list(Candidate.objects.filter(exploration=open_ones[0]).values_list("status", flat=True))
    assert len(statuses) == 5 and len(set(statuses)) == 5
    assert {"declined", "not_suitable"} <= set(statuses)


def check_a_network_placement_with_a_contact_plan():
    placement = Placement.objects.get(in_network=True)
    assert placement.candidate is not None and placement.candidate.status == "placed"
    assert placement.candidate.approved_on <= placement.starts_on
    assert placement.exploration_started_on < placement.decided_on
    assert ContactArrangement.objects.filter(case=placement.case).count() == 2
    assert Suspension.objects.filter(contact__case=placement.case).count() == 1
    shown = [r.shared for r in selectors.contacts(placement.case)]
    assert sorted(shown) == [False, True], "one parent sees the arrangement on their own page, one does not yet"


def check_a_placement_outside_the_network_with_its_reason():
    placement = Placement.objects.get(in_network=False)
    assert placement.no_network_reason and placement.candidate is None
    assert placement.exploration is not None and placement.exploration.closed_on == placement.decided_on


CHECKS = [
    check_an_exploration_with_five_candidates_in_different_states,
    check_a_network_placement_with_a_contact_plan,
    check_a_placement_outside_the_network_with_its_reason,
]
