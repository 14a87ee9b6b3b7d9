"""Separation of duties (issue 13 §1, SECURITY 27): nobody grants themselves a role; roles that see case content
show in the leader's list of role changes; only staff who may work on a case take its working roles."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kreds.accounts import services
from kreds.accounts.constants import Role
from kreds.accounts.models import Membership
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.exceptions import KredsError
from kreds.meetings import services as meetings
from kreds.meetings.models import Meeting
from kreds.testing.factories import staff

pytestmark = pytest.mark.django_db


def test_an_administrator_cannot_give_itself_the_leader_role(world, client, login):
    login(world.administrator)
    url = reverse("accounts:user_detail", args=[world.administrator.public_id])
    page = client.get(url).content.decode()
    assert "Du kan ikke give dig selv en rolle" in page and 'name="role"' not in page  # no form offered
    response = client.post(url, {"unit": world.authority.pk, "role": Role.LEADER})  # the probe's request
    assert response.status_code == 200
    assert "Du kan ikke give dig selv en rolle" in response.content.decode()
    assert not Membership.objects.filter(user=world.administrator, role=Role.LEADER).exists()
    with pytest.raises(KredsError):
        services.add_membership(
            actor=world.administrator, user=world.administrator, unit=world.family_centre, role=Role.PRACTITIONER
        )
    # Still no case content for the administrator.
    assert client.get(reverse("cases:detail", args=[world.case.public_id])).status_code == 404


def test_a_role_given_by_another_administrator_is_audited_and_shown_to_the_leader(world, client, login):
    other_admin = staff(world.authority, Role.ADMINISTRATOR, first_name="Otto", last_name="Admin")
    login(other_admin)
    client.post(
        reverse("accounts:user_detail", args=[world.administrator.public_id]),
        {"unit": world.authority.pk, "role": Role.LEADER},
    )
    membership = Membership.objects.get(user=world.administrator, role=Role.LEADER)
    event = AuditEvent.objects.get(action=Action.MEMBERSHIP_ADD, object_id=str(world.administrator.public_id))
    assert event.actor == other_admin
    assert event.details["sees_case_content"] is True and event.details["unit_id"] == str(world.authority.public_id)

    login(world.leader)
    html = client.get(reverse("audit:role_changes")).content.decode()
    assert world.administrator.get_full_name() in html and "Otto Admin" in html
    assert "ser sagsindhold" in html and "Leder" in html
    # The family centre's changes are not the authority leader's business.
    services.add_membership(actor=other_admin, user=world.colleague, unit=world.family_centre, role=Role.PRACTITIONER)
    html = client.get(reverse("audit:role_changes")).content.decode()
    assert html.count("<tr>") == 2  # header row and the one change in the leader's unit
    services.remove_membership(actor=other_admin, membership=membership)
    assert "Frataget" in client.get(reverse("audit:role_changes")).content.decode()


def _plan_data(world, **overrides):
    day = timezone.localdate() + datetime.timedelta(days=10)
    return {
        "purpose": "At lave en plan",
        "date": day.isoformat(),
        "start": "09:00",
        "end": "11:00",
        "place": "Familiehuset",
        "facilitator": str(world.facilitator.pk),
        "child_participation": "part",
        **overrides,
    }


def test_an_administrator_is_never_offered_or_accepted_as_minute_taker(world, client, login):
    login(world.caseworker)
    url = reverse("case_meetings:create", args=[world.case.public_id])
    form_page = client.get(url).content.decode()
    assert f'value="{world.administrator.pk}"' not in form_page
    assert f'value="{world.colleague.pk}"' in form_page  # a caseworker of the responsible unit may
    response = client.post(url, _plan_data(world, minute_taker=str(world.administrator.pk)))
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "Vælg referenten fra listen" in html
    assert "Marker en gyldig valgmulighed" not in html and f">{world.administrator.pk}<" not in html
    assert "At lave en plan" in html  # what was typed is kept
    # The service refuses with the reason whatever the form did.
    with pytest.raises(KredsError, match="administrator"):
        meetings.create_meeting(
            actor=world.caseworker,
            case=world.case,
            data={
                "purpose": "x",
                "place": "y",
                "starts_at": timezone.now() + datetime.timedelta(days=3),
                "ends_at": timezone.now() + datetime.timedelta(days=3, hours=1),
                "minute_taker": world.administrator,
            },
        )


def test_facilitator_of_the_family_centre_may_take_the_minutes_but_the_other_municipality_may_not(world, client, login):
    login(world.caseworker)
    response = client.post(
        reverse("case_meetings:create", args=[world.case.public_id]),
        _plan_data(world, minute_taker=str(world.practitioner.pk)),  # the unit the case is referred to
    )
    assert response.status_code == 302
    assert Meeting.objects.get().minute_taker == world.practitioner
    response = client.post(
        reverse("case_meetings:create", args=[world.case.public_id]),
        _plan_data(world, minute_taker=str(world.outsider.pk)),
    )
    assert response.status_code == 200 and Meeting.objects.count() == 1


def test_a_choice_not_on_the_list_never_echoes_the_value(world, client, login):
    login(world.caseworker)
    response = client.post(
        reverse("case_meetings:create", args=[world.case.public_id]),
        _plan_data(world, child_participation="<b>1234567</b>"),
    )
    html = response.content.decode()
    assert "Vælg en af mulighederne på listen." in html
    assert "1234567" not in html.split('name="child_participation"')[0]  # not in any message above the field
