"""Family group conference (familierådslagning, DOMAIN §6). See docs/design/family-group-conference.md.

The conference itself and each follow-up conference are :class:`kreds.meetings.models.Meeting` rows (kinds
``fgc`` and ``fgc_follow_up``): participants, invitations, links, RSVP, attendance, evaluation and agreements
are the meeting's. This app keeps what only the FGC has: the referral, the coordinator, the preparation log,
the three parts of the conference, the family's plan with the caseworker's decisions, follow-up reviews,
well-being scores and costs.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kreds.conferences.constants import (
    OPEN_STATUSES,
    WELLBEING_MAX,
    WELLBEING_MIN,
    ConferenceStatus,
    ContactKind,
    CostCategory,
    CostUnit,
    Decision,
    Outcome,
    ScoredBy,
    SupportStatus,
)
from kreds.core.models import TimestampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL


class Conference(TimestampedModel, VersionedModel):
    """One family group conference course: referral → preparation → conference → follow-up conferences."""

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="conferences")
    status = models.CharField(
        _("status"), max_length=10, choices=ConferenceStatus.choices, default=ConferenceStatus.REFERRED
    )
    # Referral (henvisning)
    referred_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(_("referred"))
    initiator_name = models.CharField(_("initiator"), max_length=200)
    initiator_role = models.CharField(_("initiator's role and workplace"), max_length=200, blank=True)
    initiator_external = models.BooleanField(_("the initiator works outside the municipality's social services"))
    questions = models.TextField(_("the question(s) the family's plan must answer"))
    bottom_lines = models.TextField(_("bottom lines: what must be in place for the child's safety"))
    support_offered = models.TextField(_("support the municipality can offer"), blank=True)
    parents_consent_by = models.CharField(_("consent given by (parents with custody)"), max_length=200)
    parents_consent_on = models.DateField(_("parents' consent given on"))
    young_person_consent_on = models.DateField(_("the young person's own consent given on"), null=True, blank=True)
    # Allocation from the FGC service's queue
    coordinator = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_conferences"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Preparation: the pre-meeting (formøde) with the child and the parents, and practical needs
    premeeting_on = models.DateField(_("pre-meeting held on"), null=True, blank=True)
    premeeting_with = models.CharField(_("who took part in the pre-meeting"), max_length=200, blank=True)
    premeeting_notes = models.TextField(_("who is invited, and why"), blank=True)
    child_participation_notes = models.TextField(_("how the child takes part"), blank=True)
    support_person = models.ForeignKey(
        "network.NetworkPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the child's support person"),
    )
    interpreter_language = models.CharField(_("interpreter for the conference (language)"), max_length=100, blank=True)
    venue_neutral = models.BooleanField(_("the venue is not municipal premises"), default=False)
    food = models.CharField(_("food"), max_length=200, blank=True)
    childcare = models.CharField(_("childcare"), max_length=200, blank=True)
    transport = models.CharField(_("transport"), max_length=200, blank=True)
    practical_notes = models.TextField(_("other practical arrangements"), blank=True)
    # The conference (the first meeting); follow-up conferences chain from it through Meeting.previous.
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="conference"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)

    objects: ClassVar[models.Manager[Conference]]

    class Meta:
        ordering = ["-referred_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status", "referred_at"], name="conference_queue"),
            models.Index(fields=["case", "referred_at"], name="conference_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="referred") | Q(status="withdrawn") | Q(coordinator__isnull=False),
                name="conference_allocated_has_coordinator",
            )
        ]

    def __str__(self) -> str:
        return f"FGC {self.referred_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def bottom_line_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.bottom_lines.splitlines() if line.strip(" -•\t")]


class ConferenceSession(TimestampedModel):
    """The FGC's own facts about one of its meetings: number 0 is the conference, 1… are follow-ups."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="sessions")
    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.PROTECT, related_name="fgc_session")
    number = models.PositiveSmallIntegerField()
    # Private family time (netværkets egen tid): only when, never what was said.
    private_started_at = models.DateTimeField(null=True, blank=True)
    private_ended_at = models.DateTimeField(null=True, blank=True)
    plan_presented_at = models.DateTimeField(null=True, blank=True)
    no_plan_reason = models.TextField(_("why no plan was made"), blank=True)
    plan_finalised_at = models.DateTimeField(null=True, blank=True)
    plan_finalised_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects: ClassVar[models.Manager[ConferenceSession]]

    class Meta:
        ordering = ["conference", "number"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "number"], name="session_number_once"),
            models.CheckConstraint(
                condition=Q(private_ended_at__isnull=True) | Q(private_started_at__isnull=False),
                name="session_private_time_starts_first",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.number}"

    @property
    def is_follow_up(self) -> bool:
        return self.number > 0


class Preparation(TimestampedModel):
    """The coordinator's preparation of one invitee (DOMAIN §6: contacts, will they come, interpreter, worries)."""

    session = models.ForeignKey(ConferenceSession, on_delete=models.PROTECT, related_name="preparations")
    participant = models.OneToOneField("meetings.Participant", on_delete=models.PROTECT, related_name="fgc_preparation")
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    language = models.CharField(_("language"), max_length=100, blank=True)
    worries = models.TextField(_("worries raised"), blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    prepared_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects: ClassVar[models.Manager[Preparation]]

    def __str__(self) -> str:
        return f"preparation of {self.participant_id}"


class PreparationContact(TimestampedModel):
    preparation = models.ForeignKey(Preparation, on_delete=models.PROTECT, related_name="contacts")
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind of contact"), max_length=12, choices=ContactKind.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[PreparationContact]]

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"


class InformationGiven(TimestampedModel):
    """Information phase: what a professional (informationsgiver) told the family and the network."""

    session = models.ForeignKey(ConferenceSession, on_delete=models.PROTECT, related_name="information")
    participant = models.ForeignKey("meetings.Participant", on_delete=models.PROTECT, related_name="+")
    worries = models.TextField(_("worries"), blank=True)
    questions = models.TextField(_("the questions"), blank=True)
    bottom_lines = models.TextField(_("bottom lines"), blank=True)
    support = models.TextField(_("support the municipality can offer"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[InformationGiven]]

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"information from {self.participant_id}"


class PlanItem(TimestampedModel):
    """One item of the family's plan: who does what by when, and any support asked from the municipality."""

    session = models.ForeignKey(ConferenceSession, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveSmallIntegerField()
    responsible = models.ForeignKey("meetings.Participant", on_delete=models.PROTECT, related_name="+")
    responsible_name = models.CharField(max_length=200)
    what = models.TextField(_("what"))
    due_on = models.DateField(_("by when"))
    support_requested = models.TextField(_("support asked from the municipality"), blank=True)
    support_status = models.CharField(
        _("support"), max_length=14, choices=SupportStatus.choices, default=SupportStatus.NOT_NEEDED, blank=True
    )
    support_note = models.TextField(_("what the municipality provides"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING, blank=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    agreement = models.OneToOneField(
        "meetings.Agreement", on_delete=models.PROTECT, null=True, blank=True, related_name="plan_item"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[PlanItem]]

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="plan_item_number_once"),
            # A rejection always says why; an approval of an item that needs support needs that support.
            models.CheckConstraint(
                condition=~Q(decision="rejected") | ~Q(decision_reason=""), name="plan_item_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(decision="approved") | Q(support_requested="") | Q(support_status="available"),
                name="plan_item_approved_support_available",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.what[:40]}"

    @property
    def needs_support(self) -> bool:
        return bool(self.support_requested.strip())

    @property
    def label(self) -> str:
        """ "3" for the third item of the conference's plan, "1.2" for the second item of the first follow-up."""
        number = self.session.number
        return f"{number}.{self.number}" if number else str(self.number)


class PlanItemReview(TimestampedModel):
    """At a follow-up conference: was the item realised?"""

    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="reviews")
    session = models.ForeignKey(ConferenceSession, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(_("realised?"), max_length=14, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[PlanItemReview]]

    class Meta:
        ordering = ["item__number", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "session"], name="plan_item_review_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.outcome}"


class Wellbeing(TimestampedModel):
    """The child's well-being (trivsel), scored by the child and by the family: at referral and at each follow-up."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="wellbeing")
    session = models.ForeignKey(
        ConferenceSession, on_delete=models.PROTECT, null=True, blank=True, related_name="wellbeing"
    )
    scored_by = models.CharField(_("scored by"), max_length=6, choices=ScoredBy.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Wellbeing]]

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=WELLBEING_MIN, score__lte=WELLBEING_MAX), name="wellbeing_score_range"
            ),
            models.UniqueConstraint(
                fields=["conference", "scored_by"], condition=Q(session__isnull=True), name="wellbeing_referral_once"
            ),
            models.UniqueConstraint(
                fields=["session", "scored_by"], condition=Q(session__isnull=False), name="wellbeing_session_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scored_by}: {self.score}"


class Cost(TimestampedModel):
    """A cost of a conference (DOMAIN §6): quantity × rate for hours and kilometres, else an amount in DKK."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="costs")
    session = models.ForeignKey(
        ConferenceSession, on_delete=models.PROTECT, null=True, blank=True, related_name="costs"
    )
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    unit = models.CharField(max_length=5, choices=CostUnit.choices, default=CostUnit.DKK)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    rate = models.DecimalField(_("rate"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount (DKK)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Cost]]

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0, rate__gte=0), name="cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.amount}"
