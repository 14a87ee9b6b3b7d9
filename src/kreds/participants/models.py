"""Personal links for people without accounts (DOMAIN §11).

Only a SHA-256 hash of the token is stored; the token itself exists in the e-mail or letter and in the holder's
browser. A link belongs to one case and one holder and opens only what its scope allows (see
``kreds.participants.services`` and the processes that own links, such as meetings).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kreds.core.models import TimestampedModel


class LinkPurpose(models.TextChoices):
    """What a link opens. A meeting participant's page (issue 4), the child's own page, or a network person's page
    with everything they have agreed to do on the case (issue 6)."""

    MEETING = "meeting", _("Meeting or conference")
    CHILD = "child", _("The child's page")
    PERSON = "person", _("A network person's tasks")


class ParticipantLink(TimestampedModel):
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(max_length=8, choices=LinkPurpose.choices, default=LinkPurpose.MEETING)
    # For PERSON links: whose tasks the link shows.
    person = models.ForeignKey(
        "network.NetworkPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="personal_links"
    )
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="participant_links")
    holder_name = models.CharField(_("holder"), max_length=200)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects: ClassVar[models.Manager[ParticipantLink]]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link for {self.holder_name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class RateCounter(models.Model):
    """Fixed-window request counters shared by all server processes (no cache server needed)."""

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[RateCounter]]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start:%H:%M}: {self.hits}"
