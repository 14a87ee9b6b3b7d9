"""The demo's municipal login: Eksempel Kommune signs on through the local test identity provider
(kreds.sso.testidp, started by scripts/serve-demo on port 8001), with rules for its demo privileges."""

from __future__ import annotations

from django.conf import settings

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.sso import keys, services, testidp
from kreds.sso.models import RoleRule
from kreds.tenancy.models import Municipality, Unit

IDP_BASE = "http://127.0.0.1:8001"
KEY_DIR = settings.BASE_DIR / "var" / "test-idp"

RULES = [
    (testidp.ROLE_SAGSBEHANDLER, testidp.ORG_MYNDIGHED, Role.CASEWORKER, "MyndighedsCenter"),
    (testidp.ROLE_SAGSBEHANDLER, testidp.ORG_UNGECENTER, Role.CASEWORKER, "UngeCenter"),
    (testidp.ROLE_MOEDELEDER, testidp.ORG_FAMILIECENTER, Role.FACILITATOR, "FamilieCenter"),
    (testidp.ROLE_FAGPERSON, testidp.ORG_FAMILIECENTER, Role.PRACTITIONER, "FamilieCenter"),
    (testidp.ROLE_LEDER, testidp.ORG_MYNDIGHED, Role.LEADER, "MyndighedsCenter"),
    (testidp.ROLE_LEDER, testidp.ORG_UNGECENTER, Role.LEADER, "UngeCenter"),
    (testidp.ROLE_ADMINISTRATOR, testidp.ORG_MYNDIGHED, Role.ADMINISTRATOR, "MyndighedsCenter"),
]


def seed_sign_on(municipality: Municipality, units: dict[str, Unit], administrator: User) -> None:
    """Set up (or refresh) the test IdP's trust; idempotent, so `make demo` can run again."""
    sign_on = services.sign_on_of(municipality)
    if not sign_on.sp_certificate:
        sign_on = services.save_key_pair(
            actor=administrator, sign_on=sign_on, pair=keys.generate(f"Kreds demo {municipality.name}", bits=2048)
        )
    idp = testidp.TestIdP(IDP_BASE, key_dir=KEY_DIR)  # makes the IdP's key once; the served IdP reads the same
    if sign_on.idp_metadata_xml != idp.metadata_xml() or not sign_on.saml_enabled:
        sign_on = services.save_saml(
            actor=administrator,
            sign_on=sign_on,
            enabled=True,
            metadata_url="",
            metadata_xml=idp.metadata_xml(),
            entity_id=idp.entity_id,
            version=sign_on.version,
        )
    if not sign_on.is_test_provider:
        sign_on.is_test_provider = True
        sign_on.save(update_fields=["is_test_provider"])
    for privilege, org, role, unit_name in RULES:
        if not RoleRule.objects.filter(
            municipality=municipality, privilege=privilege, constraint_value=org, role=role, unit=units[unit_name]
        ).exists():
            services.add_rule(
                actor=administrator,
                municipality=municipality,
                privilege=privilege,
                constraint_name=testidp.CONSTRAINT_ORGENHED,
                constraint_value=org,
                role=role,
                unit=units[unit_name],
            )
