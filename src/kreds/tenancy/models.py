"""The tenant (municipality) and its units."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.core.models import TimestampedModel


def default_placement_checks() -> list[str]:
    """Every check of a placement candidate's assessment (kreds.placements.constants.CheckKey)."""
    return ["home_visit", "references", "police_record", "child_record", "basic_course", "support"]


class Municipality(TimestampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("municipality code"), max_length=3, unique=True, help_text=_("Three digits"))
    # Settings an administrator edits (deadlines, cost figures) live here and grow with later capabilities.
    network_activity_days = models.PositiveIntegerField(_("days to first network activity"), default=60)
    cost_per_network_meeting = models.PositiveIntegerField(_("cost per network meeting (DKK)"), default=4100)
    # Family group conferences (DOMAIN §6)
    fgc_follow_up_months = models.PositiveSmallIntegerField(
        _("months from a family group conference to its follow-up"), default=3
    )
    fgc_hourly_rate = models.DecimalField(
        _("coordinator's hourly rate (DKK)"), max_digits=8, decimal_places=2, default=Decimal("450.00")
    )
    fgc_mileage_rate = models.DecimalField(
        _("mileage rate (DKK per km)"), max_digits=6, decimal_places=2, default=Decimal("3.81")
    )
    # Kinship placement (DOMAIN §10): the checks of a candidate's assessment this municipality uses.
    placement_checks = models.JSONField(_("checks of a placement candidate"), default=default_placement_checks)
    # How many protections of people's details are in force in the municipality (kept by kreds.protection's
    # services in the transaction that records or ends one). The reader's guard reads the protections only when
    # there are any: a municipality without them pays no query for the guard (issue 18).
    protections_in_force = models.PositiveIntegerField(default=0, editable=False)
    # The same for restricted cases (kept by kreds.cases.services.restrict_case and lift_restriction).
    restrictions_in_force = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    AUTHORITY = "authority", _("Authority (myndighed)")
    FAMILY_CENTRE = "family_centre", _("Family centre")
    YOUTH_CENTRE = "youth_centre", _("Youth centre")
    PPR = "ppr", _("PPR")
    HEALTH_VISITORS = "health_visitors", _("Health visitors")
    OTHER = "other", _("Other")


class Unit(TimestampedModel):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.OTHER)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unit_name_unique_per_municipality")
        ]

    def __str__(self) -> str:
        return self.name
