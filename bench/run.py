"""The HTTP benchmark: the real production server (gunicorn, PostgreSQL) under concurrent logged-in sessions.

    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/kreds_bench

Reads the fixture written by ``bench/generate.py`` (``var/bench-fixture.json``), starts gunicorn with production
settings on the generated database, logs the fixture's users in (sessions with a verified second factor, made in the
database as a real login would), and drives each page with ``--concurrency`` keep-alive connections for
``--seconds``. Reports p50/p95/p99, throughput, the ratio of each page's median to a trivial authenticated page on the
same stack, and the number of database queries each page makes (measured once in-process). The leader's page is
measured twice: as stored (insights.snapshots) and computed with nothing stored (one request at a time). Results
are written to ``bench/results/`` as JSON and Markdown. Wall-clock numbers are never asserted in tests; this is where
they live.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PORT = 8123
FLOOR_PORT = 8124  # bench/floor: the bare Django page every ratio is taken to
FLOOR_COOKIE = "kreds_floor_session"
SECRET = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - a throw-away bench DB
GOALS_MS = {  # p95 goals from issue 7, for the report (never asserted)
    "case_list": 50,
    "case_overview": 50,
    "meeting": 50,
    "participant": 50,
    "network_map_150": 80,
    "dashboard_12_months": 300,
}


def bench_env(database_url: str) -> dict[str, str]:
    """Production settings on the bench database; the same values must be used by the generator (link tokens)."""
    return {
        **os.environ,
        "KREDS_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", SECRET),
        "CPR_KEYS": "dev1:ZGV2LW9ubHktY3ByLWtleS0zMi1ieXRlcy0wMDAwMDA=",
        "CPR_INDEX_KEY": "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyYnl0ZXM=",
        # The generator runs with the development audit key (KREDS_ENV=test): the server must chain on with it.
        "AUDIT_CHAIN_KEY": "dev1:ZGV2LW9ubHktYXVkaXQtY2hhaW4ta2V5LTMyYnl0ZXM=",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{PORT}",  # production refuses an http address (issue 13)
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "BEHIND_PROXY": "1",
        "SECURE_HSTS_SECONDS": "0",
        # Every request comes from one address and one link here; the limiter still runs (and costs what it costs),
        # it just does not refuse the benchmark.
        "PARTICIPANT_LINK_RATE_PER_IP": "100000000",
        "PARTICIPANT_LINK_RATE_PER_LINK": "100000000",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def make_session(username: str) -> str:
    """A session like the one a login with TOTP leaves behind; returns the session key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kreds.accounts.models import User

    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the one that loads users (accounts.backends)
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["_kreds_epoch"] = user.session_epoch
    session["_kreds_login_at"] = session["_kreds_last_seen"] = time.time() + 3600 * 6  # outlives the run
    session.save()
    return str(session.session_key)


def pages(fixture: dict[str, Any], twelve_months: tuple[str, str]) -> dict[str, tuple[str, str | None]]:
    """Page name → (path, username whose session is used; None for the participant's link page)."""
    from django.urls import reverse

    start, end = twelve_months
    return {
        "trivial": (reverse("accounts:security"), fixture["caseworker"]),
        "case_list": (reverse("cases:my_cases"), fixture["caseworker"]),
        "case_overview": (reverse("cases:detail", args=[fixture["case"]]), fixture["caseworker"]),
        "network_map_150": (fixture["map_150_path"], fixture["map_150_user"]),
        "meeting": (fixture["meeting_path"], fixture["meeting_user"]),
        "dashboard_12_months": (
            reverse("insights:unit", kwargs={"unit_id": fixture["largest_unit"]})
            + f"?period=custom&start={start}&end={end}",
            fixture["leader"],
        ),
        "participant": (reverse("participants:home", kwargs={"token": fixture["token"]}), None),
    }


def count_queries(paths: dict[str, tuple[str, str | None]]) -> dict[str, int]:
    """Database queries per page, measured once in-process with the test client (same settings)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    for name, (path, username) in paths.items():
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
        if username:
            client.cookies[settings.SESSION_COOKIE_NAME] = make_session(username)
        client.get(path, secure=True)  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {response.status_code}")
        out[name] = len(ctx.captured_queries)
    return out


def start_server(
    env: dict[str, str], workers: int, app: str = "config.wsgi", port: int = PORT
) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            app,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            "--error-logfile",
            str(ROOT / "var" / "bench-gunicorn.log"),
        ],
        cwd=ROOT,
        env={**env, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"},
    )
    for _i in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start; see var/bench-gunicorn.log")


def start_floor(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """The bare Django page (bench/floor) on the same stack: its database beside the bench database on the same
    server, the same connection policy; returns the server and a logged-in session key."""
    database_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/kreds_bench_floor"
    floor_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.floor.settings",
        "FLOOR_DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": env.get("DB_CONN_MAX_AGE", "60"),
        "DB_POOL": env.get("DB_POOL", ""),
        "PYTHONPATH": str(ROOT),
    }
    prepared = subprocess.run(
        [sys.executable, "-m", "bench.floor.prepare"], cwd=ROOT, env=floor_env, capture_output=True, text=True
    )
    if prepared.returncode != 0:
        raise SystemExit(f"bench/floor could not be prepared: {prepared.stderr[-2000:]}")
    return start_server(floor_env, workers, app="bench.floor.wsgi", port=FLOOR_PORT), prepared.stdout.strip()


def interleaved(path: str, cookie: str | None, floor_cookie: str, seconds: float) -> tuple[list[float], list[float]]:
    """One request at a time, alternating between the Kreds page and the floor page, for ``seconds``: both lists of
    latencies (ms) come from the same minutes of the same machine."""
    from django.conf import settings

    headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    floor_headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1", "Cookie": f"{FLOOR_COOKIE}={floor_cookie}"}
    kreds = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    floor = http.client.HTTPConnection("127.0.0.1", FLOOR_PORT, timeout=30)
    page_ms: list[float] = []
    floor_ms: list[float] = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        for conn, target, sent, out in ((floor, "/", floor_headers, floor_ms), (kreds, path, headers, page_ms)):
            began = time.perf_counter()
            conn.request("GET", target, headers=sent)
            response = conn.getresponse()
            response.read()
            out.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                raise SystemExit(f"{target} answered {response.status}")
    return page_ms, floor_ms


def worker_memory(server: subprocess.Popen[bytes]) -> list[int]:
    """Resident memory (MB) of each gunicorn worker of ``server``."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        sizes.append(round(rss_kb / 1024))
    return sizes


def drive(path: str, cookie: str | None, concurrency: int, seconds: float) -> list[float]:
    """``concurrency`` keep-alive connections request ``path`` for ``seconds``; returns latencies in ms."""
    from django.conf import settings

    headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        while time.perf_counter() < stop:
            began = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                errors.append(f"{response.status}")
                break
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{path} answered {errors[0]}")
    return latencies


def computing(path: str, cookie: str, unit_id: str, times: int) -> tuple[list[float], int]:
    """The leader's page when no stored computation can be shown (the first look at a period, or at this month on
    a new day before the hourly job): the unit's snapshots are deleted before each request. Latencies in ms, and
    the queries of one such request (in-process)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kreds.insights.models import Snapshot

    def forget() -> None:
        Snapshot.objects.filter(unit__public_id=unit_id).delete()

    headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1", "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    latencies = []
    for _i in range(times):
        forget()
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        began = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - began) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
    forget()
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, secure=True)
    return latencies, len(ctx.captured_queries)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kreds_bench")
    parser.add_argument("--fixture", default=str(ROOT / "var" / "bench-fixture.json"))
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (2 cores: 3)")
    parser.add_argument("--concurrency", type=int, default=3, help="concurrent sessions per page")
    parser.add_argument("--seconds", type=float, default=20.0, help="per page")
    parser.add_argument(
        "--computing", type=int, default=5, help="requests of the leader's page with nothing stored (one at a time)"
    )
    parser.add_argument("--label", default="", help="added to the result file names")
    args = parser.parse_args()

    env = bench_env(args.database_url)
    setup_django(env)
    fixture = json.loads(Path(args.fixture).read_text())
    today = datetime.datetime.now(datetime.UTC).date()
    twelve = ((today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1).isoformat(), today.isoformat())
    paths = pages(fixture, twelve)
    queries = count_queries(paths)
    cookies = {name: (make_session(user) if user else None) for name, (_path, user) in paths.items()}

    server = start_server(env, args.workers)
    floor, floor_cookie = start_floor(env, args.workers)
    results: dict[str, Any] = {}
    memory: dict[str, list[int]] = {}
    try:
        for name, (path, _user) in paths.items():
            drive(path, cookies[name], 1, 2.0)  # warm-up: imports, template caches, connections
            interleaved(path, cookies[name], floor_cookie, 2.0)
            single, floor_ms = interleaved(path, cookies[name], floor_cookie, args.seconds)
            latencies = drive(path, cookies[name], args.concurrency, args.seconds)
            results[name] = {
                "path": path.split("?")[0] if name == "participant" else path,
                "requests": len(single),
                "p50_ms": round(statistics.median(single), 1),
                "p95_ms": round(percentile(single, 95), 1),
                "p99_ms": round(percentile(single, 99), 1),
                "floor_p50_ms": round(statistics.median(floor_ms), 1),
                "ratio_to_floor": round(statistics.median(single) / statistics.median(floor_ms), 2),
                "concurrent_p50_ms": round(statistics.median(latencies), 1),
                "concurrent_p95_ms": round(percentile(latencies, 95), 1),
                "throughput_rps": round(len(latencies) / args.seconds, 1),
                "queries": queries[name],
            }
            print(name, results[name], flush=True)
        path, _user = paths["dashboard_12_months"]
        latencies, count = computing(path, cookies["dashboard_12_months"], fixture["largest_unit"], args.computing)
        results["dashboard_12_months_computing"] = {
            "path": path,
            "requests": len(latencies),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "floor_p50_ms": None,
            "ratio_to_floor": None,
            "concurrent_p50_ms": None,
            "concurrent_p95_ms": None,
            "throughput_rps": None,
            "queries": count,
        }
        print("dashboard_12_months_computing", results["dashboard_12_months_computing"], flush=True)
        memory = {"kreds": worker_memory(server), "floor": worker_memory(floor)}
    finally:
        for running in (server, floor):
            running.terminate()
            running.wait(timeout=20)
    base = results["trivial"]["p50_ms"]
    for name, r in results.items():
        r["ratio_to_trivial"] = round(r["p50_ms"] / base, 2) if base else None
        goal = GOALS_MS.get(name)
        r["goal_p95_ms"] = goal
        measured = r["concurrent_p95_ms"] if r["concurrent_p95_ms"] is not None else r["p95_ms"]
        r["goal_met"] = None if goal is None else measured <= goal
    results["participant"]["path"] = "/l/<token>/"
    report = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "settings": {
            "workers": args.workers,
            "concurrency": args.concurrency,
            "seconds_per_page": args.seconds,
            "db_conn_max_age": env.get("DB_CONN_MAX_AGE", "60"),
            "db_pool": env.get("DB_POOL", "") == "1",
        },
        "worker_rss_mb": memory,
        "dataset": fixture.get("counts", {}),
        "pages": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{today.isoformat()}{'-' + args.label if args.label else ''}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown(report))
    print(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [
        f"# Benchmark {report['when']}",
        "",
        f"gunicorn {s['workers']} workers, "
        + ("the psycopg pool (`DB_POOL=1`)" if s.get("db_pool") else f"`DB_CONN_MAX_AGE={s['db_conn_max_age']}`")
        + f", {s['seconds_per_page']} s per "
        f"page one request at a time (interleaved with the floor) and {s['seconds_per_page']} s with "
        f"{s['concurrency']} concurrent sessions, {report['machine']['cpus']} CPUs. Dataset: "
        + ", ".join(f"{k} {v:,}" for k, v in report["dataset"].items()),
        "",
        "| page | p50 ms | p95 ms | p99 ms | floor p50 ms | × floor | × trivial | "
        f"p95 ms, {s['concurrency']} sessions | req/s | queries | p95 goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in report["pages"].items():
        goal = "" if r["goal_p95_ms"] is None else f"≤ {r['goal_p95_ms']} ms: {'met' if r['goal_met'] else 'MISSED'}"
        lines.append(
            f"| {name} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['floor_p50_ms'] or '–'} | "
            f"{r['ratio_to_floor'] or '–'} | {r['ratio_to_trivial']} | {r['concurrent_p95_ms'] or '–'} | "
            f"{r['throughput_rps'] or '–'} | {r['queries']} | {goal} |"
        )
    rss = report.get("worker_rss_mb", {})
    lines += [
        "",
        "The floor is `bench/floor`: a bare Django page on the same stack (gunicorn, the same PostgreSQL server, "
        "database sessions, authentication, CSRF and security middleware; 2 queries), measured in turn with each "
        "page. Resident memory of each gunicorn worker after the run: Kreds "
        + ", ".join(f"{m} MB" for m in rss.get("kreds", []))
        + "; floor "
        + ", ".join(f"{m} MB" for m in rss.get("floor", []))
        + ".",
        "",
        "`dashboard_12_months` is the leader's page as leaders see it after the first look: its stored computation "
        "(kreds.insights.snapshots). `dashboard_12_months_computing` is the same page with nothing stored, computed "
        "while the leader waits, one request at a time: the first look at a period, and what the worker spends on "
        "each refresh.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
