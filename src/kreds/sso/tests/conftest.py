"""A real SAML identity provider for the sign-on tests: kreds.sso.testidp (pysaml2, its own keys and metadata)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from kreds.accounts.constants import Role
from kreds.sso import keys, saml, testidp
from kreds.sso.models import SignOn
from kreds.testing.sso import set_up_saml

IDP_BASE = "http://127.0.0.1:8001"


@functools.cache
def sp_pair() -> keys.KeyPair:
    """One service-provider key pair for the run (an RSA 3072 key takes a second to make)."""
    return keys.generate("Kreds test SP", bits=2048)


@pytest.fixture(scope="session")
def idp(tmp_path_factory) -> Iterator[testidp.TestIdP]:
    yield testidp.TestIdP(IDP_BASE, key_dir=tmp_path_factory.mktemp("idp"))


def query_of(location: str) -> dict[str, str]:
    return saml.query_of(urlsplit(location).query)


@pytest.fixture
def saml_sign_on(world, idp) -> SignOn:
    """Eksempel Kommune (code 999) signing on through the test IdP, with rules for the demo privileges."""
    return set_up_saml(
        world,
        idp,
        sp_pair(),
        [
            (testidp.ROLE_SAGSBEHANDLER, testidp.ORG_MYNDIGHED, Role.CASEWORKER, world.authority),
            (testidp.ROLE_MOEDELEDER, testidp.ORG_FAMILIECENTER, Role.FACILITATOR, world.family_centre),
            (testidp.ROLE_LEDER, testidp.ORG_MYNDIGHED, Role.LEADER, world.authority),
        ],
    )
