"""The cost of one audited event on the bench database: the chain-head lock, the insert with its indexes, the head
update (``kreds.audit.services.record``), and the retention job's selection of expired read events.

    .venv/bin/python bench/audit_insert.py [--database-url …]

Writes 1,550 real events to the bench database (through the service, so the hash chain stays valid). Prints the
median milliseconds per event over five rounds of 300, and the time of the retention selection.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kreds_bench")
    args = parser.parse_args()
    run.setup_django(run.bench_env(args.database_url))
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from kreds.accounts.models import User
    from kreds.audit.constants import READ_ACTIONS, Action
    from kreds.audit.models import AuditEvent
    from kreds.audit.services import record

    user = User.objects.filter(username__startswith="caseworker").order_by("pk").first()

    def one() -> None:
        record(Action.CASE_VIEW, actor=user, object_type="case", object_id="x" * 36, person_concerned="y" * 36)

    for _i in range(50):
        one()  # warm up
    rounds = []
    for _i in range(5):
        began = time.perf_counter()
        for _j in range(300):
            one()
        rounds.append((time.perf_counter() - began) / 300 * 1000)
    print(f"one audited event: median {statistics.median(rounds):.3f} ms ({', '.join(f'{r:.3f}' for r in rounds)})")
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_READ_RETENTION_DAYS)
    began = time.perf_counter()
    expired = AuditEvent.objects.filter(
        occurred_at__lt=cutoff, purged_at__isnull=True, action__in=[str(a) for a in READ_ACTIONS]
    ).count()
    print(
        f"retention selection: {expired:,} expired read events found in {(time.perf_counter() - began) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
