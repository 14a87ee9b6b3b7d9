"""Where each benchmarked page spends its time: total, in SQL, in Python, and the slowest queries.

    .venv/bin/python bench/profile_pages.py [--database-url …] [--fixture var/bench-fixture.json] [--label X]
    .venv/bin/python bench/profile_pages.py --cprofile case_overview [--label X]

Runs in-process with the test client against the bench database (same settings as bench/run.py); the median of
five warm requests per page. Written to bench/results/<date>[-label]-profile.md. With ``--cprofile PAGE`` it
profiles twenty warm requests of that one page with cProfile instead and writes the functions with the most
cumulative and the most own time to bench/results/<date>[-label]-cprofile-<page>.txt (the profile behind a step).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kreds_bench")
    parser.add_argument("--fixture", default=str(run.ROOT / "var" / "bench-fixture.json"))
    parser.add_argument("--label", default="")
    parser.add_argument("--cprofile", default="", metavar="PAGE")
    args = parser.parse_args()
    run.setup_django(run.bench_env(args.database_url))
    import json

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    fixture = json.loads(Path(args.fixture).read_text())
    today = datetime.datetime.now(datetime.UTC).date()
    twelve = ((today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1).isoformat(), today.isoformat())
    lines = [
        f"# Page profiles {today.isoformat()}",
        "",
        "Median of 5 warm requests, in-process (no HTTP, one request at a time).",
        "",
        "| page | total ms | SQL ms | Python ms | queries | slowest queries (ms) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    stem = f"{today.isoformat()}{'-' + args.label if args.label else ''}"
    if args.cprofile:
        _cprofile(args.cprofile, *run.pages(fixture, twelve)[args.cprofile], stem)
        return
    for name, (path, user) in run.pages(fixture, twelve).items():
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
        if user:
            client.cookies[settings.SESSION_COOKIE_NAME] = run.make_session(user)
        client.get(path, secure=True)
        samples = []
        for _i in range(5):
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                client.get(path, secure=True)
                total = (time.perf_counter() - began) * 1000
            sql = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
            slow = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
            samples.append((total, sql, len(ctx.captured_queries), slow))
        samples.sort(key=lambda s: s[0])
        total, sql, count, slow = samples[len(samples) // 2]
        top = "; ".join(f"{float(q['time']) * 1000:.0f}: {q['sql'][:70]}…".replace("|", "/") for q in slow)
        lines.append(f"| {name} | {total:.0f} | {sql:.0f} | {total - sql:.0f} | {count} | {top} |")
        print(lines[-1], flush=True)
    out = run.RESULTS / f"{stem}-profile.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out}")


def _cprofile(name: str, path: str, user: str | None, stem: str) -> None:
    import cProfile
    import io
    import pstats

    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    if user:
        client.cookies[settings.SESSION_COOKIE_NAME] = run.make_session(user)
    for _i in range(3):
        client.get(path, secure=True)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _i in range(20):
        client.get(path, secure=True)
    profiler.disable()
    per_request = (time.perf_counter() - began) / 20 * 1000
    text = io.StringIO()
    text.write(f"# cProfile of {name}: 20 warm requests in-process, {per_request:.1f} ms each under the profiler\n\n")
    stats = pstats.Stats(profiler, stream=text)
    stats.strip_dirs().sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    out = run.RESULTS / f"{stem}-cprofile-{name}.txt"
    out.write_text(text.getvalue())
    print(f"{name}: {per_request:.1f} ms per request under cProfile; written to {out}")


if __name__ == "__main__":
    main()
