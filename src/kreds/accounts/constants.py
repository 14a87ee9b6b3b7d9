from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    PRACTITIONER = "practitioner", _("Practitioner")
    FACILITATOR = "facilitator", _("Facilitator / coordinator")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that see case content (DOMAIN §1: administrators do not). Granting one is audited and shown to the unit's
# leader in the list of role changes (SECURITY 27).
CASE_CONTENT_ROLES = frozenset({Role.CASEWORKER, Role.PRACTITIONER, Role.FACILITATOR, Role.LEADER})
