#!/usr/bin/env python
"""Smoke check of a generated benchmark database: the benchmark's pages answer 200.

    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:5432/kreds_bench_smoke \\
        --scale 0.01 --fixture var/bench-fixture-smoke.json
    .venv/bin/python bench/smoke.py --database-url postgres://postgres@127.0.0.1:5432/kreds_bench_smoke \\
        --fixture var/bench-fixture-smoke.json

Runs Django in-process with the generator's environment (bench/env.py) and the test Client. As the leader of the
largest unit (logged in as the suite's ``login`` fixture does: a verified TOTP device in the session) it opens the
case list, a case overview, the 150-person network map, a meeting and the unit's leadership figures; then each page
as the user bench/run.py uses for it; then the participant's page through the personal link. Prints status, time and
query count per page. On small databases it also verifies the audit hash chain with the app's own verify_chain.

The requests write what real requests write (audit events, sessions, rate counters, link use counts).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.env import FIXTURE_PATH, require_bench_name, setup_django

VERIFY_CHAIN_UP_TO = 500_000  # events; the full-scale chain (10 million) takes long to walk in Python


def login(client: Any, username: str) -> None:
    """Log in with a verified second factor, as conftest.py's ``login`` fixture does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kreds.accounts.models import User

    user = User.objects.get(username=username)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["_kreds_epoch"] = user.session_epoch
    session["_kreds_login_at"] = session["_kreds_last_seen"] = time.time()
    session.save()


def check(client: Any, label: str, path: str) -> bool:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    ok = bool(response.status_code == 200)
    where = f" -> {response.get('Location', '')}" if response.status_code in (301, 302) else ""
    print(
        f"  {'ok ' if ok else 'BAD'} {response.status_code} {elapsed:8.1f} ms {len(queries):4d} queries  {label}{where}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--fixture", type=Path, default=FIXTURE_PATH)
    parser.add_argument("--verify-audit", action="store_true", help="walk the audit chain whatever its length")
    args = parser.parse_args()
    require_bench_name(args.database_url)
    setup_django(args.database_url)

    from django.test import Client
    from django.urls import reverse

    fixture = json.loads(args.fixture.read_text(encoding="utf-8"))
    case, big, meeting = fixture["case"], fixture["cases"]["big_map"], fixture["meeting"]["public_id"]
    unit, token = fixture["largest_unit"], fixture["token"]
    leader_pages = [
        ("case list", reverse("cases:my_cases")),
        ("case overview", reverse("cases:detail", args=[case])),
        ("network map, 150 persons", reverse("network:map", kwargs={"public_id": big})),
        ("meeting", reverse("meetings:detail", kwargs={"meeting_id": meeting})),
        ("leadership figures", reverse("insights:unit", kwargs={"unit_id": unit})),
    ]
    ok = True
    print(f"As the leader of the largest unit ({fixture['leader']}):")
    client = Client()
    login(client, fixture["leader"])
    for label, path in leader_pages:
        ok &= check(client, label, path)

    print("As bench/run.py's users:")
    runner_pages = [
        ("case list", reverse("cases:my_cases"), fixture["caseworker"]),
        ("case overview", reverse("cases:detail", args=[case]), fixture["caseworker"]),
        ("network map, 150 persons", fixture["map_150_path"], fixture["map_150_user"]),
        ("meeting", fixture["meeting_path"], fixture["meeting_user"]),
    ]
    for label, path, username in runner_pages:
        client = Client()
        login(client, username)
        ok &= check(client, f"{label} ({username})", path)

    print("Through the personal link (no login):")
    ok &= check(Client(), "participant page", reverse("participants:home", kwargs={"token": token}))

    from kreds.audit.models import AuditEvent
    from kreds.audit.services import verify_chain

    events = AuditEvent.objects.count()
    if args.verify_audit or events <= VERIFY_CHAIN_UP_TO:
        started = time.perf_counter()
        problems = list(itertools.islice(verify_chain(), 5))
        print(f"Audit chain of {events:,} events: {problems or 'intact'} ({time.perf_counter() - started:.1f}s)")
        ok &= not problems
    else:
        print(f"Audit chain of {events:,} events: not walked (use --verify-audit)")
    print("Smoke check passed." if ok else "Smoke check FAILED.")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
