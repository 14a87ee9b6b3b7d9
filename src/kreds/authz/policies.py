"""Every "may X do Y to Z?" and "which rows may X see?" goes through this registry. Deny by default.

Each domain app describes its own rules in its ``policies`` module and registers them here as a :class:`Policy`;
``AuthzConfig.ready`` imports every installed app's ``policies`` module, so ``authz`` itself imports no domain app.
An action has a one-line summary (the full text is in ``docs/authorization.md``; a test checks every registered
action is described there). Views reach objects through :mod:`kreds.authz.access`, which asks :func:`can` and
:func:`scope`; nothing else decides access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from kreds.accounts.constants import Role
from kreds.authz.roles import has_role, is_administrator, staff, unit_ids_with_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kreds.accounts.models import User

    Actor = User | AnonymousUser

__all__ = [
    "ACTIONS",
    "Concerned",
    "Permission",
    "Policy",
    "can",
    "concerned",
    "fetched",
    "flags",
    "has_role",
    "is_administrator",
    "register",
    "scope",
    "scope_for_fetch",
    "unit_ids_with_role",
]

Rule = Callable[["User", Any], bool]


@dataclass(frozen=True)
class Permission:
    """One action: what it allows, in a line, and the rule that decides it for an active staff member."""

    summary: str
    rule: Rule


@dataclass(frozen=True)
class Concerned:
    """Whose personal data an object is, for the audit log: the municipality and the person's public id."""

    municipality: Any
    person: str


@dataclass(frozen=True)
class Policy:
    """A domain's answers for its objects.

    ``actions``: the actions it decides. ``model``: the object type whose rows ``scope(user)`` narrows to what the
    user may see at all (default: the user's municipality) and whose reads ``concerned(obj)`` attributes to a
    person (default: the child of ``obj.case``).
    """

    app: str
    actions: Mapping[str, Permission] = field(default_factory=dict)
    model: type[Model] | None = None
    scope: Callable[[User], QuerySet[Any]] | None = None
    concerned: Callable[[Any], Concerned] | None = None
    # ``access.fetch`` reads one object through ``scope``: ``for_fetch`` may annotate that query with facts the
    # rules will ask, and ``fetched`` remember them (and that the object is in scope) for the rest of the request,
    # so the rules need no query of their own.
    for_fetch: Callable[[User, QuerySet[Any]], QuerySet[Any]] | None = None
    fetched: Callable[[User, Any], None] | None = None


_policies: dict[str, Policy] = {}
_permissions: dict[str, Permission] = {}
_by_model: dict[type[Model], Policy] = {}


def register(policy: Policy) -> Policy:
    """Add a domain's policy (from its ``policies`` module). An action or model registered twice is a mistake."""
    if policy.app in _policies:
        if _policies[policy.app] is policy:
            return policy
        raise ImproperlyConfigured(f"A policy for {policy.app!r} is registered already")
    clash = set(policy.actions) & set(_permissions)
    if clash:
        raise ImproperlyConfigured(f"Policy actions registered twice: {sorted(clash)}")
    if policy.model is not None and policy.model in _by_model:
        raise ImproperlyConfigured(f"Two policies for {policy.model.__name__}")
    _policies[policy.app] = policy
    _permissions.update(policy.actions)
    if policy.model is not None:
        _by_model[policy.model] = policy
    return policy


class _Actions(Mapping[str, str]):
    """Action name -> one-line summary, over everything registered (read after the apps are ready)."""

    def __getitem__(self, action: str) -> str:
        return _permissions[action].summary

    def __iter__(self) -> Iterator[str]:
        return iter(_permissions)

    def __len__(self) -> int:
        return len(_permissions)


ACTIONS: Mapping[str, str] = _Actions()


def can(user: Actor, action: str, obj: Any = None) -> bool:
    """The single entry point for permission questions."""
    permission = _permissions.get(action)
    if permission is None:
        raise KeyError(f"Unknown policy action {action!r}")
    member = staff(user)
    if member is None:
        return False
    if obj is not None and getattr(obj, "municipality_id", None) not in (None, member.municipality_id):
        return False
    return bool(permission.rule(member, obj))


def flags(user: Actor, obj: Any, *actions: str) -> dict[str, bool]:
    """What a template needs to show or hide: ``{"case_edit": True, ...}`` for ``("case.edit", ...)``."""
    return {action.replace(".", "_"): can(user, action, obj) for action in actions}


def _policy_for(model: type[Model]) -> Policy | None:
    for klass in model.__mro__:
        if klass in _by_model:
            return _by_model[klass]
    return None


def scope[M: Model](user: Actor, model: type[M]) -> QuerySet[M]:
    """The rows of ``model`` the user may see at all (never another municipality's); each object is then still
    checked with :func:`can` for the action at hand."""
    member = staff(user)
    manager = model._default_manager
    if member is None:
        return manager.none()
    policy = _policy_for(model)
    if policy is not None and policy.scope is not None:
        return policy.scope(member)
    return manager.filter(municipality_id=member.municipality_id)


def scope_for_fetch[M: Model](user: Actor, model: type[M], rows: QuerySet[M]) -> QuerySet[M]:
    """``rows`` (within :func:`scope`) annotated by the model's policy for :func:`fetched`."""
    member = staff(user)
    policy = _policy_for(model)
    if member is None or policy is None or policy.for_fetch is None:
        return rows
    return policy.for_fetch(member, rows)


def fetched(user: Actor, obj: Model) -> None:
    """Tell the object's policy that ``obj`` was read within :func:`scope` for this request's user."""
    member = staff(user)
    policy = _policy_for(type(obj))
    if member is not None and policy is not None and policy.fetched is not None:
        policy.fetched(member, obj)


def concerned(obj: Any) -> Concerned | None:
    """Whose data ``obj`` is (for the audit log), as its domain's policy says; by default the child of its case."""
    policy = _policy_for(type(obj))
    if policy is not None and policy.concerned is not None:
        return policy.concerned(obj)
    case = getattr(obj, "case", None)
    child = getattr(case, "child", None)
    if case is None or child is None:
        return None
    return Concerned(case.municipality, str(child.public_id))


# Actions that concern no domain object: administration and the role-change log.
register(
    Policy(
        app="authz",
        actions={
            "admin.manage_users": Permission(
                "create users, change roles, deactivate, end sessions, reset 2FA", lambda u, o: is_administrator(u)
            ),
            "admin.manage_settings": Permission(
                "change the municipality's settings, such as the network map's sectors",
                lambda u, o: is_administrator(u),
            ),
            "admin.manage_sign_on": Permission(
                "set up the municipality's login (SAML, OpenID Connect) and the rules giving roles for privileges",
                lambda u, o: is_administrator(u),
            ),
            "admin.security": Permission(
                "see the municipality's refused accesses and security alerts", lambda u, o: is_administrator(u)
            ),
            "audit.role_changes": Permission(
                "see who was given or lost a role, and by whom (a leader for their units)",
                lambda u, o: is_administrator(u) or has_role(u, Role.LEADER),
            ),
        },
    )
)
