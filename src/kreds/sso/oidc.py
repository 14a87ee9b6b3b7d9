"""Kreds as an OpenID Connect relying party, one client per municipality, built on mozilla-django-oidc (ADR 0015).

mozilla-django-oidc reads its settings from Django's settings, one provider per site; here each municipality has its
own issuer and client, so the request view and the backend read them from the municipality's :class:`SignOn`
instead. The flow is the authorization code flow with PKCE (S256) and a nonce. mozilla-django-oidc checks the ID
token's signature against the provider's JWKS but not its issuer, audience or expiry: :meth:`MunicipalBackend.
verify_token` does. The client secret never lives in the database: ``OIDC_CLIENT_SECRET_<code>`` or
``OIDC_CLIENT_SECRET_<code>_FILE`` in the environment (the municipality's three-digit code).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jwt
import requests
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from kreds.sso import constants
from kreds.sso.constants import Protocol, Refusal
from kreds.sso.models import SignOn
from kreds.sso.privileges import Grant
from kreds.sso.services import Claims, Refused

TIMEOUT = 10  # seconds for each call to the provider
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


def client_secret(code: str) -> str:
    name = f"OIDC_CLIENT_SECRET_{code}"
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, "")


def discover(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, checked; ValueError with a reason when it is not usable."""
    address = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(address, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ValueError("unreachable") from exc
    if not isinstance(document, dict) or any(not isinstance(document.get(k), str) for k in REQUIRED):
        raise ValueError("incomplete")
    if document["issuer"].rstrip("/") != issuer.rstrip("/"):
        raise ValueError("issuer differs")
    keep = (*REQUIRED, "userinfo_endpoint", "end_session_endpoint", "id_token_signing_alg_values_supported")
    return {key: document[key] for key in keep if key in document}


def _settings_of(sign_on: SignOn) -> dict[str, Any]:
    provider = sign_on.oidc_provider or {}
    algorithms = provider.get("id_token_signing_alg_values_supported") or ["RS256"]
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": provider.get("authorization_endpoint", ""),
        "OIDC_OP_TOKEN_ENDPOINT": provider.get("token_endpoint", ""),
        "OIDC_OP_USER_ENDPOINT": provider.get("userinfo_endpoint", ""),
        "OIDC_OP_JWKS_ENDPOINT": provider.get("jwks_uri", ""),
        "OIDC_RP_CLIENT_ID": sign_on.oidc_client_id,
        "OIDC_RP_CLIENT_SECRET": client_secret(sign_on.municipality.code),
        "OIDC_RP_SIGN_ALGO": "RS256" if "RS256" in algorithms else algorithms[0],
        "OIDC_RP_SCOPES": "openid profile email",
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_USE_NONCE": True,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "sso:oidc_callback",
        "OIDC_REDIRECT_FIELD_NAME": "next",
        "OIDC_TIMEOUT": TIMEOUT,
        "OIDC_VERIFY_SSL": True,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
    }


class _Municipal:
    """Reads mozilla-django-oidc's settings from the municipality's sign-on."""

    sign_on: SignOn | None = None

    def get_settings(self, attr: str, *args: Any) -> Any:  # instance method: the library calls self.get_settings
        if self.sign_on is not None:
            values = _settings_of(self.sign_on)
            if attr in values:
                return values[attr]
        return import_from_settings(attr, *args) if args else import_from_settings(attr, None)


class RequestView(_Municipal, OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Starts the authorization code flow (state, nonce, PKCE) for one municipality."""

    def __init__(self, sign_on: SignOn) -> None:
        self.sign_on = sign_on
        super().__init__()


class MunicipalBackend(_Municipal, OIDCAuthenticationBackend):  # type: ignore[misc]
    """Exchanges the code (with the PKCE verifier) and returns the :class:`Claims`; it creates no user itself
    (:func:`kreds.sso.services.sign_on` does, the same way as for SAML)."""

    def __init__(self, sign_on: SignOn) -> None:
        self.sign_on = sign_on
        super().__init__()

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        assert self.sign_on is not None
        try:  # the claims mozilla-django-oidc leaves unchecked (the signature is checked by then)
            jwt.decode(
                token,
                options={"verify_signature": False, "require": ["exp", "iat", "iss", "aud", "sub"]},
                audience=self.sign_on.oidc_client_id,
                issuer=self.sign_on.oidc_issuer.rstrip("/"),
                leeway=90,
            )
        except jwt.InvalidIssuerError:
            try:  # issuers may differ by a trailing slash only
                jwt.decode(
                    token,
                    options={"verify_signature": False},
                    audience=self.sign_on.oidc_client_id,
                    issuer=self.sign_on.oidc_issuer.rstrip("/") + "/",
                    leeway=90,
                )
            except jwt.InvalidTokenError as exc:
                raise SuspiciousOperation("ID token issuer") from exc
        except jwt.ExpiredSignatureError as exc:
            raise Refused(Refusal.EXPIRED, "ID token expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise Refused(Refusal.WRONG_AUDIENCE, "ID token audience") from exc
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token: {type(exc).__name__}") from exc
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Claims:
        info = dict(payload)
        if self.get_settings("OIDC_OP_USER_ENDPOINT"):
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo is about someone else")
            info.update(userinfo)
        return claims_of(self.sign_on, info)  # type: ignore[arg-type]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def claims_of(sign_on: SignOn, info: dict[str, Any]) -> Claims:
    level = info.get(constants.LOA, info.get("loa"))
    roles = _strings(info.get(sign_on.oidc_roles_claim or "roles"))
    return Claims(
        protocol=Protocol.OIDC,
        issuer=sign_on.oidc_issuer.rstrip("/"),
        subject=str(info.get("sub", "")),
        first_name=str(info.get("given_name", "")),
        last_name=str(info.get("family_name", "")),
        email=str(info.get("email", "")),
        level=str(level) if isinstance(level, str) else None,
        grants=[Grant(role) for role in roles],
    )
