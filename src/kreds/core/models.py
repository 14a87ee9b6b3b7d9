"""Shared model bases and the worker heartbeat."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    """Every Kreds row has a public UUID (used in URLs) and timestamps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditedQuerySet(models.QuerySet[Any]):
    """Bulk writes bypass the services and their audit trail, so they are refused (Open Zaak's idea)."""

    def update(self, **kwargs: Any) -> int:
        raise NotImplementedError("Bulk update is blocked on audited models; use the service functions.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise NotImplementedError("Bulk delete is blocked on audited models; use the service functions.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise NotImplementedError("Bulk update is blocked on audited models; use the service functions.")


class VersionedModel(models.Model):
    """Optimistic locking: a save from a stale form is refused instead of overwriting."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """One row per task worker; written by the periodic heartbeat task."""

    worker = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField()

    objects: ClassVar[models.Manager[WorkerHeartbeat]]

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beat_at.isoformat()}"
