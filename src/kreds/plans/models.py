"""The child's plan (Barnets Lov §§ 91–92): goals for well-being and development, each with what the network
and the professionals contribute, and the plan's follow-ups (DOMAIN §9)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kreds.core.models import TimestampedModel, VersionedModel
from kreds.network import kinship
from kreds.plans.constants import GoalArea, TaskStatus

USER = settings.AUTH_USER_MODEL


class ChildPlan(TimestampedModel, VersionedModel):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="child_plan")
    decided_on = models.DateField(_("the plan was made on"))
    purpose = models.TextField(_("the purpose of the support"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ChildPlan]]

    def __str__(self) -> str:
        return f"plan {self.decided_on}"


class Goal(TimestampedModel, VersionedModel):
    """A goal of the plan. Its wording can be changed; each earlier wording is kept as a ``GoalVersion``."""

    plan = models.ForeignKey(ChildPlan, on_delete=models.PROTECT, related_name="goals")
    number = models.PositiveSmallIntegerField()
    area = models.CharField(_("area"), max_length=12, choices=GoalArea.choices)
    text = models.TextField(_("goal"))
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)

    objects: ClassVar[models.Manager[Goal]]

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_goal_number_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"


class Contribution(TimestampedModel, VersionedModel):
    """Who does what for a goal: a person from the map (network or professional) or a staff member by name.
    Who, what and by when can be changed; each earlier version is kept as a ``ContributionVersion``."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="contributions")
    person = models.ForeignKey(
        "network.NetworkPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="plan_contributions"
    )
    responsible_name = models.CharField(_("who"), max_length=200)
    is_network = models.BooleanField(default=False)  # the private network, not a professional
    what = models.TextField(_("what"))
    due_on = models.DateField(_("by when"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.AGREED)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Contribution]]

    class Meta:
        ordering = ["goal", "due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(responsible_name=""), name="contribution_has_someone"),
        ]

    # Who the person is to the child (kreds.network.kinship), set for display by plans.selectors.plan.
    kin: str = ""

    def __str__(self) -> str:
        return f"{self.responsible_name}: {self.what[:40]}"

    @property
    def kin_label(self) -> str:
        """The tag shown with the name: the child, parent, network or professional."""

        return kinship.label(self.kin or (kinship.NETWORK if self.is_network else kinship.PROFESSIONAL))


class GoalVersion(models.Model):
    """An earlier wording of a goal: what it said until ``replaced_at``, when ``replaced_by`` changed it."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    area = models.CharField(max_length=12, choices=GoalArea.choices)
    text = models.TextField()
    replaced_at = models.DateTimeField()
    replaced_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[GoalVersion]]

    class Meta:
        ordering = ["goal", "-version"]
        constraints = [models.UniqueConstraint(fields=["goal", "version"], name="plan_goal_version_once")]

    def __str__(self) -> str:
        return f"goal {self.goal_id} v{self.version}"


class ContributionVersion(models.Model):
    """An earlier version of a contribution (who, what, by when) until ``replaced_at``."""

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    person = models.ForeignKey(
        "network.NetworkPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_name = models.CharField(max_length=200)
    is_network = models.BooleanField(default=False)
    what = models.TextField()
    due_on = models.DateField(null=True, blank=True)
    replaced_at = models.DateTimeField()
    replaced_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ContributionVersion]]

    class Meta:
        ordering = ["contribution", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "version"], name="plan_contribution_version_once")
        ]

    def __str__(self) -> str:
        return f"contribution {self.contribution_id} v{self.version}"


class PlanReview(TimestampedModel):
    """A follow-up of the plan (Barnets Lov § 92: the first within 3 months)."""

    plan = models.ForeignKey(ChildPlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("followed up on"))
    note = models.TextField(_("what was found"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[PlanReview]]

    class Meta:
        ordering = ["plan", "reviewed_on", "id"]

    def __str__(self) -> str:
        return f"review {self.reviewed_on}"
