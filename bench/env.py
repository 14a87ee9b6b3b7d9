"""Shared set-up for the generator and the smoke check: the environment Django runs with against the bench DB."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURE_PATH = BASE_DIR / "var" / "bench-fixture.json"
# Link tokens are HMACs keyed by SECRET_KEY and CPR numbers are encrypted with CPR_KEYS, so the generator and the
# server that runs the benchmark (bench/run.py) must use the same values: BENCH_SECRET_KEY (or this default, the
# same as bench/run.py's) and the settings' development CPR keys.
DEFAULT_BENCH_SECRET_KEY = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
CPR_KEYS = "dev1:ZGV2LW9ubHktY3ByLWtleS0zMi1ieXRlcy0wMDAwMDA="
CPR_INDEX_KEY = "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyYnl0ZXM="


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def require_bench_name(url: str) -> str:
    """The database name, refusing anything that does not look like a throw-away benchmark database."""
    name = database_name(url)
    if "bench" not in name:
        raise SystemExit(f"Refusing to touch database {name!r}: its name must contain 'bench'.")
    return name


def admin_url(url: str) -> str:
    """The same server, connected to the ``postgres`` maintenance database (to drop and create)."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def setup_django(url: str) -> None:
    """Point Django at ``url`` with KREDS_ENV=test (plain static storage, no DEMO mode) and set it up.

    SECRET_KEY comes from BENCH_SECRET_KEY (default: the same as bench/run.py), the CPR keys are the settings'
    development keys (as bench/run.py uses them); see the note above.
    """
    os.environ["DATABASE_URL"] = url
    os.environ["KREDS_ENV"] = "test"
    os.environ["SECRET_KEY"] = os.environ.get("BENCH_SECRET_KEY", DEFAULT_BENCH_SECRET_KEY)
    os.environ["CPR_KEYS"] = CPR_KEYS
    os.environ["CPR_INDEX_KEY"] = CPR_INDEX_KEY
    os.environ.pop("KREDS_DEMO", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
