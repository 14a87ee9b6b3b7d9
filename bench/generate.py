#!/usr/bin/env python
"""Generate a national-scale synthetic Kreds database for benchmarks (see bench/README.md).

    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:5432/kreds_bench \\
        --scale 1.0 --seed 2026

Drops and recreates the database (its name must contain "bench"), runs ``migrate``, then streams every row with
COPY (never the ORM), rebuilds indexes and foreign keys, resets sequences, runs VACUUM ANALYZE and writes the
benchmark fixture to var/bench-fixture.json. Same seed and same --today give the same data.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import math
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pools
from bench.env import FIXTURE_PATH, admin_url, require_bench_name, setup_django

TZ = ZoneInfo("Europe/Copenhagen")
UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
YEARS = 5
# Row targets at --scale 1.0.
TARGETS = {"children": 100_000, "meetings": 300_000, "agreements": 1_200_000, "audit_events": 10_000_000}
OPEN_CASES_PER_CASEWORKER = 35
BIG_MAP = 150  # persons on the forced large maps (one per municipality size class)
FGC_KINDS = ("fgc", "fgc_follow_up")
START_MINUTES = [9 * 60, 9 * 60 + 30, 10 * 60, 13 * 60, 14 * 60]
DURATIONS = [90, 105, 120, 120, 150]
AGE_WEIGHTS = [1.0] * 6 + [1.3] * 7 + [1.5] * 5  # ages 0..17 when the case opens
SECTOR_WEIGHTS = {"family": 2, "relatives": 4, "friends": 2, "school": 2, "professionals": 2, "leisure": 1}
QUALITIES = ["supportive"] * 6 + ["ambivalent", "conflict", "broken"]
ROLE_RANK = {"parent": 0, "private": 1, "professional": 2, "child": 3}  # preferred holder of the fixture's link
RESOURCE_TAGS = ["pick_up", "respite", "homework", "contact_support", "leisure", "talk"]


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID string drawn from ``rng`` (deterministic, unlike uuid.uuid4)."""
    n = rng.getrandbits(128)
    n = (n & ~(0xF << 76)) | (0x4 << 76)
    n = (n & ~(0x3 << 62)) | (0x2 << 62)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def local(day: int, minute: int) -> dt.datetime:
    """Local (Copenhagen) time ``minute`` minutes after midnight of the day with ordinal ``day``."""
    d = dt.date.fromordinal(day)
    return dt.datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=TZ)


def date(day: int) -> dt.date:
    return dt.date.fromordinal(day)


def ascii_name(name: str) -> str:
    plain = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace("é", "e")
    return "".join(ch for ch in plain.replace(" ", ".") if ch.isascii() and (ch.isalnum() or ch == "."))


class Calendar:
    """Danish municipal working days (kreds.core.workdays) precomputed for the whole generated period."""

    def __init__(self, first: int, last: int) -> None:
        from kreds.core.workdays import is_working_day

        self.first = first
        self.work = [is_working_day(date(d)) for d in range(first, last + 1)]
        self.days = [d for d in range(first, last + 1) if self.work[d - first]]

    def is_work(self, day: int) -> bool:
        return self.work[day - self.first]

    def on_or_after(self, day: int) -> int:
        while not self.work[day - self.first]:
            day += 1
        return day

    def add(self, day: int, n: int) -> int:
        """The ``n``-th working day after ``day`` (``day`` itself when n == 0 and it is a working day)."""
        day = self.on_or_after(day)
        while n > 0:
            day += 1
            if self.work[day - self.first]:
                n -= 1
        return day


@dataclass(slots=True)
class Muni:
    idx: int
    id: int
    code: str
    name: str
    share: float
    size_class: str = ""
    unit_id: dict[str, int] = field(default_factory=dict)
    unit_public: dict[str, str] = field(default_factory=dict)
    sector_id: dict[str, int] = field(default_factory=dict)
    sector_choices: list[str] = field(default_factory=list)
    caseworkers: dict[str, list[int]] = field(default_factory=dict)
    caseworker_weights: dict[str, list[float]] = field(default_factory=dict)
    leader: dict[str, int] = field(default_factory=dict)
    facilitators: list[int] = field(default_factory=list)
    practitioners: dict[str, list[int]] = field(default_factory=dict)
    admin: int = 0


@dataclass(slots=True)
class CasePlan:
    muni: int
    unit: str  # "authority" or "youth"
    opened: int  # day ordinals
    closed: int | None
    birth: int
    gender: str
    first: str
    last: str
    has_cpr: bool
    safety: bool
    risk: str  # "" (none recorded) or a RiskOutcome value
    referred: tuple[str, ...]
    has_map: bool
    map_size: int
    map_start: int
    sibling: int = -1  # index of an earlier case whose child is a sibling
    big_class: str = ""  # set on the cases that carry a forced 150-person map
    slots: list[tuple[int, str, int, int]] = field(default_factory=list)  # (day, kind, previous slot, follow-up)

    @property
    def blocked(self) -> bool:
        """The § 18 stk. 3 safety gate is open: no network involvement."""
        return self.safety and self.risk in ("", "do_not_proceed")

    def end(self, today: int) -> int:
        return self.closed if self.closed is not None else today


@dataclass(slots=True)
class Person:
    id: int
    public_id: str
    name: str
    relation: str
    sector: str
    professional: bool
    parent: bool
    quality: str
    email: str
    phone: str
    address: str
    added: int
    removed: int | None
    affinity: float
    role: str = ""  # professional role


@dataclass(slots=True)
class MeetingState:
    id: int
    public_id: str
    kind: str
    day: int
    starts: dt.datetime
    ends: dt.datetime
    status: str
    previous: int  # index of the previous (not cancelled) meeting of the course, -1 for the first
    course: int
    follow_up_on: int | None
    created: dt.datetime
    invited_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    held_at: dt.datetime | None = None
    minutes_sent_at: dt.datetime | None = None
    journalised_at: dt.datetime | None = None
    facilitator: int = 0
    minute_taker: int | None = None
    participation: str = "part"


def geometric(rng: random.Random, mean: float) -> int:
    """A geometric count (0, 1, 2, ...) with the given mean."""
    if mean <= 0:
        return 0
    p = 1.0 / (1.0 + mean)
    return int(math.log(1.0 - rng.random()) / math.log(1.0 - p))


class Generator:
    def __init__(self, args: argparse.Namespace) -> None:
        from django.conf import settings

        from bench.copyload import Loader
        from kreds.core.crypto import key_ring
        from kreds.participants.services import LINK_SALT

        self.args = args
        self.scale: float = args.scale
        self.rng = random.Random(args.seed)  # noqa: S311 - synthetic data, reproducible by seed
        self.today: int = args.today.toordinal()
        self.now = local(self.today, 0)
        self.first_day = self.today - YEARS * 365 - 1
        self.cal = Calendar(self.first_day - 60, self.today + 1000)
        self.load = Loader(args.database_url)
        self.seq: dict[type, itertools.count[int]] = {}
        self.timings: defaultdict[str, float] = defaultdict(float)
        # Secrets the server must share (see bench/README.md): links, CPR ciphertexts and the blind index.
        self.link_key = hashlib.sha256(LINK_SALT.encode() + settings.SECRET_KEY.encode()).digest()
        self.cpr_key_id, cpr_key = key_ring()[0]
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.aes = AESGCM(cpr_key)
        self.cpr_index_key = base64.b64decode(settings.CPR_INDEX_KEY)
        from faker.providers.address.da_DK import Provider as AddressProvider
        from faker.providers.person.da_DK import Provider as PersonProvider

        self.female = list(PersonProvider.first_names_female)
        self.male = list(PersonProvider.first_names_male)
        self.last_names = list(PersonProvider.last_names)
        self.streets = list(AddressProvider.street_names)
        self.munis: list[Muni] = []
        self.plans: list[CasePlan] = []
        self.user_names: dict[int, str] = {}  # id -> full name
        self.usernames: dict[int, str] = {}
        self.user_muni: dict[int, int] = {}
        self.users_by_role: dict[str, list[int]] = {}
        self.open_assignments: Counter[int] = Counter()
        self.all_assignments: Counter[int] = Counter()
        self.agreements_per_meeting = 4.7
        # Per case, for the audit log and the fixture (index = case id - 1).
        self.a_case: list[str] = []
        self.a_child: list[str] = []
        self.a_worker: list[int] = []
        self.a_meetings: list[tuple[str, ...]] = []
        self.a_links: list[tuple[str, ...]] = []
        self.candidates: dict[int, dict[str, Any]] = {}
        self.big_cases: dict[str, str] = {}
        self.big_workers: dict[str, int] = {}
        self.largest_unit: tuple[int, str] = (0, "authority")

    # Helpers --------------------------------------------------------------------------------------------------

    def next_id(self, model: type) -> int:
        counter = self.seq.get(model)
        if counter is None:
            counter = self.seq[model] = itertools.count(1)
        return next(counter)

    def person_name(self, female: bool | None = None, last: str | None = None) -> str:
        rng = self.rng
        if female is None:
            female = rng.random() < 0.5
        first = rng.choice(self.female if female else self.male)
        return f"{first} {last or rng.choice(self.last_names)}"

    def address(self, muni: Muni) -> str:
        rng = self.rng
        suffix = rng.choice(("vej", "gade", "allé", "vænget", "stien"))
        return f"{rng.choice(self.streets).capitalize()}{suffix} {rng.randint(1, 120)}, {muni.name}"

    def phone(self) -> str:
        r = self.rng.randint
        return f"+45 {r(20, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)}"

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.datetime:
        """A moment between ``a`` and ``b`` (``a`` when b <= a)."""
        span = (b - a).total_seconds()
        return a if span <= 0 else a + dt.timedelta(seconds=int(self.rng.random() * span))

    def token_hash(self, link_public_id: str) -> tuple[str, str]:
        """(token, stored hash) exactly as kreds.participants.services.issue computes them."""
        token = hmac.new(self.link_key, link_public_id.encode(), hashlib.sha256).hexdigest()
        return token, hashlib.sha256(token.encode()).hexdigest()

    # Planning (in memory, small) -----------------------------------------------------------------------------

    def plan(self) -> None:
        rng = self.rng
        others = sum(p for c, _n, p in pools.MUNICIPALITIES if c not in pools.FIXED_SHARES)
        rest = 1.0 - sum(pools.FIXED_SHARES.values())
        for i, (code, name, population) in enumerate(pools.MUNICIPALITIES):
            share = pools.FIXED_SHARES.get(code, population / others * rest)
            self.munis.append(Muni(idx=i, id=i + 1, code=code, name=name, share=share))
        for m in self.munis:
            m.size_class = "large" if m.share >= 0.025 else "medium" if m.share >= 0.01 else "small"
        total = max(len(self.munis), round(TARGETS["children"] * self.scale))
        counts = self._apportion(total, [m.share for m in self.munis])
        plans: list[CasePlan] = []
        for m, count in zip(self.munis, counts, strict=True):
            plans.extend(self._plan_case(m) for _ in range(count))
        plans.sort(key=lambda p: p.opened)  # ids follow the order cases were opened in
        self._force_big_maps(plans)
        recent: dict[int, list[int]] = {}
        for i, p in enumerate(plans):  # some children are siblings (same municipality, same last name)
            earlier = recent.setdefault(p.muni, [])
            if earlier and rng.random() < 0.06:
                j = rng.choice(earlier[-30:])
                if plans[j].sibling < 0:
                    p.sibling = j
                    p.last = plans[j].last
            earlier.append(i)
        self.plans = plans

    @staticmethod
    def _apportion(total: int, shares: list[float]) -> list[int]:
        """Largest-remainder split of ``total`` by ``shares``, at least one each."""
        raw = [total * s / sum(shares) for s in shares]
        counts = [max(1, int(r)) for r in raw]
        order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
        for i in itertools.islice(itertools.cycle(order), max(0, total - sum(counts))):
            counts[i] += 1
        return counts

    def _plan_case(self, m: Muni) -> CasePlan:
        rng, today = self.rng, self.today
        opened = rng.randint(self.first_day, today - 1)
        age = rng.choices(range(18), weights=AGE_WEIGHTS)[0]
        birth = opened - age * 365 - rng.randint(0, 364)
        # Case length: exponential (mean 3.3 years, calibrated to ~55 % closed), and never past 18.
        length = max(14, int(rng.expovariate(1 / (3.3 * 365))))
        end = min(opened + length, birth + 18 * 365 + rng.randint(5, 60))
        closed = end if end < today else None
        gender = rng.choices(["girl", "boy", "other", ""], weights=[48, 48, 1, 3])[0]
        female = gender == "girl" or (gender not in ("boy",) and rng.random() < 0.5)
        safety = rng.random() < 0.025
        risk = rng.choices(["", "proceed", "proceed_limited", "do_not_proceed"], weights=[25, 35, 25, 15])[0]
        referred = tuple(u for u, p in (("family", 0.30), ("ppr", 0.10)) if rng.random() < p)
        map_start = opened + rng.randint(3, 45)
        has_map = (
            not (safety and risk in ("", "do_not_proceed"))
            and rng.random() < 0.88
            and map_start < (closed if closed is not None else today)
        )
        size = min(BIG_MAP, max(1, round(rng.lognormvariate(math.log(10), 0.9))))
        return CasePlan(
            muni=m.idx,
            unit="youth" if age >= 14 else "authority",
            opened=opened,
            closed=closed,
            birth=birth,
            gender=gender,
            first=rng.choice(self.female if female else self.male),
            last=rng.choice(self.last_names),
            has_cpr=rng.random() < 0.96,
            safety=safety,
            risk=risk if safety else "",
            referred=referred,
            has_map=has_map,
            map_size=size,
            map_start=map_start,
        )

    def _force_big_maps(self, plans: list[CasePlan]) -> None:
        """One open case with a 150-person map in the largest municipality of each size class.

        The "large" one lies in København's MyndighedsCenter, the largest unit, so its leader sees it."""
        for size_class in ("large", "medium", "small"):
            m = max((m for m in self.munis if m.size_class == size_class), key=lambda m: m.share)
            mine = [p for p in plans if p.muni == m.idx]
            target = self.today - 400
            p = min(mine, key=lambda p: (abs(p.opened - target), p.opened))
            p.unit, p.closed, p.safety, p.risk, p.has_map = "authority", None, False, "", True
            p.birth = p.opened - 7 * 365  # seven years old when the case opened: stays open
            p.map_size, p.big_class = BIG_MAP, size_class
            p.map_start = min(p.map_start, self.today - 200)
        self.largest_unit = (max(self.munis, key=lambda m: m.share).idx, "authority")

    def schedule(self, p: CasePlan, rng: random.Random, follow_ups: float) -> list[tuple[int, str, int, int]]:
        """The meetings of a case: courses of a first meeting and follow-ups, with pauses between courses.

        Follow-ups are set 6-12 weeks ahead (3 months after a family group conference) on a working day and held
        that day, 20 % of them 5-45 days late; only the next meeting is planned ahead; a closed case has no
        meetings after it closed."""
        if not p.has_map or p.blocked:
            return []
        today, cal = self.today, self.cal
        end = p.closed if p.closed is not None else today + 150
        day = p.map_start + rng.randint(10, 60)
        out: list[tuple[int, str, int, int]] = []
        while True:
            fgc = rng.random() < 0.09
            previous = -1
            for j in range(1 + geometric(rng, follow_ups)):
                if day >= end or (day := cal.on_or_after(day)) >= end:
                    break
                kind = ("fgc" if j == 0 else "fgc_follow_up") if fgc else ("network" if j == 0 else "follow_up")
                follow_up = cal.on_or_after(day + (rng.randint(85, 100) if fgc else rng.randint(42, 84)))
                out.append((day, kind, previous, follow_up))
                previous = len(out) - 1
                if day > today:
                    return out
                day = follow_up + (rng.randint(5, 45) if rng.random() < 0.2 else 0)  # 20 % late
            if day >= end or rng.random() > 0.4:
                return out
            day += rng.randint(60, 400)

    def calibrate(self) -> None:
        """Find the mean number of follow-ups that gives the target number of meetings, then fix every schedule."""
        target = TARGETS["meetings"] * self.scale
        lo, hi = 0.0, 30.0
        for _ in range(12):
            mid = (lo + hi) / 2
            rng = random.Random(self.args.seed + 7)  # noqa: S311
            total = sum(len(self.schedule(p, rng, mid)) for p in self.plans)
            if abs(total - target) / target < 0.003:
                break
            lo, hi = (mid, hi) if total < target else (lo, mid)
        rng = random.Random(self.args.seed + 7)  # noqa: S311
        for p in self.plans:
            p.slots = self.schedule(p, rng, mid)
        past = sum(1 for p in self.plans for s in p.slots if s[0] < self.today)
        held = past * 0.955  # cancelled and never-completed meetings excluded
        self.agreements_per_meeting = TARGETS["agreements"] * self.scale / max(1.0, held)
        total = sum(len(p.slots) for p in self.plans)
        print(
            f"  meetings planned: {total:,} (mean follow-ups per course {mid:.2f}); "
            f"agreements per held meeting {self.agreements_per_meeting:.2f}"
        )

    # Municipalities, units, sectors, staff --------------------------------------------------------------------

    def write_organisation(self) -> None:
        from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from kreds.accounts.models import Membership, User
        from kreds.core.hashers import TestArgon2PasswordHasher
        from kreds.network.constants import DEFAULT_SECTORS
        from kreds.network.models import Sector
        from kreds.tenancy.models import Municipality, Unit

        rng, load = self.rng, self.load
        created = local(self.first_day - 30, 8 * 60)
        open_cases: Counter[tuple[int, str]] = Counter()
        for p in self.plans:
            if p.closed is None:
                open_cases[p.muni, p.unit] += 1
                for unit in p.referred:
                    open_cases[p.muni, unit] += 1
        hasher = TestArgon2PasswordHasher() if self.args.cheap_password_hash else Argon2PasswordHasher()
        salt = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(22))
        password = make_password(self.args.password, salt=salt, hasher=hasher)  # hashed once, used by all
        self.totp_key = f"{rng.getrandbits(160):040x}"

        def user(m: Muni, username: str, role: str, unit: str) -> int:
            uid = self.next_id(User)
            female = rng.random() < 0.7
            first = rng.choice(self.female if female else self.male)
            last = rng.choice(self.last_names)
            load(User).write(
                {
                    "id": uid,
                    "password": password,
                    "last_login": self.between(local(self.today - 30, 8 * 60), local(self.today - 1, 16 * 60)),
                    "username": username,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@bench.kreds.invalid",
                    "date_joined": created,
                    "public_id": uuid4(rng),
                    "municipality_id": m.id,
                }
            )
            load(Membership).write(
                {
                    "id": self.next_id(Membership),
                    "public_id": uuid4(rng),
                    "created_at": created,
                    "updated_at": created,
                    "user_id": uid,
                    "unit_id": m.unit_id[unit],
                    "role": role,
                }
            )
            load(TOTPDevice).write(
                {
                    "id": self.next_id(TOTPDevice),
                    "user_id": uid,
                    "name": "bench",
                    "confirmed": True,
                    "key": self.totp_key,
                    "created_at": created,
                }
            )
            self.user_names[uid] = f"{first} {last}"
            self.usernames[uid] = username
            self.user_muni[uid] = m.id
            self.users_by_role.setdefault(role, []).append(uid)
            return uid

        for m in self.munis:
            load(Municipality).write(
                {
                    "id": m.id,
                    "public_id": uuid4(rng),
                    "created_at": created,
                    "updated_at": created,
                    "name": m.name,
                    "code": m.code,
                }
            )
            for key, name, kind in pools.UNITS:
                m.unit_id[key] = uid = self.next_id(Unit)
                m.unit_public[key] = uuid4(rng)
                load(Unit).write(
                    {
                        "id": uid,
                        "public_id": m.unit_public[key],
                        "created_at": created,
                        "updated_at": created,
                        "municipality_id": m.id,
                        "name": name,
                        "kind": kind,
                    }
                )
            sectors = [(k, n, c, prof) for k, n, c, prof in DEFAULT_SECTORS]
            if rng.random() < 0.15:
                sectors.append(pools.EXTRA_SECTOR)
            for order, (key, name, colour, professional) in enumerate(sectors):
                m.sector_id[key] = self.next_id(Sector)
                load(Sector).write(
                    {
                        "id": m.sector_id[key],
                        "public_id": uuid4(rng),
                        "created_at": created,
                        "updated_at": created,
                        "municipality_id": m.id,
                        "key": key,
                        "name": name,
                        "colour": colour,
                        "order": order,
                        "is_professional": professional,
                    }
                )
                m.sector_choices += [key] * SECTOR_WEIGHTS.get(key, 1)
            # Staff: caseworkers ~1 per 35 open cases, a leader per unit, practitioners, facilitators, an admin.
            for unit in ("authority", "youth"):
                n = max(1, round(open_cases[m.idx, unit] / OPEN_CASES_PER_CASEWORKER))
                ids = [user(m, f"caseworker.{m.code}.{unit}.{i:03d}", "caseworker", unit) for i in range(1, n + 1)]
                m.caseworkers[unit] = ids
                m.caseworker_weights[unit] = list(itertools.accumulate(rng.lognormvariate(0, 0.35) for _ in ids))
            for key, _name, _kind in pools.UNITS:
                m.leader[key] = user(m, f"leader.{m.code}.{key}", "leader", key)
            for unit, per in (("family", 40), ("ppr", 60)):
                n = max(1, round(open_cases[m.idx, unit] / per))
                m.practitioners[unit] = [
                    user(m, f"practitioner.{m.code}.{unit}.{i:03d}", "practitioner", unit) for i in range(1, n + 1)
                ]
            n = max(2, round((open_cases[m.idx, "authority"] + open_cases[m.idx, "youth"]) / 200))
            m.facilitators = [
                user(m, f"facilitator.{m.code}.{i:02d}", "facilitator", "family") for i in range(1, n + 1)
            ]
            m.admin = user(m, f"admin.{m.code}", "administrator", "authority")

    # One case with everything on it ---------------------------------------------------------------------------

    def write_case(self, index: int, p: CasePlan) -> None:
        from kreds.cases.models import Case, CaseAssignment, Child, RiskAssessment

        rng, load, today = self.rng, self.load, self.today
        started = time.perf_counter()
        m = self.munis[p.muni]
        case_id = child_id = index + 1
        case_public, child_public = uuid4(rng), uuid4(rng)
        opened_at = local(p.opened, 8 * 60 + rng.randint(0, 480))
        end = p.end(today)
        last_change = local(end, 15 * 60) if p.closed is not None else self.between(opened_at, self.now)
        cpr_encrypted = cpr_index = ""
        if p.has_cpr:
            cpr = date(p.birth).strftime("%d%m%y") + f"{rng.randint(0, 9999):04d}"
            nonce = rng.getrandbits(96).to_bytes(12, "big")
            sealed = self.aes.encrypt(nonce, cpr.encode(), self.cpr_key_id.encode())
            cpr_encrypted = f"{self.cpr_key_id}:{base64.b64encode(nonce + sealed).decode()}"
            cpr_index = hmac.new(self.cpr_index_key, cpr.encode(), hashlib.sha256).hexdigest()
        language = rng.choice(pools.LANGUAGES)
        load(Child).write(
            {
                "id": child_id,
                "public_id": child_public,
                "created_at": opened_at,
                "updated_at": opened_at,
                "municipality_id": m.id,
                "first_name": p.first,
                "last_name": p.last,
                "birth_date": date(p.birth),
                "cpr_encrypted": cpr_encrypted,
                "cpr_index": cpr_index,
                "gender": p.gender,
                "address": self.address(m),
                "languages": language,
                "interpreter_needed": language != "dansk" and rng.random() < 0.3,
            }
        )
        if p.sibling >= 0:
            through = Child.siblings.through
            for a, b in ((child_id, p.sibling + 1), (p.sibling + 1, child_id)):
                load(through).write({"id": self.next_id(through), "from_child_id": a, "to_child_id": b})
        investigation = rng.random() < 0.5
        started_on = p.opened + rng.randint(0, 20) if investigation else None
        completed_on = started_on + rng.randint(60, 150) if started_on is not None else None
        if completed_on is not None and completed_on >= end:
            completed_on = None
        support = rng.random() < 0.6
        decided_on = (completed_on or p.opened) + rng.randint(5, 60) if support else None
        if decided_on is not None and decided_on >= end:
            decided_on = None
        case_row = {
            "id": case_id,
            "public_id": case_public,
            "created_at": opened_at,
            "updated_at": last_change,
            "version": 1 + rng.randint(0, 4),
            "municipality_id": m.id,
            "child_id": child_id,
            "external_ref": f"27.12.00-G01-{case_id}-{date(p.opened).year % 100:02d}",
            "opened_on": date(p.opened),
            "status": "open" if p.closed is None else "closed",
            "closed_on": date(p.closed) if p.closed is not None else None,
            "closed_reason": rng.choice(pools.CLOSE_REASONS) if p.closed is not None else "",
            "responsible_unit_id": m.unit_id[p.unit],
            "basis_afdaekning": rng.random() < 0.4,
            "basis_investigation": investigation,
            "basis_support": support,
            "basis_placement": rng.random() < 0.1,
            "investigation_started_on": date(started_on) if started_on is not None else None,
            "investigation_completed_on": date(completed_on) if completed_on is not None else None,
            "measure_decided_on": date(decided_on) if decided_on is not None else None,
            "placement_without_consent": rng.random() < 0.01,
            "safety_concern": p.safety,
        }
        load(Case).write(case_row)
        # Caseworkers: one per case (weighted, some carry more), a second one on 12 % of cases.
        pool = m.caseworkers[p.unit]
        workers = rng.choices(pool, cum_weights=m.caseworker_weights[p.unit], k=1)
        if len(pool) > 1 and rng.random() < 0.12:
            second = rng.choice(pool)
            if second != workers[0]:
                workers.append(second)
        for uid in workers:
            load(CaseAssignment).write(
                {
                    "id": self.next_id(CaseAssignment),
                    "public_id": uuid4(rng),
                    "created_at": opened_at,
                    "updated_at": opened_at,
                    "case_id": case_id,
                    "user_id": uid,
                    "assigned_by_id": m.leader[p.unit] if rng.random() < 0.5 else None,
                }
            )
            self.all_assignments[uid] += 1
            if p.closed is None:
                self.open_assignments[uid] += 1
        worker = workers[0]
        referred = Case.referred_units.through
        for unit in p.referred:
            load(referred).write({"id": self.next_id(referred), "case_id": case_id, "unit_id": m.unit_id[unit]})
        if p.safety and p.risk:
            assessed = min(end, p.opened + rng.randint(5, 30))
            load(RiskAssessment).write(
                {
                    "id": self.next_id(RiskAssessment),
                    "public_id": uuid4(rng),
                    "created_at": local(assessed, 11 * 60),
                    "updated_at": local(assessed, 11 * 60),
                    "case_id": case_id,
                    "assessed_on": date(assessed),
                    "assessed_by_id": worker,
                    "summary": pools.RISK_SUMMARY,
                    "outcome": p.risk,
                    "limits": "Farbroderen inviteres ikke." if p.risk == "proceed_limited" else "",
                }
            )
        self.timings["children, cases, assignments"] += time.perf_counter() - started

        ctx = {"case_id": case_id, "case_public": case_public, "worker": worker, "unit_id": m.unit_id[p.unit]}
        persons: list[Person] = []
        if p.has_map:
            started = time.perf_counter()
            persons = self.write_network(p, m, ctx)
            self.timings["network maps, persons, versions, relations"] += time.perf_counter() - started
        meetings, links = self.write_meetings(p, m, ctx, persons)
        if persons:
            started = time.perf_counter()
            self.write_consent(p, ctx, persons, meetings)
            self.timings["sharing consents"] += time.perf_counter() - started
        if case_row["basis_placement"] and not p.blocked:
            started = time.perf_counter()
            self.write_placements(p, m, ctx, persons)
            self.timings["placements, explorations, contact plans"] += time.perf_counter() - started
        ahead = any(x.starts >= self.now for x in meetings)
        if p.closed is None and persons and not ahead and rng.random() < 0.02:
            self.write_queued_conference(p, m, ctx, persons)  # a fresh referral in the FGC service's queue
        self.a_case.append(case_public)
        self.a_child.append(child_public)
        self.a_worker.append(worker)
        self.a_meetings.append(tuple(s.public_id for s in meetings))
        self.a_links.append(tuple(links[:4]))
        if p.big_class:
            self.big_cases[p.big_class] = case_public
            self.big_workers[p.big_class] = worker

    # Placements ---------------------------------------------------------------------------------------------

    def write_placements(self, p: CasePlan, m: Muni, ctx: dict[str, Any], persons: list[Person]) -> None:
        """On cases where placement is considered: the search of the network (about 60 % search before deciding),
        candidates walked through their statuses with the history, the decision (about a third in the network,
        with an approved candidate; the rest with the reason) and a contact plan with the parents.

        Drawn from the case's own random stream, so adding placements left every other table as it was."""
        from kreds.placements.models import (
            Candidate,
            CandidateEvent,
            ContactArrangement,
            ContactArrangementVersion,
            Exploration,
            Placement,
        )

        rng = random.Random(self.args.seed * 1_000_003 + ctx["case_id"])  # noqa: S311 - synthetic, reproducible
        load, worker, case_id = self.load, ctx["worker"], ctx["case_id"]
        end = p.end(self.today)
        start = p.opened + rng.randint(10, 120)
        if start + 30 >= end:
            return
        decided = start + rng.randint(14, 120)
        if decided >= end:
            decided = None if p.closed is None else end - 1
        private = [x for x in persons if not x.professional and x.added <= start and (x.removed or end) > start]
        exploration_id: int | None = None
        chosen: int | None = None
        explored = 0
        kin = [x for x in private if not x.parent]  # the parents are not candidates; they get a contact plan
        if kin and rng.random() < 0.6:
            exploration_id = self.next_id(Exploration)
            load(Exploration).write(
                {
                    "id": exploration_id,
                    "public_id": uuid4(rng),
                    "created_at": local(start, 10 * 60),
                    "updated_at": local(decided or start, 10 * 60),
                    "municipality_id": m.id,
                    "case_id": case_id,
                    "started_on": date(start),
                    "why": rng.choice(pools.PLACEMENT_WHY),
                    "started_by_id": worker,
                    "closed_on": date(decided) if decided is not None else None,
                }
            )
            candidates = rng.sample(kin, k=min(len(kin), 1 + geometric(rng, 1.5), 6))
            network_wanted = decided is not None and rng.random() < 0.55
            forward = ["identified", "contacted", "interested", "assessment", "approved"]
            for number, person in enumerate(candidates):
                placed = network_wanted and number == 0
                steps = 5 if placed else rng.choice([1, 2, 2, 3, 3, 4, 4, 5])
                path = forward[:steps]
                if not placed and rng.random() < 0.45:
                    path = [*path[: max(1, steps - 1)], rng.choice(["declined", "declined", "not_suitable"])]
                if placed:
                    path.append("placed")
                last_day = decided if decided is not None else end
                day = start + rng.randint(0, 7)
                days = []
                for _status in path:
                    days.append(min(day, last_day))
                    day += rng.randint(3, 21)
                if placed:
                    days[-1] = decided
                    days[-2] = min(days[-2], decided)
                candidate_id = self.next_id(Candidate)
                approved = days[path.index("approved")] if "approved" in path else None
                load(Candidate).write(
                    {
                        "id": candidate_id,
                        "public_id": uuid4(rng),
                        "created_at": local(days[0], 11 * 60),
                        "updated_at": local(days[-1], 11 * 60),
                        "version": len(path),
                        "exploration_id": exploration_id,
                        "person_id": person.id,
                        "status": path[-1],
                        "status_on": date(days[-1]),
                        "reason": rng.choice(pools.NOT_SUITABLE_REASONS) if path[-1] == "not_suitable" else "",
                        "approved_on": date(approved) if approved is not None else None,
                        "added_by_id": worker,
                    }
                )
                for status, on in zip(path, days, strict=True):
                    load(CandidateEvent).write(
                        {
                            "id": self.next_id(CandidateEvent),
                            "candidate_id": candidate_id,
                            "status": status,
                            "on": date(on),
                            "reason": "",
                            "recorded_by_id": worker,
                            "recorded_at": local(on, 11 * 60 + len(path)),
                        }
                    )
                explored += len(path) > 1
                if placed:
                    chosen = candidate_id
        if decided is None:
            return
        in_network = chosen is not None
        load(Placement).write(
            {
                "id": self.next_id(Placement),
                "public_id": uuid4(rng),
                "created_at": local(decided, 14 * 60),
                "updated_at": local(decided, 14 * 60),
                "municipality_id": m.id,
                "case_id": case_id,
                "exploration_id": exploration_id,
                "decided_on": date(decided),
                "starts_on": date(decided + rng.randint(0, 14)),
                "setting": "network" if in_network else rng.choice(["foster_family", "foster_family", "residential"]),
                "in_network": in_network,
                "candidate_id": chosen,
                "no_network_reason": "" if in_network else rng.choice(pools.NO_NETWORK_REASONS),
                "exploration_started_on": date(start) if exploration_id is not None else None,
                "explored_candidates": explored,
                "decided_by_id": worker,
            }
        )
        for person in [x for x in private if x.parent][:2]:
            contact_id = self.next_id(ContactArrangement)
            load(ContactArrangement).write(
                {
                    "id": contact_id,
                    "public_id": uuid4(rng),
                    "created_at": local(decided, 15 * 60),
                    "updated_at": local(decided, 15 * 60),
                    "municipality_id": m.id,
                    "case_id": case_id,
                    "person_id": person.id,
                    "created_by_id": worker,
                }
            )
            changed = decided + rng.randint(30, 200) if rng.random() < 0.3 else None
            if changed is not None and changed >= end:
                changed = None
            for valid_from, valid_to in ((decided, changed), (changed, None)) if changed else ((decided, None),):
                load(ContactArrangementVersion).write(
                    {
                        "id": self.next_id(ContactArrangementVersion),
                        "contact_id": contact_id,
                        "valid_from": local(valid_from, 15 * 60),
                        "valid_to": local(valid_to, 15 * 60) if valid_to is not None else None,
                        "changed_by_id": worker,
                        "frequency": rng.choice(pools.CONTACT_FREQUENCIES),
                        "mode": rng.choice(["visit", "visit", "overnight", "call"]),
                        "place": rng.choice(pools.CONTACT_PLACES),
                        "support": rng.choice(["none", "none", "supported", "supervised"]),
                        "child_views": "",
                        "note": "",
                    }
                )

    # Network map --------------------------------------------------------------------------------------------

    def write_network(self, p: CasePlan, m: Muni, ctx: dict[str, Any]) -> list[Person]:
        from kreds.network.models import (
            NetworkMap,
            NetworkPerson,
            NetworkPersonVersion,
            PersonRelation,
            PersonRelationVersion,
        )

        rng, load = self.rng, self.load
        end = p.end(self.today)
        start = p.map_start
        worker, unit_id = ctx["worker"], ctx["unit_id"]
        map_id = self.next_id(NetworkMap)
        ctx["map_id"] = map_id
        started_at = local(start, 9 * 60 + rng.randint(0, 420))
        mother = self.person_name(True, p.last if rng.random() < 0.7 else None)
        young = (start - p.birth) >= 15 * 365 and rng.random() < 0.3
        load(NetworkMap).write(
            {
                "id": map_id,
                "public_id": uuid4(rng),
                "created_at": started_at,
                "updated_at": started_at,
                "case_id": ctx["case_id"],
                "consent_given_by": f"{p.first} {p.last}" if young else f"{mother} (mor)",
                "consent_role": "young_person" if young else "parent",
                "consent_given_on": date(start),
                "consent_recorded_by_id": worker,
                "first_person_at": started_at,  # the first person (the mother) is added when the map starts
            }
        )
        persons: list[Person] = []
        n = p.map_size
        first_batch = max(3, n * 2 // 3)
        for i in range(n):
            if i == 0:
                sector, relation, name, parent = "family", "mor", mother, True
            elif i == 1 and n >= 3 and rng.random() < 0.7:
                sector, relation, name, parent = "family", "far", self.person_name(False, p.last), True
            else:
                sector = rng.choice(m.sector_choices)
                parent = False
                if sector == "professionals":
                    relation = ""
                    name = self.person_name()
                else:
                    relation = rng.choice(pools.RELATIONS[sector])
                    name = self.person_name(
                        None, p.last if sector in ("family", "relatives") and rng.random() < 0.5 else None
                    )
            professional = sector == "professionals"
            role = organisation = intervention = ""
            if professional:
                role, organisation, intervention = rng.choice(pools.PROFESSIONALS)
                relation = role
            added = start if i < first_batch or end - start < 14 else rng.randint(start + 7, end - 1)
            added_at = started_at if added == start else local(added, 9 * 60 + rng.randint(0, 420))
            email = (
                f"{ascii_name(name)}{rng.randint(1, 99)}@eksempel.invalid"
                if rng.random() < (0.95 if professional else 0.6)
                else ""
            )
            address = self.address(m) if parent or not email or rng.random() < 0.3 else ""
            data: dict[str, Any] = {
                "changed_by_id": worker,
                "changed_by_unit_id": unit_id,
                "name": name,
                "relation": relation,
                "sector_id": m.sector_id[sector],
                "ring": 1 if parent else rng.choice((2, 3, 3)) if professional else rng.choice((1, 2, 2, 3)),
                "quality": "conflict" if parent and rng.random() < 0.12 else rng.choice(QUALITIES),
                "safe_adult": sector in ("family", "relatives") and rng.random() < 0.25,
                "phone": self.phone() if rng.random() < 0.85 else "",
                "email": email,
                "address": address,
                "language": "",
                "is_professional": professional,
                "organisation": organisation,
                "professional_role": role,
                "intervention": intervention,
            }
            if sector in ("relatives", "friends") and rng.random() < 0.35:
                data["resource_tags"] = sorted(rng.sample(RESOURCE_TAGS, 2))
                data["resources"] = rng.choice(pools.RESOURCES)
            person = Person(
                id=self.next_id(NetworkPerson),
                public_id=uuid4(rng),
                name=name,
                relation=relation,
                sector=sector,
                professional=professional,
                parent=parent,
                quality=data["quality"],
                email=email,
                phone=data["phone"],
                address=address,
                added=added,
                removed=None,
                affinity=rng.random(),
                role=role,
            )
            # History: a later change (ring moved, quality, contact details), and some leave the map.
            versions: list[tuple[dt.datetime, dict[str, Any], bool]] = [(added_at, data, False)]
            last_day = added
            if end - last_day > 20 and rng.random() < 0.25:
                day = rng.randint(last_day + 7, end - 1)
                change = dict(data)
                r = rng.random()
                if r < 0.6:
                    change["ring"] = max(1, min(3, data["ring"] + rng.choice((-1, -1, 1))))
                elif r < 0.85:
                    change["quality"] = rng.choice(QUALITIES)
                else:
                    change["phone"] = self.phone()
                versions.append((local(day, 9 * 60 + rng.randint(0, 420)), change, False))
                last_day = day
            if not parent and end - last_day > 10 and rng.random() < 0.07:
                day = rng.randint(last_day + 3, end - 1)
                versions.append((local(day, 9 * 60 + rng.randint(0, 420)), versions[-1][1], True))
                person.removed = day
            load(NetworkPerson).write(
                {
                    "id": person.id,
                    "public_id": person.public_id,
                    "created_at": added_at,
                    "updated_at": added_at,
                    "map_id": map_id,
                    "created_by_id": worker,
                }
            )
            for k, (valid_from, values, removed) in enumerate(versions):
                row = dict(values)
                row["id"] = self.next_id(NetworkPersonVersion)
                row["person_id"] = person.id
                row["valid_from"] = valid_from
                row["valid_to"] = versions[k + 1][0] if k + 1 < len(versions) else None
                row["removed"] = removed
                load(NetworkPersonVersion).write(row)
            persons.append(person)
        # Relations between persons (who knows whom, conflicts), a few changed later.
        if n >= 4:
            pairs: set[tuple[int, int]] = set()
            for _ in range(rng.randint(0, n // 4)):
                a, b = rng.sample(range(n), 2)
                pairs.add((min(a, b), max(a, b)))
            for a, b in sorted(pairs):
                first, second = persons[a], persons[b]
                since = max(first.added, second.added)
                relation_id = self.next_id(PersonRelation)
                at = local(since, 9 * 60 + rng.randint(0, 420)) + dt.timedelta(minutes=5)
                load(PersonRelation).write(
                    {
                        "id": relation_id,
                        "public_id": uuid4(rng),
                        "created_at": at,
                        "updated_at": at,
                        "map_id": map_id,
                        "a_id": first.id,
                        "b_id": second.id,
                    }
                )
                kinds = [rng.choices(("knows", "conflict", "broken"), weights=(7, 2, 1))[0]]
                moments = [at]
                if end - since > 30 and rng.random() < 0.1:
                    kinds.append("knows" if kinds[0] != "knows" else "conflict")
                    moments.append(local(rng.randint(since + 7, end - 1), 10 * 60))
                for k, kind in enumerate(kinds):
                    load(PersonRelationVersion).write(
                        {
                            "id": self.next_id(PersonRelationVersion),
                            "relation_id": relation_id,
                            "valid_from": moments[k],
                            "valid_to": moments[k + 1] if k + 1 < len(kinds) else None,
                            "changed_by_id": worker,
                            "kind": kind,
                        }
                    )
        return persons

    def write_consent(
        self, p: CasePlan, ctx: dict[str, Any], persons: list[Person], meetings: list[MeetingState]
    ) -> None:
        """Consent to share with the private network (what invitations, minutes and summaries need)."""
        from kreds.consent.models import SharingConsent

        rng, load = self.rng, self.load
        recipients = [x for x in persons if not x.parent and not x.professional]
        if not recipients:
            return
        consent_id = self.next_id(SharingConsent)
        given = local(p.map_start, 10 * 60 + rng.randint(0, 300))
        withdrawn_at = None
        if rng.random() < 0.08:
            after = max([s.starts for s in meetings] + [given])
            withdrawn_at = self.between(after, self.now if p.closed is None else local(p.closed, 12 * 60))
        load(SharingConsent).write(
            {
                "id": consent_id,
                "public_id": uuid4(rng),
                "created_at": given,
                "updated_at": withdrawn_at or given,
                "case_id": ctx["case_id"],
                "given_by": persons[0].name,
                "given_by_role": "parent",
                "categories": ["agreements", "meeting_practical", "minutes", "purpose"],
                "purpose": "Netværksmøder og opfølgning",
                "given_on": date(p.map_start),
                "withdrawn_at": withdrawn_at,
                "withdrawn_by_id": ctx["worker"] if withdrawn_at else None,
                "recorded_by_id": ctx["worker"],
            }
        )
        through = SharingConsent.recipients.through
        for person in recipients:
            load(through).write(
                {"id": self.next_id(through), "sharingconsent_id": consent_id, "networkperson_id": person.id}
            )

    # Meetings -------------------------------------------------------------------------------------------------

    def decide_meetings(self, p: CasePlan, m: Muni, ctx: dict[str, Any]) -> list[MeetingState]:
        """What happened to each planned meeting: held (minutes on time, late, unsent), cancelled, ahead."""
        from kreds.meetings.models import Meeting

        rng, cal, today, now = self.rng, self.cal, self.today, self.now
        states: list[MeetingState] = []
        course = -1
        facilitator = m.facilitators[0]
        for k, (day, kind, previous, follow_up) in enumerate(p.slots):
            fgc = kind in FGC_KINDS
            if previous < 0:
                course += 1
                facilitator = rng.choice(m.facilitators)  # the neutral facilitator / coordinator of the course
            while previous >= 0 and states[previous].status == "cancelled":
                previous = states[previous].previous
            if previous < 0:
                kind = "fgc" if fgc else "network"
            starts = local(day, rng.choice(START_MINUTES))
            ends = starts + dt.timedelta(minutes=rng.choice(DURATIONS))
            earliest = states[previous].day + 1 if previous >= 0 else p.map_start + 1
            created_day = min(max(earliest, day - rng.randint(21, 40)), day - 1, today - 1)
            created = local(created_day, 9 * 60 + rng.randint(0, 420))
            s = MeetingState(
                id=self.next_id(Meeting),
                public_id=uuid4(rng),
                kind=kind,
                day=day,
                starts=starts,
                ends=ends,
                status="planned",
                previous=previous,
                course=course,
                follow_up_on=None,
                created=created,
                facilitator=facilitator,
                minute_taker=rng.choice(m.facilitators) if rng.random() < 0.5 else None,
            )
            if s.minute_taker == facilitator:
                s.minute_taker = None
            invite_day = min(created_day + rng.randint(1, 7), day - 1)
            invited_at = max(created + dt.timedelta(hours=1), local(invite_day, 10 * 60))
            age = (day - p.birth) // 365
            if age < 4:
                s.participation = "not"
            elif age < 8:
                s.participation = rng.choice(("not", "written", "through_adult", "part"))
            elif age < 13:
                s.participation = rng.choice(("part", "part", "in_person", "written"))
            else:
                s.participation = rng.choice(("in_person", "in_person", "part"))
            r = rng.random()
            if starts >= now:  # ahead: planned, or invited when it is close
                if not fgc and r < 0.04:
                    s.status, s.cancelled_at = "cancelled", self.between(created, now)
                elif day - today <= 21 and r < 0.8:
                    s.status, s.invited_at = "invited", min(invited_at, now - dt.timedelta(hours=1))
            elif not fgc and r < 0.04:
                s.status = "cancelled"
                s.cancelled_at = self.between(created, starts)
                s.invited_at = invited_at if rng.random() < 0.6 and invited_at < s.cancelled_at else None
            elif not fgc and k == len(p.slots) - 1 and r < 0.06:
                s.status, s.invited_at = "invited", invited_at  # never completed: shows as overdue
            else:
                s.status, s.invited_at, s.follow_up_on = "held", invited_at, follow_up
                s.held_at = ends + dt.timedelta(minutes=rng.randint(0, 20))
                since = today - day
                r = rng.random()
                if since <= 3 and r < 0.6:
                    sent_day = None
                elif r < 0.80:
                    sent_day = cal.add(day, rng.choice((0, 1, 1, 2, 2)))
                elif r < 0.92:
                    sent_day = cal.add(day, rng.randint(3, 15))  # late minutes
                else:
                    sent_day = None  # never sent
                if sent_day is not None and sent_day < today:
                    s.status = "minutes_sent"
                    s.minutes_sent_at = max(
                        local(sent_day, 9 * 60 + rng.randint(0, 420)), s.held_at + dt.timedelta(hours=1)
                    )
                    if today - sent_day > 10 and rng.random() < 0.75:
                        j_day = cal.add(sent_day, rng.randint(1, 10))
                        if j_day < today:
                            s.status = "journalised"
                            s.journalised_at = max(local(j_day, 9 * 60 + rng.randint(0, 420)), s.minutes_sent_at)
            states.append(s)
        return states

    def write_meetings(
        self, p: CasePlan, m: Muni, ctx: dict[str, Any], persons: list[Person]
    ) -> tuple[list[MeetingState], list[str]]:
        from kreds.meetings.models import Meeting

        if not p.slots:
            return [], []
        rng, load = self.rng, self.load
        started = time.perf_counter()
        states = self.decide_meetings(p, m, ctx)
        review: dict[int, int] = {}
        for j, s in enumerate(states):
            if s.previous >= 0 and s.held_at is not None and s.previous not in review:
                review[s.previous] = j
        worker = ctx["worker"]
        child_name = p.first
        casts: dict[int, tuple[int, int]] = {}
        conference: dict[int, int] = {}  # course -> conference id
        link_publics: list[str] = []
        self.timings["meetings"] += time.perf_counter() - started
        for k, s in enumerate(states):
            started = time.perf_counter()
            fgc = s.kind in FGC_KINDS
            held = s.held_at is not None
            previous = states[s.previous] if s.previous >= 0 else None
            follow_up = s.kind in ("follow_up", "fgc_follow_up")
            if fgc:
                purpose = pools.FGC_PURPOSE
            elif follow_up:
                purpose = pools.FOLLOW_UP_PURPOSE
            else:
                purpose = rng.choice(pools.PURPOSES)
            prep_day = s.day - rng.randint(5, 14)
            updated = s.journalised_at or s.minutes_sent_at or s.held_at or s.cancelled_at or s.invited_at or s.created
            summary_at = s.starts - dt.timedelta(days=14) if follow_up else None
            load(Meeting).write(
                {
                    "id": s.id,
                    "public_id": s.public_id,
                    "created_at": s.created,
                    "updated_at": updated,
                    "version": 1
                    + sum(
                        x is not None
                        for x in (s.invited_at, s.held_at, s.minutes_sent_at, s.journalised_at, s.cancelled_at)
                    ),
                    "municipality_id": m.id,
                    "case_id": ctx["case_id"],
                    "kind": s.kind,
                    "previous_id": previous.id if previous else None,
                    "status": s.status,
                    "purpose": purpose.replace("{barn}", child_name),
                    "prep_held_on": date(prep_day) if prep_day < self.today else None,
                    "prep_with": "Barnet og forældrene" if prep_day < self.today else "",
                    "prep_child": "Barnet fortæller selv i den første del."
                    if s.participation in ("part", "in_person")
                    else "",
                    "child_participation": s.participation,
                    "starts_at": s.starts,
                    "ends_at": s.ends,
                    "place": rng.choice(pools.PLACES),
                    "inviter": self.user_names[worker],
                    "facilitator_id": s.facilitator,
                    "minute_taker_id": s.minute_taker,
                    "authority_declared": held,
                    "notes_descriptive": rng.choice(pools.NOTES_DESCRIPTIVE).replace("{barn}", child_name)
                    if held
                    else "",
                    "notes_reflective": rng.choice(pools.NOTES_REFLECTIVE).replace("{barn}", child_name)
                    if held
                    else "",
                    "notes_agreements": rng.choice(pools.NOTES_AGREEMENTS) if held else "",
                    "follow_up_on": date(s.follow_up_on) if s.follow_up_on is not None else None,
                    "held_at": s.held_at,
                    "completed_by_id": s.facilitator if held else None,
                    "minutes_approved_at": s.minutes_sent_at,
                    "minutes_approved_by_id": s.facilitator if s.minutes_sent_at else None,
                    "minutes_sent_at": s.minutes_sent_at,
                    "journalised_at": s.journalised_at,
                    "journalised_by_id": worker if s.journalised_at else None,
                    "summary_queued_at": summary_at if summary_at is not None and summary_at < self.now else None,
                    "cancelled_reason": rng.choice(pools.CANCEL_REASONS).replace("{barn}", child_name)
                    if s.status == "cancelled"
                    else "",
                    "created_by_id": worker,
                }
            )
            self.timings["meetings"] += time.perf_counter() - started
            session_id = None
            if fgc:
                started = time.perf_counter()
                if s.kind == "fgc":
                    course_states = [x for x in states if x.course == s.course]
                    conference[s.course] = self.write_conference(p, m, ctx, s, course_states, persons)
                session_id = self.write_session(m, ctx, s, conference[s.course], k, states)
                self.timings["conferences, sessions"] += time.perf_counter() - started
            started = time.perf_counter()
            if s.course not in casts:
                casts[s.course] = (
                    rng.choice((3, 4, 5, 6)) if fgc else rng.choice((1, 2, 2, 3, 3, 4)),
                    rng.choice((0, 1, 1, 2)),
                )
            participants = self.write_participants(p, m, ctx, s, persons, casts[s.course], link_publics)
            self.timings["participants, links"] += time.perf_counter() - started
            if held:
                started = time.perf_counter()
                reviewer = states[review[k]] if k in review else None
                self.write_agreements(p, ctx, s, participants, reviewer, session_id)
                self.timings["agreements, status history"] += time.perf_counter() - started
                started = time.perf_counter()
                self.write_evaluations(s, participants)
                self.timings["evaluations"] += time.perf_counter() - started
        self.track_candidate(p, ctx, states, persons)
        return states, link_publics

    def write_participants(
        self,
        p: CasePlan,
        m: Muni,
        ctx: dict[str, Any],
        s: MeetingState,
        persons: list[Person],
        cast: tuple[int, int],
        link_publics: list[str],
    ) -> list[dict[str, Any]]:
        """The child, the caseworker, parents, private network and professionals present on the map that day."""
        from kreds.meetings.models import Participant
        from kreds.participants.models import ParticipantLink

        rng, load, day = self.rng, self.load, s.day
        present = [x for x in persons if x.added < day and (x.removed is None or x.removed > day)]
        parents = [x for x in present if x.parent][:2]
        private = sorted(
            (x for x in present if not x.parent and not x.professional and x.quality != "broken"),
            key=lambda x: x.affinity,
        )[: cast[0]]
        professionals = sorted((x for x in present if x.professional), key=lambda x: x.affinity)[: cast[1]]
        worker = ctx["worker"]
        rows: list[tuple[str, Person | None, int | None, str]] = []
        if s.participation in ("in_person", "part"):
            rows.append(("child", None, None, p.first))
        rows.append(("caseworker", None, worker, self.user_names[worker]))
        rows += [("parent", x, None, x.name) for x in parents]
        rows += [("private", x, None, x.name) for x in private]
        rows += [("professional", x, None, x.name) for x in professionals]
        held = s.held_at is not None
        out: list[dict[str, Any]] = []
        for order, (role, person, user_id, name) in enumerate(rows, start=1):
            pid = self.next_id(Participant)
            public_id = uuid4(rng)
            invited = s.invited_at is not None and role != "caseworker"
            removed_at = None
            if invited and person is not None and rng.random() < 0.02:
                removed_at = self.between(s.invited_at, min(s.starts, self.now))  # type: ignore[arg-type]
            rsvp, rsvp_at = "", None
            if invited and s.invited_at is not None:
                r = rng.random()
                rsvp = "no" if removed_at else "yes" if r < 0.75 else "no" if r < 0.83 else ""
                if rsvp:
                    rsvp_at = removed_at or self.between(s.invited_at, min(s.starts, self.now))
            attended = None
            if held:
                if role in ("caseworker", "child"):
                    attended = True
                elif removed_at is not None or rsvp == "no":
                    attended = False
                else:
                    attended = rng.random() < (0.93 if rsvp == "yes" else 0.5)
            email = person.email if person else ""
            delivery = "hand" if role in ("child", "caseworker") else "email" if email else "letter"
            link_id = None
            if invited:
                link_id = self.next_id(ParticipantLink)
                link_public = uuid4(rng)
                token, token_hash = self.token_hash(link_public)
                last = max(s.starts, local(s.follow_up_on, 23 * 60 + 59)) if s.follow_up_on is not None else s.starts
                expires = last + dt.timedelta(days=120)
                revoked_at = s.cancelled_at if s.status == "cancelled" else removed_at
                used = rng.random() < 0.45 and s.invited_at is not None
                load(ParticipantLink).write(
                    {
                        "id": link_id,
                        "public_id": link_public,
                        "created_at": s.invited_at,
                        "updated_at": revoked_at or s.invited_at,
                        "token_hash": token_hash,
                        "purpose": "meeting",
                        "municipality_id": m.id,
                        "case_id": ctx["case_id"],
                        "holder_name": name,
                        "expires_at": expires,
                        "revoked_at": revoked_at,
                        "revoked_reason": ("meeting cancelled" if s.status == "cancelled" else "removed from meeting")
                        if revoked_at
                        else "",
                        "last_used_at": self.between(s.invited_at, min(expires, self.now)) if used else None,  # type: ignore[arg-type]
                        "use_count": rng.randint(1, 8) if used else 0,
                        "created_by_id": worker,
                    }
                )
                link_publics.append(public_id)
                if revoked_at is None and expires > self.now + dt.timedelta(days=14):
                    # The fixture's link: an active one of this meeting, a parent's if there is one.
                    rank = ROLE_RANK.get(role, 9)
                    tokens = ctx.setdefault("tokens", {})
                    if s.id not in tokens or rank < tokens[s.id][0]:
                        tokens[s.id] = (rank, public_id, token, expires)
            row = {
                "id": pid,
                "public_id": public_id,
                "created_at": s.created,
                "updated_at": removed_at or rsvp_at or s.invited_at or s.created,
                "meeting_id": s.id,
                "person_id": person.id if person else None,
                "user_id": user_id,
                "role": role,
                "name": name,
                "relation": person.relation if person else "",
                "email": email,
                "phone": person.phone if person else "",
                "address": person.address if person else "",
                "delivery": delivery,
                "speaking_order": order,
                "rsvp": rsvp,
                "rsvp_at": rsvp_at,
                "attended": attended,
                "invited_at": s.invited_at if invited else None,
                "removed_at": removed_at,
                "link_id": link_id,
            }
            load(Participant).write(row)
            out.append(row)
        return out

    def write_agreements(
        self,
        p: CasePlan,
        ctx: dict[str, Any],
        s: MeetingState,
        participants: list[dict[str, Any]],
        reviewer: MeetingState | None,
        session_id: int | None,
    ) -> None:
        """Who does what by when; reviewed (done / in progress / not done) at the follow-up meeting."""
        from kreds.conferences.models import PlanItem
        from kreds.meetings.models import Agreement, AgreementStatusChange

        rng, load, today = self.rng, self.load, self.today
        active = [x for x in participants if x["removed_at"] is None]
        weights = [
            {"parent": 3, "private": 3.5, "professional": 2, "caseworker": 2, "child": 0.5}[x["role"]] for x in active
        ]
        count = max(1, min(10, round(rng.gauss(self.agreements_per_meeting, 1.5))))
        runner = s.facilitator
        for number, responsible in enumerate(rng.choices(active, weights=weights, k=count), start=1):
            agreement_id = self.next_id(Agreement)
            created = s.starts + dt.timedelta(minutes=rng.randint(20, 100))
            due = s.day + rng.choice((7, 10, 14, 14, 21, 28, 30, 42))
            history: list[tuple[str, dt.datetime, int, int | None, str]] = []
            if reviewer is not None and reviewer.held_at is not None:
                status = rng.choices(("done", "in_progress", "not_done", "agreed"), weights=(58, 17, 20, 5))[0]
                if status != "agreed":
                    at = reviewer.held_at - dt.timedelta(minutes=rng.randint(10, 60))
                    if status == "done" and rng.random() < 0.3:
                        history.append(("in_progress", self.between(created, at), ctx["worker"], None, ""))
                    comment = rng.choice(pools.REVIEW_COMMENTS[status])
                    history.append((status, at, reviewer.facilitator, reviewer.id, comment))
            else:
                if due < today:
                    status = rng.choices(("agreed", "in_progress", "done", "not_done"), weights=(45, 35, 15, 5))[0]
                else:
                    status = rng.choices(("agreed", "in_progress"), weights=(85, 15))[0]
                if status != "agreed":
                    limit = min(self.now, local(due + 20, 16 * 60))
                    history.append((status, self.between(created, limit), ctx["worker"], None, ""))
            what = rng.choice(pools.AGREEMENTS).replace("{barn}", p.first)
            load(Agreement).write(
                {
                    "id": agreement_id,
                    "public_id": uuid4(rng),
                    "created_at": created,
                    "updated_at": history[-1][1] if history else created,
                    "case_id": ctx["case_id"],
                    "meeting_id": s.id,
                    "responsible_id": responsible["id"],
                    "responsible_name": responsible["name"],
                    "person_id": responsible["person_id"],
                    "what": what,
                    "due_on": date(due),
                    "status": status,
                    "created_by_id": runner,
                }
            )
            for status_, at, by, meeting_id, comment in history:
                load(AgreementStatusChange).write(
                    {
                        "id": self.next_id(AgreementStatusChange),
                        "agreement_id": agreement_id,
                        "status": status_,
                        "comment": comment,
                        "reviewed_at_meeting_id": meeting_id,
                        "changed_at": at,
                        "changed_by_id": by,
                    }
                )
            if session_id is not None:  # the family's plan: each agreement is an approved plan item
                assert s.held_at is not None
                decided = s.held_at + dt.timedelta(days=rng.randint(1, 5))
                decided_ok = decided < self.now
                load(PlanItem).write(
                    {
                        "id": self.next_id(PlanItem),
                        "public_id": uuid4(rng),
                        "created_at": created,
                        "updated_at": decided if decided_ok else created,
                        "session_id": session_id,
                        "number": number,
                        "responsible_id": responsible["id"],
                        "responsible_name": responsible["name"],
                        "what": what,
                        "due_on": date(due),
                        "decision": "approved" if decided_ok else "",
                        "decided_by_id": ctx["worker"] if decided_ok else None,
                        "decided_at": decided if decided_ok else None,
                        "agreement_id": agreement_id,
                        "created_by_id": runner,
                    }
                )

    def _child_score(self) -> int:
        return self.rng.choice((1, 3, 5, 5))  # the child's three smileys map to 1, 3 and 5

    def _adult_score(self) -> int:
        return self.rng.choices((1, 2, 3, 4, 5), weights=(2, 4, 14, 40, 40))[0]

    def write_evaluations(self, s: MeetingState, participants: list[dict[str, Any]]) -> None:
        from kreds.meetings.models import Evaluation

        rng, load = self.rng, self.load
        fgc = s.kind in FGC_KINDS
        for x in participants:
            if not x["attended"] or x["role"] == "caseworker" or rng.random() >= 0.3:
                continue
            assert s.held_at is not None
            at = s.held_at + dt.timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
            if at >= self.now:
                continue
            child = x["role"] == "child"
            score = self._child_score if child else self._adult_score

            load(Evaluation).write(
                {
                    "id": self.next_id(Evaluation),
                    "public_id": uuid4(rng),
                    "created_at": at,
                    "updated_at": at,
                    "participant_id": x["id"],
                    "child_form": child,
                    "heard": score(),
                    "knew_purpose": score(),
                    "realistic": score(),
                    "own_part_clear": score(),
                    "satisfaction": score(),
                    "plan_made": (rng.random() < 0.85) if fgc else None,
                    "plan_satisfaction": score() if fgc else None,
                    "comment": rng.choice(pools.EVALUATION_COMMENTS),
                }
            )

    # Family group conferences -------------------------------------------------------------------------------

    def write_conference(
        self,
        p: CasePlan,
        m: Muni,
        ctx: dict[str, Any],
        first: MeetingState,
        course: list[MeetingState],
        persons: list[Person],
    ) -> int:
        rng = self.rng
        referred = first.created - dt.timedelta(days=rng.randint(20, 45))
        allocated = referred + dt.timedelta(days=rng.randint(2, 10))
        last_held = max((x.held_at for x in course if x.held_at is not None), default=None)
        ahead = any(x.held_at is None for x in course)
        last_follow_up = max((x.follow_up_on for x in course if x.follow_up_on is not None), default=None)
        if first.held_at is None:
            status = "preparing"
        elif last_held is not None and last_held > self.now - dt.timedelta(days=7) and not ahead:
            status = "approval"
        elif ahead or (last_follow_up is not None and last_follow_up >= self.today and p.closed is None):
            status = "active"
        else:
            status = "closed"
        closed_at = None
        if status == "closed" and last_held is not None:
            closed_at = min(last_held + dt.timedelta(days=rng.randint(14, 60)), self.now - dt.timedelta(hours=1))
        parent = next((x for x in persons if x.parent), None)
        return self._conference_row(
            p, m, ctx, status, referred, allocated, first.facilitator, first.id, closed_at, parent
        )

    def write_queued_conference(self, p: CasePlan, m: Muni, ctx: dict[str, Any], persons: list[Person]) -> None:
        """A recent referral waiting in the FGC service's queue (no coordinator yet)."""
        referred = self.now - dt.timedelta(days=self.rng.randint(1, 21), hours=self.rng.randint(0, 8))
        if referred.date().toordinal() <= p.map_start:
            return
        parent = next((x for x in persons if x.parent), None)
        self._conference_row(p, m, ctx, "referred", referred, None, None, None, None, parent)

    def _conference_row(
        self,
        p: CasePlan,
        m: Muni,
        ctx: dict[str, Any],
        status: str,
        referred: dt.datetime,
        allocated: dt.datetime | None,
        coordinator: int | None,
        meeting_id: int | None,
        closed_at: dt.datetime | None,
        parent: Person | None,
    ) -> int:
        from kreds.conferences.models import Conference, Wellbeing

        rng, load = self.rng, self.load
        conference_id = self.next_id(Conference)
        external = rng.random() < 0.3
        referred_day = referred.astimezone(TZ).date().toordinal()
        load(Conference).write(
            {
                "id": conference_id,
                "public_id": uuid4(rng),
                "created_at": referred,
                "updated_at": closed_at or allocated or referred,
                "version": 1 + (allocated is not None) + (closed_at is not None),
                "municipality_id": m.id,
                "case_id": ctx["case_id"],
                "status": status,
                "referred_by_id": ctx["worker"],
                "referred_at": referred,
                "initiator_name": self.person_name() if external else self.user_names[ctx["worker"]],
                "initiator_role": "Klasselærer, skolen" if external else "Sagsbehandler",
                "initiator_external": external,
                "questions": f"Hvordan sikrer familien og netværket, at {p.first} har en tryg hverdag?",
                "bottom_lines": f"{p.first} må ikke være alene om natten.\n{p.first} skal komme i skole hver dag.",
                "support_offered": "Aflastning, familiebehandling, hjælp til transport.",
                "parents_consent_by": parent.name if parent else "Forældrene",
                "parents_consent_on": date(referred_day),
                "young_person_consent_on": date(referred_day) if referred_day - p.birth >= 15 * 365 else None,
                "coordinator_id": coordinator,
                "allocated_at": allocated,
                "allocated_by_id": m.leader["family"] if allocated else None,
                "premeeting_on": date(allocated.date().toordinal() + rng.randint(3, 10)) if allocated else None,
                "venue_neutral": rng.random() < 0.5,
                "meeting_id": meeting_id,
                "closed_at": closed_at,
                "closed_reason": "Forløbet er afsluttet." if closed_at else "",
            }
        )
        for scored_by in ("child", "family"):  # well-being at referral
            load(Wellbeing).write(
                {
                    "id": self.next_id(Wellbeing),
                    "public_id": uuid4(rng),
                    "created_at": referred,
                    "updated_at": referred,
                    "conference_id": conference_id,
                    "session_id": None,
                    "scored_by": scored_by,
                    "score": rng.randint(1, 4),
                    "recorded_by_id": ctx["worker"],
                }
            )
        return conference_id

    def write_session(
        self, m: Muni, ctx: dict[str, Any], s: MeetingState, conference_id: int, k: int, states: list[MeetingState]
    ) -> int:
        from kreds.conferences.models import ConferenceSession, Cost, Wellbeing

        rng, load = self.rng, self.load
        number = 0
        x = s
        while x.previous >= 0:
            number += 1
            x = states[x.previous]
        session_id = self.next_id(ConferenceSession)
        held = s.held_at is not None
        private_start = s.starts + dt.timedelta(minutes=45) if held else None
        private_end = private_start + dt.timedelta(minutes=rng.randint(40, 90)) if private_start else None
        finalised = s.held_at + dt.timedelta(days=rng.randint(1, 5)) if s.held_at is not None else None
        if finalised is not None and finalised >= self.now:
            finalised = None
        load(ConferenceSession).write(
            {
                "id": session_id,
                "public_id": uuid4(rng),
                "created_at": s.created,
                "updated_at": finalised or s.held_at or s.created,
                "conference_id": conference_id,
                "meeting_id": s.id,
                "number": number,
                "private_started_at": private_start,
                "private_ended_at": private_end,
                "plan_presented_at": private_end + dt.timedelta(minutes=5) if private_end else None,
                "plan_finalised_at": finalised,
                "plan_finalised_by_id": ctx["worker"] if finalised else None,
            }
        )
        if held:
            at = s.held_at
            hours = round(rng.uniform(10, 25), 1)
            costs: list[tuple[str, str, float, float]] = [("coordinator_hours", "hours", hours, 450)]
            if rng.random() < 0.5:
                costs.append(("mileage", "km", rng.randint(20, 120), 3.81))
            if rng.random() < 0.6:
                costs.append(("food", "dkk", 1, rng.randint(500, 1500)))
            for category, unit, quantity, rate in costs:
                load(Cost).write(
                    {
                        "id": self.next_id(Cost),
                        "public_id": uuid4(rng),
                        "created_at": at,
                        "updated_at": at,
                        "conference_id": conference_id,
                        "session_id": session_id,
                        "category": category,
                        "unit": unit,
                        "quantity": f"{quantity:.2f}",
                        "rate": f"{rate:.2f}",
                        "amount": f"{quantity * rate:.2f}",
                        "recorded_by_id": s.facilitator,
                    }
                )
            if number > 0:
                for scored_by in ("child", "family"):
                    load(Wellbeing).write(
                        {
                            "id": self.next_id(Wellbeing),
                            "public_id": uuid4(rng),
                            "created_at": at,
                            "updated_at": at,
                            "conference_id": conference_id,
                            "session_id": session_id,
                            "scored_by": scored_by,
                            "score": rng.randint(2, 5),
                            "recorded_by_id": s.facilitator,
                        }
                    )
        return session_id

    # Fixture ---------------------------------------------------------------------------------------------------

    def track_candidate(
        self, p: CasePlan, ctx: dict[str, Any], states: list[MeetingState], persons: list[Person]
    ) -> None:
        """Remember open cases of the largest unit with a held meeting and an active link (for the fixture)."""
        if (p.muni, p.unit) != self.largest_unit or p.closed is not None or p.big_class:
            return
        tokens: dict[int, tuple[int, str, str, dt.datetime]] = ctx.get("tokens", {})
        held = [s for s in states if s.held_at is not None and s.id in tokens]
        if not held:
            return
        meeting = held[-1]
        rank, participant, token, expires = tokens[meeting.id]
        self.candidates[ctx["case_id"]] = {
            "case": ctx["case_public"],
            "worker": ctx["worker"],
            "meeting": meeting.public_id,
            "participant": participant,
            "token": token,
            "expires_at": expires.isoformat(),
            "persons": len(persons),
            "meetings": len(states),
            # Lower is more typical: 10-20 persons, at least 3 meetings, a parent's link, ~15 persons.
            "score": (not 10 <= len(persons) <= 20, len(states) < 3, rank, abs(len(persons) - 15), -len(states)),
        }

    # Audit log -----------------------------------------------------------------------------------------------

    def write_audit(self) -> None:
        from bench.audit import AuditWriter
        from kreds.audit.models import AuditChainHead, AuditEvent, AuditPurge

        started = time.perf_counter()
        writer = AuditWriter(self, self.load(AuditEvent), round(TARGETS["audit_events"] * self.scale))
        last_seq, last_hash = writer.run()
        self.load(AuditChainHead).write({"id": 1, "last_hash": last_hash, "last_seq": last_seq})
        purges = self.load(AuditPurge)
        for row in writer.purge_records():
            purges.write(row)
        self.timings["audit events (hash chain)"] += time.perf_counter() - started

    def fixture(self, counts: dict[str, int]) -> dict[str, Any]:
        """What the benchmark needs: users, the largest unit, a busy caseworker, cases, a meeting and a link.

        The flat keys at the top are the ones bench/run.py reads; the rest documents the dataset."""
        from django.urls import reverse

        m_idx, unit = self.largest_unit
        m = self.munis[m_idx]
        leader = m.leader[unit]
        if not self.candidates:
            raise SystemExit("No typical case found in the largest unit; increase --scale.")
        # The busiest caseworker of the largest unit, provided one of their cases makes a typical case.
        with_candidates = {c["worker"] for c in self.candidates.values()}
        busy = max(
            (u for u in m.caseworkers[unit] if u in with_candidates), key=lambda u: (self.open_assignments[u], -u)
        )
        typical = min(
            (c for c in self.candidates.values() if c["worker"] == busy), key=lambda c: (c["score"], c["case"])
        )
        in_unit = [p for p in self.plans if (p.muni, p.unit) == self.largest_unit]
        big = self.big_cases["large"]
        worker = self.usernames[typical["worker"]]
        return {
            "caseworker": self.usernames[busy],
            "case": typical["case"],
            "map_150_path": reverse("network:map", kwargs={"public_id": big}),
            "map_150_user": self.usernames[self.big_workers["large"]],
            "meeting_path": reverse("meetings:detail", kwargs={"meeting_id": typical["meeting"]}),
            "meeting_user": worker,
            "largest_unit": m.unit_public[unit],
            "leader": self.usernames[leader],
            "token": typical["token"],
            "password": self.args.password,
            "totp_key_hex": self.totp_key,
            "secrets_note": "Link tokens and CPR ciphertexts depend on SECRET_KEY (BENCH_SECRET_KEY) and the CPR "
            "keys: the server must run with the values bench/env.py gives the generator.",
            "generated": {"seed": self.args.seed, "scale": self.scale, "today": date(self.today).isoformat()},
            "largest_unit_details": {
                "public_id": m.unit_public[unit],
                "name": "MyndighedsCenter",
                "municipality": m.name,
                "leader": self.usernames[leader],
                "cases": len(in_unit),
                "open_cases": sum(1 for p in in_unit if p.closed is None),
            },
            "busy_caseworker": {
                "username": self.usernames[busy],
                "open_cases": self.open_assignments[busy],
                "cases": self.all_assignments[busy],
            },
            "cases": {
                "typical": typical["case"],
                "typical_persons": typical["persons"],
                "typical_meetings": typical["meetings"],
                "big_map": big,
                "big_map_by_size_class": self.big_cases,
                "big_map_caseworkers": {k: self.usernames[u] for k, u in self.big_workers.items()},
            },
            "meeting": {"public_id": typical["meeting"], "case": typical["case"], "caseworker": worker},
            "participant_link": {
                "token": typical["token"],
                "participant_public_id": typical["participant"],
                "meeting_public_id": typical["meeting"],
                "expires_at": typical["expires_at"],
            },
            "users": {role: [self.usernames[u] for u in ids] for role, ids in self.users_by_role.items()},
            "counts": counts,
        }


def check_secrets(g: Generator, fixture: dict[str, Any]) -> None:
    """The link token and a CPR ciphertext must match what the app itself computes with these settings."""
    from kreds.cases.models import Child
    from kreds.meetings.models import Participant
    from kreds.participants.services import hash_token, token_for

    token = fixture["token"]
    participant = fixture["participant_link"]["participant_public_id"]
    link = Participant.objects.select_related("link").get(public_id=participant).link
    assert link is not None and token_for(link) == token and hash_token(token) == link.token_hash, "link token mismatch"
    child = Child.objects.exclude(cpr_encrypted="").order_by("id").first()
    assert child is not None and child.cpr_masked.startswith(child.birth_date.strftime("%d%m%y")), "CPR mismatch"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="postgres://…/<name containing 'bench'>")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national scale (100,000 children)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="anchor date (default: today)")
    parser.add_argument("--password", default="bench-kreds-2026", help="the one password of every staff user")
    parser.add_argument("--cheap-password-hash", action="store_true", help="hash with the test suite's cheap Argon2")
    parser.add_argument("--fixture", type=Path, default=FIXTURE_PATH)
    parser.add_argument("--jobs", type=int, default=2, help="parallel index builds (default 2)")
    parser.add_argument("--skip-vacuum", action="store_true", help="skip the final VACUUM ANALYZE")
    args = parser.parse_args()
    name = require_bench_name(args.database_url)

    import psycopg
    from psycopg import sql

    total_start = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(label: str, started: float) -> float:
        phases[label] = time.perf_counter() - started
        print(f"  {label}: {phases[label]:.1f}s", flush=True)
        return time.perf_counter()

    print(f"Recreating database {name} …", flush=True)
    t = time.perf_counter()
    with psycopg.connect(admin_url(args.database_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from bench.copyload import DeferredSchema, reset_sequences

    args.today = args.today or timezone.localdate()
    call_command("migrate", interactive=False, verbosity=0)
    connections.close_all()
    t = phase("create database and migrate", t)

    admin = psycopg.connect(args.database_url, autocommit=True)
    schema = DeferredSchema(admin)
    schema.drop()
    t = phase("drop foreign keys and secondary indexes", t)

    g = Generator(args)
    print(
        f"Planning {round(TARGETS['children'] * args.scale):,} children (scale {args.scale}, seed {args.seed}, "
        f"today {args.today}) …",
        flush=True,
    )
    g.plan()
    g.calibrate()
    t = phase("plan and calibrate", t)

    g.write_organisation()
    t = phase("municipalities, units, sectors, staff", t)

    print("Cases …", flush=True)
    step = max(1, len(g.plans) // 20)
    loop_start = time.perf_counter()
    for index, plan in enumerate(g.plans):
        g.write_case(index, plan)
        if (index + 1) % step == 0 or index + 1 == len(g.plans):
            rows = sum(g.load.counts().values())
            elapsed = time.perf_counter() - loop_start
            print(
                f"  {index + 1:>9,} cases  {rows:>12,} rows  {elapsed:7.1f}s  ({rows / elapsed:,.0f} rows/s)",
                flush=True,
            )
    t = phase("cases and everything on them", t)

    print("Audit log …", flush=True)
    g.write_audit()
    t = phase("audit events", t)

    counts = g.load.counts()
    flush = g.load.finish()
    t = phase("flush and commit COPY streams", t)

    print("Rebuilding indexes, unique constraints and foreign keys …", flush=True)
    rebuild = schema.rebuild(args.database_url, lambda line: print(line, flush=True), jobs=args.jobs)
    reset_sequences(admin)
    t = phase("rebuild indexes and constraints, reset sequences", t)

    if not args.skip_vacuum:
        admin.execute("VACUUM (ANALYZE)")
        t = phase("VACUUM ANALYZE", t)
    admin.close()

    fixture = g.fixture(counts)
    check_secrets(g, fixture)
    args.fixture.parent.mkdir(parents=True, exist_ok=True)
    args.fixture.write_text(json.dumps(fixture, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    total = time.perf_counter() - total_start

    print("\nRows and time per table (generation time is per group of tables written together):")
    for table in sorted(counts, key=lambda k: -counts[k]):
        print(
            f"  {table:<45} {counts[table]:>12,} rows   flush {flush.get(table, 0):6.1f}s   "
            f"indexes+FKs {rebuild.get(table, 0):6.1f}s"
        )
    print("\nGeneration time per group:")
    for label, seconds in sorted(g.timings.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<45} {seconds:8.1f}s")
    print("\nPhases:")
    for label, seconds in phases.items():
        print(f"  {label:<50} {seconds:8.1f}s")
    print(f"\nTotal: {total:.1f}s ({total / 60:.1f} min). Fixture: {args.fixture}")


if __name__ == "__main__":
    main()
