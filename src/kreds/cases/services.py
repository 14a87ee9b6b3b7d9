"""All writes to children and cases. Each function is atomic and writes its audit event."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record, record_for_case
from kreds.authz.roles import unit_ids_with_role
from kreds.cases import archive
from kreds.cases.constants import CaseStatus, RiskOutcome
from kreds.cases.models import BreakGlass, Case, CaseAssignment, CaseRestriction, Child, RiskAssessment
from kreds.core.crypto import cpr_blind_index, current_key_id, decrypt_cpr, encrypt_cpr, normalise_cpr
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.tenancy.models import Municipality, Unit

CHILD_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "address",
    "languages",
    "interpreter_needed",
)
CASE_FIELDS = (
    "external_ref",
    "opened_on",
    "responsible_unit",
    "basis_afdaekning",
    "basis_investigation",
    "basis_support",
    "basis_placement",
    "investigation_started_on",
    "investigation_completed_on",
    "measure_decided_on",
    "placement_without_consent",
)


def _audit_case(action: Action, actor: User, case: Case, details: dict[str, Any] | None = None) -> None:
    record_for_case(action, actor=actor, case=case, details=details)


def _set_cpr(child: Child, cpr: str | None) -> bool:
    """Set or clear the child's CPR. Returns True when it changed. Never logs the value.

    A CPR number belongs to one child of the municipality: a number another child already has is refused (the
    case views say more, and to whom, through ``selectors.cpr_conflict``)."""
    if cpr is None:
        return False
    if not cpr.strip():
        changed = bool(child.cpr_encrypted)
        child.cpr_encrypted = ""
        child.cpr_index = ""
        return changed
    normalised = normalise_cpr(cpr)
    index = cpr_blind_index(normalised)
    if index == child.cpr_index:
        return False
    taken = Child.objects.filter(municipality_id=child.municipality_id, cpr_index=index)
    if taken.exclude(pk=child.pk).exists():
        raise KredsError(_("Another child in the municipality already has this CPR number."))
    child.cpr_encrypted = encrypt_cpr(normalised)
    child.cpr_index = index
    return True


def _check_unit(actor: User, unit: Unit) -> None:
    if unit.municipality_id != actor.municipality_id:
        raise KredsError(_("The unit does not belong to your municipality."))


@transaction.atomic
def create_case(
    *,
    actor: User,
    child_data: dict[str, Any],
    case_data: dict[str, Any],
    cpr: str | None = None,
    assign_actor: bool = True,
) -> Case:
    """Open a case for a new child. The creating caseworker is assigned by default."""
    unit: Unit = case_data["responsible_unit"]
    _check_unit(actor, unit)
    assert actor.municipality is not None
    child = Child(municipality=actor.municipality, **{k: child_data[k] for k in CHILD_FIELDS if k in child_data})
    _set_cpr(child, cpr)
    child.save()
    record(
        Action.CHILD_CREATE,
        actor=actor,
        object_type="child",
        object_id=str(child.public_id),
        person_concerned=str(child.public_id),
        purpose=Purpose.CASEWORK,
        details={"cpr_recorded": bool(child.cpr_encrypted)},
    )
    case = Case(
        municipality=actor.municipality,
        child=child,
        **{k: case_data[k] for k in CASE_FIELDS if k in case_data},
    )
    case.opened_on = case.opened_on or timezone.localdate()
    case.save()
    _audit_case(Action.CASE_CREATE, actor, case, {"responsible_unit": unit.name})
    if assign_actor and actor.memberships.filter(role=Role.CASEWORKER).exists():
        assign_caseworker(actor=actor, case=case, user=actor)
    return case


@transaction.atomic
def update_case(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    child_data: dict[str, Any],
    case_data: dict[str, Any],
    cpr: str | None = None,
) -> Case:
    """Change a case and its child. Refused when someone else saved in between (optimistic lock)."""
    locked: Case = Case.objects.select_for_update().select_related("child").get(pk=case.pk)
    if locked.version != expected_version:
        raise StaleEdit(
            _(
                "Someone else saved this case after you opened it. Your changes have not been saved; "
                "review the current version and make your changes again."
            )
        )
    child = locked.child
    changed_child = [k for k in CHILD_FIELDS if k in child_data and getattr(child, k) != child_data[k]]
    for key in changed_child:
        setattr(child, key, child_data[key])
    if _set_cpr(child, cpr):
        changed_child.append("cpr")
    if changed_child:
        child.version += 1
        child.save()
        record(
            Action.CHILD_UPDATE,
            actor=actor,
            municipality=locked.municipality,
            object_type="child",
            object_id=str(child.public_id),
            person_concerned=str(child.public_id),
            purpose=Purpose.CASEWORK,
            details={"fields": changed_child},
        )
    if "responsible_unit" in case_data:
        _check_unit(actor, case_data["responsible_unit"])
    changed_case = [k for k in CASE_FIELDS if k in case_data and getattr(locked, k) != case_data[k]]
    for key in changed_case:
        setattr(locked, key, case_data[key])
    locked.version += 1
    locked.save()
    if changed_case:
        _audit_case(Action.CASE_UPDATE, actor, locked, {"fields": changed_case})
    return locked


@transaction.atomic
def close_case(*, actor: User, case: Case, reason: str, closed_on: datetime.date | None = None) -> Case:
    """Close a case. Nothing is deleted; the case can be reopened."""
    locked: Case = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status == CaseStatus.CLOSED:
        raise KredsError(_("The case is already closed."))
    if not reason.strip():
        raise KredsError(_("Write why the case is being closed."))
    locked.status = CaseStatus.CLOSED
    locked.closed_on = closed_on or timezone.localdate()
    locked.closed_reason = reason.strip()
    locked.version += 1
    locked.save()
    _audit_case(Action.CASE_CLOSE, actor, locked)
    return locked


@transaction.atomic
def reopen_case(*, actor: User, case: Case) -> Case:
    locked: Case = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status == CaseStatus.OPEN:
        raise KredsError(_("The case is already open."))
    locked.status = CaseStatus.OPEN
    locked.closed_on = None
    locked.version += 1
    locked.save()
    _audit_case(Action.CASE_REOPEN, actor, locked)
    return locked


@transaction.atomic
def assign_caseworker(*, actor: User, case: Case, user: User) -> CaseAssignment:
    if user.municipality_id != case.municipality_id or not user.is_active:
        raise KredsError(_("This person cannot be assigned to the case."))
    if not user.memberships.filter(role=Role.CASEWORKER).exists():
        raise KredsError(_("Only caseworkers can be assigned to a case."))
    assignment, created = CaseAssignment.objects.get_or_create(case=case, user=user, defaults={"assigned_by": actor})
    if not created:
        raise KredsError(_("%(name)s is already assigned to the case.") % {"name": user})
    _audit_case(Action.CASE_ASSIGN, actor, case, {"caseworker": user.username})
    return assignment


@transaction.atomic
def unassign_caseworker(*, actor: User, case: Case, user: User) -> None:
    assignment = CaseAssignment.objects.filter(case=case, user=user).first()
    if assignment is None:
        raise KredsError(_("%(name)s is not assigned to the case.") % {"name": user})
    if case.is_open and CaseAssignment.objects.filter(case=case).count() == 1:
        raise KredsError(_("An open case must have at least one caseworker. Assign another caseworker first."))
    CaseAssignment.objects.filter(pk=assignment.pk).delete()
    _audit_case(Action.CASE_UNASSIGN, actor, case, {"caseworker": user.username})


@transaction.atomic
def refer_case(*, actor: User, case: Case, unit: Unit) -> None:
    """Refer the case to a practitioner unit: its practitioners and leaders can then see it (part 2)."""
    _check_unit(actor, unit)
    if case.referred_units.filter(pk=unit.pk).exists():
        raise KredsError(_("The case is already referred to %(unit)s.") % {"unit": unit})
    case.referred_units.add(unit)
    _audit_case(Action.CASE_REFER, actor, case, {"unit": unit.name})


@transaction.atomic
def set_safety_concern(*, actor: User, case: Case, concern: bool) -> Case:
    locked: Case = Case.objects.select_for_update().get(pk=case.pk)
    if locked.safety_concern == concern:
        return locked
    locked.safety_concern = concern
    locked.version += 1
    locked.save()
    _audit_case(Action.SAFETY_CONCERN, actor, locked, {"concern": concern})
    return locked


@transaction.atomic
def record_risk_assessment(
    *,
    actor: User,
    case: Case,
    assessed_on: datetime.date,
    summary: str,
    outcome: RiskOutcome,
    limits: str = "",
) -> RiskAssessment:
    if not summary.strip():
        raise KredsError(_("Describe the assessment."))
    if outcome == RiskOutcome.PROCEED_WITH_LIMITS and not limits.strip():
        raise KredsError(_("Describe the limits on involvement."))
    assessment = RiskAssessment.objects.create(
        case=case, assessed_on=assessed_on, assessed_by=actor, summary=summary, outcome=outcome, limits=limits
    )
    _audit_case(Action.RISK_ASSESSMENT, actor, case, {"outcome": str(outcome)})
    return assessment


@transaction.atomic
def link_siblings(*, actor: User, child: Child, sibling: Child) -> None:
    if child.pk == sibling.pk:
        raise KredsError(_("A child cannot be linked to themself."))
    if child.municipality_id != sibling.municipality_id:
        raise KredsError(_("The sibling was not found."))
    if child.siblings.filter(pk=sibling.pk).exists():
        raise KredsError(_("The children are already linked as siblings."))
    child.siblings.add(sibling)
    for a, b in ((child, sibling), (sibling, child)):
        record(
            Action.SIBLING_LINK,
            actor=actor,
            object_type="child",
            object_id=str(a.public_id),
            person_concerned=str(a.public_id),
            purpose=Purpose.CASEWORK,
            details={"sibling": str(b.public_id)},
        )


@transaction.atomic
def unlink_siblings(*, actor: User, child: Child, sibling: Child) -> None:
    if not child.siblings.filter(pk=sibling.pk).exists():
        raise KredsError(_("The children are not linked."))
    child.siblings.remove(sibling)
    for a, b in ((child, sibling), (sibling, child)):
        record(
            Action.SIBLING_UNLINK,
            actor=actor,
            object_type="child",
            object_id=str(a.public_id),
            person_concerned=str(a.public_id),
            purpose=Purpose.CASEWORK,
            details={"sibling": str(b.public_id)},
        )


def reveal_cpr(*, actor: User, case: Case, purpose: str) -> str:
    """Return the full CPR number; every reveal is an audit event with the stated purpose."""
    child = case.child
    if not child.cpr_encrypted:
        raise KredsError(_("No CPR number is recorded for this child."))
    record(
        Action.CPR_REVEAL,
        actor=actor,
        municipality=case.municipality,
        object_type="case",
        object_id=str(case.public_id),
        person_concerned=str(child.public_id),
        purpose=Purpose.CASEWORK,
        details={"reason": purpose[:200]},
    )
    return decrypt_cpr(child.cpr_encrypted)


def archive_extract(*, actor: User, case: Case) -> bytes:
    """The archive extract of a closed case (DOMAIN §13), in the municipality's language; the export is audited."""
    if case.status != CaseStatus.CLOSED:
        raise KredsError(_("Only a closed case is exported for the archive. Close the case first."))
    with translation.override(settings.LANGUAGE_CODE):
        content = archive.build(case)
    record(
        Action.CASE_ARCHIVE_EXPORT,
        actor=actor,
        municipality=case.municipality,
        object_type="case",
        object_id=str(case.public_id),
        person_concerned=str(case.child.public_id),
        details={"bytes": len(content)},
    )
    return content


def rotate_cpr_keys(batch_size: int = 500) -> int:
    """Re-encrypt every CPR with the current key (after a new key is put first in CPR_KEYS)."""
    current = current_key_id()
    changed = 0
    pending = Child.objects.exclude(cpr_encrypted="").exclude(cpr_encrypted__startswith=f"{current}:")
    while True:
        batch = list(pending.order_by("pk")[:batch_size])
        if not batch:
            return changed
        with transaction.atomic():
            for child in batch:
                child.cpr_encrypted = encrypt_cpr(decrypt_cpr(child.cpr_encrypted))
                child.save(update_fields=["cpr_encrypted"])
                changed += 1


# Restricted cases (issue 18) --------------------------------------------------------------------------------

BREAK_GLASS_HOURS = 8  # a working day: the leader states a reason again tomorrow


def restriction_in_force(case: Case) -> CaseRestriction | None:
    return CaseRestriction.objects.filter(case=case, lifted_at__isnull=True).prefetch_related("staff").first()


def _named(actor: User, case: Case, staff: list[User]) -> list[User]:
    """The named staff: always the one restricting (nobody locks themself out), all of the case's municipality."""
    chosen = {u.pk: u for u in staff if u.municipality_id == case.municipality_id and u.is_active}
    chosen[actor.pk] = actor
    return list(chosen.values())


@transaction.atomic
def restrict_case(*, actor: User, case: Case, reason: str, staff: list[User]) -> CaseRestriction:
    if not reason.strip():
        raise KredsError(_("Write why the case is restricted."))
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if restriction_in_force(locked) is not None:
        raise KredsError(_("The case is already restricted. Change who may open it instead."))
    restriction = CaseRestriction.objects.create(case=locked, reason=reason.strip(), recorded_by=actor)
    named = _named(actor, locked, staff)
    restriction.staff.set(named)
    Municipality.objects.filter(pk=locked.municipality_id).update(restrictions_in_force=F("restrictions_in_force") + 1)
    _audit_case(Action.CASE_RESTRICT, actor, locked, {"staff": [str(u.public_id) for u in named]})
    return restriction


@transaction.atomic
def change_restriction(*, actor: User, case: Case, staff: list[User]) -> CaseRestriction:
    restriction = restriction_in_force(case)
    if restriction is None:
        raise KredsError(_("The case is not restricted."))
    named = _named(actor, case, staff)
    restriction.staff.set(named)
    _audit_case(Action.CASE_RESTRICTION_CHANGE, actor, case, {"staff": [str(u.public_id) for u in named]})
    return restriction


@transaction.atomic
def lift_restriction(*, actor: User, case: Case, reason: str) -> CaseRestriction:
    if not reason.strip():
        raise KredsError(_("Write why the restriction is lifted."))
    restriction: CaseRestriction | None = (
        CaseRestriction.objects.select_for_update().filter(case=case, lifted_at__isnull=True).first()
    )
    if restriction is None:
        raise KredsError(_("The case is not restricted."))
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = actor
    restriction.lift_reason = reason.strip()
    restriction.save()
    Municipality.objects.filter(pk=case.municipality_id, restrictions_in_force__gt=0).update(
        restrictions_in_force=F("restrictions_in_force") - 1
    )
    _audit_case(Action.CASE_UNRESTRICT, actor, case, {"reason": restriction.lift_reason})
    return restriction


def may_break_glass(user: User, case: Case) -> bool:
    """The leader of the case's responsible unit, not named on its restriction (who would not need to)."""
    return case.responsible_unit_id in unit_ids_with_role(user, Role.LEADER)


@transaction.atomic
def break_glass(*, actor: User, case: Case, reason: str) -> BreakGlass:
    if not may_break_glass(actor, case) or restriction_in_force(case) is None:
        raise KredsError(_("Only the leader of the case's unit can open a restricted case with a reason."))
    if len(reason.strip()) < 10:
        raise KredsError(_("Write the reason in a sentence: it is shown to the case's caseworkers."))
    glass = BreakGlass.objects.create(
        case=case,
        user=actor,
        reason=reason.strip(),
        until=timezone.now() + datetime.timedelta(hours=BREAK_GLASS_HOURS),
    )
    _audit_case(Action.CASE_BREAK_GLASS, actor, case, {"reason": glass.reason, "until": glass.until.isoformat()})
    return glass


def break_glass_history(case: Case) -> list[BreakGlass]:
    return list(BreakGlass.objects.filter(case=case).select_related("user").order_by("-created_at")[:20])
