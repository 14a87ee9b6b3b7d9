"""The child's voice (DOMAIN §8): Three Houses in the child's own words, the child's answers from their own page,
and Words & Pictures."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.core.models import TimestampedModel

USER = settings.AUTH_USER_MODEL


class ThreeHouses(TimestampedModel):
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="three_houses")
    recorded_on = models.DateField(_("talked with the child on"))
    worries = models.TextField(_("House of worries"), blank=True)
    good_things = models.TextField(_("House of good things"), blank=True)
    dreams = models.TextField(_("House of dreams"), blank=True)
    drawing = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    parents_consent_by = models.CharField(_("consent given by (parents)"), max_length=200)
    parents_consent_on = models.DateField(_("consent given on"))
    shown_to_parents_first = models.BooleanField(_("the tool was shown to the parents first"), default=False)
    checked_with_child_on = models.DateField(_("checked back with the child on"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ThreeHouses]]

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"three houses {self.recorded_on}"


class ChildInput(TimestampedModel):
    """What the child wrote on their own page. It waits on the case until a caseworker has read it."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="child_inputs")
    link = models.ForeignKey(
        "participants.ParticipantLink", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    worries = models.TextField(_("House of worries"), blank=True)
    good_things = models.TextField(_("House of good things"), blank=True)
    dreams = models.TextField(_("House of dreams"), blank=True)
    safe_with = models.TextField(_("Who I feel safe with"), blank=True)
    who_to_meeting = models.TextField(_("Who should come to the meeting"), blank=True)
    tell_adults = models.TextField(_("What I want the adults to know"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_note = models.TextField(_("what happens with it"), blank=True)

    objects: ClassVar[models.Manager[ChildInput]]

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "reviewed_at"], name="child_input_review")]

    def __str__(self) -> str:
        return f"child input {self.created_at:%Y-%m-%d}"


class WordsAndPictures(TimestampedModel):
    """A short, child-friendly explanation of why the municipality is involved, kept on the case (versions)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="words_and_pictures")
    version = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("the story"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[WordsAndPictures]]

    class Meta:
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="words_pictures_version_once")]

    def __str__(self) -> str:
        return self.title
