"""The demo (seed_demo) shows every state of every capability (DOMAIN §14). Seeding takes some seconds, so it
runs once here and each capability's checks run as subtests."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kreds.conferences.models import Conference
from kreds.conferences.tests import demo_checks as conference_checks
from kreds.meetings.models import Agreement, Meeting, Outbox
from kreds.meetings.tests import demo_checks as meeting_checks
from kreds.placements.tests import demo_checks as placement_checks
from kreds.plans.tests import demo_checks as casework_checks


def check_seeding_again_changes_nothing():
    """A second run of seed_demo leaves the demo as it is."""
    counts = (Meeting.objects.count(), Agreement.objects.count(), Outbox.objects.count(), Conference.objects.count())
    call_command("seed_demo", stdout=StringIO())
    after = (Meeting.objects.count(), Agreement.objects.count(), Outbox.objects.count(), Conference.objects.count())
    assert after == counts


@pytest.mark.django_db
def test_demo(subtests):
    call_command("seed_demo", stdout=StringIO())
    checks = [*meeting_checks.CHECKS, *conference_checks.CHECKS, *casework_checks.CHECKS, *placement_checks.CHECKS]
    for check in [*checks, check_seeding_again_changes_nothing]:
        with subtests.test(msg=check.__name__):
            check()
