"""The audit log at scale: millions of events in time order, hash-chained exactly like kreds.audit.

Events are sampled, not derived one by one from the generated rows: for each moment (working hours, spread over
the five years) an action is drawn by weight and pointed at a case that was open then, acted on by its
caseworker or the unit's leader (or by a participant's link). The payload is what ``kreds.audit.services.record``
would store, so ``verify_chain`` accepts the result:

* ``payload_digest`` = sha256 of the canonical JSON (sorted keys, compact), written here without json.dumps;
* ``hash`` = HMAC-SHA256 with the first key of AUDIT_CHAIN_KEY of ``prev_hash|occurred_at.isoformat()|action|
  payload_digest``, and the row's ``key_id`` (ADR 0010);
* read events older than the retention period (AUDIT_READ_RETENTION_DAYS) are purged as the daily task would:
  payload blanked, ``purged_at`` set, digest and chain kept, and one sealed ``AuditPurge`` record per run.

Rows are written as raw COPY text (all values are ASCII without tabs or backslashes), in batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.copyload import CopyTable
    from bench.generate import Generator

DAY_US = 86400 * 1_000_000
WORKDAY_US = 9 * 3600 * 1_000_000  # events fall between 08:00 and 17:00 local time
BATCH = 20_000
NULL = "\\N"  # COPY text format

# (action, family, weight); families decide actor, object and details.
ACTIONS: list[tuple[str, str, float]] = [
    ("case.view", "case", 26),
    ("network.view", "map", 12),
    ("meeting.view", "meeting", 12),
    ("case.list", "list", 9),
    ("link.view", "link", 6),
    ("plan.view", "case_plan", 3),
    ("sos.view", "case_sos", 1),
    ("voice.view", "case_voice", 0.6),
    ("conference.view", "case_conference", 0.6),
    ("network.person_add", "map", 3),
    ("network.person_update", "map", 1.5),
    ("network.person_remove", "map", 0.3),
    ("network.relation", "map", 0.6),
    ("meeting.create", "meeting", 0.6),
    ("meeting.update", "meeting", 1.2),
    ("meeting.participants", "meeting", 1.5),
    ("meeting.invite", "meeting", 0.6),
    ("meeting.notes", "meeting", 2.0),
    ("meeting.attendance", "meeting", 0.6),
    ("meeting.complete", "meeting", 0.6),
    ("meeting.minutes_sent", "meeting", 0.6),
    ("meeting.journalise", "meeting", 0.4),
    ("agreement.add", "meeting", 3.0),
    ("agreement.status", "meeting", 2.0),
    ("meeting.rsvp", "link_meeting", 1.0),
    ("meeting.evaluation", "link_meeting", 0.4),
    ("case.update", "case", 1.2),
    ("case.create", "case", 0.3),
    ("case.assign", "case", 0.4),
    ("case.close", "case", 0.2),
    ("consent.given", "case", 0.2),
    ("auth.login", "login", 4),
    ("auth.logout", "login", 1.5),
    ("auth.session_expired", "login", 1.0),
    ("auth.login_failed", "login_failed", 0.2),
    ("insights.view", "insights", 0.5),
]
DETAILS = {
    "network.view": ['{"view":"map"}', '{"view":"map"}', '{"view":"list"}'],
    "meeting.view": ['{"view":"detail"}', '{"view":"detail"}', '{"view":"minutes"}', '{"view":"participants"}'],
    "plan.view": ['{"view":"plan"}', '{"view":"agreements"}'],
    "sos.view": ['{"view":"mapping"}'],
    "voice.view": ['{"view":"voice"}'],
    "conference.view": ['{"view":"detail"}'],
    "link.view": ['{"view":"home"}', '{"view":"home"}', '{"view":"minutes"}'],
    "network.person_update": ['{"fields":["ring"]}', '{"fields":["quality"]}', '{"fields":["phone"]}'],
    "meeting.create": ['{"kind":"network"}', '{"kind":"follow_up"}'],
    "meeting.rsvp": ['{"answer":"yes"}', '{"answer":"yes"}', '{"answer":"no"}'],
}
OBJECT_TYPE = {"case_plan": "plan", "case_sos": "sos", "case_voice": "voice", "case_conference": "case"}


class AuditWriter:
    def __init__(self, g: Generator, table: CopyTable, count: int) -> None:
        from django.conf import settings

        from kreds.audit.constants import READ_ACTIONS

        expected = [
            "seq", "occurred_at", "actor_id", "actor_label", "action", "municipality_id", "object_type", "object_id",
            "person_concerned", "purpose", "request_id", "ip", "details", "payload_digest", "purged_at", "prev_hash",
            "hash", "key_id",
        ]  # fmt: skip
        assert table.keys == expected, f"AuditEvent columns changed: {table.keys}"
        self.g, self.table, self.count = g, table, count
        self.reads = {str(a) for a in READ_ACTIONS}
        self.retention_us = settings.AUDIT_READ_RETENTION_DAYS * 86400 * 1_000_000
        # Lookup table: a uniform draw picks an action with its weight.
        total = sum(w for _a, _f, w in ACTIONS)
        self.pick: list[tuple[str, str]] = []
        for action, family, weight in ACTIONS:
            self.pick += [(action, family)] * round(weight / total * 10_000)

    def run(self) -> tuple[int, str]:
        g, rng = self.g, self.g.rng
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        micro = dt.timedelta(microseconds=1)
        days = [d for d in g.cal.days if g.first_day <= d < g.today]
        day_start = [(g_local(d) - epoch) // micro for d in days]
        now_us = (g.now - epoch) // micro
        span = len(days) * WORKDAY_US
        opened = [p.opened for p in g.plans]
        closed = [p.closed if p.closed is not None else 10**9 for p in g.plans]
        munis = [g.munis[p.muni] for p in g.plans]
        users = sorted(g.usernames)
        leaders = [(m, m.leader["authority"]) for m in g.munis] + [(m, m.leader["youth"]) for m in g.munis]
        pick, n_pick, reads = self.pick, len(self.pick), self.reads
        usernames, user_muni = g.usernames, g.user_muni
        from kreds.audit.keys import signing_key

        sha256 = hashlib.sha256
        key_id, key = signing_key()
        runs: Counter[str] = Counter()  # purge time -> rows erased by that run
        prev = "0" * 64
        lines: list[str] = []
        n = self.count
        step = max(1, n // 10)
        started = time.perf_counter()
        opened_before = 0
        for i in range(n):
            w = (i + rng.random()) * span / n
            d = int(w // WORKDAY_US)
            us = day_start[d] + int(w - d * WORKDAY_US)
            day = days[d]
            while opened_before < len(opened) and opened[opened_before] <= day:
                opened_before += 1
            action, family = pick[int(rng.random() * n_pick)]
            if family not in ("login", "login_failed", "insights") and opened_before == 0:
                action, family = "auth.login", "login"
            j = -1
            if family not in ("login", "login_failed", "insights"):
                for _ in range(3):  # prefer a case that was open that day
                    j = int(rng.random() * opened_before)
                    if closed[j] >= day:
                        break
                meetings = g.a_meetings[j]
                if (family == "meeting" and not meetings) or (family.startswith("link") and not g.a_links[j]):
                    action, family = "case.view", "case"
            details = "{}"
            choices = DETAILS.get(action)
            if choices:
                details = choices[int(rng.random() * len(choices))]
            purpose = "casework"
            ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            object_type = object_id = person = ""
            if j >= 0:
                m = munis[j]
                municipality = m.id
                person = g.a_child[j]
                if family in ("link", "link_meeting"):
                    actor = None
                    parts = g.a_links[j]
                    label = f"link:{parts[int(rng.random() * len(parts))]}"
                    object_type, object_id = "meeting", meetings[int(rng.random() * len(meetings))]
                    purpose = ""
                    ip = f"{rng.randint(80, 212)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                else:
                    if rng.random() < 0.12:
                        actor, purpose = m.leader[g.plans[j].unit], "supervision"
                    else:
                        actor = g.a_worker[j]
                    label = usernames[actor]
                    if family == "meeting":
                        object_type, object_id = "meeting", meetings[int(rng.random() * len(meetings))]
                    elif family == "map":
                        object_type, object_id = "network_map", g.a_case[j]
                    elif family == "list":
                        person, purpose = "", ""
                        details = f'{{"count":{rng.randint(3, 60)},"page":1}}'
                    else:
                        object_type, object_id = OBJECT_TYPE.get(family, "case"), g.a_case[j]
            elif family == "insights":
                m, actor = leaders[int(rng.random() * len(leaders))]
                municipality, label, purpose = m.id, usernames[actor], "supervision"
                unit = "authority" if actor == m.leader["authority"] else "youth"
                object_type, object_id = "unit", m.unit_public[unit]
                quarter = dt.date.fromordinal(day).replace(day=1)
                quarter = quarter.replace(month=(quarter.month - 1) // 3 * 3 + 1)
                details = f'{{"from":"{quarter.isoformat()}","to":"{dt.date.fromordinal(day).isoformat()}"}}'
            else:
                actor = users[int(rng.random() * len(users))]
                label, purpose = usernames[actor], "security"
                municipality = user_muni[actor]
                if family == "login_failed":
                    actor, municipality = None, None
            request_id = f"{rng.getrandbits(64):016x}"
            payload = (
                f'{{"actor":{"null" if actor is None else actor},"actor_label":"{label}","details":{details},'
                f'"ip":"{ip}","municipality":{"null" if municipality is None else municipality},'
                f'"object_id":"{object_id}","object_type":"{object_type}","person_concerned":"{person}",'
                f'"purpose":"{purpose}","request_id":"{request_id}"}}'
            )
            digest = sha256(payload.encode()).hexdigest()
            occurred = (epoch + us * micro).isoformat()
            chain = hmac.new(key, f"{prev}|{occurred}|{action}|{digest}".encode(), sha256).hexdigest()
            seq = i + 1
            if action in reads and now_us - us > self.retention_us + 2 * DAY_US:
                # Purged by the daily retention task (03:00 UTC the day after the period ran out).
                purged = (epoch + (us + self.retention_us) * micro).date() + dt.timedelta(days=1)
                purged_at = f"{purged.isoformat()}T03:00:00+00:00"
                runs[purged_at] += 1
                lines.append(
                    f"{seq}\t{occurred}\t\\N\t\t{action}\t\\N\t\t\t\t\t\t\\N\t{{}}\t{digest}\t"
                    f"{purged_at}\t{prev}\t{chain}\t{key_id}\n"
                )
            else:
                lines.append(
                    f"{seq}\t{occurred}\t{NULL if actor is None else actor}\t{label}\t{action}\t"
                    f"{NULL if municipality is None else municipality}\t{object_type}\t{object_id}\t{person}\t"
                    f"{purpose}\t{request_id}\t{ip}\t{details}\t{digest}\t\\N\t{prev}\t{chain}\t{key_id}\n"
                )
            prev = chain
            if len(lines) >= BATCH:
                self.table.write_raw("".join(lines), len(lines))
                lines.clear()
            if (i + 1) % step == 0:
                elapsed = time.perf_counter() - started
                print(f"  {i + 1:>12,} events  {elapsed:7.1f}s  ({(i + 1) / elapsed:,.0f}/s)", flush=True)
        if lines:
            self.table.write_raw("".join(lines), len(lines))
        self.purge_runs = runs
        return n, prev

    def purge_records(self) -> list[dict[str, object]]:
        """One sealed record per daily retention run the data imitates (kreds.audit.models.AuditPurge)."""
        from django.conf import settings

        from kreds.audit.keys import signing_key
        from kreds.audit.models import AuditPurge

        key_id, key = signing_key()
        rows: list[dict[str, object]] = []
        for number, (purged_at, count) in enumerate(sorted(self.purge_runs.items()), start=1):
            run = AuditPurge(
                purged_at=dt.datetime.fromisoformat(purged_at),
                retention_days=settings.AUDIT_READ_RETENTION_DAYS,
                count=count,
                key_id=key_id,
            )
            rows.append(
                {
                    "id": number,
                    "purged_at": purged_at,
                    "retention_days": run.retention_days,
                    "count": count,
                    "key_id": key_id,
                    "seal": run.compute_seal(key),
                }
            )
        return rows


def g_local(day: int) -> dt.datetime:
    """08:00 local time on ``day``."""
    from bench.generate import local

    return local(day, 8 * 60)
