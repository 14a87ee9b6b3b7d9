"""Daily housekeeping for personal links (scheduled by run_worker)."""

from __future__ import annotations

from django.tasks import task

from kreds.participants.services import prune_counters, purge_expired_contact_data


@task()
def prune_link_data() -> int:
    """Old rate-limit counters go; long-expired links keep no holder name (DOMAIN §13)."""
    return prune_counters() + purge_expired_contact_data()
