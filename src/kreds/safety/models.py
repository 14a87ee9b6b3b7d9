"""Signs of Safety (DOMAIN §7): the mapping in versions, scaling over time, and the safety plan.

A mapping is never edited: saving makes a new version, so the history of how the worries and the strengths were
seen is kept. Worry statements keep a stable ``key`` across versions, so scaling answers follow a statement from
version to version.
"""

from __future__ import annotations

import datetime
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kreds.core.models import TimestampedModel, VersionedModel
from kreds.safety.constants import OPEN_RULE, SCALE_MAX, SCALE_MIN, RuleStatus, ScorerKind

USER = settings.AUTH_USER_MODEL


class Mapping(TimestampedModel):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="sos_mappings")
    version = models.PositiveSmallIntegerField()
    # What are we worried about?
    worry_basis = models.TextField(_("worry basis"), blank=True)
    past_harm = models.TextField(_("past harm"), blank=True)
    complicating = models.TextField(_("complicating factors"), blank=True)
    # What is working well?
    strengths = models.TextField(_("strengths"), blank=True)
    existing_safety = models.TextField(_("existing safety"), blank=True)
    # What needs to happen?
    next_steps = models.TextField(_("next steps"), blank=True)
    sparring = models.BooleanField(_("made in professional sparring"), default=False)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Mapping]]

    class Meta:
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="sos_mapping_version_once")]

    def __str__(self) -> str:
        return f"mapping v{self.version}"


class WorryStatement(models.Model):
    """Who is worried, about what, and what may happen if nothing changes; with its safety goal (one per worry)."""

    mapping = models.ForeignKey(Mapping, on_delete=models.PROTECT, related_name="statements")
    key = models.UUIDField(default=uuid.uuid4)  # the same statement across versions
    number = models.PositiveSmallIntegerField()
    who_worried = models.CharField(_("who is worried"), max_length=200)
    about_what = models.TextField(_("about what"))
    if_nothing_changes = models.TextField(_("what may happen if nothing changes"))
    goal_parent = models.TextField(_("what the parents will do differently"), blank=True)
    goal_child = models.TextField(_("what the child will experience"), blank=True)
    goal_professionals = models.TextField(_("what the professionals will see"), blank=True)

    objects: ClassVar[models.Manager[WorryStatement]]

    class Meta:
        ordering = ["mapping", "number"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "number"], name="sos_statement_number_once"),
            models.UniqueConstraint(fields=["mapping", "key"], name="sos_statement_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.about_what[:40]}"

    @property
    def has_goal(self) -> bool:
        return bool(self.goal_parent or self.goal_child or self.goal_professionals)


class Scaling(TimestampedModel):
    """One person's answer, 0–10, to the scaling question of one worry statement and its safety goal."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="sos_scalings")
    statement_key = models.UUIDField()
    scored_on = models.DateField(_("date"))
    scorer_kind = models.CharField(_("who answered"), max_length=8, choices=ScorerKind.choices)
    scorer_name = models.CharField(_("name"), max_length=200)
    person = models.ForeignKey(
        "network.NetworkPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Scaling]]

    class Meta:
        ordering = ["scored_on", "id"]
        indexes = [models.Index(fields=["case", "statement_key", "scored_on"], name="sos_scaling_series")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=SCALE_MIN, score__lte=SCALE_MAX), name="sos_score_0_10")
        ]

    def __str__(self) -> str:
        return f"{self.scorer_name}: {self.score}"


class SafetyPlan(TimestampedModel, VersionedModel):
    """Rules and arrangements for daily life, each with the network person responsible (DOMAIN §7)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="safety_plan")
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    agreed_at_meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects: ClassVar[models.Manager[SafetyPlan]]

    def __str__(self) -> str:
        return f"safety plan {self.case_id}"


class SafetyRule(TimestampedModel):
    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="rules")
    number = models.PositiveSmallIntegerField()
    rule = models.TextField(_("rule or arrangement"))
    responsible = models.ForeignKey(
        "network.NetworkPerson", on_delete=models.PROTECT, related_name="safety_rules", verbose_name=_("responsible")
    )
    responsible_name = models.CharField(max_length=200)
    due_on = models.DateField(_("by when"), null=True, blank=True, help_text=_("Leave empty for a standing rule."))
    status = models.CharField(_("status"), max_length=12, choices=RuleStatus.choices, default=RuleStatus.AGREED)
    ended_at = models.DateTimeField(null=True, blank=True)  # taken out of the plan; kept as history
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[SafetyRule]]

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="safety_rule_number_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.rule[:40]}"

    # Set for display by safety.selectors.rules: the rule's date has passed and it is not done.
    overdue: bool = False

    def is_overdue(self, today: datetime.date) -> bool:
        """In the plan, still to be done (agreed or in progress), and its date has passed (the day itself is not)."""
        return self.ended_at is None and self.status in OPEN_RULE and self.due_on is not None and self.due_on < today
