"""Setting up a municipality's SAML login against a test identity provider (kreds.sso.testidp), for the tests."""

from __future__ import annotations

from collections.abc import Iterable

from kreds.accounts.constants import Role
from kreds.sso import keys, saml, services, testidp
from kreds.sso.models import SignOn
from kreds.tenancy.models import Unit
from kreds.testing.world import World


def set_up_saml(
    world: World,
    idp: testidp.TestIdP,
    pair: keys.KeyPair,
    rules: Iterable[tuple[str, str, Role, Unit]],
) -> SignOn:
    """Eksempel Kommune signs on through ``idp`` with the SP key ``pair``; each rule is (privilege, org unit
    constraint value, role, unit). The IdP trusts Kreds' metadata."""
    found = services.sign_on_of(world.municipality)
    found = services.save_key_pair(actor=world.administrator, sign_on=found, pair=pair)
    found = services.save_saml(
        actor=world.administrator,
        sign_on=found,
        enabled=True,
        metadata_url="",
        metadata_xml=idp.metadata_xml(),
        entity_id=idp.entity_id,
        version=found.version,
    )
    idp.trust_sp(saml.metadata_xml(found))
    for privilege, org, role, unit in rules:
        services.add_rule(
            actor=world.administrator,
            municipality=world.municipality,
            privilege=privilege,
            constraint_name=testidp.CONSTRAINT_ORGENHED,
            constraint_value=org,
            role=role,
            unit=unit,
        )
    return SignOn.objects.get(pk=found.pk)
