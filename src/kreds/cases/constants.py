from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Gender(models.TextChoices):
    GIRL = "girl", _("Girl")
    BOY = "boy", _("Boy")
    OTHER = "other", _("Other")
    UNSPECIFIED = "", _("Not stated")


class RiskOutcome(models.TextChoices):
    PROCEED = "proceed", _("Network involvement may proceed")
    PROCEED_WITH_LIMITS = "proceed_limited", _("May proceed with the limits described")
    DO_NOT_PROCEED = "do_not_proceed", _("Do not involve parents and network now")


class LegalBasis(models.TextChoices):
    """Legal-basis flags (Barnets Lov). Stored as booleans on the case; listed here for labels and filters."""

    AFDAEKNING = "basis_afdaekning", _("Afdækning (§ 19)")
    INVESTIGATION = "basis_investigation", _("Børnefaglig undersøgelse (§§ 20–22)")
    SUPPORT = "basis_support", _("Supportive measure (§ 32)")
    PLACEMENT = "basis_placement", _("Placement (§ 46 / § 47)")
