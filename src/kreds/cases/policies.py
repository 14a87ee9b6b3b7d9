"""Who may see and work on a case: the case predicates every case-bound domain builds its rules from, and the
rules for the case itself (registered with :mod:`kreds.authz.policies`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kreds.accounts.constants import Role
from kreds.authz.policies import Concerned, Permission, Policy, register
from kreds.authz.roles import has_role, staff, unit_ids_with_role
from kreds.cases.models import BreakGlass, Case, CaseAssignment, CaseRestriction, Child
from kreds.tenancy.models import Unit

if TYPE_CHECKING:
    from kreds.accounts.models import User
    from kreds.authz.roles import Actor


def visible_cases(user: Actor) -> QuerySet[Case]:
    """Cases the user may see in a list. Administrators see none; other municipalities never.

    A restricted case the user is not named on is listed too (its name is kept out of the page by the reader's
    guard: "Begrænset sag") but cannot be opened: :func:`openable_cases` is the scope every case-bound object
    is fetched through."""
    member = staff(user)
    if member is None:
        return Case.objects.none()
    mid = member.municipality_id or 0
    leader_units = unit_ids_with_role(member, Role.LEADER)
    practitioner_units = unit_ids_with_role(member, Role.PRACTITIONER)
    caseworker_units = unit_ids_with_role(member, Role.CASEWORKER)
    condition = Q(pk__in=[])
    if caseworker_units:
        condition |= Q(assignments__user=member)
    if leader_units:
        condition |= Q(responsible_unit_id__in=leader_units) | Q(referred_units__in=leader_units)
    if practitioner_units:
        condition |= Q(referred_units__in=practitioner_units)
    ids = Case.objects.filter(condition, municipality_id=mid).values("pk")
    return Case.objects.filter(pk__in=ids, municipality_id=mid)


def hidden_restricted(user: Actor) -> QuerySet[CaseRestriction]:
    """The restrictions in force that keep ``user`` out: not named, and no break-the-glass opening still open."""
    member = staff(user)
    named = CaseRestriction.staff.through.objects.filter(
        caserestriction_id=OuterRef("pk"), user_id=member.pk if member else 0
    )
    glass = BreakGlass.objects.filter(
        case_id=OuterRef("case_id"), user_id=member.pk if member else 0, until__gt=timezone.now()
    )
    return CaseRestriction.objects.filter(lifted_at__isnull=True).filter(~Exists(named), ~Exists(glass))


def shut_out(user: Actor, case_id: int) -> bool:
    """A restricted case ``user`` is not named on (nor has opened by breaking the glass): the roles that reach a
    case's meetings or conferences without seeing the case (a facilitator, a coordinator) stop at it too. No query
    when nothing is restricted in the municipality; asked once per case and request otherwise."""
    member = staff(user)
    if member is None or member.municipality is None or not member.municipality.restrictions_in_force:
        return False
    cache: dict[int, bool] = member.__dict__.setdefault("_kreds_shut_out", {})
    if case_id not in cache:
        cache[case_id] = hidden_restricted(member).filter(case_id=case_id).exists()
    return cache[case_id]


def openable_cases(user: Actor) -> QuerySet[Case]:
    """Cases the user may open: the visible ones, less restricted cases they are not named on (issue 18)."""
    return visible_cases(user).exclude(pk__in=hidden_restricted(user).values("case_id"))


def _assigned(member: User) -> Exists:
    return Exists(CaseAssignment.objects.filter(case_id=OuterRef("pk"), user_id=member.pk))


def _learn(member: User, case_id: int, *, visible: bool, assigned: bool) -> None:
    member.__dict__.setdefault("_kreds_visible", {})[case_id] = visible
    member.__dict__.setdefault("_kreds_assigned", {})[case_id] = assigned


def _case_facts(member: User, case: Case) -> None:
    """Whether the user may see ``case`` and is assigned to it, in one query, remembered on the request's user:
    a page asks both for the same case once per panel and link."""
    visible_ids = openable_cases(member).filter(pk=OuterRef("pk"))
    row = (
        Case.objects.filter(pk=case.pk)
        .annotate(kreds_visible=Exists(visible_ids), kreds_assigned=_assigned(member))
        .values_list("kreds_visible", "kreds_assigned")
        .first()
    )
    visible, assigned = row or (False, False)
    _learn(member, case.pk, visible=bool(visible), assigned=bool(assigned))


def for_fetch(member: User, rows: QuerySet[Case]) -> QuerySet[Case]:
    """``access.fetch`` reads a case through :func:`visible_cases`; it also asks whether the user is assigned."""
    return rows.annotate(kreds_assigned=_assigned(member))


def fetched(member: User, case: Case) -> None:
    """A case ``access.fetch`` found within :func:`visible_cases` is visible; the annotation says if assigned
    (without it, nothing is assumed: :func:`is_assigned` asks)."""
    member.__dict__.setdefault("_kreds_visible", {})[case.pk] = True
    if hasattr(case, "kreds_assigned"):
        member.__dict__.setdefault("_kreds_assigned", {})[case.pk] = bool(case.kreds_assigned)


def is_assigned(user: Actor, case: Case) -> bool:
    member = staff(user)
    if member is None:
        return False
    cache: dict[int, bool] = member.__dict__.setdefault("_kreds_assigned", {})
    if case.pk not in cache:
        _case_facts(member, case)
    return cache[case.pk]


def leads_case_unit(user: Actor, case: Case) -> bool:
    return case.responsible_unit_id in unit_ids_with_role(user, Role.LEADER)


def can_see_case(user: Actor, case: Case) -> bool:
    """Cached per request object: a page asks this for the same case once per panel and link."""
    member = staff(user)
    if member is None:
        return False
    cache: dict[int, bool] = member.__dict__.setdefault("_kreds_visible", {})
    if case.pk not in cache:
        _case_facts(member, case)
    return cache[case.pk]


def edits_case(user: Actor, case: Case) -> bool:
    """Assigned to the case, or leading its responsible unit (the authority's decisions)."""
    return can_see_case(user, case) and (is_assigned(user, case) or leads_case_unit(user, case))


def works_on_case(user: Actor, case: Case) -> bool:
    """Assigned, leading the responsible unit, or in a unit the case is referred to (part 2)."""
    return can_see_case(user, case) and (
        is_assigned(user, case)
        or leads_case_unit(user, case)
        or case.referred_units.filter(pk__in=unit_ids_with_role(user, Role.PRACTITIONER, Role.LEADER)).exists()
    )


def creatable_units(user: Actor) -> QuerySet[Unit]:
    """Units for which the user may open cases (as caseworker or leader there)."""
    member = staff(user)
    if member is None:
        return Unit.objects.none()
    ids = unit_ids_with_role(member, Role.CASEWORKER, Role.LEADER)
    return Unit.objects.filter(pk__in=ids, municipality_id=member.municipality_id or 0)


def child_visible(user: Actor, child: Child) -> bool:
    return openable_cases(user).filter(child=child).exists()


def _reveal_cpr(user: User, case: Any) -> bool:
    return is_assigned(user, case) and bool(case.child.cpr_encrypted)


def _case_concerned(case: Case) -> Concerned:
    return Concerned(case.municipality, str(case.child.public_id))


register(
    Policy(
        app="cases",
        model=Case,
        scope=openable_cases,
        for_fetch=for_fetch,
        fetched=fetched,
        concerned=_case_concerned,
        actions={
            "case.list": Permission(
                "see the list of cases one may see",
                lambda u, o: has_role(u, Role.CASEWORKER, Role.LEADER, Role.PRACTITIONER),
            ),
            "case.create": Permission(
                "open a new case for a child", lambda u, o: has_role(u, Role.CASEWORKER, Role.LEADER)
            ),
            "case.view": Permission("see a case and its child", can_see_case),
            "case.edit": Permission("change a case and its child's details", edits_case),
            "case.close": Permission("close or reopen a case", edits_case),
            "case.archive": Permission("export a closed case for delivery to the archive", edits_case),
            "case.assign": Permission("assign or remove caseworkers, refer to units", edits_case),
            "case.reveal_cpr": Permission("see a child's full CPR number", _reveal_cpr),
            "case.record_safety": Permission("flag a § 18 stk. 3 concern and record the risk assessment", edits_case),
            "case.link_siblings": Permission("link or unlink siblings", edits_case),
            "case.view_access_log": Permission("see who has looked at a case", leads_case_unit),
            "case.restrict": Permission("restrict a case to named staff, change them or lift it", edits_case),
        },
    )
)
