"""Every "may X do Y to Z?" and "which rows may X see?" in one place. Deny by default.

Each public action is listed in :data:`ACTIONS` and must be described in ``docs/authorization.md``
(a test checks). Views ask :func:`can` or use the scoping functions; nothing else decides access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from kreds.accounts.constants import CASE_CONTENT_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kreds.accounts.models import User
    from kreds.cases.models import Case, Child
    from kreds.tenancy.models import Unit

    Actor = User | AnonymousUser

# Action name -> one-line summary (the full text is in docs/authorization.md).
ACTIONS: dict[str, str] = {
    "case.list": "see the list of cases one may see",
    "case.create": "open a new case for a child",
    "case.view": "see a case and its child",
    "case.edit": "change a case and its child's details",
    "case.close": "close or reopen a case",
    "case.archive": "export a closed case for delivery to the archive",
    "case.assign": "assign or remove caseworkers, refer to units",
    "case.reveal_cpr": "see a child's full CPR number",
    "case.record_safety": "flag a § 18 stk. 3 concern and record the risk assessment",
    "case.link_siblings": "link or unlink siblings",
    "case.view_access_log": "see who has looked at a case",
    "admin.manage_users": "create users, change roles, deactivate, end sessions, reset 2FA",
    "admin.manage_settings": "change the municipality's settings, such as the network map's sectors",
    "admin.security": "see the municipality's refused accesses and security alerts",
    "audit.role_changes": "see who was given or lost a role, and by whom (a leader for their units)",
    "network.view": "see the child's network map, its history and consents",
    "network.edit": "change the network map and record consents",
    "meeting.view": "see a network meeting, its participants, minutes and evaluations",
    "meeting.plan": "plan a network meeting, choose participants and send invitations",
    "meeting.run": "run the meeting as facilitator or minute taker: phases, speaking order, attendance, agreements",
    "meeting.minutes": "approve and send the minutes, and update agreements",
    "meeting.journalise": "export the minutes to the municipality's records system and mark them journalised",
    "conference.refer": "refer a case to a family group conference",
    "conference.service": "see the FGC service's queue and figures",
    "conference.allocate": "allocate a coordinator to a referred family group conference",
    "conference.view": "see a family group conference and its referral",
    "conference.edit_referral": "change the referral, withdraw the conference, record well-being at referral",
    "conference.prepare": "prepare the conference as its coordinator: pre-meeting, invitees, date and place",
    "conference.run": "run the conference and its follow-ups as coordinator",
    "conference.approve": "decide on the items of the family's plan and send the approved plan",
    "conference.costs": "record the costs of a family group conference",
    "conference.close": "close a family group conference course",
    "document.view": "download a document uploaded to a case",
    "safety.view": "see the Signs of Safety mapping, scaling and safety plan",
    "safety.edit": "save a new mapping version (not its worries), record scaling, change the safety plan",
    "safety.edit_worries": "write the worry basis and the worry statements (the authority)",
    "voice.view": "see the child's voice: Three Houses, the child's answers, Words & Pictures",
    "voice.edit": "record the child's voice, review the child's answers, issue the child's link",
    "plan.view": "see the child's plan, the agreement list and the legal deadlines",
    "plan.edit": "make and change the child's plan (the authority)",
    "plan.contribute": "update the status of tasks and send a network person their list",
    "plan.unit_deadlines": "see the legal deadlines of the unit's cases",
    "placement.view": "see the exploration of the network before a placement, the decision and the contact plan",
    "placement.edit": "explore the network, assess candidates, record the placement decision and the contact plan",
    "insights.view": "see a unit's leadership figures, their drill-down and the per-caseworker breakdown",
    "insights.export": "export a unit's leadership figures as CSV or XLSX",
}


def _staff(user: Actor) -> User | None:
    """The user as an active staff member of a municipality, or None (anonymous, inactive, no municipality)."""
    if not (user.is_authenticated and user.is_active):
        return None
    staff: User = user
    return staff if staff.municipality_id is not None else None


def _municipality_id(staff: User) -> int:
    assert staff.municipality_id is not None
    return staff.municipality_id


def _active_staff(user: Actor) -> bool:
    return _staff(user) is not None


def unit_ids_with_role(user: Actor, *roles: Role) -> set[int]:
    """Units where the user holds any of ``roles`` (cached per request object)."""
    staff = _staff(user)
    if staff is None:
        return set()
    # Every membership is read once per request object (one query, not one per combination of roles asked).
    memberships: list[tuple[str, int]] | None = staff.__dict__.get("_kreds_memberships")
    if memberships is None:
        memberships = list(
            staff.memberships.filter(unit__municipality_id=_municipality_id(staff)).values_list("role", "unit_id")
        )
        staff.__dict__["_kreds_memberships"] = memberships
    wanted = set(roles)
    return {unit_id for role, unit_id in memberships if role in wanted}


def has_role(user: Actor, *roles: Role) -> bool:
    return bool(unit_ids_with_role(user, *roles))


def is_administrator(user: Actor) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def visible_cases(user: Actor) -> QuerySet[Case]:
    """Cases the user may see. Administrators see none; other municipalities never."""
    from kreds.cases.models import Case

    staff = _staff(user)
    if staff is None:
        return Case.objects.none()
    mid = _municipality_id(staff)
    leader_units = unit_ids_with_role(user, Role.LEADER)
    practitioner_units = unit_ids_with_role(user, Role.PRACTITIONER)
    caseworker_units = unit_ids_with_role(user, Role.CASEWORKER)
    condition = Q(pk__in=[])
    if caseworker_units:
        condition |= Q(assignments__user=user)
    if leader_units:
        condition |= Q(responsible_unit_id__in=leader_units) | Q(referred_units__in=leader_units)
    if practitioner_units:
        condition |= Q(referred_units__in=practitioner_units)
    ids = Case.objects.filter(condition, municipality_id=mid).values("pk")
    return Case.objects.filter(pk__in=ids, municipality_id=mid)


def is_assigned(user: Actor, case: Case) -> bool:
    staff = _staff(user)
    if staff is None:
        return False
    cache: dict[int, bool] = staff.__dict__.setdefault("_kreds_assigned", {})
    if case.pk not in cache:
        cache[case.pk] = case.assignments.filter(user_id=staff.pk).exists()
    return cache[case.pk]


def leads_case_unit(user: Actor, case: Case) -> bool:
    return case.responsible_unit_id in unit_ids_with_role(user, Role.LEADER)


def can_see_case(user: Actor, case: Case) -> bool:
    """Cached per request object: a page asks this for the same case once per panel and link."""
    staff = _staff(user)
    if staff is None:
        return False
    cache: dict[int, bool] = staff.__dict__.setdefault("_kreds_visible", {})
    if case.pk not in cache:
        cache[case.pk] = visible_cases(user).filter(pk=case.pk).exists()
    return cache[case.pk]


def creatable_units(user: Actor) -> QuerySet[Unit]:
    """Units for which the user may open cases (as caseworker or leader there)."""
    from kreds.tenancy.models import Unit

    staff = _staff(user)
    if staff is None:
        return Unit.objects.none()
    ids = unit_ids_with_role(staff, Role.CASEWORKER, Role.LEADER)
    return Unit.objects.filter(pk__in=ids, municipality_id=_municipality_id(staff))


def can(user: Actor, action: str, obj: Any = None) -> bool:
    """The single entry point for permission questions."""
    if action not in ACTIONS:
        raise KeyError(f"Unknown policy action {action!r}")
    staff = _staff(user)
    if staff is None:
        return False
    if obj is not None and getattr(obj, "municipality_id", None) not in (None, staff.municipality_id):
        return False
    match action:
        case "case.list":
            return has_role(user, Role.CASEWORKER, Role.LEADER, Role.PRACTITIONER)
        case "case.create":
            return has_role(user, Role.CASEWORKER, Role.LEADER)
        case "case.view":
            return can_see_case(user, obj)
        case "case.edit" | "case.record_safety" | "case.link_siblings":
            return can_see_case(user, obj) and (is_assigned(user, obj) or leads_case_unit(user, obj))
        case "case.close" | "case.assign" | "case.archive":
            return can_see_case(user, obj) and (is_assigned(user, obj) or leads_case_unit(user, obj))
        case "case.reveal_cpr":
            return is_assigned(user, obj) and bool(obj.child.cpr_encrypted)
        case "network.view":
            return can_see_case(user, obj)
        case "network.edit":
            return can_see_case(user, obj) and (
                is_assigned(user, obj)
                or leads_case_unit(user, obj)
                or obj.referred_units.filter(pk__in=unit_ids_with_role(user, Role.PRACTITIONER, Role.LEADER)).exists()
            )
        case "meeting.view":
            return can_see_case(user, obj.case) or _leads_meeting(user, obj)
        case "meeting.plan":
            if getattr(obj, "is_fgc", False):  # the coordinator prepares and invites to a conference
                return _leads_meeting(user, obj)
            return _works_on_case(user, getattr(obj, "case", obj))
        case "meeting.run":
            return _leads_meeting(user, obj)
        case "meeting.minutes":
            return _leads_meeting(user, obj) or _works_on_case(user, obj.case)
        case "meeting.journalise":
            return can_see_case(user, obj.case) and (is_assigned(user, obj.case) or leads_case_unit(user, obj.case))
        case "case.view_access_log":
            return leads_case_unit(user, obj)
        case "conference.refer":
            return _works_on_case(user, obj) and obj.is_open
        case "conference.service":
            return has_role(user, Role.FACILITATOR, Role.LEADER)
        case "conference.allocate":
            return has_role(user, Role.FACILITATOR, Role.LEADER)
        case "conference.view":
            return bool(staff.pk == obj.coordinator_id) or can_see_case(user, obj.case)
        case "conference.edit_referral":
            return _edits_case(user, obj.case)
        case "conference.prepare" | "conference.run":
            return bool(staff.pk == obj.coordinator_id)
        case "conference.approve":
            return _edits_case(user, obj.case)
        case "document.view":
            return can_see_case(user, obj.case)
        case "safety.view" | "voice.view" | "plan.view":
            return can_see_case(user, obj)
        case "safety.edit" | "voice.edit" | "plan.contribute":
            return _works_on_case(user, obj)
        case "safety.edit_worries" | "plan.edit":
            return _edits_case(user, obj)
        case "placement.view":
            return can_see_case(user, obj)
        case "placement.edit":
            return _edits_case(user, obj) and obj.is_open
        case "insights.view" | "insights.export":
            return obj is not None and obj.pk in unit_ids_with_role(user, Role.LEADER)
        case "plan.unit_deadlines":
            return has_role(user, Role.LEADER, Role.CASEWORKER)
        case "conference.costs" | "conference.close":
            return bool(staff.pk == obj.coordinator_id) or _edits_case(user, obj.case)
        case "admin.manage_users" | "admin.manage_settings" | "admin.security":
            return is_administrator(user)
        case "audit.role_changes":
            return is_administrator(user) or has_role(user, Role.LEADER)
    return False


def _edits_case(user: Actor, case: Case) -> bool:
    """Assigned to the case, or leading its responsible unit (the authority's decisions)."""
    return can_see_case(user, case) and (is_assigned(user, case) or leads_case_unit(user, case))


def _works_on_case(user: Actor, case: Case) -> bool:
    """Assigned, leading the responsible unit, or in a unit the case is referred to (part 2)."""
    return can_see_case(user, case) and (
        is_assigned(user, case)
        or leads_case_unit(user, case)
        or case.referred_units.filter(pk__in=unit_ids_with_role(user, Role.PRACTITIONER, Role.LEADER)).exists()
    )


def _leads_meeting(user: Actor, meeting: Any) -> bool:
    staff = _staff(user)
    return staff is not None and staff.pk in (meeting.facilitator_id, meeting.minute_taker_id)


def neutrality_problem(user: User, case: Case) -> str:
    """Why ``user`` cannot be the neutral facilitator or coordinator for ``case`` ('' when they can).

    Neutral means (DOMAIN §1, seeds/001): holds the facilitator/coordinator role in the case's municipality, is
    not assigned to the case, and does not lead the unit responsible for it. A colleague of the caseworker may
    facilitate ("Mødelederen kan fx være en kollega til familierådgiveren").
    """
    from django.utils.translation import gettext as _

    if user.municipality_id != case.municipality_id or not user.is_active:
        return _("The facilitator must be an active employee of the municipality.")
    if not has_role(user, Role.FACILITATOR):
        return _("%(name)s does not have the facilitator / coordinator role.") % {"name": user.get_full_name()}
    if is_assigned(user, case):
        return _(
            "%(name)s is assigned to the case and cannot be the neutral facilitator. "
            "The caseworker takes part on equal footing; choose a facilitator who is not involved in the case."
        ) % {"name": user.get_full_name()}
    if leads_case_unit(user, case):
        return _("%(name)s leads the unit responsible for the case and cannot be the neutral facilitator.") % {
            "name": user.get_full_name()
        }
    return ""


# Roles that work on a case through its units (the responsible unit, and the units it is referred to).
CASE_UNIT_ROLES = (Role.CASEWORKER, Role.PRACTITIONER, Role.LEADER)


def case_staff(case: Case) -> QuerySet[User]:
    """Staff who may take a working role at the case's meetings, such as minute taker: the caseworkers,
    practitioners and leaders of the units responsible for the case or referred to it, and the municipality's
    facilitators (a neutral colleague may take the minutes). Never an administrator as such: administrators do
    not see case content (DOMAIN §1)."""
    from kreds.accounts.models import User

    units = [case.responsible_unit_id, *case.referred_units.values_list("pk", flat=True)]
    facilitators = Q(memberships__role=Role.FACILITATOR, memberships__unit__municipality_id=case.municipality_id)
    in_units = Q(memberships__role__in=CASE_UNIT_ROLES, memberships__unit_id__in=units)
    return (
        User.objects.filter(municipality_id=case.municipality_id, is_active=True)
        .filter(facilitators | in_units)
        .distinct()
        .order_by("first_name", "last_name")
    )


def minute_taker_problem(user: User, case: Case) -> str:
    """Why ``user`` cannot take the minutes of a meeting on ``case`` ('' when they can)."""
    from django.utils.translation import gettext as _

    if user.municipality_id != case.municipality_id or not user.is_active:
        return _("The minute taker must be an active employee of the municipality.")
    if case_staff(case).filter(pk=user.pk).exists():
        return ""
    if has_role(user, Role.ADMINISTRATOR) and not has_role(user, *CASE_CONTENT_ROLES):
        return _(
            "%(name)s is an administrator and does not work on cases, so cannot take the minutes. Choose someone "
            "who may work on the case."
        ) % {"name": user.get_full_name()}
    return _(
        "%(name)s does not work in a unit responsible for the case or referred to it, and is not a facilitator, so "
        "cannot take the minutes."
    ) % {"name": user.get_full_name()}


def independence_problem(user: User, case: Case, *, exclude_meetings: tuple[int, ...] = ()) -> str:
    """Why ``user`` cannot be the independent coordinator of a family group conference ('' when they can).

    Stricter than the facilitator's neutrality (DOMAIN §1, §6; seeds/004): the coordinator is not employed in
    the child's case (has no access to it through their work), is not a member of the team responsible for it,
    and does not know the case beforehand (has not opened it or led a meeting on it).
    """
    from django.utils.translation import gettext as _

    from kreds.audit.constants import Action
    from kreds.audit.models import AuditEvent

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
    from kreds.meetings.models import Meeting

    if Meeting.objects.filter(case=case, facilitator=user).exclude(pk__in=exclude_meetings).exists():
        return _(
            "%(name)s has led a meeting on the case before and so knows it. Choose a coordinator who does not "
            "know the case."
        ) % {"name": name}
    return ""


def child_visible(user: Actor, child: Child) -> bool:
    return visible_cases(user).filter(child=child).exists()
