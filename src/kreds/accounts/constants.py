from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    PRACTITIONER = "practitioner", _("Practitioner")
    FACILITATOR = "facilitator", _("Facilitator / coordinator")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")
