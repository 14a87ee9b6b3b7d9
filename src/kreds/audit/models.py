"""Append-only, hash-chained audit log (DOMAIN §13, SECURITY 15–19 and 28; ADR 0004, ADR 0010)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.audit.constants import Action, Purpose

GENESIS = "0" * 64


def canonical_payload(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


# What the retention job leaves of a read event's personal payload. A purged row must hold exactly this: its
# canonical JSON is a known constant, so "every personal field is empty" is one string comparison.
EMPTY_PAYLOAD: dict[str, Any] = {
    "actor": None,
    "actor_label": "",
    "municipality": None,
    "object_type": "",
    "object_id": "",
    "person_concerned": "",
    "purpose": "",
    "request_id": "",
    "ip": None,
    "details": {},
}
EMPTY_PAYLOAD_CANONICAL = canonical_payload(EMPTY_PAYLOAD)


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise NotImplementedError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NotImplementedError("Audit events are append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise NotImplementedError("Audit events are append-only.")

    def _erase_payload(self, now: datetime) -> int:
        """Retention only (services.purge_expired_reads): blank the personal payload, keep the chain."""
        # Leaves exactly EMPTY_PAYLOAD (a test pins that the two agree).
        return super().update(
            actor=None,
            actor_label="",
            municipality=None,
            object_type="",
            object_id="",
            person_concerned="",
            purpose="",
            request_id="",
            ip=None,
            details={},
            purged_at=now,
        )


class AuditEvent(models.Model):
    seq = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    # No ``choices`` on purpose: the registry grows with every capability and must not need a migration.
    action = models.CharField(max_length=40)
    municipality = models.ForeignKey(
        "tenancy.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The child whose data was touched (public id); answers "who looked at my data?".
    person_concerned = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    payload_digest = models.CharField(max_length=64)
    # Set when the payload of a read event was erased after the retention period (DOMAIN §13); equals the
    # ``purged_at`` of the sealed ``AuditPurge`` record of that run (ADR 0010).
    purged_at = models.DateTimeField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # The AUDIT_CHAIN_KEY id whose HMAC made ``hash``; blank for rows written before the chain was keyed, whose
    # hash is plain SHA-256 (ADR 0010). ``db_default`` so adding the column to a large table is cheap.
    key_id = models.CharField(max_length=16, blank=True, default="", db_default="")

    objects: ClassVar[AuditQuerySet] = AuditQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        # Every audited request inserts a row, so every index here costs each request. Only what a query reads:
        # the case access log (object, person concerned), the retention job (events not yet purged, by time; a
        # partial index, so purged events leave it), and the chain's hash once. No ``db_index=True`` on the text
        # columns: on PostgreSQL that adds a second ``_like`` index per column that nothing uses (measured on the
        # national bench data: 4 of 13 indexes, 1.1 GB; bench/README.md).
        indexes = [
            models.Index(fields=["object_type", "object_id", "occurred_at"], name="audit_object_idx"),
            models.Index(fields=["person_concerned"], name="audit_person_idx"),
            models.Index(fields=["occurred_at"], condition=models.Q(purged_at__isnull=True), name="audit_unpurged_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise NotImplementedError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise NotImplementedError("Audit events are append-only.")

    def get_action_display(self) -> str:
        try:
            return str(Action(self.action).label)
        except ValueError:
            return self.action

    def payload_canonical(self) -> str:
        """Everything that identifies people; erased for read events after the retention period."""
        return canonical_payload(
            {
                "actor": self.actor_id,
                "actor_label": self.actor_label,
                "municipality": self.municipality_id,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "person_concerned": self.person_concerned,
                "purpose": self.purpose,
                "request_id": self.request_id,
                "ip": self.ip,
                "details": self.details,
            }
        )

    def compute_payload_digest(self) -> str:
        return hashlib.sha256(self.payload_canonical().encode()).hexdigest()

    def chain_header(self) -> str:
        return f"{self.prev_hash}|{self.occurred_at.isoformat()}|{self.action}|{self.payload_digest}"

    def compute_hash(self, key: bytes | None = None) -> str:
        """The chain link covers time, action and the payload digest, so a purged payload keeps the chain intact.

        With a key (every row since ADR 0010): HMAC-SHA256 of the header, so only a holder of AUDIT_CHAIN_KEY can
        compute a link. Without (legacy rows, ``key_id`` blank): plain SHA-256 of the same header.
        """
        header = self.chain_header().encode()
        if key is None:
            return hashlib.sha256(header).hexdigest()
        return hmac.new(key, header, hashlib.sha256).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked while appending, so the chain stays linear under concurrent writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"head at #{self.last_seq}"


class AuditPurgeQuerySet(models.QuerySet["AuditPurge"]):
    def update(self, **kwargs: Any) -> int:
        raise NotImplementedError("Purge records are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NotImplementedError("Purge records are append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise NotImplementedError("Purge records are append-only.")


class AuditPurge(models.Model):
    """One run of the read-log retention job, sealed with the chain key (ADR 0010).

    Every row the run erased carries ``purged_at`` equal to this record's; ``audit_verify`` accepts a purged row
    only when such a record exists, its seal verifies, and the row was older than ``retention_days`` at that
    time. The seal (HMAC with AUDIT_CHAIN_KEY) makes the purge time and the retention used unforgeable without
    the key, whatever the retention setting is today.
    """

    purged_at = models.DateTimeField(unique=True)
    retention_days = models.PositiveIntegerField()
    count = models.PositiveBigIntegerField()
    key_id = models.CharField(max_length=16)
    seal = models.CharField(max_length=64)

    objects: ClassVar[AuditPurgeQuerySet] = AuditPurgeQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["purged_at"]

    def __str__(self) -> str:
        return f"purge at {self.purged_at.isoformat()} ({self.count} events)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise NotImplementedError("Purge records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise NotImplementedError("Purge records are append-only.")

    @property
    def cutoff(self) -> datetime:
        """Only events that occurred before this may have been erased by the run."""
        return self.purged_at - timedelta(days=self.retention_days)

    def seal_message(self) -> str:
        return f"purge|{self.key_id}|{self.purged_at.isoformat()}|{self.retention_days}|{self.count}"

    def compute_seal(self, key: bytes) -> str:
        return hmac.new(key, self.seal_message().encode(), hashlib.sha256).hexdigest()


class SecurityAlert(models.Model):
    """A burst of refused accesses by one user (AUTHZ_DENIAL_BURST within AUTHZ_DENIAL_BURST_MINUTES): the
    municipality's administrators get one mail per burst window, sent exactly once by ``send_security_alert``."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    window_start = models.DateTimeField()
    denials = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects: ClassVar[models.Manager[SecurityAlert]]

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["actor", "window_start"], name="security_alert_unique")]

    def __str__(self) -> str:
        return f"{self.denials} denials from {self.window_start.isoformat()}"
