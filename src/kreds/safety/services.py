"""Every write to the Signs of Safety mapping, scaling and safety plan, with its rule and audit event (DOMAIN §7)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.core.logging import CPR_LIKE
from kreds.meetings.models import Meeting
from kreds.network.models import NetworkPerson
from kreds.network.services import current_version
from kreds.safety.constants import SCALE_MAX, SCALE_MIN, RuleStatus, ScorerKind
from kreds.safety.models import Mapping, SafetyPlan, SafetyRule, Scaling, WorryStatement

MAPPING_FIELDS = ("worry_basis", "past_harm", "complicating", "strengths", "existing_safety", "next_steps")
WORRY_FIELDS = ("who_worried", "about_what", "if_nothing_changes")
GOAL_FIELDS = ("goal_parent", "goal_child", "goal_professionals")
STATEMENT_FIELDS = WORRY_FIELDS + GOAL_FIELDS


def _no_cpr(*texts: str) -> None:
    for text in texts:
        if text and CPR_LIKE.search(text):
            raise KredsError(_("Remove the CPR number from the text. The mapping is shared and printed."))


def latest(case: Case) -> Mapping | None:
    return Mapping.objects.filter(case=case).order_by("-version").first()


def _clean_statements(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    clean: list[dict[str, Any]] = []
    for row in rows:
        values = {f: (row.get(f) or "").strip() for f in STATEMENT_FIELDS}
        if not any(values.values()):
            continue  # an empty row of the form
        if not all(values[f] for f in WORRY_FIELDS):
            raise KredsError(
                _(
                    "A worry statement says who is worried, about what, and what may happen if nothing changes. "
                    "Fill in all three for statement %(number)d."
                )
                % {"number": len(clean) + 1}
            )
        _no_cpr(*values.values())
        values["key"] = str(row.get("key") or "")
        clean.append(values)
    return clean


def _worries(mapping: Mapping | None) -> tuple[str, list[tuple[str, ...]]]:
    if mapping is None:
        return "", []
    rows = [(str(s.key), *(getattr(s, f) for f in WORRY_FIELDS)) for s in mapping.statements.order_by("number")]
    return mapping.worry_basis, rows


@transaction.atomic
def save_mapping(
    *, actor: User, case: Case, data: dict[str, Any], statements: list[dict[str, Any]], expected_version: int
) -> Mapping:
    """Save the mapping as a new version (``expected_version``: the version the form showed, 0 for the first)."""
    Case.objects.select_for_update().get(pk=case.pk)  # one new version at a time
    current = latest(case)
    if (current.version if current else 0) != expected_version:
        raise StaleEdit(
            _("Someone saved a newer version while you were writing. Your text is kept below; compare and save again.")
        )
    values = {f: (data.get(f) or "").strip() for f in MAPPING_FIELDS}
    _no_cpr(*values.values())
    rows = _clean_statements(statements)
    known = {str(s.key) for s in current.statements.all()} if current else set()
    for row in rows:
        if row["key"] not in known:
            row["key"] = str(uuid.uuid4())
    after = (values["worry_basis"], [(r["key"], *(r[f] for f in WORRY_FIELDS)) for r in rows])
    if after != _worries(current) and not can(actor, "safety.edit_worries", case):
        raise KredsError(
            _(
                "The worry basis and the worry statements are written by the authority (the caseworker). "
                "You can change everything else."
            )
        )
    if current is not None:
        unchanged = (
            all(getattr(current, f) == values[f] for f in MAPPING_FIELDS)
            and [{f: getattr(s, f) for f in STATEMENT_FIELDS} for s in current.statements.order_by("number")]
            == [{f: r[f] for f in STATEMENT_FIELDS} for r in rows]
            and current.sparring == bool(data.get("sparring"))
        )
        if unchanged:
            raise KredsError(_("Nothing has changed since version %(version)d.") % {"version": current.version})
    mapping = Mapping.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        version=(current.version if current else 0) + 1,
        sparring=bool(data.get("sparring")),
        change_note=(data.get("change_note") or "").strip()[:300],
        created_by=actor,
        **values,
    )
    for number, row in enumerate(rows, start=1):
        WorryStatement.objects.create(
            mapping=mapping, key=row["key"], number=number, **{f: row[f] for f in STATEMENT_FIELDS}
        )
    record_for_case(
        Action.SOS_MAPPING,
        actor=actor,
        case=case,
        object_type="sos_mapping",
        object_id=str(mapping.public_id),
        details={"version": mapping.version, "statements": len(rows)},
    )
    return mapping


@transaction.atomic
def add_scaling(
    *,
    actor: User,
    case: Case,
    statement_key: str,
    scored_on: datetime.date,
    scorer_kind: str,
    score: int,
    scorer_name: str = "",
    person: NetworkPerson | None = None,
    note: str = "",
) -> Scaling:
    """A person's number, 0–10, for one worry statement and its safety goal."""
    current = latest(case)
    try:
        statement_key = str(uuid.UUID(str(statement_key)))
    except ValueError:
        statement_key = ""
    if current is None or not statement_key or not current.statements.filter(key=statement_key).exists():
        raise KredsError(_("Choose a worry statement from the latest mapping."))
    if scorer_kind not in ScorerKind.values:
        raise KredsError(_("Choose who answered."))
    if not isinstance(score, int) or not SCALE_MIN <= score <= SCALE_MAX:
        raise KredsError(_("The scale goes from 0 to 10."))
    if scored_on > timezone.localdate():
        raise KredsError(_("The date cannot be in the future."))
    if person is not None:
        if person.map.case_id != case.pk:
            raise KredsError(_("The person must be on the child's network map."))
        scorer_name = scorer_name.strip() or current_version(person).name
    scorer_name = scorer_name.strip()
    if not scorer_name:
        raise KredsError(_("Write who answered."))
    _no_cpr(note, scorer_name)
    scaling = Scaling.objects.create(
        case=case,
        statement_key=statement_key,
        scored_on=scored_on,
        scorer_kind=scorer_kind,
        scorer_name=scorer_name[:200],
        person=person,
        score=score,
        note=note.strip()[:300],
        recorded_by=actor,
    )
    record_for_case(
        Action.SOS_SCALING, actor=actor, case=case, object_type="sos_scaling", object_id=str(scaling.public_id)
    )
    return scaling


def plan_for(case: Case) -> SafetyPlan:
    plan, _created = SafetyPlan.objects.get_or_create(case=case)
    return plan


def _audit_plan(actor: User, case: Case, **details: Any) -> None:
    record_for_case(Action.SAFETY_PLAN, actor=actor, case=case, object_type="safety_plan", details=details)


@transaction.atomic
def record_agreement(
    *, actor: User, case: Case, agreed_on: datetime.date, meeting: Meeting | None, expected_version: int
) -> SafetyPlan:
    """When and where the safety plan was agreed: at a meeting, or by the caseworker with the family."""
    plan = SafetyPlan.objects.select_for_update().get(pk=plan_for(case).pk)
    if plan.version != expected_version:
        raise StaleEdit(_("Someone else changed the safety plan. Check and save again."))
    if agreed_on > timezone.localdate():
        raise KredsError(_("The date cannot be in the future."))
    if meeting is not None and meeting.case_id != case.pk:
        raise KredsError(_("Choose one of the case's meetings."))
    if meeting is not None and meeting.starts_at > timezone.now():
        # Issue 14: nothing is agreed at a meeting before it has begun.
        raise KredsError(_("The meeting has not begun yet, so nothing can have been agreed at it. Choose another."))
    plan.agreed_on, plan.agreed_at_meeting, plan.agreed_by = agreed_on, meeting, actor
    plan.version += 1
    plan.save()
    _audit_plan(actor, case, agreed_on=agreed_on.isoformat(), meeting=str(meeting.public_id) if meeting else "")
    return plan


@transaction.atomic
def add_rule(
    *, actor: User, case: Case, rule: str, responsible: NetworkPerson, due_on: datetime.date | None = None
) -> SafetyRule:
    """A rule or arrangement for daily life, with the network person from the map who is responsible for it."""
    plan = SafetyPlan.objects.select_for_update().get(pk=plan_for(case).pk)
    rule = rule.strip()
    if not rule:
        raise KredsError(_("Write the rule or arrangement."))
    _no_cpr(rule)
    if responsible.map.case_id != case.pk:
        raise KredsError(_("The person responsible must be on the child's network map."))
    try:
        version = current_version(responsible)
    except KredsError as exc:
        raise KredsError(_("The person responsible is no longer on the network map.")) from exc
    number = (plan.rules.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    created = SafetyRule.objects.create(
        plan=plan,
        number=number,
        rule=rule,
        responsible=responsible,
        responsible_name=version.name,
        due_on=due_on,
        created_by=actor,
    )
    _audit_plan(actor, case, rule_added=number)
    return created


@transaction.atomic
def set_rule_status(*, actor: User, rule: SafetyRule, status: str) -> SafetyRule:
    if status not in RuleStatus.values:
        raise KredsError(_("Choose a status."))
    if rule.ended_at is not None:
        raise KredsError(_("The rule is no longer part of the safety plan."))
    rule.status = status
    rule.save(update_fields=["status", "updated_at"])
    _audit_plan(actor, rule.plan.case, rule=rule.number, status=status)
    return rule


@transaction.atomic
def end_rule(*, actor: User, rule: SafetyRule) -> SafetyRule:
    """Take a rule out of the plan. It is kept as history and no longer shown to the person."""
    if rule.ended_at is None:
        rule.ended_at = timezone.now()
        rule.save(update_fields=["ended_at", "updated_at"])
        _audit_plan(actor, rule.plan.case, rule_ended=rule.number)
    return rule
