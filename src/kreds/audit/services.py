"""Writing and verifying the audit log. Every write goes through :func:`record`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kreds.audit.alerts import send_security_alert
from kreds.audit.constants import READ_ACTIONS, Action, Purpose
from kreds.audit.keys import UnknownKeyError, key_for, same, signing_key
from kreds.audit.models import (
    EMPTY_PAYLOAD_CANONICAL,
    GENESIS,
    AuditChainHead,
    AuditEvent,
    AuditPurge,
    SecurityAlert,
)
from kreds.core.logging import redact
from kreds.core.request_context import current_client_ip, current_request_id

if TYPE_CHECKING:
    from kreds.accounts.models import User
    from kreds.tenancy.models import Municipality


def _clean(details: dict[str, Any]) -> dict[str, Any]:
    """Details never carry a CPR number, whatever a caller passes."""
    cleaned: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, str):
            cleaned[key] = redact(value)
        elif isinstance(value, list):
            cleaned[key] = [redact(v) if isinstance(v, str) else v for v in value]
        else:
            cleaned[key] = value
    return cleaned


def record(
    action: Action,
    *,
    actor: User | None,
    municipality: Municipality | None = None,
    object_type: str = "",
    object_id: str = "",
    person_concerned: str = "",
    purpose: Purpose | str = "",
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the chain (inside its own atomic block, nested in the caller's).

    The link is an HMAC with the first key of AUDIT_CHAIN_KEY (ADR 0010); the key ring is parsed once and cached,
    so keying adds no query.
    """
    key_id, key = signing_key()
    if municipality is None and actor is not None and actor.municipality_id is not None:
        municipality = actor.municipality
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=redact(actor_label or (actor.username if actor is not None else "")),
            action=action,
            municipality=municipality,
            object_type=object_type,
            object_id=str(object_id),
            person_concerned=str(person_concerned),
            purpose=str(purpose),
            request_id=current_request_id() or "",
            ip=current_client_ip(),
            details=_clean(details or {}),
            prev_hash=head.last_hash,
            key_id=key_id,
        )
        event.payload_digest = event.compute_payload_digest()
        event.hash = event.compute_hash(key)
        event.save()
        head.last_hash = event.hash
        head.last_seq = event.seq
        head.save(update_fields=["last_hash", "last_seq"])
    if action == Action.ACCESS_DENIED and actor is not None and event.municipality_id is not None:
        _watch_for_burst(event)
    return event


def _watch_for_burst(event: AuditEvent) -> None:  # called with an actor and a municipality
    """AUTHZ_DENIAL_BURST refusals of one user within AUTHZ_DENIAL_BURST_MINUTES make a security alert: one per
    user and window, mailed to the municipality's administrators after commit (a probe, or a colleague looking
    where they should not)."""
    limit = settings.AUTHZ_DENIAL_BURST
    minutes = settings.AUTHZ_DENIAL_BURST_MINUTES
    if limit <= 0 or minutes <= 0 or event.actor_id is None or event.municipality_id is None:
        return
    since = event.occurred_at - timedelta(minutes=minutes)
    denials = AuditEvent.objects.filter(
        action=Action.ACCESS_DENIED, actor_id=event.actor_id, occurred_at__gt=since
    ).count()
    if denials < limit:
        return
    window = minutes * 60
    start = datetime.fromtimestamp(int(event.occurred_at.timestamp()) // window * window, tz=UTC)
    try:
        with transaction.atomic():
            alert = SecurityAlert.objects.create(
                municipality_id=event.municipality_id, actor_id=event.actor_id, window_start=start, denials=denials
            )
    except IntegrityError:
        return  # this window's alert is already queued
    transaction.on_commit(lambda: send_security_alert.enqueue(alert.pk))


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str
    # What the problem is about when it is not a row (a purge record); empty for rows.
    subject: str = ""

    def __str__(self) -> str:
        return f"{self.subject or f'seq {self.seq}'}: {self.problem}"


@dataclass
class ChainStats:
    """Filled in by :func:`verify_chain` while it walks (for the summary of ``audit_verify``)."""

    events: int = 0
    keyed: int = 0
    legacy: int = 0
    purged: int = 0
    purge_runs: int = 0
    retention_days: set[int] = field(default_factory=set)


# A purged row without a sealed purge record can only come from the retention job as it was before ADR 0010. It
# must be an unkeyed row purged before the first keyed row was written (plus a day, for the last run of a worker
# that was still on the old release).
LEGACY_PURGE_GRACE = timedelta(days=1)


def _valid_purge_runs(now: datetime, stats: ChainStats) -> tuple[dict[datetime, AuditPurge], list[ChainProblem]]:
    runs: dict[datetime, AuditPurge] = {}
    problems: list[ChainProblem] = []
    for run in AuditPurge.objects.order_by("purged_at"):
        subject = f"purge record of {run.purged_at.isoformat()}"
        try:
            key = key_for(run.key_id)
        except UnknownKeyError as exc:
            problems.append(ChainProblem(0, str(exc), subject))
            continue
        if not same(run.compute_seal(key), run.seal):
            problems.append(ChainProblem(0, "its seal does not match: the record was forged or changed", subject))
        elif run.purged_at > now:
            problems.append(ChainProblem(0, "its time lies in the future: the record was forged", subject))
        else:
            runs[run.purged_at] = run
            stats.purge_runs += 1
            stats.retention_days.add(run.retention_days)
    return runs, problems


def _purge_problem(
    event: AuditEvent,
    runs: dict[datetime, AuditPurge],
    counted: Counter[datetime],
    first_keyed_at: datetime | None,
    now: datetime,
) -> str | None:
    """Why a purged row is not an expired read event erased by the retention job, or None if it is."""
    assert event.purged_at is not None
    run = runs.get(event.purged_at)
    if run is not None:
        counted[run.purged_at] += 1
    if event.action not in READ_ACTIONS:
        return "only read events may be purged: the row was changed"
    if event.payload_canonical() != EMPTY_PAYLOAD_CANONICAL:
        return "a purged row must have every personal field empty, but this one has some: the row was changed"
    if run is not None:
        if event.occurred_at >= run.cutoff:
            return (
                f"purged at {run.purged_at.isoformat()}, before its {run.retention_days} days of retention had "
                "passed: the row was changed"
            )
        return None
    legacy_purge_allowed = not event.key_id and (
        first_keyed_at is None or event.purged_at <= first_keyed_at + LEGACY_PURGE_GRACE
    )
    if not legacy_purge_allowed:
        return "purged, but no sealed purge record has its purge time: the row was changed"
    if event.purged_at > now:
        return "its purge time lies in the future: the row was changed"
    if event.occurred_at >= event.purged_at - timedelta(days=settings.AUDIT_READ_RETENTION_DAYS):
        return (
            f"purged before AUDIT_READ_RETENTION_DAYS ({settings.AUDIT_READ_RETENTION_DAYS}) had passed: the row was "
            "changed"
        )
    return None


def verify_chain(
    batch_size: int = 2000, *, stats: ChainStats | None = None, now: datetime | None = None
) -> Iterator[ChainProblem]:
    """Walk the whole chain; yield every place where it is broken (ADR 0004, ADR 0010).

    Detects a changed row (its hash no longer matches its content), a deleted or reordered row (the next row's
    prev_hash no longer matches), a truncated tail (the head disagrees), a keyed row whose HMAC does not verify or
    whose key is not in AUDIT_CHAIN_KEY, an unkeyed row after a keyed one (a chain recomputed without the key), and
    a purged row that is not an expired read event erased by the retention job.
    """
    stats = stats if stats is not None else ChainStats()
    now = now or timezone.now()
    runs, run_problems = _valid_purge_runs(now, stats)
    yield from run_problems
    counted: Counter[datetime] = Counter()
    first_keyed_at = AuditEvent.objects.exclude(key_id="").order_by("seq").values_list("occurred_at", flat=True).first()
    expected_prev = GENESIS
    last_seq = 0
    last_hash = GENESIS
    seen_keyed = False
    qs = AuditEvent.objects.order_by("seq")
    cursor = 0
    while True:
        batch = list(qs.filter(seq__gt=cursor)[:batch_size])
        if not batch:
            break
        for event in batch:
            stats.events += 1
            if event.prev_hash != expected_prev:
                yield ChainProblem(event.seq, "previous hash does not match: a row before it was changed or removed")
            if event.purged_at is None:
                if event.compute_payload_digest() != event.payload_digest:
                    yield ChainProblem(event.seq, "content does not match its hash: the row was changed")
            else:
                stats.purged += 1
                problem = _purge_problem(event, runs, counted, first_keyed_at, now)
                if problem:
                    yield ChainProblem(event.seq, problem)
            if event.key_id:
                seen_keyed = True
                stats.keyed += 1
                try:
                    key: bytes | None = key_for(event.key_id)
                except UnknownKeyError as exc:
                    yield ChainProblem(event.seq, f"{exc}: its hash cannot be checked")
                else:
                    if not same(event.compute_hash(key), event.hash):
                        yield ChainProblem(
                            event.seq, "time, action or digest do not match the keyed hash: the row was changed"
                        )
            else:
                stats.legacy += 1
                if seen_keyed:
                    yield ChainProblem(
                        event.seq,
                        "an unkeyed row after keyed rows: the chain was recomputed without the key from here or "
                        "earlier",
                    )
                if event.compute_hash() != event.hash:
                    yield ChainProblem(event.seq, "time, action or digest do not match the hash: the row was changed")
            expected_prev = event.hash
            last_seq, last_hash = event.seq, event.hash
            cursor = event.seq
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != last_seq or head.last_hash != last_hash):
        yield ChainProblem(last_seq, "the chain head does not match the last row: rows at the end were removed")
    for purged_at, run in runs.items():
        if counted[purged_at] != run.count:
            yield ChainProblem(
                0,
                f"it erased {run.count} events, but {counted[purged_at]} rows carry its time: a purged row was "
                "restored or removed",
                f"purge record of {purged_at.isoformat()}",
            )


def purge_expired_reads(*, retention_days: int | None = None) -> int:
    """Erase the personal payload of read events older than the retention period (default 6 months).

    Changes, exports and security events are kept with the case. The chain still verifies: each link covers
    the payload's digest, not the payload itself. Each run that erases anything leaves an ``AuditPurge`` record
    sealed with the chain key (time, retention used, count); the erased rows carry the same ``purged_at``, which is
    how ``verify_chain`` tells a genuine purge from a row someone emptied (ADR 0010).
    """
    days = retention_days if retention_days is not None else int(settings.AUDIT_READ_RETENTION_DAYS)
    if days < 0:
        raise ValueError("retention_days must not be negative")
    key_id, key = signing_key()
    with transaction.atomic():
        now = timezone.now()
        cutoff = now - timedelta(days=days)
        expired = AuditEvent.objects.filter(
            occurred_at__lt=cutoff, purged_at__isnull=True, action__in=[str(a) for a in READ_ACTIONS]
        )
        count = expired._erase_payload(now)
        if count:
            run = AuditPurge(purged_at=now, retention_days=days, count=count, key_id=key_id)
            run.seal = run.compute_seal(key)
            run.save()
    return count


def record_for_case(
    action: Action,
    *,
    actor: User,
    case: Any,
    object_type: str = "case",
    object_id: str = "",
    details: dict[str, Any] | None = None,
    purpose: Purpose = Purpose.CASEWORK,
) -> AuditEvent:
    """An event about (something on) a child's case: municipality and person concerned come from the case."""
    return record(
        action,
        actor=actor,
        municipality=case.municipality,
        object_type=object_type,
        object_id=object_id or str(case.public_id),
        person_concerned=str(case.child.public_id),
        purpose=purpose,
        details=details,
    )
