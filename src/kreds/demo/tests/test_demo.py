"""The demo (seed_demo) shows every state of every capability (DOMAIN §14). Seeding takes some seconds, so it
runs once here and each capability's checks run as subtests."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kreds.conferences.models import Conference
from kreds.demo.tests import checks_casework as casework_checks
from kreds.demo.tests import checks_conferences as conference_checks
from kreds.demo.tests import checks_dates as date_checks
from kreds.demo.tests import checks_meetings as meeting_checks
from kreds.demo.tests import checks_placements as placement_checks
from kreds.meetings.models import Agreement, Meeting
from kreds.outbox.models import Outbox


def check_seeding_again_changes_nothing():
    """A second run of seed_demo leaves the demo as it is."""
    counts = (Meeting.objects.count(), Agreement.objects.count(), Outbox.objects.count(), Conference.objects.count())
    call_command("seed_demo", stdout=StringIO())
    after = (Meeting.objects.count(), Agreement.objects.count(), Outbox.objects.count(), Conference.objects.count())
    assert after == counts


@pytest.mark.django_db
def test_demo(subtests):
    call_command("seed_demo", stdout=StringIO())
    checks = [
        *meeting_checks.CHECKS,
        *conference_checks.CHECKS,
        *casework_checks.CHECKS,
        *placement_checks.CHECKS,
        *date_checks.CHECKS,  # every demo date is consistent (issue 14 §9)
    ]
    for check in [*checks, check_seeding_again_changes_nothing]:
        with subtests.test(msg=check.__name__):
            check()
