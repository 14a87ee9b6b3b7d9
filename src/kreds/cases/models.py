"""The child and the child's case (DOMAIN §2)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.cases.constants import CaseStatus, Gender, LegalBasis, RiskOutcome
from kreds.core.crypto import decrypt_cpr, mask_cpr
from kreds.core.models import AuditedQuerySet, TimestampedModel, VersionedModel
from kreds.tenancy.models import Municipality, Unit


class Child(TimestampedModel, VersionedModel):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    # CPR: AES-GCM ciphertext with key id, and a keyed blind index for exact lookup. Never the plain value.
    cpr_encrypted = models.TextField(blank=True, editable=False)
    cpr_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    languages = models.CharField(_("language(s)"), max_length=200, blank=True, default="dansk")
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    siblings = models.ManyToManyField("self", symmetrical=True, blank=True, verbose_name=_("siblings"))

    objects: ClassVar[models.Manager[Child]] = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def has_cpr(self) -> bool:
        return bool(self.cpr_encrypted)

    @property
    def cpr_masked(self) -> str:
        """``ddmmyy-XXXX``; the birth-date part only, safe to show to anyone who may see the case."""
        if not self.cpr_encrypted:
            return ""
        return mask_cpr(decrypt_cpr(self.cpr_encrypted))


class Case(TimestampedModel, VersionedModel):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cases")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    external_ref = models.CharField(
        _("journal number"),
        max_length=60,
        blank=True,
        help_text=_("The case's number in the ESDH/DUBU system."),
    )
    opened_on = models.DateField(_("opened"))
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="responsible_cases", verbose_name=_("responsible unit")
    )
    caseworkers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseAssignment",
        through_fields=("case", "user"),
        related_name="assigned_cases",
        blank=True,
    )
    # Practitioner units the case is referred to (part 2 continues there).
    referred_units = models.ManyToManyField(Unit, related_name="referred_cases", blank=True)
    basis_afdaekning = models.BooleanField(LegalBasis.AFDAEKNING.label, default=False)
    basis_investigation = models.BooleanField(LegalBasis.INVESTIGATION.label, default=False)
    basis_support = models.BooleanField(LegalBasis.SUPPORT.label, default=False)
    basis_placement = models.BooleanField(LegalBasis.PLACEMENT.label, default=False)
    # Dates behind the legal deadlines (DOMAIN §9; kreds.plans.clocks computes the deadlines from them).
    investigation_started_on = models.DateField(_("investigation (BFU) started on"), null=True, blank=True)
    investigation_completed_on = models.DateField(_("investigation completed on"), null=True, blank=True)
    measure_decided_on = models.DateField(_("measure decided on"), null=True, blank=True)
    placement_without_consent = models.BooleanField(_("placement without consent"), default=False)
    # § 18 stk. 3: honour-related conflict or negative social control may be involved.
    safety_concern = models.BooleanField(
        _("honour-related conflict or negative social control may be involved"), default=False
    )

    objects: ClassVar[models.Manager[Case]] = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True)
                | models.Q(status="closed", closed_on__isnull=False),
                name="case_closed_on_matches_status",
            )
        ]

    def __str__(self) -> str:
        return self.external_ref or str(self.public_id)[:8]

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    def legal_bases(self) -> list[str]:
        return [str(choice.label) for choice in LegalBasis if getattr(self, choice.value)]


class CaseAssignment(TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="assignment_unique")]


class RiskAssessment(TimestampedModel):
    """The recorded risk assessment that closes the § 18 stk. 3 safety gate (or keeps it shut)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_assessments")
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("assessment"))
    outcome = models.CharField(_("conclusion"), max_length=20, choices=RiskOutcome.choices)
    limits = models.TextField(_("limits on involvement"), blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]


class CaseRestriction(TimestampedModel):
    """A restricted case (a colleague's own child, a publicly known family; issue 18, DOMAIN §15): only the named
    staff open it. Everywhere else it is listed as "Begrænset sag" without a name; the leader of its responsible unit
    may open it by stating a reason (:class:`BreakGlass`). Lifting needs a reason; rows are never deleted."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="restrictions")
    reason = models.TextField(_("reason"))
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("named staff"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(blank=True)

    objects: ClassVar[models.Manager[CaseRestriction]] = AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(lifted_at__isnull=True), name="one_restriction_in_force"
            )
        ]

    def __str__(self) -> str:
        return f"restriction of {self.case_id}"


class BreakGlass(TimestampedModel):
    """A leader opened a restricted case without being named, stating why ("break the glass"): open to them until
    ``until``, an audit event, and shown on the case to its caseworkers and the leader."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="break_glasses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    until = models.DateTimeField()

    objects: ClassVar[models.Manager[BreakGlass]] = AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "user", "until"], name="break_glass_open")]

    def __str__(self) -> str:
        return f"break glass {self.case_id} by {self.user_id}"
