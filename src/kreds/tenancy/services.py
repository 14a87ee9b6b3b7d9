"""Writes of a municipality's own settings (its administrators' settings pages in each domain app)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.tenancy.models import Municipality


@transaction.atomic
def save_settings(*, actor: User, municipality: Municipality, values: Mapping[str, Any]) -> list[str]:
    """Store ``values`` (field name → value) on the municipality and audit which of them changed. The domain
    service validates its own fields first; this is the one place a municipality's settings are written."""
    locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name, value in values.items():
        setattr(locked, name, value)
        setattr(municipality, name, value)  # the caller's instance shows what was saved
    locked.save(update_fields=[*values, "updated_at"])
    record(
        Action.SETTINGS_CHANGE,
        actor=actor,
        municipality=municipality,
        object_type="municipality",
        object_id=str(municipality.public_id),
        purpose=Purpose.ADMINISTRATION,
        details={"fields": changed},
    )
    return changed
