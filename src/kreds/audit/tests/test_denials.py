"""Every refusal is an audit event, the administrators see their own users' refusals, and a burst mails them
(issue 13 §2, SECURITY 16.3.2)."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from kreds.accounts.constants import Role
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent, SecurityAlert
from kreds.testing.factories import staff

pytestmark = pytest.mark.django_db


def test_a_foreign_case_is_a_404_and_an_audited_denial_with_the_attempted_object(world, client, login):
    login(world.outsider)  # a caseworker of Nabo Kommune
    url = reverse("cases:detail", args=[world.case.public_id])
    assert client.get(url).status_code == 404
    event = AuditEvent.objects.get(action=Action.ACCESS_DENIED, actor=world.outsider)
    assert event.object_id == str(world.case.public_id) and event.details["path"] == url
    assert event.municipality == world.other_municipality  # the actor's own administrators see it
    # A made-up id and a page under a foreign case are refusals too; a refusal is recorded once, not twice.
    client.get(reverse("cases:detail", args=[uuid.uuid4()]))
    client.get(reverse("network:map", args=[world.case.public_id]))
    client.get(reverse("cases:edit", args=[world.case.public_id]))
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=world.outsider).count() == 4


def test_a_refused_action_on_a_visible_case_records_the_policy_once(world, client, login):
    login(world.practitioner)  # sees the referred case, may not edit it
    assert client.get(reverse("cases:edit", args=[world.case.public_id])).status_code == 404
    [event] = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=world.practitioner)
    assert event.details["policy"] == "case.edit"


def test_administrators_see_their_own_users_refusals_only(world, client, login):
    login(world.colleague)
    client.get(reverse("cases:detail", args=[world.case.public_id]))  # not on the case
    login(world.outsider)
    client.get(reverse("cases:detail", args=[world.case.public_id]))
    login(world.administrator)
    html = client.get(reverse("audit:security")).content.decode()
    assert world.colleague.get_full_name() in html
    assert world.outsider.get_full_name() not in html  # Nabo Kommune's user is Nabo Kommune's business
    assert AuditEvent.objects.filter(action=Action.SECURITY_LOG_VIEW, actor=world.administrator).exists()
    login(world.leader)
    assert client.get(reverse("audit:security")).status_code == 404


def test_a_burst_of_refusals_mails_the_administrators_once(
    world, client, login, settings, django_capture_on_commit_callbacks
):
    settings.AUTHZ_DENIAL_BURST = 5
    settings.AUTHZ_DENIAL_BURST_MINUTES = 10
    second_admin = staff(world.authority, Role.ADMINISTRATOR, email="admin2@kommune.invalid")
    staff(world.family_centre, Role.ADMINISTRATOR, email="")  # no address: nobody to mail
    login(world.colleague)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):
            client.get(reverse("cases:detail", args=[uuid.uuid4()]))
    from kreds.audit.tasks import send_security_alert

    [alert] = SecurityAlert.objects.all()
    assert alert.actor == world.colleague and alert.denials == 5
    send_security_alert.call(alert.pk)  # the worker (a second run sends nothing)
    assert send_security_alert.call(alert.pk) == "already sent"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.administrator.email, second_admin.email])
    message = mail.outbox[0]
    assert world.colleague.get_full_name() in message.subject and "/audit/sikkerhed/" in message.body
    assert world.case.child.first_name not in message.body  # names the user, never a child


def test_a_single_refusal_makes_no_alert(world, client, login):
    login(world.colleague)
    client.get(reverse("cases:detail", args=[world.case.public_id]))
    assert not SecurityAlert.objects.exists()
