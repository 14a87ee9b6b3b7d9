"""Every write to the child's plan, with its rule and audit event (DOMAIN §9), and sending a network person
their own list of tasks."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.cases.models import Case
from kreds.cases.safety import require_network_involvement_allowed
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.core.logging import CPR_LIKE
from kreds.network.models import NetworkPerson
from kreds.network.services import current_version
from kreds.outbox.services import queue
from kreds.participants import services as links
from kreds.participants.models import LinkPurpose, ParticipantLink
from kreds.plans.constants import PERSON_LINK_DAYS, GoalArea, TaskStatus
from kreds.plans.models import ChildPlan, Contribution, ContributionVersion, Goal, GoalVersion, PlanReview
from kreds.plans.sending import PERSON_TASKS


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
def edit_goal(*, actor: User, goal: Goal, area: str, text: str, expected_version: int | None) -> Goal:
    """Change a goal's area and wording. The earlier wording is kept (``GoalVersion``); a form opened before a
    colleague's change is refused (``StaleEdit``)."""
    locked = Goal.objects.select_for_update().select_related("plan__case").get(pk=goal.pk)
    if expected_version is None or locked.version != expected_version:
        raise StaleEdit(_("Someone else changed the goal while you were writing. Your text is kept below."))
    if area not in GoalArea.values:
        raise KredsError(_("Choose the area of the goal."))
    text = text.strip()
    if not text:
        raise KredsError(_("Write the goal."))
    _no_cpr(text)
    if (locked.area, locked.text) == (area, text):
        return locked  # nothing changed: no new version
    GoalVersion.objects.create(
        goal=locked,
        version=locked.version,
        area=locked.area,
        text=locked.text,
        replaced_at=timezone.now(),
        replaced_by=actor,
    )
    locked.area, locked.text = area, text
    locked.version += 1
    locked.save(update_fields=["area", "text", "version", "updated_at"])
    _audit(actor, locked.plan.case, goal=locked.number, goal_changed=locked.version)
    return locked


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
    case = goal.plan.case
    what = what.strip()
    if not what:
        raise KredsError(_("Write what the person will do."))
    _no_cpr(what, responsible_name)
    responsible_name, is_network = _responsible(case, person, responsible_name)
    contribution = Contribution.objects.create(
        goal=goal,
        person=person,
        responsible_name=responsible_name,
        is_network=is_network,
        what=what,
        due_on=due_on,
        created_by=actor,
    )
    _audit(actor, case, goal=goal.number, contribution_added=str(contribution.public_id))
    return contribution


def _responsible(case: Case, person: NetworkPerson | None, responsible_name: str) -> tuple[str, bool]:
    """Who holds a contribution: a person on the map (network or professional), or a name written by hand."""

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
    return responsible_name[:200], is_network


@transaction.atomic
def edit_contribution(
    *,
    actor: User,
    contribution: Contribution,
    what: str,
    person: NetworkPerson | None = None,
    responsible_name: str = "",
    due_on: datetime.date | None = None,
    expected_version: int | None,
) -> Contribution:
    """Change who does what by when for a goal. The earlier version is kept (``ContributionVersion``); a form
    opened before a colleague's change is refused (``StaleEdit``). The status is set on its own
    (``set_contribution_status``)."""
    locked = Contribution.objects.select_for_update().select_related("goal__plan__case").get(pk=contribution.pk)
    case = locked.goal.plan.case
    if expected_version is None or locked.version != expected_version:
        raise StaleEdit(_("Someone else changed the contribution while you were writing. Your text is kept below."))
    what = what.strip()
    if not what:
        raise KredsError(_("Write what the person will do."))
    _no_cpr(what, responsible_name)
    name, is_network = _responsible(case, person, responsible_name)
    new = (person.pk if person else None, name, is_network, what, due_on)
    if (locked.person_id, locked.responsible_name, locked.is_network, locked.what, locked.due_on) == new:
        return locked  # nothing changed: no new version
    ContributionVersion.objects.create(
        contribution=locked,
        version=locked.version,
        person_id=locked.person_id,
        responsible_name=locked.responsible_name,
        is_network=locked.is_network,
        what=locked.what,
        due_on=locked.due_on,
        replaced_at=timezone.now(),
        replaced_by=actor,
    )
    locked.person, locked.responsible_name, locked.is_network, locked.what, locked.due_on = (
        person,
        name,
        is_network,
        what,
        due_on,
    )
    locked.version += 1
    locked.save(update_fields=["person", "responsible_name", "is_network", "what", "due_on", "version", "updated_at"])
    _audit(
        actor,
        case,
        goal=locked.goal.number,
        contribution_changed=str(locked.public_id),
        version=locked.version,
    )
    return locked


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

    require_network_involvement_allowed(case, actor=actor, action_label=_("send a network person their tasks"))
    with transaction.atomic():
        link = ensure_person_link(actor=actor, case=case, person=person)
        if not current_version(person).email:
            return False
        key = f"tasks:{link.public_id}:{timezone.localdate().isoformat()}"
        if queue(PERSON_TASKS, key, link=link) is None:
            raise KredsError(_("The list was already sent to this person today."))
        _audit(actor, case, tasks_sent_to=str(person.public_id))
    return True
