"""Restricted cases (issue 18): only named staff open them; everyone else lists "Restricted case" without a name;
the unit's leader opens one only by stating a reason, which the caseworkers are shown."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.cases import services
from kreds.cases.models import BreakGlass
from kreds.cases.policies import openable_cases, visible_cases
from kreds.core.exceptions import KredsError


@pytest.fixture
def restricted(world):
    services.restrict_case(actor=world.caseworker, case=world.case, reason="Barn af en kollega i enheden", staff=[])
    world.case.refresh_from_db()
    return world.case


def _page(client, url) -> str:
    return html.unescape(client.get(url).content.decode())


def test_only_named_staff_open_it(world, restricted, login):
    detail = reverse("cases:detail", args=[restricted.public_id])
    assert login(world.caseworker).get(detail).status_code == 200
    assert login(world.practitioner).get(detail).status_code == 404
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=world.practitioner).exists()
    network = reverse("network:map", args=[restricted.public_id])
    assert login(world.practitioner).get(network).status_code == 404
    assert restricted in visible_cases(world.practitioner) and restricted not in openable_cases(world.practitioner)
    services.change_restriction(actor=world.caseworker, case=restricted, staff=[world.practitioner])
    assert login(world.practitioner).get(detail).status_code == 200


def test_lists_show_restricted_case_without_a_name(world, restricted, login):
    page = _page(login(world.practitioner), reverse("cases:my_cases"))
    assert restricted.child.full_name not in page and restricted.external_ref not in page
    assert "Restricted case" in page
    assert restricted.child.birth_date.strftime("%Y") not in page  # no other detail of the child either
    # The named caseworker's list shows it as it is.
    assert restricted.child.full_name in _page(login(world.caseworker), reverse("cases:my_cases"))


def test_a_search_never_finds_it(world, restricted, login):
    client = login(world.leader)
    response = client.post(reverse("cases:my_cases"), {"text": restricted.child.first_name, "status": "open"})
    page = _page(client, response.url if response.status_code == 302 else reverse("cases:my_cases"))
    assert restricted.child.full_name not in page
    assert "Restricted case" not in page  # not even a placeholder for the searched name


def test_the_leader_breaks_the_glass_with_a_reason(world, restricted, login):
    client = login(world.leader)
    detail = reverse("cases:detail", args=[restricted.public_id])
    response = client.get(detail)
    glass = reverse("cases:break_glass", args=[restricted.public_id])
    assert response.status_code == 302 and response.url == glass
    page = _page(client, glass)
    assert restricted.child.full_name not in page
    response = client.post(glass, {"reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not BreakGlass.objects.exists()
    response = client.post(glass, {"reason": "Klage fra forælder skal besvares i dag"})
    assert response.status_code == 302 and response.url == detail
    assert client.get(detail).status_code == 200
    event = AuditEvent.objects.get(action=Action.CASE_BREAK_GLASS)
    assert event.actor == world.leader and "Klage fra forælder" in event.details["reason"]
    # The assigned caseworker is shown who opened it, and why.
    page = _page(login(world.caseworker), detail)
    assert "Klage fra forælder skal besvares i dag" in page and world.leader.get_full_name() in page


def test_only_the_units_leader_may_break_the_glass(world, restricted, login):
    glass = reverse("cases:break_glass", args=[restricted.public_id])
    assert login(world.practitioner).get(glass).status_code == 404
    assert login(world.colleague).get(glass).status_code == 404
    with pytest.raises(KredsError):
        services.break_glass(actor=world.practitioner, case=restricted, reason="Vil gerne se sagen nu")


def test_lifting_needs_a_reason(world, restricted, login):
    client = login(world.caseworker)
    url = reverse("cases:unrestrict", args=[restricted.public_id])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Kollegaen er fratrådt"}).status_code == 302
    assert login(world.practitioner).get(reverse("cases:detail", args=[restricted.public_id])).status_code == 200
    actions = set(AuditEvent.objects.filter(object_id=str(restricted.public_id)).values_list("action", flat=True))
    assert {Action.CASE_RESTRICT, Action.CASE_UNRESTRICT} <= actions


def test_restricting_needs_a_reason_and_keeps_the_restrictor_named(world, login):
    client = login(world.caseworker)
    url = reverse("cases:restrict", args=[world.case.public_id])
    response = client.post(url, {"reason": "", "staff": [str(world.colleague.public_id)]})
    assert response.status_code == 200
    response = client.post(url, {"reason": "Kendt familie"})
    assert response.status_code == 302
    restriction = services.restriction_in_force(world.case)
    assert restriction is not None and list(restriction.staff.all()) == [world.caseworker]


def test_the_digest_leaves_it_out_for_a_caseworker_not_named(world, restricted):
    from kreds.cases.services import assign_caseworker
    from kreds.insights.digest import caseworker_part
    from kreds.testing.meetings import held_meeting

    held_meeting(world.case, world.caseworker, world.facilitator)
    assign_caseworker(actor=world.leader, case=world.case, user=world.colleague)
    import datetime

    from django.utils import timezone

    later = timezone.localdate() + datetime.timedelta(days=40)
    named = caseworker_part(world.caseworker, later)
    other = caseworker_part(world.colleague, later)
    assert named.overdue_agreements
    assert not other.overdue_agreements
