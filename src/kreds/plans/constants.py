from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalArea(models.TextChoices):
    """The areas of the child's plan (Barnets Lov § 91): well-being and development."""

    WELLBEING = "wellbeing", _("Well-being")
    DEVELOPMENT = "development", _("Development")
    SCHOOL = "school", _("School and daycare")
    HEALTH = "health", _("Health")
    FAMILY = "family", _("Family and network")
    LEISURE = "leisure", _("Friends and leisure")


class TaskStatus(models.TextChoices):
    """The same values as meeting agreements and safety rules, so the consolidated list reads them alike."""

    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


OPEN = (TaskStatus.AGREED, TaskStatus.IN_PROGRESS)
CLOCK_WARNING_DAYS = 14
PERSON_LINK_DAYS = 180
