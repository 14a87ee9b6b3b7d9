"""Append-only, hash-chained audit log (DOMAIN §13, SECURITY 15–19)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.audit.constants import Action, Purpose

GENESIS = "0" * 64


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise NotImplementedError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NotImplementedError("Audit events are append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise NotImplementedError("Audit events are append-only.")

    def _erase_payload(self, now: Any) -> int:
        """Retention only (services.purge_expired_reads): blank the personal payload, keep the chain."""
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
    # Set when the payload of a read event was erased after the retention period (DOMAIN §13).
    purged_at = models.DateTimeField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

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
        payload = {
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
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)

    def compute_payload_digest(self) -> str:
        return hashlib.sha256(self.payload_canonical().encode()).hexdigest()

    def compute_hash(self) -> str:
        """The chain link covers time, action and the payload digest, so a purged payload keeps the chain intact."""
        header = f"{self.prev_hash}|{self.occurred_at.isoformat()}|{self.action}|{self.payload_digest}"
        return hashlib.sha256(header.encode()).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked while appending, so the chain stays linear under concurrent writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"head at #{self.last_seq}"
