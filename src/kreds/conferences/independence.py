"""The independent coordinator of a family group conference (DOMAIN §1, §6; seeds/004): a domain rule with
reasons the user reads, asked by the conference services when a coordinator is allocated."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.authz.roles import has_role
from kreds.cases.models import Case
from kreds.cases.policies import can_see_case, is_assigned
from kreds.meetings.models import Meeting


def independence_problem(user: User, case: Case, *, exclude_meetings: tuple[int, ...] = ()) -> str:
    """Why ``user`` cannot be the independent coordinator of a family group conference ('' when they can).

    Stricter than the facilitator's neutrality (DOMAIN §1, §6; seeds/004): the coordinator is not employed in
    the child's case (has no access to it through their work), is not a member of the team responsible for it,
    and does not know the case beforehand (has not opened it or led a meeting on it).
    """
    name = user.get_full_name()
    if user.municipality_id != case.municipality_id or not user.is_active:
        return _("The coordinator must be an active employee of the municipality.")
    if not has_role(user, Role.FACILITATOR):
        return _("%(name)s does not have the facilitator / coordinator role.") % {"name": name}
    if is_assigned(user, case):
        return _("%(name)s is assigned to the case and cannot be the independent coordinator.") % {"name": name}
    if user.memberships.filter(unit_id=case.responsible_unit_id).exists() or can_see_case(user, case):
        return _(
            "%(name)s works in the team responsible for the case or works on it, and cannot be the independent "
            "coordinator."
        ) % {"name": name}
    known = AuditEvent.objects.filter(
        actor=user,
        person_concerned=str(case.child.public_id),
        action__in=[Action.CASE_VIEW, Action.NETWORK_VIEW],
    ).exists()
    if known:
        return _(
            "%(name)s has opened the case before and so knows it. The coordinator must meet the family without "
            "knowing the case beforehand."
        ) % {"name": name}
    if Meeting.objects.filter(case=case, facilitator=user).exclude(pk__in=exclude_meetings).exists():
        return _(
            "%(name)s has led a meeting on the case before and so knows it. Choose a coordinator who does not "
            "know the case."
        ) % {"name": name}
    return ""
