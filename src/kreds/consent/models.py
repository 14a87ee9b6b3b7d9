"""Information-sharing consents (DOMAIN §4, forvaltningsloven § 28)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.consent.constants import Category
from kreds.core.models import TimestampedModel
from kreds.network.constants import ConsentGiverRole


class SharingConsent(TimestampedModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="sharing_consents")
    given_by = models.CharField(_("given by"), max_length=200)
    given_by_role = models.CharField(_("role"), max_length=20, choices=ConsentGiverRole.choices)
    categories = models.JSONField(_("categories of information"), default=list)
    recipients = models.ManyToManyField("network.NetworkPerson", related_name="sharing_consents")
    purpose = models.TextField(_("purpose"))
    given_on = models.DateField(_("given on"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"consent {self.public_id} ({self.given_on})"

    @property
    def category_labels(self) -> list[str]:
        """The kinds of information the consent covers, in words (in the order the form lists them)."""
        chosen = set(self.categories or [])
        return [str(label) for value, label in Category.choices if value in chosen]
