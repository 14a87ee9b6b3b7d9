"""Every write of the municipal sign-on: its settings, its role rules, and signing a person on.

Signing on (:func:`sign_on`) is the one place where an identity provider's word becomes a Kreds user and roles:
the same for SAML and OpenID Connect. It refuses (:class:`Refused`, audited by :func:`refuse`) before anything is
created or changed, and when it lets the person in, their memberships become exactly what the municipality's role
rules give their privileges today: a privilege removed at the identity provider removes the role at this login.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.constants import CASE_CONTENT_ROLES, Role
from kreds.accounts.models import Membership, User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.core.exceptions import KredsError
from kreds.sso import keys
from kreds.sso.constants import LEVELS, MINIMUM_LEVEL, Protocol, Refusal
from kreds.sso.models import Identity, PendingRequest, RoleRule, SeenAssertion, SignOn
from kreds.sso.privileges import Grant
from kreds.tenancy.models import Municipality, Unit

# How long a login started at the identity provider may take before its answer is no longer accepted.
PENDING_LIFETIME = timedelta(minutes=15)


class Refused(Exception):
    """A sign-on Kreds will not accept: the reason (audited, and the key of the Danish page) and a technical detail
    for the audit log (never shown to the person, never containing what they sent)."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Claims:
    """What the identity provider said about the person, in the same shape for SAML and OpenID Connect."""

    protocol: Protocol
    issuer: str
    subject: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    level: str | None = None
    grants: list[Grant] = field(default_factory=list)


def refuse(*, municipality: Municipality | None, protocol: str, reason: Refusal, detail: str = "") -> None:
    """Audit a refused sign-on (its own transaction: the refusal is recorded even though nothing else is)."""
    record(
        Action.SSO_REFUSED,
        actor=None,
        municipality=municipality,
        object_type="sign_on",
        object_id=protocol,
        purpose=Purpose.SECURITY,
        details={"reason": str(reason), "detail": detail[:300]},
        actor_label=_("The municipality's login"),
    )


def check_allowed(sign_on: SignOn) -> None:
    """The demo's test identity provider is refused outside the demo and the tests."""
    if sign_on.is_test_provider and not (settings.DEMO_MODE or settings.TESTING):
        raise Refused(Refusal.NOT_CONFIGURED, "a test identity provider is not trusted in production")


def roles_for(municipality: Municipality, grants: Iterable[Grant]) -> set[tuple[str, int]]:
    """The (role, unit id) pairs the municipality's rules give these grants."""
    grants = list(grants)
    rules = RoleRule.objects.filter(municipality=municipality, privilege__in={g.privilege for g in grants})
    return {
        (rule.role, rule.unit_id)
        for rule in rules
        if any(
            g.privilege == rule.privilege and g.satisfies(rule.constraint_name, rule.constraint_value) for g in grants
        )
    }


def grants_of(identity: Identity) -> list[Grant]:
    """The privileges the identity provider sent for ``identity`` at its last login."""
    return [
        Grant(item[0], {str(k): frozenset(map(str, v)) for k, v in item[1].items()})
        for item in identity.privileges or []
        if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)
    ]


def _role_details(unit: Unit, role: str, protocol: str) -> dict[str, Any]:
    return {
        "unit": unit.name,
        "unit_id": str(unit.public_id),
        "role": str(role),
        "sees_case_content": role in CASE_CONTENT_ROLES,
        "via": protocol,
    }


def _audit_user(action: Action, user: User, details: dict[str, Any]) -> None:
    record(
        action,
        actor=None,
        municipality=user.municipality,
        object_type="user",
        object_id=str(user.public_id),
        purpose=Purpose.ADMINISTRATION,
        details=details,
        actor_label=_("The municipality's login"),
    )


def _check_level(claims: Claims) -> None:
    if claims.level is None:
        raise Refused(Refusal.MISSING_ATTRIBUTE, "no level of assurance")
    if claims.level not in LEVELS:
        raise Refused(Refusal.LOW_ASSURANCE, f"unknown level {claims.level[:40]!r}")
    if LEVELS.index(claims.level) < LEVELS.index(MINIMUM_LEVEL):
        raise Refused(Refusal.LOW_ASSURANCE, f"level {claims.level}")


def remember_assertion(*, issuer: str, assertion_id: str, expires_at: Any) -> None:
    """Refuse an assertion id seen before (a replay); remember this one until it would have expired anyway."""
    if not assertion_id:
        raise Refused(Refusal.MALFORMED, "assertion without an id")
    SeenAssertion.objects.filter(expires_at__lt=timezone.now() - timedelta(days=1)).delete()
    try:
        with transaction.atomic():
            SeenAssertion.objects.create(issuer=issuer, assertion_id=assertion_id, expires_at=expires_at)
    except IntegrityError as exc:
        raise Refused(Refusal.REPLAY, f"assertion {assertion_id[:80]} used before") from exc


@transaction.atomic
def sign_on(*, municipality: Municipality, claims: Claims) -> User:
    """The user these claims sign on, created on first login, with their names and roles brought up to date."""
    if not claims.subject:
        raise Refused(Refusal.MISSING_ATTRIBUTE, "no persistent identifier")
    _check_level(claims)
    wanted = roles_for(municipality, claims.grants)
    if not wanted:
        raise Refused(Refusal.NO_ROLE, f"privileges: {', '.join(sorted({g.privilege for g in claims.grants}))[:250]}")
    identity = (
        Identity.objects.select_for_update()
        .select_related("user")
        .filter(municipality=municipality, issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    if identity is not None:
        user = identity.user
        if not user.is_active:
            raise Refused(Refusal.DEACTIVATED, f"user {user.public_id}")
        values = {
            "first_name": claims.first_name[:150],
            "last_name": claims.last_name[:150],
            "email": claims.email[:254],
        }
        changed = [name for name, value in values.items() if value and getattr(user, name) != value]
        for name in changed:
            setattr(user, name, values[name])
        if changed:
            user.save(update_fields=changed)
            _audit_user(Action.USER_UPDATE, user, {"fields": changed, "via": str(claims.protocol)})
    else:
        user = User(
            username=f"sso-{municipality.code}-{uuid.uuid4().hex[:12]}",
            first_name=claims.first_name[:150],
            last_name=claims.last_name[:150],
            email=claims.email[:254],
            municipality=municipality,
            is_local_account=False,
        )
        user.set_unusable_password()  # a sign-on user never has or uses a password in Kreds
        user.save()
        identity = Identity.objects.create(
            user=user, municipality=municipality, protocol=claims.protocol, issuer=claims.issuer, subject=claims.subject
        )
        _audit_user(Action.USER_CREATE, user, {"via": str(claims.protocol)})
    _follow_privileges(user, wanted, str(claims.protocol))
    identity.last_login_at = timezone.now()
    identity.privileges = [[g.privilege, {k: sorted(v) for k, v in g.constraints.items()}] for g in claims.grants]
    identity.save(update_fields=["last_login_at", "privileges", "updated_at"])
    return user


@transaction.atomic
def withdraw_roles(*, municipality: Municipality, claims: Claims) -> None:
    """The identity provider vouched for a known person who no longer has any privilege giving a role: their login
    is refused (:func:`sign_on`), and here their roles are taken away and every session of theirs ends, so a
    privilege removed at the identity provider never lingers in Kreds. Called after the refusal, outside its
    transaction."""
    identity = (
        Identity.objects.select_related("user")
        .filter(municipality=municipality, issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    if identity is None:
        return
    _follow_privileges(identity.user, set(), str(claims.protocol))
    locked = User.objects.select_for_update().get(pk=identity.user_id)
    locked.session_epoch += 1
    locked.save(update_fields=["session_epoch"])


def _follow_privileges(user: User, wanted: set[tuple[str, int]], protocol: str) -> None:
    held = {(m.role, m.unit_id): m for m in Membership.objects.filter(user=user).select_related("unit")}
    units = {u.pk: u for u in Unit.objects.filter(pk__in={unit for _, unit in wanted - held.keys()})}
    for role, unit_id in sorted(wanted - held.keys()):
        Membership.objects.create(user=user, unit=units[unit_id], role=role)
        _audit_user(Action.MEMBERSHIP_ADD, user, _role_details(units[unit_id], role, protocol))
    for key in sorted(held.keys() - wanted):
        membership = held[key]
        Membership.objects.filter(pk=membership.pk).delete()
        _audit_user(Action.MEMBERSHIP_REMOVE, user, _role_details(membership.unit, membership.role, protocol))


# --- SAML requests ----------------------------------------------------------------------------------------------


def remember_request(*, municipality: Municipality, request_id: str, next_path: str) -> None:
    PendingRequest.objects.filter(created_at__lt=timezone.now() - PENDING_LIFETIME).delete()
    PendingRequest.objects.create(request_id=request_id, municipality=municipality, next_path=next_path[:500])


def take_request(*, municipality: Municipality, request_id: str) -> PendingRequest | None:
    """The pending request this answer is to, ended now (a second answer to it is unsolicited)."""
    pending = PendingRequest.objects.filter(
        municipality=municipality, request_id=request_id, created_at__gte=timezone.now() - PENDING_LIFETIME
    ).first()
    if pending is not None:
        PendingRequest.objects.filter(pk=pending.pk).delete()
    return pending


# --- Settings and rules (administrators) ------------------------------------------------------------------------


def _audit_settings(actor: User, sign_on: SignOn, fields: list[str]) -> None:
    record(
        Action.SSO_SETTINGS,
        actor=actor,
        municipality=sign_on.municipality,
        object_type="sign_on",
        object_id=str(sign_on.public_id),
        purpose=Purpose.ADMINISTRATION,
        details={"fields": fields},
    )


def sign_on_of(municipality: Municipality) -> SignOn:
    return SignOn.objects.get_or_create(municipality=municipality)[0]


def _save(actor: User, sign_on: SignOn, version: int, values: dict[str, Any]) -> SignOn:
    """Store ``values`` on the sign-on if nobody saved it since the form was opened; audit which fields changed."""
    locked = SignOn.objects.select_for_update().get(pk=sign_on.pk)
    if locked.version != version:
        raise KredsError(_("Someone else changed the login settings while you edited them. Review and save again."))
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    _audit_settings(actor, locked, changed)
    return locked


@transaction.atomic
def save_saml(
    *, actor: User, sign_on: SignOn, enabled: bool, metadata_url: str, metadata_xml: str, entity_id: str, version: int
) -> SignOn:
    """Store the identity provider's metadata (already read and checked by :mod:`kreds.sso.saml`)."""
    if enabled and not metadata_xml:
        raise KredsError(_("SAML login cannot be turned on without the identity provider's metadata."))
    if enabled and not (keys.from_files(sign_on.municipality.code) or sign_on.sp_key_encrypted):
        raise KredsError(_("SAML login cannot be turned on before the service has a key and certificate."))
    values = {
        "saml_enabled": enabled,
        "idp_metadata_url": metadata_url,
        "idp_metadata_xml": metadata_xml,
        "idp_entity_id": entity_id,
    }
    return _save(actor, sign_on, version, values)


@transaction.atomic
def save_key_pair(*, actor: User, sign_on: SignOn, pair: keys.KeyPair) -> SignOn:
    keys.check(pair)
    locked = SignOn.objects.select_for_update().get(pk=sign_on.pk)
    locked.sp_key_encrypted = keys.encrypt(pair.key_pem)
    locked.sp_certificate = pair.cert_pem
    locked.version += 1
    locked.save()
    _audit_settings(actor, locked, ["sp_certificate"])
    return locked


@transaction.atomic
def save_oidc(
    *,
    actor: User,
    sign_on: SignOn,
    enabled: bool,
    issuer: str,
    client_id: str,
    roles_claim: str,
    provider: dict[str, Any],
    version: int,
) -> SignOn:
    values = {
        "oidc_enabled": enabled,
        "oidc_issuer": issuer,
        "oidc_client_id": client_id,
        "oidc_roles_claim": roles_claim,
        "oidc_provider": provider,
    }
    return _save(actor, sign_on, version, values)


def _rule_details(rule: RoleRule) -> dict[str, Any]:
    return {
        "privilege": rule.privilege,
        "constraint": f"{rule.constraint_name}={rule.constraint_value}" if rule.constraint_name else "",
        "role": rule.role,
        "unit": rule.unit.name,
        "unit_id": str(rule.unit.public_id),
        "sees_case_content": rule.role in CASE_CONTENT_ROLES,
    }


@transaction.atomic
def add_rule(
    *,
    actor: User,
    municipality: Municipality,
    privilege: str,
    constraint_name: str,
    constraint_value: str,
    role: Role,
    unit: Unit,
) -> RoleRule:
    if unit.municipality_id != municipality.pk:
        raise KredsError(_("The unit does not belong to the municipality."))
    if bool(constraint_name) != bool(constraint_value):
        raise KredsError(_("Give both the constraint and its value, or neither."))
    own = Identity.objects.filter(user=actor).first()
    if own is not None and any(
        g.privilege == privilege.strip() and g.satisfies(constraint_name.strip(), constraint_value.strip())
        for g in grants_of(own)
    ):
        raise KredsError(
            _(
                "You cannot add a rule that gives yourself a role: the identity provider sent you this privilege. "
                "Ask another administrator; the unit's leader sees every role change."
            )
        )
    rule, created = RoleRule.objects.get_or_create(
        municipality=municipality,
        privilege=privilege.strip(),
        constraint_name=constraint_name.strip(),
        constraint_value=constraint_value.strip(),
        role=role,
        unit=unit,
    )
    if not created:
        raise KredsError(_("This rule exists already."))
    record(
        Action.SSO_RULE_ADD,
        actor=actor,
        municipality=municipality,
        object_type="role_rule",
        object_id=str(rule.public_id),
        purpose=Purpose.ADMINISTRATION,
        details=_rule_details(rule),
    )
    return rule


@transaction.atomic
def remove_rule(*, actor: User, rule: RoleRule) -> None:
    details = _rule_details(rule)
    RoleRule.objects.filter(pk=rule.pk).delete()
    record(
        Action.SSO_RULE_REMOVE,
        actor=actor,
        municipality=rule.municipality,
        object_type="role_rule",
        object_id=str(rule.public_id),
        purpose=Purpose.ADMINISTRATION,
        details=details,
    )


@transaction.atomic
def end_sessions_from_provider(*, user: User, protocol: str) -> None:
    """The identity provider logged the person out: every Kreds session of theirs ends at its next request."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.session_epoch += 1
    locked.save(update_fields=["session_epoch"])
    record(
        Action.LOGOUT,
        actor=locked,
        purpose=Purpose.SECURITY,
        details={"via": protocol, "initiated_by": "identity_provider"},
    )


def identity_user(*, municipality: Municipality, issuer: str, subject: str) -> User | None:
    identity = (
        Identity.objects.select_related("user")
        .filter(municipality=municipality, issuer=issuer, subject=subject.rpartition("urn:uuid:")[2].lower())
        .first()
    )
    return identity.user if identity is not None else None
