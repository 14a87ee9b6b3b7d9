"""Issue 14: a coordinator hears about an allocation by mail, exactly once, and never about their own."""

from __future__ import annotations

import pytest
from django.core import mail

from kreds.conferences import services
from kreds.conferences.sending import COORDINATOR
from kreds.outbox.models import Outbox
from kreds.outbox.tasks import send_outbox
from kreds.testing.conferences import referred
from kreds.testing.text import cpr_shaped

pytestmark = pytest.mark.django_db


def test_a_leader_allocating_a_coordinator_sends_them_a_mail_once(world):
    conference = referred(world.case, world.caseworker)
    services.allocate(actor=world.leader, conference=conference, coordinator=world.facilitator)
    row = Outbox.objects.get(kind=COORDINATOR)
    assert row.user == world.facilitator
    assert send_outbox.call(row.pk) == "sent"
    assert send_outbox.call(row.pk) == "already sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.facilitator.email]
    assert world.case.child.first_name in message.subject
    assert f"/familieraadslagning/{conference.public_id}/" in message.body or str(conference.public_id) in message.body
    assert world.leader.get_full_name() in message.body
    assert not cpr_shaped(message.body)


def test_taking_a_referral_yourself_sends_no_mail(world):
    conference = referred(world.case, world.caseworker)
    services.allocate(actor=world.facilitator, conference=conference, coordinator=world.facilitator)
    assert not Outbox.objects.filter(kind=COORDINATOR).exists()
