"""Kinship placement and contact during placement (DOMAIN §10, docs/design/kinship-placement.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CandidateStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    CONTACTED = "contacted", _("Contacted")
    INTERESTED = "interested", _("Interested")
    ASSESSMENT = "assessment", _("Assessment started")
    APPROVED = "approved", _("Approved for this child")
    PLACED = "placed", _("Placed")
    DECLINED = "declined", _("Declined by the person")
    NOT_SUITABLE = "not_suitable", _("Not suitable")


# The order of the search; the last three are set otherwise (placed by the decision, the two endings any time).
FORWARD = [
    CandidateStatus.IDENTIFIED,
    CandidateStatus.CONTACTED,
    CandidateStatus.INTERESTED,
    CandidateStatus.ASSESSMENT,
    CandidateStatus.APPROVED,
]
ENDED = {CandidateStatus.DECLINED, CandidateStatus.NOT_SUITABLE}
# A candidate counts as explored once the search went beyond noting the name (leadership figure).
EXPLORED = set(CandidateStatus) - {CandidateStatus.IDENTIFIED}


class CheckKey(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    REFERENCES = "references", _("References")
    POLICE_RECORD = "police_record", _("Police record check")
    CHILD_RECORD = "child_record", _("Child-protection record check (børneattest)")
    BASIC_COURSE = "basic_course", _("Basic course (grundkursus)")
    SUPPORT = "support", _("Support needed from the municipality")


# Checks whose result goes out of date: the record checks and the course certificate.
EXPIRING = {CheckKey.POLICE_RECORD, CheckKey.CHILD_RECORD, CheckKey.BASIC_COURSE}


class CheckState(models.TextChoices):
    TODO = "todo", _("Not started")
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    NOT_NEEDED = "not_needed", _("Not needed")


class Setting(models.TextChoices):
    NETWORK_FOSTER_CARE = "network", _("Network foster care (netværkspleje)")
    FOSTER_FAMILY = "foster_family", _("Foster family")
    RESIDENTIAL = "residential", _("Residential institution or home")
    OTHER = "other", _("Other placement")


class ContactMode(models.TextChoices):
    VISIT = "visit", _("Visit")
    OVERNIGHT = "overnight", _("Overnight stay")
    CALL = "call", _("Phone or video")


class ContactSupport(models.TextChoices):
    NONE = "none", _("Without support")
    SUPPORTED = "supported", _("Supported (a support person is present, § 104 stk. 4)")
    SUPERVISED = "supervised", _("Supervised")


class SuspensionBasis(models.TextChoices):
    CHILD_REQUEST = "child", _("At the child's request")
    DECISION = "decision", _("By a decision (afgørelse)")


SUSPENSION_MAX_DAYS = 56  # 8 weeks at the child's request
# A new suspension at the child's request must start more than 8 weeks after the last one ended: a longer stop of
# contact is a decision (afgørelse), not a chain of suspensions at the child's request.
SUSPENSION_GAP_DAYS = 56
SUSPENSION_WARN_DAYS = 7
EXPIRY_WARN_DAYS = 30
