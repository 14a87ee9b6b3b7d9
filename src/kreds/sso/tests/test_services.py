"""Signing on: the one way from an identity provider's word to a user and roles (both protocols)."""

import pytest

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership, User
from kreds.accounts.services import add_membership
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.exceptions import KredsError
from kreds.sso import services
from kreds.sso.constants import Protocol, Refusal
from kreds.sso.models import Identity
from kreds.sso.privileges import Grant

CASEWORKER = "http://kreds.dk/roles/usersystemrole/sagsbehandler/1"
FACILITATOR = "http://kreds.dk/roles/usersystemrole/moedeleder/1"
ORG = "http://sts.kombit.dk/constraints/orgenhed/1"


def claims(**kwargs):
    values = {
        "protocol": Protocol.SAML,
        "issuer": "https://idp.example/metadata",
        "subject": "4f2b7e8a-0000-4000-8000-000000000001",
        "first_name": "Karen-Margrethe",
        "last_name": "Østergaard Vinther-Bach",
        "email": "kmovb@kommune.invalid",
        "level": "Substantial",
        "grants": [Grant(CASEWORKER, {ORG: frozenset({"org-authority"})})],
    }
    values.update(kwargs)
    return services.Claims(**values)


@pytest.fixture
def rules(world):
    services.add_rule(
        actor=world.administrator,
        municipality=world.municipality,
        privilege=CASEWORKER,
        constraint_name=ORG,
        constraint_value="org-authority",
        role=Role.CASEWORKER,
        unit=world.authority,
    )
    services.add_rule(
        actor=world.administrator,
        municipality=world.municipality,
        privilege=FACILITATOR,
        constraint_name="",
        constraint_value="",
        role=Role.FACILITATOR,
        unit=world.family_centre,
    )
    return world


def roles(user):
    return {(m.role, m.unit.name) for m in Membership.objects.filter(user=user).select_related("unit")}


def test_first_login_creates_a_user_without_password_or_totp_and_with_the_rules_roles(rules):
    user = services.sign_on(municipality=rules.municipality, claims=claims())
    assert user.get_full_name() == "Karen-Margrethe Østergaard Vinther-Bach"
    assert not user.is_local_account and not user.has_usable_password()
    assert roles(user) == {(Role.CASEWORKER, "MyndighedsCenter")}
    assert Identity.objects.get(user=user).subject == "4f2b7e8a-0000-4000-8000-000000000001"
    created = AuditEvent.objects.get(action=Action.USER_CREATE, object_id=str(user.public_id))
    assert created.details["via"] == "saml" and created.actor is None
    given = AuditEvent.objects.get(action=Action.MEMBERSHIP_ADD, object_id=str(user.public_id))
    assert given.details["sees_case_content"] and given.details["unit"] == "MyndighedsCenter"


def test_roles_follow_the_privileges_at_every_login(rules):
    user = services.sign_on(municipality=rules.municipality, claims=claims())
    again = services.sign_on(
        municipality=rules.municipality,
        claims=claims(grants=[Grant(FACILITATOR)], first_name="Karen", email="karen@kommune.invalid"),
    )
    assert again.pk == user.pk and User.objects.filter(is_local_account=False).count() == 1
    assert roles(again) == {(Role.FACILITATOR, "FamilieCenter")}  # the caseworker privilege was removed at the IdP
    removed = AuditEvent.objects.get(action=Action.MEMBERSHIP_REMOVE, object_id=str(user.public_id))
    assert removed.details["role"] == Role.CASEWORKER and removed.actor_label
    assert AuditEvent.objects.get(action=Action.USER_UPDATE).details["fields"] == ["first_name", "email"]


def test_a_constraint_value_that_no_rule_names_gives_no_role(rules):
    with pytest.raises(services.Refused) as refused:
        services.sign_on(
            municipality=rules.municipality, claims=claims(grants=[Grant(CASEWORKER, {ORG: frozenset({"other"})})])
        )
    assert refused.value.reason == Refusal.NO_ROLE
    assert not User.objects.filter(is_local_account=False).exists()


@pytest.mark.parametrize(
    ("level", "reason"),
    [("Low", Refusal.LOW_ASSURANCE), (None, Refusal.MISSING_ATTRIBUTE), ("Ultra", Refusal.LOW_ASSURANCE)],
)
def test_below_substantial_is_refused_and_nothing_is_created(rules, level, reason):
    with pytest.raises(services.Refused) as refused:
        services.sign_on(municipality=rules.municipality, claims=claims(level=level))
    assert refused.value.reason == reason
    assert not User.objects.filter(is_local_account=False).exists()


def test_high_is_accepted(rules):
    assert services.sign_on(municipality=rules.municipality, claims=claims(level="High")).is_active


def test_a_deactivated_user_stays_out_and_keeps_their_roles(rules):
    user = services.sign_on(municipality=rules.municipality, claims=claims())
    user.is_active = False
    user.save()
    with pytest.raises(services.Refused) as refused:
        services.sign_on(municipality=rules.municipality, claims=claims(grants=[Grant(FACILITATOR)]))
    assert refused.value.reason == Refusal.DEACTIVATED
    assert roles(user) == {(Role.CASEWORKER, "MyndighedsCenter")}


def test_the_same_subject_from_another_municipality_is_another_person(rules):
    services.add_rule(
        actor=rules.administrator,
        municipality=rules.municipality,
        privilege=CASEWORKER,
        constraint_name="",
        constraint_value="",
        role=Role.PRACTITIONER,
        unit=rules.family_centre,
    )
    mine = services.sign_on(municipality=rules.municipality, claims=claims())
    with pytest.raises(services.Refused):  # the other municipality has no rules: refused, nothing created there
        services.sign_on(municipality=rules.other_municipality, claims=claims())
    assert Identity.objects.get().user == mine


def test_an_administrator_cannot_change_a_sign_on_users_roles_by_hand(rules):
    user = services.sign_on(municipality=rules.municipality, claims=claims())
    with pytest.raises(KredsError, match="privileges"):
        add_membership(actor=rules.administrator, user=user, unit=rules.family_centre, role=Role.LEADER)


def test_an_administrator_cannot_add_a_rule_that_gives_themselves_a_role(rules):
    # An administrator who signs on with an administrator privilege, and also holds the caseworker privilege for
    # the family centre at the IdP, which no rule maps yet.
    services.add_rule(
        actor=rules.administrator,
        municipality=rules.municipality,
        privilege="http://kreds.dk/roles/usersystemrole/administrator/1",
        constraint_name="",
        constraint_value="",
        role=Role.ADMINISTRATOR,
        unit=rules.authority,
    )
    admin = services.sign_on(
        municipality=rules.municipality,
        claims=claims(
            subject="admin-uuid",
            grants=[
                Grant("http://kreds.dk/roles/usersystemrole/administrator/1"),
                Grant(CASEWORKER, {ORG: frozenset({"org-family"})}),
            ],
        ),
    )
    with pytest.raises(KredsError, match="yourself"):
        services.add_rule(
            actor=admin,
            municipality=rules.municipality,
            privilege=CASEWORKER,
            constraint_name=ORG,
            constraint_value="org-family",
            role=Role.CASEWORKER,
            unit=rules.family_centre,
        )
    services.add_rule(  # another administrator may
        actor=rules.administrator,
        municipality=rules.municipality,
        privilege=CASEWORKER,
        constraint_name=ORG,
        constraint_value="org-family",
        role=Role.CASEWORKER,
        unit=rules.family_centre,
    )
    assert AuditEvent.objects.filter(action=Action.SSO_RULE_ADD, details__sees_case_content=True).count() == 3


def test_an_assertion_is_used_only_once(db):
    from django.utils import timezone

    services.remember_assertion(issuer="idp", assertion_id="_abc", expires_at=timezone.now())
    with pytest.raises(services.Refused) as refused:
        services.remember_assertion(issuer="idp", assertion_id="_abc", expires_at=timezone.now())
    assert refused.value.reason == Refusal.REPLAY
    services.remember_assertion(issuer="another-idp", assertion_id="_abc", expires_at=timezone.now())


def test_a_refusal_is_audited_with_its_reason(world):
    services.refuse(municipality=world.municipality, protocol="saml", reason=Refusal.NO_ROLE, detail="privileges: x")
    event = AuditEvent.objects.get(action=Action.SSO_REFUSED)
    assert (
        event.details == {"reason": "no_role", "detail": "privileges: x"} and event.municipality == world.municipality
    )
