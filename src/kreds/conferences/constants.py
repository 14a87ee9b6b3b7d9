from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConferenceStatus(models.TextChoices):
    REFERRED = "referred", _("Awaiting a coordinator")
    PREPARING = "preparing", _("In preparation")
    AWAITING_APPROVAL = "approval", _("Plan awaiting approval")
    ACTIVE = "active", _("Plan approved, follow-up ahead")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    ConferenceStatus.REFERRED,
    ConferenceStatus.PREPARING,
    ConferenceStatus.AWAITING_APPROVAL,
    ConferenceStatus.ACTIVE,
)


class ContactKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    MEETING = "meeting", _("Meeting")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")
    LETTER = "letter", _("Letter or message")
    OTHER = "other", _("Other")


class SupportStatus(models.TextChoices):
    NOT_NEEDED = "", _("No support asked")
    UNKNOWN = "unknown", _("Not yet clarified")
    AVAILABLE = "available", _("Available")
    NOT_AVAILABLE = "not_available", _("Not available")


class Decision(models.TextChoices):
    PENDING = "", _("Not decided")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Outcome(models.TextChoices):
    REALISED = "realised", _("Realised")
    PARTLY = "partly", _("Partly realised")
    NOT_REALISED = "not_realised", _("Not realised")


class ScoredBy(models.TextChoices):
    CHILD = "child", _("The child")
    FAMILY = "family", _("The family")


class CostCategory(models.TextChoices):
    COORDINATOR_HOURS = "coordinator_hours", _("Coordinator hours")
    ON_CALL = "on_call", _("On-call supplement")
    MILEAGE = "mileage", _("Mileage")
    INTERPRETER = "interpreter", _("Interpreter")
    VENUE = "venue", _("Venue")
    FOOD = "food", _("Food")
    OTHER = "other", _("Other")


class CostUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    KM = "km", _("km")
    DKK = "dkk", _("DKK")


# Categories counted in a unit other than kroner, and the municipality setting that gives the rate.
RATED = {
    CostCategory.COORDINATOR_HOURS: (CostUnit.HOURS, "fgc_hourly_rate"),
    CostCategory.MILEAGE: (CostUnit.KM, "fgc_mileage_rate"),
}

WELLBEING_MIN, WELLBEING_MAX = 1, 5
FOLLOW_UP_MONTHS_MIN, FOLLOW_UP_MONTHS_MAX = 3, 6
YOUNG_PERSON_CONSENT_AGE = 15
OUTCOME_TO_AGREEMENT = {
    Outcome.REALISED: "done",
    Outcome.PARTLY: "in_progress",
    Outcome.NOT_REALISED: "not_done",
}
ZERO = Decimal("0.00")
