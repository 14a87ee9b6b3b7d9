"""Search the network first: the exploration before a placement, its candidates and their assessment, the
placement decision, and the contact plan during placement (DOMAIN §10, docs/design/kinship-placement.md)."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kreds.core.models import TimestampedModel, VersionedModel
from kreds.placements.constants import (
    CandidateStatus,
    CheckKey,
    CheckState,
    ContactMode,
    ContactSupport,
    Setting,
    SuspensionBasis,
)

USER = settings.AUTH_USER_MODEL


class Exploration(TimestampedModel):
    """Placement is being considered: the search of the child's own network, started on ``started_on``."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="explorations")
    started_on = models.DateField(_("exploration started on"))
    why = models.TextField(_("why placement is being considered"))
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects: ClassVar[models.Manager[Exploration]]

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(closed_on__isnull=True), name="placement_one_open_exploration"
            )
        ]

    def __str__(self) -> str:
        return f"exploration {self.started_on}"


class Candidate(TimestampedModel, VersionedModel):
    exploration = models.ForeignKey(Exploration, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey("network.NetworkPerson", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.IDENTIFIED
    )
    status_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Candidate]]

    class Meta:
        ordering = ["exploration", "id"]
        constraints = [
            models.UniqueConstraint(fields=["exploration", "person"], name="placement_candidate_once"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "placed"]) | Q(approved_on__isnull=False),
                name="placement_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"candidate {self.pk} ({self.status})"


class CandidateEvent(models.Model):
    """Every status change of a candidate, with the day it happened and who recorded it. Never changed."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=12, choices=CandidateStatus.choices)
    on = models.DateField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[CandidateEvent]]

    class Meta:
        ordering = ["candidate", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.status} {self.on}"


class CandidateCheck(TimestampedModel):
    """One point of the assessment checklist of a candidate."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="checks")
    key = models.CharField(max_length=16, choices=CheckKey.choices)
    state = models.CharField(_("state"), max_length=10, choices=CheckState.choices, default=CheckState.TODO)
    on = models.DateField(_("date"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects: ClassVar[models.Manager[CandidateCheck]]

    class Meta:
        ordering = ["candidate", "id"]
        constraints = [models.UniqueConstraint(fields=["candidate", "key"], name="placement_check_once")]

    def __str__(self) -> str:
        return f"{self.key}: {self.state}"


class CandidateDocument(TimestampedModel):
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="documents")
    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    objects: ClassVar[models.Manager[CandidateDocument]]

    class Meta:
        ordering = ["candidate", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


def searched_first(
    exploration_started_on: datetime.date | None, decided_on: datetime.date, explored_candidates: int
) -> bool:
    """Was the network searched before the placement decision (the leadership figure ``placements_explored_before``,
    the decision's own text and its audit event; docs/kpi-definitions.md)? Yes when the exploration started before
    the day of the decision, or on that day with at least one candidate explored by the decision (contacted or
    further: a candidate approved that day certainly counts). Not without an exploration."""
    if exploration_started_on is None or exploration_started_on > decided_on:
        return False
    return exploration_started_on < decided_on or explored_candidates > 0


class Placement(TimestampedModel):
    """The placement decision: in the child's network or not, and why not."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="placements")
    exploration = models.ForeignKey(
        Exploration, on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    decided_on = models.DateField(_("decided on"))
    starts_on = models.DateField(_("the child moves on"))
    setting = models.CharField(_("placement"), max_length=16, choices=Setting.choices)
    in_network = models.BooleanField(_("in the child's network"))
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    no_network_reason = models.TextField(_("why no network placement was possible"), blank=True)
    # Copied from the exploration when the decision is made: was the network searched before, or not at all?
    exploration_started_on = models.DateField(null=True, blank=True)
    explored_candidates = models.PositiveSmallIntegerField(default=0)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Placement]]

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_network=False) | Q(candidate__isnull=False), name="placement_network_has_carer"
            ),
            models.CheckConstraint(
                condition=Q(in_network=True) | ~Q(no_network_reason=""), name="placement_reason_when_not_network"
            ),
        ]

    def __str__(self) -> str:
        return f"placement {self.decided_on}"

    @property
    def searched_first(self) -> bool:
        return searched_first(self.exploration_started_on, self.decided_on, self.explored_candidates)


class ContactArrangement(TimestampedModel):
    """The contact plan (samvær, Barnets Lov § 103) with one network person; its terms live in versions."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contacts")
    person = models.ForeignKey("network.NetworkPerson", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ContactArrangement]]

    class Meta:
        ordering = ["case", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="placement_contact_once")]

    def __str__(self) -> str:
        return f"contact {self.pk}"


class ContactArrangementVersion(models.Model):
    contact = models.ForeignKey(ContactArrangement, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(_("how often"), max_length=120)
    mode = models.CharField(_("form"), max_length=10, choices=ContactMode.choices)
    place = models.CharField(_("where"), max_length=200, blank=True)
    support = models.CharField(_("support"), max_length=12, choices=ContactSupport.choices)
    child_views = models.TextField(_("the child's views"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects: ClassVar[models.Manager[ContactArrangementVersion]]

    class Meta:
        ordering = ["contact", "valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=Q(valid_to__isnull=True), name="placement_one_current_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.frequency} ({self.valid_from:%Y-%m-%d})"


class Suspension(TimestampedModel):
    """Contact suspended at the child's request, for at most 8 weeks and not again within 8 weeks of the last one;
    or suspended by a decision (afgørelse) recorded with its date and journal reference, without those limits."""

    contact = models.ForeignKey(ContactArrangement, on_delete=models.PROTECT, related_name="suspensions")
    basis = models.CharField(
        _("basis"), max_length=10, choices=SuspensionBasis.choices, default=SuspensionBasis.CHILD_REQUEST
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to and including"))
    # At the child's request: the child's own words (required). By a decision: what the child said, if anything.
    child_request = models.TextField(_("what the child asked for"), blank=True)
    decision_on = models.DateField(_("decision made on"), null=True, blank=True)
    decision_ref = models.CharField(_("journal reference of the decision"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ended_early_on = models.DateField(_("ended early on"), null=True, blank=True)

    objects: ClassVar[models.Manager[Suspension]]

    class Meta:
        ordering = ["contact", "-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="placement_suspension_order"),
            models.CheckConstraint(
                condition=~Q(basis="decision") | (Q(decision_on__isnull=False) & ~Q(decision_ref="")),
                name="placement_suspension_decision_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"suspension {self.starts_on}–{self.ends_on}"

    @property
    def by_decision(self) -> bool:
        return self.basis == SuspensionBasis.DECISION

    @property
    def last_day(self) -> datetime.date:
        """The last day without contact: the day before contact started again when it was ended early (ended on its
        first day, it has no day at all: ``last_day`` is before ``starts_on``)."""
        if self.ended_early_on is not None:
            return self.ended_early_on - datetime.timedelta(days=1)
        return self.ends_on

    def is_active(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.last_day
