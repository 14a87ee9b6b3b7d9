"""The inclusive network meeting (DOMAIN §5) and its follow-ups. See docs/design/network-meeting.md."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.core.models import TimestampedModel, VersionedModel
from kreds.meetings.constants import (
    FGC_KINDS,
    FOLLOW_UP_KINDS,
    AgreementStatus,
    ChildParticipation,
    Delivery,
    MeetingKind,
    MeetingStatus,
    ParticipantRole,
    Rsvp,
)

USER = settings.AUTH_USER_MODEL


class Meeting(TimestampedModel, VersionedModel):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.NETWORK)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups")
    status = models.CharField(_("status"), max_length=14, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    purpose = models.TextField(
        _("purpose"), help_text=_("Written so that every participant can know it before the meeting.")
    )
    # The preparation conversation with the child and the parents (DOMAIN §5).
    prep_held_on = models.DateField(_("preparation conversation held on"), null=True, blank=True)
    prep_with = models.CharField(_("who took part in the preparation"), max_length=200, blank=True)
    prep_who = models.TextField(_("who is invited, and why"), blank=True)
    prep_information = models.TextField(_("what information is shared"), blank=True)
    prep_child = models.TextField(_("how the child takes part"), blank=True)
    child_participation = models.CharField(
        _("the child takes part"), max_length=14, choices=ChildParticipation.choices, default=ChildParticipation.PART
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    break_planned = models.BooleanField(_("a break is planned"), default=True)
    inviter = models.CharField(_("inviter"), max_length=200, blank=True)
    facilitator = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilitated_meetings",
        verbose_name=_("neutral facilitator"),
    )
    minute_taker = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="minuted_meetings",
        verbose_name=_("minute taker"),
    )
    # At the meeting
    speaker_position = models.PositiveSmallIntegerField(default=0)
    authority_declared = models.BooleanField(_("the caseworker declared the authority role"), default=False)
    notes_descriptive = models.TextField(_("descriptive part"), blank=True)
    notes_reflective = models.TextField(_("reflective part"), blank=True)
    notes_agreements = models.TextField(_("agreements part"), blank=True)
    follow_up_on = models.DateField(_("follow-up meeting"), null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # After
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    minutes_sent_at = models.DateTimeField(null=True, blank=True)
    journalised_at = models.DateTimeField(null=True, blank=True)
    journalised_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    summary_queued_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # What the participants are told about a cancellation (the reason above stays internal).
    cancel_message = models.TextField(_("message to the participants"), blank=True)
    # Calendar updates (RFC 5545): every change after invitations raises the sequence; the previous time and
    # place are kept so the participants' pages and letters can say what changed.
    sequence = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    was_starts_at = models.DateTimeField(null=True, blank=True)
    was_ends_at = models.DateTimeField(null=True, blank=True)
    was_place = models.CharField(max_length=200, blank=True)
    # The child's link shows a child version of the minutes unless the caseworker decides the child gets them all.
    child_gets_full_minutes = models.BooleanField(_("the child receives the full minutes"), default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Meeting]]

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["case", "starts_at"], name="meeting_case_starts")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["held", "minutes_sent", "journalised"])
                | models.Q(follow_up_on__isnull=False),
                name="held_meeting_has_follow_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d}"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_held(self) -> bool:
        return self.status in {MeetingStatus.HELD, MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED}

    @property
    def is_open_for_planning(self) -> bool:
        return self.status in {MeetingStatus.PLANNED, MeetingStatus.INVITED}

    @property
    def is_fgc(self) -> bool:
        """A family group conference or its follow-up (run by kreds.conferences)."""
        return self.kind in FGC_KINDS

    @property
    def is_follow_up(self) -> bool:
        return self.kind in FOLLOW_UP_KINDS


class Participant(TimestampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey(
        "network.NetworkPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_participations"
    )
    user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(_("role"), max_length=14, choices=ParticipantRole.choices)
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation to the child"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    delivery = models.CharField(_("invitation by"), max_length=8, choices=Delivery.choices, default=Delivery.EMAIL)
    speaking_order = models.PositiveSmallIntegerField(default=0)
    rsvp = models.CharField(_("answer"), max_length=3, choices=Rsvp.choices, default=Rsvp.NONE, blank=True)
    rsvp_message = models.TextField(_("message"), blank=True)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    # Removed after an invitation went out: kept as history, out of the speaking order and all sending.
    removed_at = models.DateTimeField(null=True, blank=True)
    link = models.ForeignKey(
        "participants.ParticipantLink",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_participants",
    )

    objects: ClassVar[models.Manager[Participant]]

    class Meta:
        ordering = ["speaking_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=models.Q(person__isnull=False), name="participant_person_once"
            ),
            models.UniqueConstraint(fields=["meeting"], condition=models.Q(role="child"), name="participant_one_child"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_private(self) -> bool:
        return self.role == ParticipantRole.PRIVATE

    @property
    def needs_link(self) -> bool:
        return self.role != ParticipantRole.CASEWORKER


class Agreement(TimestampedModel):
    """Who does what by when (DOMAIN §5). Later the case's consolidated agreement list reads these."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="meeting_agreements")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agreements")
    responsible = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="agreements")
    responsible_name = models.CharField(max_length=200)
    person = models.ForeignKey(
        "network.NetworkPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    what = models.TextField(_("what"))
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.AGREED
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Agreement]]

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["case", "status", "due_on"], name="agreement_case_status_due")]

    def __str__(self) -> str:
        return f"{self.responsible_name}: {self.what[:40]}"

    @property
    def is_open(self) -> bool:
        return self.status in {AgreementStatus.AGREED, AgreementStatus.IN_PROGRESS}


class AgreementStatusChange(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="history")
    status = models.CharField(max_length=12, choices=AgreementStatus.choices)
    comment = models.TextField(blank=True)
    reviewed_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[AgreementStatusChange]]

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.status} @ {self.changed_at:%Y-%m-%d}"


class Evaluation(TimestampedModel):
    """A participant's answer to the short evaluation (DOMAIN §5).

    1–5 on every scale; the child's three smileys map to 1, 3 and 5 so that means are comparable.
    """

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="evaluation")
    child_form = models.BooleanField(default=False)
    heard = models.PositiveSmallIntegerField(_("I felt heard"))
    knew_purpose = models.PositiveSmallIntegerField(_("I knew the purpose of the meeting beforehand"))
    realistic = models.PositiveSmallIntegerField(_("The plan is realistic"))
    own_part_clear = models.PositiveSmallIntegerField(_("My own part is clear"))
    satisfaction = models.PositiveSmallIntegerField(_("Overall satisfaction"))
    # Asked after a family group conference only (DOMAIN §6, the Esbjerg evaluation).
    plan_made = models.BooleanField(_("A plan was made"), null=True, blank=True)
    plan_satisfaction = models.PositiveSmallIntegerField(_("I am satisfied with the plan"), null=True, blank=True)
    comment = models.TextField(_("Anything else"), blank=True)

    objects: ClassVar[models.Manager[Evaluation]]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    heard__gte=1,
                    heard__lte=5,
                    knew_purpose__gte=1,
                    knew_purpose__lte=5,
                    realistic__gte=1,
                    realistic__lte=5,
                    own_part_clear__gte=1,
                    own_part_clear__lte=5,
                    satisfaction__gte=1,
                    satisfaction__lte=5,
                ),
                name="evaluation_scores_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(plan_satisfaction__isnull=True)
                | models.Q(plan_satisfaction__gte=1, plan_satisfaction__lte=5),
                name="evaluation_plan_satisfaction_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"evaluation {self.participant_id}"
