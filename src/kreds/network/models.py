"""The child's network map with full history (DOMAIN §3).

Persons and relations are identities; everything about them lives in versions with ``valid_from``/``valid_to``
(a temporal table). An edit closes the current version and adds a new one; nothing is updated in place, so the
map can be shown as of any moment and two moments compared. See docs/design/network-map.md.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreds.core.models import TimestampedModel
from kreds.network.constants import ConsentGiverRole, Quality, RelationKind, ResourceTag
from kreds.tenancy.models import Municipality, Unit


class Sector(TimestampedModel):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="network_sectors")
    key = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=80)
    colour = models.CharField(_("colour"), max_length=7, default="#4d4d4d")
    order = models.PositiveSmallIntegerField(default=0)
    is_professional = models.BooleanField(_("professional sector"), default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "key"], name="sector_key_unique")]

    def __str__(self) -> str:
        return self.name


class NetworkMap(TimestampedModel):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="network_map")
    # Consent to make the map (DOMAIN §3): who gave it and when; required before the first person.
    consent_given_by = models.CharField(_("consent given by"), max_length=200, blank=True)
    consent_role = models.CharField(_("role"), max_length=20, choices=ConsentGiverRole.choices, blank=True)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_note = models.TextField(_("note"), blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the first person was put on the map: the map's first version, which the leadership figures compare the
    # map with today. Kept by network.services.add_person (one read instead of a search through every version).
    first_person_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"map of {self.case}"

    @property
    def has_consent(self) -> bool:
        return self.consent_given_on is not None


class NetworkPerson(TimestampedModel):
    map = models.ForeignKey(NetworkMap, on_delete=models.PROTECT, related_name="persons")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return str(self.public_id)


class NetworkPersonVersion(models.Model):
    person = models.ForeignKey(NetworkPerson, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateTimeField(db_index=True)
    valid_to = models.DateTimeField(null=True, blank=True, db_index=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_by_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    removed = models.BooleanField(default=False)

    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(
        _("relation to the child"), max_length=100, help_text=_("In plain words: mormor, nabo, fodboldtræner …")
    )
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector"))
    ring = models.PositiveSmallIntegerField(_("closeness"), default=2)
    quality = models.CharField(
        _("relation quality"), max_length=12, choices=Quality.choices, default=Quality.SUPPORTIVE
    )
    resources = models.TextField(_("resources"), blank=True)
    resource_tags = models.JSONField(_("resource tags"), default=list, blank=True)
    safe_adult = models.BooleanField(_("safe adult (named by the child)"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    language = models.CharField(_("preferred language"), max_length=60, blank=True)
    is_professional = models.BooleanField(_("professional"), default=False)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    professional_role = models.CharField(_("professional role"), max_length=100, blank=True)
    intervention = models.CharField(_("intervention"), max_length=200, blank=True)

    objects: ClassVar[models.Manager[NetworkPersonVersion]]

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ring__gte=1, ring__lte=3), name="person_ring_1_3"),
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(valid_to__isnull=True), name="one_current_version_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%Y-%m-%d})"

    @property
    def resource_tag_labels(self) -> list[str]:
        """The ticked resources in words, in the form's order."""
        ticked = set(self.resource_tags or [])
        return [str(label) for value, label in ResourceTag.choices if value in ticked]

    @property
    def contact_details(self) -> list[str]:
        """Phone, e-mail and address, as far as they are known (the list and the participant lists show these)."""
        return [value for value in (self.phone, self.email, self.address) if value]


class PersonRelation(TimestampedModel):
    map = models.ForeignKey(NetworkMap, on_delete=models.PROTECT, related_name="relations")
    a = models.ForeignKey(NetworkPerson, on_delete=models.PROTECT, related_name="+")
    b = models.ForeignKey(NetworkPerson, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["a", "b"], name="relation_pair_unique")]

    def __str__(self) -> str:
        return f"{self.a_id}–{self.b_id}"


class PersonRelationVersion(models.Model):
    relation = models.ForeignKey(PersonRelation, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("relation"), max_length=10, choices=RelationKind.choices)
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["relation"], condition=models.Q(valid_to__isnull=True), name="one_current_relation_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.valid_from:%Y-%m-%d}"
