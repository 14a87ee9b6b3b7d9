"""Writes to users, roles, devices and sessions, each with its audit event."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from kreds.accounts.constants import CASE_CONTENT_ROLES, Role
from kreds.accounts.models import Membership, User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.core.exceptions import KredsError
from kreds.core.viewhelpers import parse_int
from kreds.tenancy.models import Unit

# The roles of a user who logs in through the municipality's identity provider follow their privileges there
# (kreds.sso): they are set at every login, so they are not changed by hand.
SIGN_ON_ROLES = gettext_noop(
    "This user logs in with the municipality's login, and their roles follow their privileges there. Change the "
    "privileges at the identity provider, or the municipality's rules for privileges."
)


def _audit_user(action: Action, actor: User, target: User, details: dict[str, str | bool] | None = None) -> None:
    record(
        action,
        actor=actor,
        municipality=target.municipality,
        object_type="user",
        object_id=str(target.public_id),
        purpose=Purpose.ADMINISTRATION,
        details=details or {},
    )


@transaction.atomic
def create_user(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise KredsError(_("The username is already taken."))
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        municipality=actor.municipality,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    _audit_user(Action.USER_CREATE, actor, user)
    return user


def _role_details(unit: Unit, role: str) -> dict[str, str | bool]:
    """What a role change's audit event says: the unit (name and id, for the leader's list of role changes), the
    role, and whether the role sees case content (SECURITY 27)."""
    return {
        "unit": unit.name,
        "unit_id": str(unit.public_id),
        "role": str(role),
        "sees_case_content": role in CASE_CONTENT_ROLES,
    }


@transaction.atomic
def add_membership(*, actor: User, user: User, unit: Unit, role: Role) -> Membership:
    """Give ``user`` a role in ``unit``. Nobody grants themselves a role (separation of duties, SECURITY 27): an
    administrator who also needs a role asks another administrator, and the unit's leader sees every change."""
    if user.pk == actor.pk:
        raise KredsError(
            _("You cannot give yourself a role. Ask another administrator; the unit's leader sees every role change.")
        )
    if unit.municipality_id != user.municipality_id or actor.municipality_id != user.municipality_id:
        raise KredsError(_("The unit does not belong to the user's municipality."))
    if not user.is_local_account:
        raise KredsError(_(SIGN_ON_ROLES))
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if not created:
        raise KredsError(_("The user already has this role in this unit."))
    _audit_user(Action.MEMBERSHIP_ADD, actor, user, _role_details(unit, role))
    return membership


@transaction.atomic
def remove_membership(*, actor: User, membership: Membership) -> None:
    user = membership.user
    if not user.is_local_account:
        raise KredsError(_(SIGN_ON_ROLES))
    if (
        membership.role == Role.ADMINISTRATOR
        and user.pk == actor.pk
        and not Membership.objects.filter(user=user, role=Role.ADMINISTRATOR).exclude(pk=membership.pk).exists()
    ):
        raise KredsError(_("You cannot remove your own last administrator role."))
    details = _role_details(membership.unit, membership.role)
    Membership.objects.filter(pk=membership.pk).delete()
    _audit_user(Action.MEMBERSHIP_REMOVE, actor, user, details)


@transaction.atomic
def end_all_sessions(*, actor: User, user: User) -> None:
    """Every session of ``user`` dies at its next request (the epoch in the session no longer matches)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.session_epoch += 1
    locked.save(update_fields=["session_epoch"])
    _audit_user(Action.SESSIONS_ENDED, actor, locked)


@transaction.atomic
def set_active(*, actor: User, user: User, active: bool) -> None:
    if user.pk == actor.pk and not active:
        raise KredsError(_("You cannot deactivate yourself."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        return
    locked.is_active = active
    locked.session_epoch += 1
    locked.save(update_fields=["is_active", "session_epoch"])
    _audit_user(Action.USER_ACTIVATE if active else Action.USER_DEACTIVATE, actor, locked)


@transaction.atomic
def reset_two_factor(*, actor: User, user: User) -> None:
    """Remove the user's TOTP devices; they enrol again at their next login."""
    for device in TOTPDevice.objects.filter(user=user):
        device.delete()
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.session_epoch += 1
    locked.save(update_fields=["session_epoch"])
    _audit_user(Action.OTP_RESET, actor, locked)


def new_totp_key() -> str:
    """The secret of an authenticator app being set up. It lives in the user's session until a code proves the app
    has it; only then is a device stored (showing the enrolment page writes nothing)."""
    return str(random_hex(20))


def pending_totp_device(*, user: User, key: str) -> TOTPDevice:
    """The device the enrolment page shows (QR code, secret), not saved."""
    return TOTPDevice(user=user, key=key, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def enrol_totp_device(*, user: User, key: str, token: str) -> TOTPDevice | None:
    """Store the authenticator app when ``token`` is its current code (None when it is not); it replaces any other."""
    device = pending_totp_device(user=user, key=key)
    number = parse_int(token)
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if number is None or not clock.verify(number, device.tolerance):
        return None
    device.last_t, device.confirmed = clock.t(), True
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    record(
        Action.OTP_ENROL,
        actor=user,
        object_type="user",
        object_id=str(user.public_id),
        purpose=Purpose.SECURITY,
    )
    return device
