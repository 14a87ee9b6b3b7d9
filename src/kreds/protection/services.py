"""Every write of a protection, each with its audit event (the values themselves never go to the audit trail)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.cases.models import Case
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.network.models import NetworkPerson
from kreds.outbox.constants import MAX_ATTEMPTS, Channel
from kreds.outbox.models import Outbox
from kreds.protection.models import Protection, Reason
from kreds.tenancy.models import Municipality

FIELDS = (
    "person",
    "address",
    "contact",
    "whereabouts",
    "whereabouts_text",
    "also_words",
    "hidden",
    "reason",
    "reason_text",
)


def _audit(action: Action, actor: User, protection: Protection, **details: Any) -> None:
    record_for_case(
        action,
        actor=actor,
        case=protection.case,
        object_type="protection",
        object_id=str(protection.public_id),
        details={
            "person": str(protection.person.public_id) if protection.person else "child",
            "details": protection.details(),
            "reason": protection.reason,
            **details,
        },
    )


def _validate(case: Case, data: dict[str, Any], barred: list[NetworkPerson]) -> None:
    person = data.get("person")
    if person is not None and person.map.case_id != case.pk:
        raise KredsError(_("Choose a person on this child's network map."))
    if not any(data.get(key) for key in ("address", "contact", "whereabouts", "hidden")):
        raise KredsError(
            _("Choose what is protected: the address, phone and e-mail, the whereabouts or the participation.")
        )
    if data.get("whereabouts") and not (data.get("whereabouts_text") or "").strip():
        raise KredsError(_("Write where the person is staying, so Kreds can keep it out of what others receive."))
    if data.get("reason") == Reason.OTHER and not (data.get("reason_text") or "").strip():
        raise KredsError(_("Write the reason in words."))
    if person is not None and any(b.pk == person.pk for b in barred):
        raise KredsError(_("The protected person cannot be one of those who must not learn it."))
    if any(b.map.case_id != case.pk for b in barred):
        raise KredsError(_("Choose a person on this child's network map."))


@transaction.atomic
def add_protection(*, actor: User, case: Case, data: dict[str, Any], barred: list[NetworkPerson]) -> Protection:
    _validate(case, data, barred)
    protection = Protection(case=case, recorded_by=actor, **{k: data.get(k) or _empty(k) for k in FIELDS})
    protection.full_clean(exclude=["case", "person", "recorded_by"])
    protection.save()
    Municipality.objects.filter(pk=case.municipality_id).update(protections_in_force=F("protections_in_force") + 1)
    protection.must_not_learn.set(barred)
    stopped = stop_pending(protection)
    _audit(
        Action.PROTECTION_ADD,
        actor,
        protection,
        must_not_learn=[str(b.public_id) for b in barred],
        stopped=[row.pk for row in stopped],
    )
    return protection


def _empty(key: str) -> Any:
    return False if key in ("address", "contact", "whereabouts", "hidden") else ("" if key != "person" else None)


@transaction.atomic
def change_protection(
    *, actor: User, protection: Protection, data: dict[str, Any], barred: list[NetworkPerson], expected_version: int
) -> Protection:
    locked: Protection = (
        Protection.objects.select_for_update().select_related("case__child", "case__municipality").get(pk=protection.pk)
    )
    if locked.ended_at is not None:
        raise KredsError(_("This protection has ended and cannot be changed."))
    if locked.version != expected_version:
        raise StaleEdit(_("Someone else changed this protection after you opened the form. Review it and try again."))
    data = {**data, "person": locked.person}  # whose details they are never changes: end it and record a new one
    _validate(locked.case, data, barred)
    for key in FIELDS:
        setattr(locked, key, data.get(key) or _empty(key))
    locked.changed_by = actor
    locked.version += 1
    locked.full_clean(exclude=["case", "person", "recorded_by"])
    locked.save()
    locked.must_not_learn.set(barred)
    stopped = stop_pending(locked)
    _audit(
        Action.PROTECTION_CHANGE,
        actor,
        locked,
        must_not_learn=[str(b.public_id) for b in barred],
        stopped=[row.pk for row in stopped],
    )
    return locked


@transaction.atomic
def end_protection(*, actor: User, protection: Protection, reason: str, expected_version: int) -> Protection:
    locked: Protection = (
        Protection.objects.select_for_update().select_related("case__child", "case__municipality").get(pk=protection.pk)
    )
    if locked.ended_at is not None:
        raise KredsError(_("This protection has already ended."))
    if locked.version != expected_version:
        raise StaleEdit(_("Someone else changed this protection after you opened the form. Review it and try again."))
    if not reason.strip():
        raise KredsError(_("Write why the protection ends."))
    Municipality.objects.filter(pk=locked.case.municipality_id, protections_in_force__gt=0).update(
        protections_in_force=F("protections_in_force") - 1
    )
    locked.ended_at = timezone.now()
    locked.ended_by = actor
    locked.end_reason = reason.strip()
    locked.version += 1
    locked.save()
    _audit(Action.PROTECTION_END, actor, locked, end_reason=locked.end_reason)
    return locked


@dataclass(frozen=True)
class Gone:
    """A message that left Kreds on the case before the protection was recorded."""

    kind: str
    recipient: str
    channel: str
    sent_at: Any
    barred: bool


def already_sent(protection: Protection) -> list[Gone]:
    """What went out on the case before the protection, to whom (from the outbox), so the caseworker can act: the
    people who must not learn it first."""
    barred = set(protection.must_not_learn.values_list("pk", flat=True))
    rows = (
        Outbox.objects.filter(meeting__case=protection.case, sent_at__isnull=False, sent_at__lte=protection.created_at)
        .exclude(participant__role="caseworker")
        .select_related("participant")
        .order_by("-sent_at")
    )
    link_rows = (
        Outbox.objects.filter(link__case=protection.case, sent_at__isnull=False, sent_at__lte=protection.created_at)
        .select_related("link")
        .order_by("-sent_at")
    )
    gone = [
        Gone(
            kind=row.get_kind_display(),
            recipient=row.participant.name if row.participant else "",
            channel=row.get_channel_display(),
            sent_at=row.sent_at,
            barred=bool(row.participant and row.participant.person_id in barred),
        )
        for row in rows
    ] + [
        Gone(
            kind=row.get_kind_display(),
            recipient=row.link.holder_name if row.link else "",
            channel=row.get_channel_display(),
            sent_at=row.sent_at,
            barred=bool(row.link and row.link.person_id in barred),
        )
        for row in link_rows
    ]
    return sorted(gone, key=lambda g: (not g.barred, g.sent_at), reverse=False)


def stop_pending(protection: Protection) -> list[Outbox]:
    """E-mails on the case not yet sent to a person who must not learn it are stopped (not tried again; the meeting
    page shows them with the reason). Letters not yet printed stay on the list: printing one passes the recipient's
    guard and is refused if it would carry the detail. Every other message passes its recipient's guard when sent."""
    barred = list(protection.must_not_learn.values_list("pk", flat=True))
    if not barred:
        return []
    rows = list(
        Outbox.objects.select_for_update(of=("self",))
        .filter(
            meeting__case=protection.case,
            sent_at__isnull=True,
            channel=Channel.EMAIL,
            participant__person_id__in=barred,
            attempts__lt=MAX_ATTEMPTS,
        )
        .select_related("participant")
        .order_by("created_at")
    )
    for row in rows:
        row.attempts = MAX_ATTEMPTS
        row.last_error = str(_("Stopped: a protection was recorded after the message was queued."))
        row.save(update_fields=["attempts", "last_error"])
    return rows
