"""Small helpers every demo builder uses: moments on a day, the child's age, demo addresses, people on the map."""

from __future__ import annotations

import datetime
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from django.utils import timezone

from kreds.cases.models import Case
from kreds.network.models import NetworkPersonVersion
from kreds.network.selectors import persons_as_of

TEXTS_DIR = Path(__file__).resolve().parent / "texts"


def texts(name: str) -> dict[str, Any]:
    """The demo's Danish prose from ``texts/<name>.toml`` (kept out of the code so the builders stay short)."""
    with (TEXTS_DIR / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def age(case: Case, today: datetime.date) -> int:
    birth = case.child.birth_date
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def genitive(name: str) -> str:
    return name + ("'" if name[-1:].lower() in "sxz" else "s")


def demo_email(name: str) -> str:
    plain = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    local = ".".join("".join(ch for ch in part if ch.isalnum()) for part in plain.split())
    return f"{local or 'netvaerk'}@eksempel.invalid"


def on_map_since(case: Case, moment: datetime.datetime | None) -> list[NetworkPersonVersion]:
    """The people on the case's map at ``moment`` (None: now), as they are now, if they are still on it."""
    since = {v.person_id for v in persons_as_of(case, moment)}
    return [v for v in persons_as_of(case) if v.person_id in since]
