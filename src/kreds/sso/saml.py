"""Kreds as a SAML 2.0 service provider, one per municipality, built on pysaml2 (ADR 0015).

pysaml2 does the XML security: signatures (of the response or the assertion; an unsigned answer is refused),
decryption of encrypted assertions, the audience, the subject confirmation's recipient, the validity window with
:data:`CLOCK_SKEW` seconds of slack, and InResponseTo against the pending request. Before handing the answer to it,
Kreds reads the envelope itself (defusedxml) so that each refusal gets its own reason: the issuer must be the
municipality's identity provider, the destination this municipality's ACS, the answer recent and an answer to a
request Kreds sent (kept in the database, :class:`kreds.sso.models.PendingRequest`). After it, the assertion id is
remembered so the same assertion cannot be used twice.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import logging
import shutil
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidTag
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import StatusError, UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.sigver import SignatureError, SigverError, verify_redirect_signature
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from kreds.sso import constants, keys, privileges
from kreds.sso.constants import Protocol, Refusal
from kreds.sso.models import SignOn
from kreds.sso.services import Claims, Refused

logger = logging.getLogger(__name__)

CLOCK_SKEW = 90  # seconds of clock difference accepted between Kreds and the identity provider
MAX_AGE = 5 * 60  # an answer issued longer ago than this (plus the skew) is refused as expired
PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion"


class NotReady(Exception):
    """The municipality's SAML login lacks metadata or a key."""


def urls(code: str) -> dict[str, str]:
    """The service provider's stable addresses (from SITE_URL, never from the request's Host header)."""
    base = settings.SITE_URL
    return {
        "entity_id": base + reverse("sso:saml_metadata", kwargs={"code": code}),
        "acs": base + reverse("sso:saml_acs", kwargs={"code": code}),
        "sls": base + reverse("sso:saml_sls", kwargs={"code": code}),
    }


def key_pair(sign_on: SignOn) -> keys.KeyPair | None:
    pair = keys.from_files(sign_on.municipality.code)
    if pair is not None:
        return pair
    if sign_on.sp_key_encrypted and sign_on.sp_certificate:
        try:
            return keys.KeyPair(keys.decrypt(sign_on.sp_key_encrypted), sign_on.sp_certificate)
        except (ImproperlyConfigured, InvalidTag, ValueError):  # sealed with a key no longer in CPR_KEYS
            logger.warning("The SAML key of municipality %s cannot be decrypted; make a new one.", sign_on.pk)
    return None


def config(sign_on: SignOn, *, with_idp: bool = True) -> SPConfig:
    pair = key_pair(sign_on)
    if pair is None:
        raise NotReady("no key")
    if with_idp and not sign_on.idp_metadata_xml:
        raise NotReady("no metadata")
    key_file, cert_file = keys.as_files(pair)
    addresses = urls(sign_on.municipality.code)
    conf: dict[str, Any] = {
        "entityid": addresses["entity_id"],
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "accepted_time_diff": CLOCK_SKEW,
        "allow_unknown_attributes": True,
        "metadata": {"inline": [sign_on.idp_metadata_xml]} if with_idp else {},
        "service": {
            "sp": {
                "name": f"Kreds – {sign_on.municipality.name}",
                "endpoints": {
                    "assertion_consumer_service": [(addresses["acs"], BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (addresses["sls"], BINDING_HTTP_REDIRECT),
                        (addresses["sls"], BINDING_HTTP_POST),
                    ],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_or_response_signed": True,
                "want_response_signed": False,
                "want_assertions_signed": False,
                "allow_unsolicited": False,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
    }
    sp_config = SPConfig()
    sp_config.load(conf)
    return sp_config


def client(sign_on: SignOn) -> Saml2Client:
    """The service provider for ``sign_on``; NotReady when it cannot be built (no key, metadata pysaml2 refuses)."""
    try:
        return Saml2Client(config=config(sign_on))
    except NotReady:
        raise
    except Exception as exc:  # pysaml2 raises many kinds for metadata it cannot use
        raise NotReady(f"{type(exc).__name__}") from exc


def metadata_xml(sign_on: SignOn) -> str:
    """The service provider's metadata: entity id, ACS, SLO, and its signing and encryption certificate."""
    xml = create_metadata_string(None, config=config(sign_on, with_idp=False), valid=24 * 365)
    return (xml.decode() if isinstance(xml, bytes) else str(xml)).strip()


def read_idp_metadata(xml: str) -> str:
    """The entity id of the identity provider this metadata describes; ValueError if it is none."""
    try:
        root = ElementTree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    except (ElementTree.ParseError, DefusedXmlException, UnicodeError) as exc:
        raise ValueError("not XML") from exc
    md = "urn:oasis:names:tc:SAML:2.0:metadata"
    idp = root.find(f"{{{md}}}IDPSSODescriptor")
    if root.tag != f"{{{md}}}EntityDescriptor" or idp is None:
        raise ValueError("not an identity provider's EntityDescriptor")
    redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    if not any(s.get("Binding") == redirect for s in idp.findall(f"{{{md}}}SingleSignOnService")):
        raise ValueError("no single sign-on service for the HTTP-Redirect binding")
    if idp.find(f"{{{md}}}KeyDescriptor/{{http://www.w3.org/2000/09/xmldsig#}}KeyInfo") is None:
        raise ValueError("no signing certificate")
    entity_id = str(root.get("entityID", ""))
    if not entity_id:
        raise ValueError("no entityID")
    return entity_id


# --- Login --------------------------------------------------------------------------------------------------------


def authn_request(sign_on: SignOn) -> tuple[str, str]:
    """A signed AuthnRequest for the HTTP-Redirect binding: its id and the address to send the browser to."""
    saml_client = client(sign_on)
    request_id, info = saml_client.prepare_for_authenticate(
        entityid=sign_on.idp_entity_id,
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        nameid_format=NAMEID_FORMAT_PERSISTENT,
    )
    location = dict(info["headers"])["Location"]
    return request_id, location


@dataclass(frozen=True)
class Envelope:
    issuer: str
    in_response_to: str
    destination: str
    issued_at: datetime.datetime | None


def _instant(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def envelope(saml_response: str) -> Envelope:
    """The response's outer facts, read without trusting them (pysaml2 verifies them afterwards)."""
    try:
        xml = base64.b64decode(saml_response, validate=True)
        root = ElementTree.fromstring(xml)
    except (binascii.Error, ValueError, ElementTree.ParseError, DefusedXmlException) as exc:
        raise Refused(Refusal.MALFORMED, "not a base64 SAML document") from exc
    if root.tag != f"{{{PROTOCOL_NS}}}Response":
        raise Refused(Refusal.MALFORMED, f"root element {root.tag[:80]}")
    issuer = root.find(f"{{{ASSERTION_NS}}}Issuer")
    return Envelope(
        issuer=(issuer.text or "").strip() if issuer is not None else "",
        in_response_to=root.get("InResponseTo", ""),
        destination=root.get("Destination", ""),
        issued_at=_instant(root.get("IssueInstant", "")),
    )


def check_envelope(sign_on: SignOn, found: Envelope) -> None:
    if found.issuer != sign_on.idp_entity_id:
        raise Refused(Refusal.UNKNOWN_ISSUER, f"issuer {found.issuer[:200]!r}")
    if found.destination and found.destination != urls(sign_on.municipality.code)["acs"]:
        raise Refused(Refusal.WRONG_DESTINATION, f"destination {found.destination[:200]!r}")
    if found.issued_at is None:
        raise Refused(Refusal.MALFORMED, "no IssueInstant")
    age = (timezone.now() - found.issued_at).total_seconds()
    if age > MAX_AGE + CLOCK_SKEW or age < -CLOCK_SKEW:
        raise Refused(Refusal.EXPIRED, f"issued {int(age)} s ago")
    if not found.in_response_to:
        raise Refused(Refusal.UNSOLICITED, "no InResponseTo (a login Kreds did not start)")


@dataclass(frozen=True)
class Answer:
    claims: Claims
    assertion_id: str
    valid_until: datetime.datetime
    name_id: str
    name_id_format: str
    session_index: str


def _first(ava: dict[str, list[str]], name: str) -> str:
    values = ava.get(name) or []
    return str(values[0]).strip() if values else ""


def read_answer(sign_on: SignOn, saml_response: str, request_id: str) -> Answer:
    """The verified answer to the pending request ``request_id`` (Refused otherwise)."""
    saml_client = client(sign_on)
    try:
        response = saml_client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except UnsolicitedResponse as exc:
        raise Refused(Refusal.UNSOLICITED, str(exc)[:200]) from exc
    except (ResponseLifetimeExceed, ToEarly) as exc:
        raise Refused(Refusal.EXPIRED, type(exc).__name__) from exc
    except StatusError as exc:
        raise Refused(Refusal.PROVIDER_ERROR, type(exc).__name__) from exc
    except (SignatureError, SigverError) as exc:
        raise Refused(Refusal.UNSIGNED, type(exc).__name__) from exc
    except Exception as exc:  # pysaml2 raises bare Exception for some checks; name them by their message
        message = str(exc)
        if "AudienceRestrictions" in message:
            raise Refused(Refusal.WRONG_AUDIENCE, message[:200]) from exc
        if "Signature" in message or "signed" in message.lower():
            raise Refused(Refusal.UNSIGNED, message[:200]) from exc
        if "recipient" in message.lower():
            raise Refused(Refusal.WRONG_DESTINATION, message[:200]) from exc
        logger.info("SAML response refused: %s", type(exc).__name__)
        raise Refused(Refusal.MALFORMED, f"{type(exc).__name__}: {message[:200]}") from exc
    if response is None:
        raise Refused(Refusal.MALFORMED, "pysaml2 found no valid response")
    assertion = response.assertion
    ava: dict[str, list[str]] = response.ava or {}
    grants: list[privileges.Grant] = []
    for value in ava.get(constants.PRIVILEGES) or []:
        try:
            grants.extend(privileges.parse(str(value)))
        except privileges.MalformedPrivileges as exc:
            raise Refused(Refusal.MALFORMED, f"privileges: {exc}") from exc
    subject = _first(ava, constants.UUID)
    if not subject:
        raise Refused(Refusal.MISSING_ATTRIBUTE, "no persistent professional UUID")
    level = _first(ava, constants.LOA) or None
    first, last = _first(ava, constants.FIRST_NAME), _first(ava, constants.LAST_NAME)
    if not (first or last):
        first, _, last = _first(ava, constants.FULL_NAME).rpartition(" ")
    name_id = response.name_id
    session_index = ""
    for statement in assertion.authn_statement or []:
        session_index = statement.session_index or ""
    valid_until = timezone.now() + datetime.timedelta(seconds=MAX_AGE + CLOCK_SKEW)
    if assertion.conditions is not None and assertion.conditions.not_on_or_after:
        valid_until = _instant(assertion.conditions.not_on_or_after) or valid_until
    return Answer(
        claims=Claims(
            protocol=Protocol.SAML,
            issuer=sign_on.idp_entity_id,
            subject=subject.rpartition("urn:uuid:")[2].lower(),
            first_name=first,
            last_name=last,
            email=_first(ava, constants.EMAIL),
            level=level,
            grants=grants,
        ),
        assertion_id=str(assertion.id or ""),
        valid_until=valid_until,
        name_id=str(name_id.text if name_id is not None else ""),
        name_id_format=str(name_id.format if name_id is not None else NAMEID_FORMAT_PERSISTENT),
        session_index=session_index,
    )


# --- Single logout ----------------------------------------------------------------------------------------------


def _slo_destination(saml_client: Saml2Client, sign_on: SignOn) -> str | None:
    try:
        services = saml_client.metadata.single_logout_service(sign_on.idp_entity_id, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:
        return None
    return str(services[0]["location"]) if services else None


def logout_request(sign_on: SignOn, *, name_id: str, name_id_format: str, session_index: str) -> str | None:
    """The address of the identity provider's logout with a signed LogoutRequest (None: it has no SLO)."""
    saml_client = client(sign_on)
    destination = _slo_destination(saml_client, sign_on)
    if destination is None:
        return None
    _request_id, request = saml_client.create_logout_request(
        destination,
        sign_on.idp_entity_id,
        name_id=NameID(text=name_id, format=name_id_format),
        session_indexes=[session_index] if session_index else None,
        sign=False,
    )
    info = saml_client.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), destination, relay_state="", sign=True, sigalg=SIG_RSA_SHA256
    )
    return str(dict(info["headers"])["Location"])


def _verify_redirect(saml_client: Saml2Client, sign_on: SignOn, query: dict[str, str]) -> None:
    if not (query.get("Signature") and query.get("SigAlg")):
        raise Refused(Refusal.UNSIGNED, "logout message without a signature")
    certs = saml_client.metadata.certs(sign_on.idp_entity_id, "idpsso", use="signing")
    try:
        verified = any(verify_redirect_signature(query, saml_client.sec.sec_backend, cert) for _, cert in certs)
    except Exception as exc:
        raise Refused(Refusal.UNSIGNED, type(exc).__name__) from exc
    if not verified:
        raise Refused(Refusal.UNSIGNED, "logout message signature does not verify")


def query_of(raw_query: str) -> dict[str, str]:
    """The HTTP-Redirect binding's parameters as sent (the signature covers the original encoding's values)."""
    return {key: values[0] for key, values in parse_qs(raw_query, keep_blank_values=True).items()}


@dataclass(frozen=True)
class LogoutFromIdP:
    name_id: str
    session_indexes: list[str]
    reply_to: str  # where to send the browser: the identity provider's logout with Kreds' signed LogoutResponse


def idp_logout_request(sign_on: SignOn, query: dict[str, str]) -> LogoutFromIdP:
    """An identity-provider-initiated LogoutRequest, verified, and the signed answer to it."""
    saml_client = client(sign_on)
    _verify_redirect(saml_client, sign_on, query)
    try:
        request = saml_client.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
    except Exception as exc:
        raise Refused(Refusal.MALFORMED, type(exc).__name__) from exc
    if request is None or request.message is None:
        raise Refused(Refusal.MALFORMED, "no LogoutRequest")
    message = request.message
    if (message.issuer.text if message.issuer is not None else "") != sign_on.idp_entity_id:
        raise Refused(Refusal.UNKNOWN_ISSUER, "logout from another issuer")
    destination = _slo_destination(saml_client, sign_on)
    if destination is None:
        raise Refused(Refusal.NOT_CONFIGURED, "the identity provider has no logout service")
    response = saml_client.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    info = saml_client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        relay_state=query.get("RelayState", ""),
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return LogoutFromIdP(
        name_id=str(message.name_id.text if message.name_id is not None else ""),
        session_indexes=[str(s.text) for s in message.session_index or []],
        reply_to=str(dict(info["headers"])["Location"]),
    )


def idp_logout_response(sign_on: SignOn, query: dict[str, str]) -> bool:
    """Whether the identity provider's answer to Kreds' LogoutRequest is verified and says Success."""
    saml_client = client(sign_on)
    _verify_redirect(saml_client, sign_on, query)
    try:
        response = saml_client.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
    except Exception as exc:
        raise Refused(Refusal.MALFORMED, type(exc).__name__) from exc
    return response is not None and response.status_ok()


def redirect_target(location: str) -> str:
    """``location`` unless it is not http(s) (metadata could name anything)."""
    scheme = urlsplit(location).scheme
    if scheme not in {"http", "https"}:
        raise Refused(Refusal.NOT_CONFIGURED, f"identity provider address with scheme {scheme!r}")
    return location
