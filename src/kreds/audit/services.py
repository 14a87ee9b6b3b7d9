"""Writing and verifying the audit log. Every write goes through :func:`record`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from kreds.audit.constants import READ_ACTIONS, Action, Purpose
from kreds.audit.models import GENESIS, AuditChainHead, AuditEvent
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
    """Append one event to the chain (inside its own atomic block, nested in the caller's)."""
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
        )
        event.payload_digest = event.compute_payload_digest()
        event.hash = event.compute_hash()
        event.save()
        head.last_hash = event.hash
        head.last_seq = event.seq
        head.save(update_fields=["last_hash", "last_seq"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Walk the whole chain; yield every place where it is broken.

    Detects a changed row (its hash no longer matches its content), a deleted or reordered row
    (the next row's prev_hash no longer matches), and a truncated tail (the head disagrees).
    """
    expected_prev = GENESIS
    last_seq = 0
    last_hash = GENESIS
    qs = AuditEvent.objects.order_by("seq")
    cursor = 0
    while True:
        batch = list(qs.filter(seq__gt=cursor)[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.prev_hash != expected_prev:
                yield ChainProblem(event.seq, "previous hash does not match: a row before it was changed or removed")
            if event.purged_at is None and event.compute_payload_digest() != event.payload_digest:
                yield ChainProblem(event.seq, "content does not match its hash: the row was changed")
            elif event.purged_at is not None and event.action not in READ_ACTIONS:
                yield ChainProblem(event.seq, "only read events may be purged: the row was changed")
            if event.compute_hash() != event.hash:
                yield ChainProblem(event.seq, "time, action or digest do not match the hash: the row was changed")
            expected_prev = event.hash
            last_seq, last_hash = event.seq, event.hash
            cursor = event.seq
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != last_seq or head.last_hash != last_hash):
        yield ChainProblem(last_seq, "the chain head does not match the last row: rows at the end were removed")


def purge_expired_reads(*, retention_days: int | None = None) -> int:
    """Erase the personal payload of read events older than the retention period (default 6 months).

    Changes, exports and security events are kept with the case. The chain still verifies: each link covers
    the payload's digest, not the payload itself.
    """
    from datetime import timedelta

    from django.conf import settings

    days = retention_days if retention_days is not None else settings.AUDIT_READ_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        expired = AuditEvent.objects.filter(
            occurred_at__lt=cutoff, purged_at__isnull=True, action__in=[str(a) for a in READ_ACTIONS]
        )
        return expired._erase_payload(timezone.now())


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
