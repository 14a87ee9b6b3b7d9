"""Who may take a working role at a case's meetings: the neutral facilitator and the minute taker (DOMAIN §1).

Domain rules with reasons the user reads; the services and forms of meetings and conferences ask them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kreds.accounts.constants import CASE_CONTENT_ROLES, Role
from kreds.accounts.models import User
from kreds.authz.roles import has_role
from kreds.cases.models import Case
from kreds.cases.policies import is_assigned, leads_case_unit


def neutrality_problem(user: User, case: Case) -> str:
    """Why ``user`` cannot be the neutral facilitator or coordinator for ``case`` ('' when they can).

    Neutral means (DOMAIN §1, seeds/001): holds the facilitator/coordinator role in the case's municipality, is
    not assigned to the case, and does not lead the unit responsible for it. A colleague of the caseworker may
    facilitate ("Mødelederen kan fx være en kollega til familierådgiveren").
    """
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
