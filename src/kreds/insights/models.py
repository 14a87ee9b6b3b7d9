"""A leader's page as last computed (kreds.insights.snapshots). It holds figures only: no case ids, no names."""

from __future__ import annotations

from django.db import models


class Snapshot(models.Model):
    unit = models.ForeignKey("tenancy.Unit", on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=10)
    start = models.DateField()
    end = models.DateField()
    # The day the figures were computed as of (the period's last day, or the day it was computed on if earlier).
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    viewed_at = models.DateTimeField()
    refresh_queued_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_kind", "start", "end"], name="insights_snapshot_period"),
        ]
        indexes = [models.Index(fields=["viewed_at"], name="insights_snapshot_viewed")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period_kind} {self.start}–{self.end} @ {self.computed_at:%Y-%m-%d %H:%M}"
