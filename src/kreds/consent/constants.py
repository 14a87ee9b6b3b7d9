from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Categories of information about a case that may go to a private network member (DOMAIN §4)."""

    MEETING_PRACTICAL = "meeting_practical", _("Practical meeting details (time, place, who is invited)")
    PURPOSE_AND_SITUATION = "purpose", _("The purpose and the child's situation")
    MINUTES = "minutes", _("Minutes")
    AGREEMENTS = "agreements", _("Agreements")
    PLAN = "plan", _("The child's plan")
    CONTACT_PLAN = "contact_plan", _("Their own contact arrangement during placement")
    CONTACT_DETAILS = "contact_details", _("Other participants' contact details")
