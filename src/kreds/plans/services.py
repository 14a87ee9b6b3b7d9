"""Every write to the child's plan, with its rule and audit event (DOMAIN §9), and sending a network person
their own list of tasks."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.cases.models import Case
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.core.logging import CPR_LIKE
from kreds.network.models import NetworkPerson
from kreds.participants import services as links
from kreds.participants.models import LinkPurpose, ParticipantLink
from kreds.plans.constants import PERSON_LINK_DAYS, GoalArea, TaskStatus
from kreds.plans.models import ChildPlan, Contribution, Goal, PlanReview


def _no_cpr(*texts: str) -> None:
    for text in texts:
        if text and CPR_LIKE.search(text):
            raise KredsError(_("Remove the CPR number from the text. The plan is shared with the family."))


def _audit(actor: User, case: Case, **details: Any) -> None:
    record_for_case(Action.PLAN_CHANGE, actor=actor, case=case, object_type="child_plan", details=details)


def _not_future(day: datetime.date) -> None:
    if day > timezone.localdate():
        raise KredsError(_("The date cannot be in the future."))


@transaction.atomic
def save_plan(
    *, actor: User, case: Case, decided_on: datetime.date, purpose: str, expected_version: int | None = None
) -> ChildPlan:
    """Make the child's plan, or change its date and purpose (the goals are added one by one)."""
    _not_future(decided_on)
    purpose = purpose.strip()
    _no_cpr(purpose)
    existing = ChildPlan.objects.select_for_update().filter(case=case).first()
    if existing is None:
        if not case.is_open:
            raise KredsError(_("The case is closed."))
        plan = ChildPlan.objects.create(
            municipality_id=case.municipality_id, case=case, decided_on=decided_on, purpose=purpose, created_by=actor
        )
        _audit(actor, case, created=decided_on.isoformat())
        return plan
    if expected_version is not None and existing.version != expected_version:
        raise StaleEdit(_("Someone else changed the plan. Your text is kept below; check and save again."))
    existing.decided_on, existing.purpose = decided_on, purpose
    existing.version += 1
    existing.save()
    _audit(actor, case, changed=True)
    return existing


def _plan(case: Case) -> ChildPlan:
    plan = ChildPlan.objects.filter(case=case).first()
    if plan is None:
        raise KredsError(_("Make the plan first."))
    return plan


@transaction.atomic
def add_goal(*, actor: User, case: Case, area: str, text: str) -> Goal:
    plan = _plan(case)
    if area not in GoalArea.values:
        raise KredsError(_("Choose the area of the goal."))
    text = text.strip()
    if not text:
        raise KredsError(_("Write the goal."))
    _no_cpr(text)
    number = (plan.goals.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    goal = Goal.objects.create(plan=plan, number=number, area=area, text=text)
    _audit(actor, case, goal_added=number)
    return goal


@transaction.atomic
def mark_goal_achieved(*, actor: User, goal: Goal, achieved: bool) -> Goal:
    goal.achieved_on = timezone.localdate() if achieved else None
    goal.save(update_fields=["achieved_on", "updated_at"])
    _audit(actor, goal.plan.case, goal=goal.number, achieved=achieved)
    return goal


@transaction.atomic
def add_contribution(
    *,
    actor: User,
    goal: Goal,
    what: str,
    person: NetworkPerson | None = None,
    responsible_name: str = "",
    due_on: datetime.date | None = None,
) -> Contribution:
    """A contribution to a goal: from a person on the map (network or professional), or a named professional."""
    from kreds.network.services import current_version

    case = goal.plan.case
    what = what.strip()
    if not what:
        raise KredsError(_("Write what the person will do."))
    _no_cpr(what, responsible_name)
    is_network = False
    if person is not None:
        if person.map.case_id != case.pk:
            raise KredsError(_("The person must be on the child's network map."))
        version = current_version(person)
        responsible_name = version.name
        is_network = not version.is_professional
    responsible_name = responsible_name.strip()
    if not responsible_name:
        raise KredsError(_("Choose a person from the map, or write who does it."))
    contribution = Contribution.objects.create(
        goal=goal,
        person=person,
        responsible_name=responsible_name[:200],
        is_network=is_network,
        what=what,
        due_on=due_on,
        created_by=actor,
    )
    _audit(actor, case, goal=goal.number, contribution_added=str(contribution.public_id))
    return contribution


@transaction.atomic
def set_contribution_status(*, actor: User, contribution: Contribution, status: str) -> Contribution:
    if status not in TaskStatus.values:
        raise KredsError(_("Choose a status."))
    contribution.status = status
    contribution.save(update_fields=["status", "updated_at"])
    _audit(actor, contribution.goal.plan.case, contribution=str(contribution.public_id), status=status)
    return contribution


@transaction.atomic
def add_review(*, actor: User, case: Case, reviewed_on: datetime.date, note: str) -> PlanReview:
    """A follow-up of the plan (the first within 3 months of the plan, Barnets Lov § 92)."""
    plan = _plan(case)
    _not_future(reviewed_on)
    if reviewed_on < plan.decided_on:
        raise KredsError(_("A follow-up comes after the plan was made."))
    _no_cpr(note)
    review = PlanReview.objects.create(plan=plan, reviewed_on=reviewed_on, note=note.strip(), created_by=actor)
    _audit(actor, case, reviewed=reviewed_on.isoformat())
    return review


# A network person's own page ------------------------------------------------------------------------------


def person_link(case: Case, person: NetworkPerson) -> ParticipantLink | None:
    for link in ParticipantLink.objects.filter(
        case=case, person=person, purpose=LinkPurpose.PERSON, revoked_at__isnull=True
    ):
        if link.is_active:
            return link
    return None


@transaction.atomic
def ensure_person_link(*, actor: User, case: Case, person: NetworkPerson) -> ParticipantLink:
    """The person's link to their own tasks on the case (one at a time; extended when used again)."""
    from kreds.network.services import current_version

    if person.map.case_id != case.pk:
        raise KredsError(_("The person must be on the child's network map."))
    until = timezone.now() + datetime.timedelta(days=PERSON_LINK_DAYS)
    link = person_link(case, person)
    if link is not None:
        links.extend(link, until)
        return link
    return links.issue(
        case=case,
        holder_name=current_version(person).name,
        expires_at=until,
        actor=actor,
        purpose=LinkPurpose.PERSON,
        person=person,
    )


def send_person_tasks(*, actor: User, case: Case, person: NetworkPerson) -> bool:
    """Send the person an e-mail with the link to their own tasks (through the outbox, consent asked before).

    False when the person has no e-mail address (the link is shown to print or hand over instead)."""
    from kreds.cases.safety import require_network_involvement_allowed
    from kreds.meetings.constants import OutboxKind
    from kreds.meetings.models import Outbox
    from kreds.meetings.tasks import send_outbox
    from kreds.network.services import current_version

    require_network_involvement_allowed(case, actor=actor, action_label=_("send a network person their tasks"))
    with transaction.atomic():
        link = ensure_person_link(actor=actor, case=case, person=person)
        if not current_version(person).email:
            return False
        key = f"tasks:{link.public_id}:{timezone.localdate().isoformat()}"
        try:
            with transaction.atomic():
                row = Outbox.objects.create(key=key, kind=OutboxKind.PERSON_TASKS, link=link)
        except IntegrityError as exc:
            raise KredsError(_("The list was already sent to this person today.")) from exc
        _audit(actor, case, tasks_sent_to=str(person.public_id))
        transaction.on_commit(lambda: send_outbox.enqueue(row.pk))
    return True
