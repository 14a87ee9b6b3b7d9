"""A leader's page as last computed (kreds.insights.snapshots): its figures (``data``, read by the page) and the
case ids behind the period's figures (``drill``, read only by the drill-down, so the cases listed are those the page
counted). No names."""

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
    # The cases behind each figure of the period (the unit's, and each caseworker's breakdown): ids only.
    drill = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_kind", "start", "end"], name="insights_snapshot_period"),
        ]
        indexes = [models.Index(fields=["viewed_at"], name="insights_snapshot_viewed")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period_kind} {self.start}–{self.end} @ {self.computed_at:%Y-%m-%d %H:%M}"
