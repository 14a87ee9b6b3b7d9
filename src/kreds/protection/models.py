"""Protected details of people on a child's case (issue 18, DOMAIN §15); see docs/design/protected-people.md.

A :class:`Protection` is the only place the flag lives: nothing is copied onto persons, participants or messages
(a copy is what a new channel would forget). The values it protects are read where they are kept (the person's
versions, the child's address), so an address typed after the protection was recorded is protected too.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.core.models import AuditedQuerySet, TimestampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL


class Reason(models.TextChoices):
    CPR = "cpr", _("Name and address protection in the CPR register")
    CRISIS_CENTRE = "crisis", _("Crisis centre (women's or men's shelter)")
    SECRET_PLACEMENT = "placement", _("Secret placement address")
    OTHER = "other", _("Other reason")


class Protection(TimestampedModel, VersionedModel):
    """What of one person (a network person, or the child when ``person`` is empty) is protected on one case."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="protections")
    person = models.ForeignKey(
        "network.NetworkPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protections",
        verbose_name=_("person"),
    )
    address = models.BooleanField(_("address"), default=False)
    contact = models.BooleanField(_("phone and e-mail"), default=False)
    whereabouts = models.BooleanField(_("whereabouts"), default=False)
    whereabouts_text = models.CharField(
        _("where the person is staying"),
        max_length=300,
        blank=True,
        help_text=_(
            "For example the name of the crisis centre or the town. Kreds keeps it out of everything others receive."
        ),
    )
    also_words = models.TextField(
        _("other words that reveal it"),
        blank=True,
        help_text=_("One per line, for example a school or a street name. Kreds treats them as protected too."),
    )
    hidden = models.BooleanField(_("takes part in meetings without appearing to the other participants"), default=False)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    reason_text = models.CharField(_("the reason in words"), max_length=300, blank=True)
    must_not_learn = models.ManyToManyField(
        "network.NetworkPerson", blank=True, related_name="+", verbose_name=_("must not learn it")
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    end_reason = models.TextField(blank=True)

    objects: ClassVar[models.Manager[Protection]] = AuditedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "ended_at"], name="protection_case_active")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(address=True)
                | models.Q(contact=True)
                | models.Q(whereabouts=True)
                | models.Q(hidden=True),
                name="protection_protects_something",
            ),
        ]

    def __str__(self) -> str:
        return f"protection {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def details(self) -> list[str]:
        """What is protected, in words (the case's list and the audit trail)."""
        words = []
        if self.address:
            words.append(str(_("address")))
        if self.contact:
            words.append(str(_("phone and e-mail")))
        if self.whereabouts:
            words.append(str(_("whereabouts")))
        if self.hidden:
            words.append(str(_("hidden participation")))
        return words

    def extra_words(self) -> list[str]:
        return [line.strip() for line in self.also_words.splitlines() if line.strip()]
