"""All writes to the network map. Each closes the current version and opens a new one, with an audit event."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record, record_for_case
from kreds.cases.models import Case
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.network.constants import DEFAULT_SECTORS, ConsentGiverRole, RelationKind, ResourceTag
from kreds.network.models import (
    NetworkMap,
    NetworkPerson,
    NetworkPersonVersion,
    PersonRelation,
    PersonRelationVersion,
    Sector,
)
from kreds.tenancy.models import Municipality

PERSON_FIELDS = (
    "name",
    "relation",
    "sector",
    "ring",
    "quality",
    "resources",
    "resource_tags",
    "safe_adult",
    "phone",
    "email",
    "address",
    "language",
    "is_professional",
    "organisation",
    "professional_role",
    "intervention",
)


def ensure_default_sectors(municipality: Municipality) -> list[Sector]:
    """The five default sectors (DOMAIN §3), created once per municipality."""
    sectors = []
    for order, (key, name, colour, professional) in enumerate(DEFAULT_SECTORS):
        sector, _created = Sector.objects.get_or_create(
            municipality=municipality,
            key=key,
            defaults={"name": name, "colour": colour, "order": order, "is_professional": professional},
        )
        sectors.append(sector)
    return sectors


def _audit(action: Action, actor: User, case: Case, details: dict[str, Any]) -> None:
    record_for_case(action, actor=actor, case=case, object_type="network_map", details=details)


def _acting_unit_id(actor: User, case: Case) -> int | None:
    """The unit the actor works on the case from (authority = part 1, referred unit = part 2)."""
    units = set(actor.memberships.values_list("unit_id", flat=True))
    if case.responsible_unit_id in units:
        return case.responsible_unit_id
    referred = case.referred_units.filter(pk__in=units).values_list("pk", flat=True).first()
    return referred


@transaction.atomic
def get_or_create_map(*, case: Case) -> NetworkMap:
    ensure_default_sectors(case.municipality)
    network_map, _created = NetworkMap.objects.get_or_create(case=case)
    return network_map


@transaction.atomic
def record_map_consent(
    *, actor: User, case: Case, given_by: str, role: ConsentGiverRole, given_on: datetime.date, note: str = ""
) -> NetworkMap:
    if not given_by.strip():
        raise KredsError(_("Write who gave consent to make the network map."))
    if given_on > timezone.localdate():
        raise KredsError(_("The consent date cannot be in the future."))
    network_map = get_or_create_map(case=case)
    network_map.consent_given_by = given_by.strip()
    network_map.consent_role = role
    network_map.consent_given_on = given_on
    network_map.consent_note = note
    network_map.consent_recorded_by = actor
    network_map.save()
    _audit(Action.NETWORK_CONSENT, actor, case, {"role": str(role)})
    return network_map


def _validate(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: data[k] for k in PERSON_FIELDS if k in data}
    if "name" in clean and not str(clean["name"]).strip():
        raise KredsError(_("Write the person's name."))
    sector = clean.get("sector")
    if sector is not None and sector.municipality_id != case.municipality_id:
        raise KredsError(_("Choose one of the municipality's sectors."))
    ring = clean.get("ring")
    if ring is not None and ring not in (1, 2, 3):
        raise KredsError(_("Closeness must be 1, 2 or 3."))
    tags = clean.get("resource_tags")
    if tags is not None:
        unknown = set(tags) - set(ResourceTag.values)
        if unknown:
            raise KredsError(_("Unknown resource tag."))
        clean["resource_tags"] = sorted(set(tags))
    return clean


@transaction.atomic
def add_person(*, actor: User, case: Case, data: dict[str, Any], at: datetime.datetime | None = None) -> NetworkPerson:
    """Add a person to the child's map. Consent to make the map must be recorded first."""
    network_map = get_or_create_map(case=case)
    if not network_map.has_consent:
        raise KredsError(_("Record who gave consent to make the network map before adding people."))
    clean = _validate(case, data)
    for required in ("name", "relation", "sector"):
        if not clean.get(required):
            raise KredsError(_("Name, relation and sector are required."))
    when = at or timezone.now()
    person = NetworkPerson.objects.create(map=network_map, created_by=actor)
    NetworkPersonVersion.objects.create(
        person=person, valid_from=when, changed_by=actor, changed_by_unit_id=_acting_unit_id(actor, case), **clean
    )
    if network_map.first_person_at is None or when < network_map.first_person_at:
        network_map.first_person_at = when
        network_map.save(update_fields=["first_person_at", "updated_at"])
    _audit(Action.NETWORK_PERSON_ADD, actor, case, {"person": str(person.public_id)})
    return person


def current_version(person: NetworkPerson) -> NetworkPersonVersion:
    version = person.versions.filter(valid_to__isnull=True).first()
    if version is None or version.removed:
        raise KredsError(_("The person is no longer on the map."))
    return version


@transaction.atomic
def update_person(
    *,
    actor: User,
    person: NetworkPerson,
    expected_version: int,
    data: dict[str, Any],
    at: datetime.datetime | None = None,
    removed: bool = False,
) -> NetworkPersonVersion:
    """Close the current version and open a new one with the changes. Stale edits are refused."""
    case = person.map.case
    current = NetworkPersonVersion.objects.select_for_update().filter(person=person, valid_to__isnull=True).first()
    if current is None or current.removed:
        raise KredsError(_("The person is no longer on the map."))
    if current.pk != expected_version:
        raise StaleEdit(
            _("Someone else changed this person after you opened the form. Review the current details and try again.")
        )
    clean = _validate(case, data)
    changed = [k for k, v in clean.items() if getattr(current, k if k != "sector" else "sector") != v]
    if not changed and not removed:
        return current
    when = at or timezone.now()
    if when <= current.valid_from:
        when = current.valid_from + datetime.timedelta(microseconds=1)
    current.valid_to = when
    current.save(update_fields=["valid_to"])
    values = {k: getattr(current, k) for k in PERSON_FIELDS}
    values.update(clean)
    new = NetworkPersonVersion.objects.create(
        person=person,
        valid_from=when,
        changed_by=actor,
        changed_by_unit_id=_acting_unit_id(actor, case),
        removed=removed,
        **values,
    )
    _audit(
        Action.NETWORK_PERSON_REMOVE if removed else Action.NETWORK_PERSON_UPDATE,
        actor,
        case,
        {"person": str(person.public_id), "fields": changed},
    )
    return new


def move_person(
    *, actor: User, person: NetworkPerson, expected_version: int, ring: int, sector: Sector
) -> NetworkPersonVersion:
    return update_person(
        actor=actor, person=person, expected_version=expected_version, data={"ring": ring, "sector": sector}
    )


def remove_person(
    *, actor: User, person: NetworkPerson, expected_version: int, at: datetime.datetime | None = None
) -> NetworkPersonVersion:
    """The person leaves the map; the history keeps them."""
    return update_person(actor=actor, person=person, expected_version=expected_version, data={}, at=at, removed=True)


@transaction.atomic
def set_relation(
    *,
    actor: User,
    first: NetworkPerson,
    second: NetworkPerson,
    kind: RelationKind | None,
    at: datetime.datetime | None = None,
) -> None:
    """Set (or with ``kind=None`` remove) the relation between two persons on the same map."""
    if first.map_id != second.map_id or first.pk == second.pk:
        raise KredsError(_("Choose two different people on the same map."))
    a, b = sorted((first, second), key=lambda p: p.pk)
    relation, _created = PersonRelation.objects.get_or_create(map=a.map, a=a, b=b)
    current = PersonRelationVersion.objects.select_for_update().filter(relation=relation, valid_to__isnull=True).first()
    if current is not None and ((kind is None and current.removed) or (kind is not None and current.kind == kind)):
        return
    if current is None and kind is None:
        return
    when = at or timezone.now()
    if current is not None:
        when = max(when, current.valid_from + datetime.timedelta(microseconds=1))
        current.valid_to = when
        current.save(update_fields=["valid_to"])
    PersonRelationVersion.objects.create(
        relation=relation,
        valid_from=when,
        changed_by=actor,
        kind=kind or (current.kind if current else RelationKind.KNOWS),
        removed=kind is None,
    )
    _audit(
        Action.NETWORK_RELATION, actor, a.map.case, {"a": str(a.public_id), "b": str(b.public_id), "kind": kind or ""}
    )


def _contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def _check_colour(colour: str) -> None:

    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise KredsError(_("Write the colour as #rrggbb, for example #1f5fa8."))
    if _contrast_with_white(colour) < 3:
        raise KredsError(_("The colour is too light to be seen on white (contrast must be at least 3:1)."))


@transaction.atomic
def save_sector(
    *,
    actor: User,
    municipality: Municipality,
    name: str,
    colour: str,
    order: int,
    active: bool,
    is_professional: bool,
    sector: Sector | None = None,
) -> Sector:
    """Create or change one of the municipality's sectors (DOMAIN §3: configurable per municipality)."""
    if not name.strip():
        raise KredsError(_("Write the sector's name."))
    _check_colour(colour)
    if sector is not None and sector.municipality_id != municipality.pk:
        raise KredsError(_("Choose one of the municipality's sectors."))
    if sector is not None and sector.active and not active:
        in_use = NetworkPersonVersion.objects.filter(sector=sector, valid_to__isnull=True, removed=False).exists()
        if in_use:
            raise KredsError(_("The sector is in use on network maps. Move those people first."))
    if sector is None:
        base = slugify(name)[:30] or "sektor"
        key, n = base, 1
        while Sector.objects.filter(municipality=municipality, key=key).exists():
            n += 1
            key = f"{base}-{n}"
        sector = Sector(municipality=municipality, key=key)
    sector.name = name.strip()
    sector.colour = colour.lower()
    sector.order = order
    sector.active = active
    sector.is_professional = is_professional
    sector.save()
    record(
        Action.SETTINGS_CHANGE,
        actor=actor,
        municipality=municipality,
        object_type="sector",
        object_id=str(sector.public_id),
        purpose=Purpose.ADMINISTRATION,
        details={"name": sector.name, "active": active},
    )
    return sector
