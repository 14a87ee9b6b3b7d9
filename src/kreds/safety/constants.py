from django.db import models
from django.utils.translation import gettext_lazy as _


class ScorerKind(models.TextChoices):
    STAFF = "staff", _("Professional")
    PARENT = "parent", _("Parent")
    NETWORK = "network", _("Network person")
    CHILD = "child", _("The child")


class RuleStatus(models.TextChoices):
    """The same values as a meeting agreement's status, so the consolidated list reads them alike."""

    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


# Rules still to be done: past their date they are overdue (as the consolidated list, kreds.plans.constants.OPEN).
OPEN_RULE = (RuleStatus.AGREED, RuleStatus.IN_PROGRESS)

SCALE_MIN, SCALE_MAX = 0, 10
# DOMAIN §7: the meaning of the ends of the scale, shown with every scaling question.
SCALE_ZERO = _("0 = so bad that the child cannot live at home")
SCALE_TEN = _("10 = everyone knows the child is safe enough for the case to close")
