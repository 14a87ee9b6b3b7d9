"""A real SAML 2.0 test identity provider (OIOSAML 3 profile) for the tests and ``make demo``.

It is built on pysaml2's :class:`saml2.server.Server` and speaks the ordinary bindings: it
receives signed AuthnRequests (HTTP-Redirect or HTTP-POST), answers with a SAML Response over
HTTP-POST and takes part in single logout (both directions, HTTP-Redirect).  The people it can
log in are fictional demo staff of "Eksempel Kommune"; the attributes follow OIOSAML 3 and the
privileges the OIO Basic Privilege Profile 1.2.

Never run it in production: :func:`main` refuses to start when ``KREDS_ENV=production``.  The
module deliberately does not import Django, so ``python -m kreds.sso.testidp`` runs on its own.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import logging
import os
import secrets
import shutil
import sys
import tempfile
import threading
import urllib.request
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from xml.sax.saxutils import escape as xml_escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name, saml, samlp
from saml2.config import IdPConfig
from saml2.mdstore import InMemoryMetaData
from saml2.metadata import create_metadata_string
from saml2.s_utils import decode_base64_and_inflate, sid, success_status_factory
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_ENTITY, NAMEID_FORMAT_PERSISTENT, SCM_BEARER
from saml2.server import Server
from saml2.sigver import (
    get_pem_wrapped_unwrapped,
    make_temp,
    pre_encrypt_assertion,
    pre_encryption_part,
    pre_signature_part,
    signed_instance_factory,
    verify_redirect_signature,
)
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

logger = logging.getLogger(__name__)

# --- OIOSAML 3 attribute names ------------------------------------------------------------------

OIOSAML_UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
OIOSAML_LOA = "https://data.gov.dk/concept/core/nsis/loa"
OIOSAML_FIRST = "https://data.gov.dk/model/core/eid/firstName"
OIOSAML_LAST = "https://data.gov.dk/model/core/eid/lastName"
OIOSAML_FULL = "https://data.gov.dk/model/core/eid/fullName"
OIOSAML_EMAIL = "https://data.gov.dk/model/core/eid/email"
OIOSAML_PRIVILEGES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"
OIOSAML_SPEC = "https://data.gov.dk/model/core/specVersion"  # value "OIO-SAML-3.0"
OIOSAML_CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
OIOSAML_ORG_NAME = "https://data.gov.dk/model/core/eid/professional/orgName"

OIOSAML_SPEC_VERSION = "OIO-SAML-3.0"
#: AuthnContextClassRef of the assurance level, e.g. ".../nsis/loa/Substantial".
LOA_CLASS_REF_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/"
LOA_LEVELS = ("Low", "Substantial", "High")
LOA_DANISH = {"Low": "Lav", "Substantial": "Betydelig", "High": "Høj"}

BPP_NAMESPACE = "http://digst.dk/oiosaml/basic_privilege_profile"

# --- demo organisation ----------------------------------------------------------------------------

DEMO_CVR = "29189846"
DEMO_ORG_NAME = "Eksempel Kommune"
DEMO_SCOPE = f"urn:dk:gov:saml:cvrNumberIdentifier:{DEMO_CVR}"

CONSTRAINT_ORGENHED = "http://sts.kombit.dk/constraints/orgenhed/1"
ORG_MYNDIGHED = "3f1c6c8e-5b7a-4d51-9a0e-6f2d8c4b1a01"
ORG_UNGECENTER = "8a4e2d17-9c3b-4f6e-a1d5-2b7c9e0f4a02"
ORG_FAMILIECENTER = "c5d9b3a2-7e1f-4c8d-b6a4-9f0e2d1c3b03"


def role_uri(name: str) -> str:
    """The privilege (user system role) URI Kreds understands for a role name."""
    return f"http://kreds.dk/roles/usersystemrole/{name}/1"


ROLE_SAGSBEHANDLER = role_uri("sagsbehandler")
ROLE_MOEDELEDER = role_uri("moedeleder")
ROLE_LEDER = role_uri("leder")
ROLE_ADMINISTRATOR = role_uri("administrator")
ROLE_FAGPERSON = role_uri("fagperson")

BANNER = "TEST-IDENTITETSUDBYDER – kun til demo og test. Aldrig i drift."

ASSERTION_LIFETIME = timedelta(minutes=5)
EXPIRED_AGE = timedelta(hours=1)
LOGOUT_REQUEST_LIFETIME = timedelta(minutes=5)
MAX_BODY = 1024 * 1024

# XML encryption (OIOSAML 3 asks for AES-GCM content encryption and RSA-OAEP key transport).
ENC_AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
ENC_RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"

_BINDINGS: dict[str, str] = {
    "redirect": BINDING_HTTP_REDIRECT,
    "post": BINDING_HTTP_POST,
    BINDING_HTTP_REDIRECT: BINDING_HTTP_REDIRECT,
    BINDING_HTTP_POST: BINDING_HTTP_POST,
}


# --- people and privileges ------------------------------------------------------------------------


@dataclass(frozen=True)
class Privilege:
    """One ``<PrivilegeGroup>``: its privileges share the group's constraints and scope."""

    privileges: tuple[str, ...]
    constraints: tuple[tuple[str, str], ...] = ()  # (Constraint Name, value)
    scope: str = DEMO_SCOPE


@dataclass
class Person:
    key: str  # short id used in forms, e.g. "anna"
    uuid: str  # persistent professional UUID (sent as "urn:uuid:<uuid>")
    first_name: str
    last_name: str
    email: str  # "" = the person has no e-mail address; the attribute is left out
    loa: str = "Substantial"  # "Low" | "Substantial" | "High"
    privileges: list[Privilege] = field(default_factory=list)
    description: str = ""  # shown on the picker, Danish
    cvr: str = DEMO_CVR
    org_name: str = DEMO_ORG_NAME

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def name_id_value(self) -> str:
        return f"urn:uuid:{self.uuid}"


def privileges_xml(groups: Iterable[Privilege]) -> str:
    """The OIO Basic Privilege Profile 1.2 document for ``groups`` (children unqualified)."""
    parts = [f'<bpp:PrivilegeList xmlns:bpp="{BPP_NAMESPACE}">']
    for group in groups:
        parts.append(f'<PrivilegeGroup Scope="{xml_escape(group.scope, {chr(34): "&quot;"})}">')
        parts.extend(f"<Privilege>{xml_escape(privilege)}</Privilege>" for privilege in group.privileges)
        parts.extend(
            f'<Constraint Name="{xml_escape(name, {chr(34): "&quot;"})}">{xml_escape(value)}</Constraint>'
            for name, value in group.constraints
        )
        parts.append("</PrivilegeGroup>")
    parts.append("</bpp:PrivilegeList>")
    return "".join(parts)


def privileges_attribute(groups: Iterable[Privilege]) -> str:
    """The attribute value of ``privilegesIntermediate``: base64 of :func:`privileges_xml`."""
    return base64.b64encode(privileges_xml(groups).encode("utf-8")).decode("ascii")


def demo_people() -> list[Person]:
    """The fictional staff of Eksempel Kommune the test IdP offers on its picker."""
    return [
        Person(
            key="anna",
            uuid="f2b299ab-6c33-4160-b484-61590f454ab3",
            first_name="Anna-Sofie",
            last_name="Mølgaard Kristensen",
            email="anna-sofie.kristensen@eksempel-kommune.dk",
            privileges=[Privilege((ROLE_SAGSBEHANDLER,), ((CONSTRAINT_ORGENHED, ORG_MYNDIGHED),))],
            description="Sagsbehandler i Myndighed",
        ),
        Person(
            key="mads",
            uuid="dd464fa3-8c6d-4509-9080-a7ccf1eeb74e",
            first_name="Mads Emil",
            last_name="Vestergaard Thygesen",
            email="mads.thygesen@eksempel-kommune.dk",
            privileges=[
                Privilege((ROLE_MOEDELEDER, ROLE_FAGPERSON), ((CONSTRAINT_ORGENHED, ORG_FAMILIECENTER),)),
            ],
            description="Mødeleder og fagperson i Familiecenter",
        ),
        Person(
            key="birgitte",
            uuid="c57bb4a9-6b94-4cde-b982-bf082198d1e4",
            first_name="Birgitte Lykke",
            last_name="Holm Frederiksen",
            email="birgitte.frederiksen@eksempel-kommune.dk",
            loa="High",
            privileges=[
                Privilege((ROLE_LEDER, ROLE_SAGSBEHANDLER), ((CONSTRAINT_ORGENHED, ORG_MYNDIGHED),)),
                Privilege((ROLE_LEDER,), ((CONSTRAINT_ORGENHED, ORG_UNGECENTER),)),
            ],
            description="Leder af Myndighed og Ungecenter",
        ),
        Person(
            key="jens",
            uuid="e60bcf26-0b07-4167-a183-d71f96bc8221",
            first_name="Jens Peter",
            last_name="Søndergaard Christiansen",
            email="jens.peter.christiansen@eksempel-kommune.dk",
            loa="High",
            privileges=[
                Privilege((ROLE_ADMINISTRATOR,), ((CONSTRAINT_ORGENHED, ORG_MYNDIGHED),)),
                Privilege((ROLE_SAGSBEHANDLER,), ((CONSTRAINT_ORGENHED, ORG_UNGECENTER),)),
            ],
            description="Administrator i Myndighed og sagsbehandler i Ungecenter",
        ),
        Person(
            key="karen",
            uuid="c78aecb8-80f6-4af2-a992-97102ab050ae",
            first_name="Karen Margrethe",
            last_name="Dalgaard Bøgh-Andersen",
            email="",
            privileges=[Privilege((ROLE_FAGPERSON,), ((CONSTRAINT_ORGENHED, ORG_FAMILIECENTER),))],
            description="Fagperson i Familiecenter (uden e-mailadresse)",
        ),
        Person(
            key="fatima",
            uuid="08ce71c9-5da6-4830-b479-6b98e5a70284",
            first_name="Fatima Zahra",
            last_name="Al-Hassan Nørgaard",
            email="fatima.norgaard@eksempel-kommune.dk",
            loa="Low",
            privileges=[Privilege((ROLE_SAGSBEHANDLER,), ((CONSTRAINT_ORGENHED, ORG_UNGECENTER),))],
            description="Sagsbehandler i Ungecenter (kun lavt sikringsniveau)",
        ),
        Person(
            key="soeren",
            uuid="6a35ea74-a169-4384-bedc-cd928ece1e06",
            first_name="Søren Aksel",
            last_name="Østergaard Winther-Bech",
            email="soeren.winther-bech@eksempel-kommune.dk",
            privileges=[],
            description="Ny medarbejder uden rettigheder",
        ),
    ]


# --- messages ---------------------------------------------------------------------------------------


@dataclass
class Overrides:
    """Knobs for refusal tests; the default is a correct response."""

    audience: str | None = None  # this audience instead of the SP's entity id
    expired: bool = False  # issued an hour ago, valid for five minutes: long expired
    sign_assertion: bool = True
    sign_response: bool = True  # both False => an unsigned response
    encrypt_assertion: bool = False  # encrypt for the SP's encryption certificate from its metadata
    in_response_to: str | None = None  # instead of the request's ID
    loa: str | None = None  # instead of the person's LoA
    privileges: list[Privilege] | None = None  # instead of the person's ([] = attribute left out)
    drop_attributes: tuple[str, ...] = ()  # attribute names to leave out (e.g. OIOSAML_UUID)
    assertion_id: str | None = None  # fixed assertion ID (replay tests)


@dataclass(frozen=True)
class AuthnRequestInfo:
    id: str
    issuer: str  # the SP's entity id
    acs_url: str  # where the Response goes (checked against the SP's metadata)
    relay_state: str | None
    binding: str = BINDING_HTTP_REDIRECT  # the binding the request arrived by
    force_authn: bool = False
    requested_loa: tuple[str, ...] = ()  # RequestedAuthnContext class refs, if any


@dataclass(frozen=True)
class Session:
    person_key: str
    sp_entity_id: str
    name_id: str
    session_index: str


class SAMLRequestError(ValueError):
    """A SAML message the IdP refuses (unsigned, badly signed, unknown SP, malformed …)."""


@dataclass(frozen=True)
class PostForm:
    """A SAML message delivered by the HTTP-POST binding."""

    action: str
    saml_response: str
    relay_state: str | None

    def html(self) -> str:
        fields = _hidden("SAMLResponse", self.saml_response)
        if self.relay_state is not None:
            fields += _hidden("RelayState", self.relay_state)
        body = (
            "<h1>Log ind</h1>"
            "<p>Du er logget ind hos test-identitetsudbyderen. Tryk på knappen for at fortsætte.</p>"
            f'<form method="post" action="{_e(self.action)}">{fields}'
            '<button type="submit">Fortsæt til tjenesten</button></form>'
        )
        return _page("Fortsæt til tjenesten", body)


# --- keys -----------------------------------------------------------------------------------------------

KEY_FILE_NAME = "idp-signing.key"
CERT_FILE_NAME = "idp-signing.crt"


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def ensure_keypair(key_dir: Path, common_name: str) -> tuple[Path, Path]:
    """An RSA 2048 key and a self-signed certificate in ``key_dir``, reused while still valid."""
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path, cert_path = key_dir / KEY_FILE_NAME, key_dir / CERT_FILE_NAME
    now = datetime.now(UTC)
    if key_path.exists() and cert_path.exists():
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if cert.not_valid_after_utc > now + timedelta(days=1):
                return key_path, cert_path
        except ValueError:
            logger.warning("Test-IdP: unreadable key pair in %s, making a new one", key_dir)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{DEMO_ORG_NAME} (TEST)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


# --- the identity provider ----------------------------------------------------------------------------


def _binding(binding: str) -> str:
    try:
        return _BINDINGS[binding]
    except KeyError:
        raise SAMLRequestError(f"Ukendt binding: {binding}") from None


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _peek_issuer(saml_request: str, binding: str) -> str | None:
    """The Issuer of a (not yet verified) request – only used to fetch unknown SP metadata."""
    try:
        if binding == BINDING_HTTP_REDIRECT:
            xml = decode_base64_and_inflate(saml_request)
        else:
            xml = base64.b64decode(saml_request)
        request = samlp.authn_request_from_string(xml)
    except Exception:
        return None
    if request is None or request.issuer is None or not request.issuer.text:
        return None
    return str(request.issuer.text).strip()


class TestIdP:
    """A SAML 2.0 identity provider for Kreds' tests and demo (OIOSAML 3 flavoured)."""

    __test__ = False  # not a pytest test class despite its name

    def __init__(
        self,
        base_url: str,
        *,
        key_dir: str | Path | None = None,
        people: list[Person] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.entity_id = f"{self.base_url}/saml/metadata"
        self.sso_url = f"{self.base_url}/saml/sso"
        self.slo_url = f"{self.base_url}/saml/slo"
        self.people: dict[str, Person] = {p.key: p for p in (people if people is not None else demo_people())}
        #: Where to (re)fetch SP metadata when a request arrives from an SP not yet trusted.
        self.sp_metadata_urls: list[str] = []
        self._lock = threading.RLock()
        self._sessions: list[Session] = []

        if key_dir is None:
            tmp_dir = tempfile.mkdtemp(prefix="kreds-test-idp-")
            weakref.finalize(self, shutil.rmtree, tmp_dir, True)
            self.key_dir = Path(tmp_dir)
        else:
            self.key_dir = Path(key_dir)
        self.key_file, self.cert_file = ensure_keypair(self.key_dir, f"Kreds test-IdP {self.base_url}")

        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"inline": []},
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "accepted_time_diff": 60,
                "delete_tmpfiles": True,
                "allow_unknown_attributes": True,
                "service": {
                    "idp": {
                        "name": f"Test-IdP for {DEMO_ORG_NAME}",
                        "endpoints": {
                            "single_sign_on_service": [
                                (self.sso_url, BINDING_HTTP_REDIRECT),
                                (self.sso_url, BINDING_HTTP_POST),
                            ],
                            "single_logout_service": [
                                (self.slo_url, BINDING_HTTP_REDIRECT),
                                (self.slo_url, BINDING_HTTP_POST),
                            ],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": True,
                        "sign_response": True,
                        "sign_assertion": True,
                    }
                },
            }
        )
        self.server = Server(config=config)
        self._metadata_xml: str | None = None

    # -- metadata and trust ---------------------------------------------------------------------------

    def metadata_xml(self) -> str:
        """The IdP's own metadata (an ``EntityDescriptor``)."""
        with self._lock:
            if self._metadata_xml is None:
                xml = create_metadata_string(None, config=self.server.config, sign=False)
                self._metadata_xml = xml.decode("utf-8") if isinstance(xml, bytes) else str(xml)
            return self._metadata_xml

    def trust_sp(self, sp_metadata_xml: str) -> None:
        """Add (or replace) a service provider's metadata."""
        store = self.server.metadata
        loaded = InMemoryMetaData(store.attrc, sp_metadata_xml)
        try:
            loaded.load()
        except Exception as exc:
            raise ValueError(f"Unreadable SP metadata: {exc}") from exc
        entity_ids = list(loaded.keys())
        if not entity_ids:
            raise ValueError("The SP metadata describes no (valid) entity")
        for entity_id in entity_ids:
            if "spsso_descriptor" not in loaded[entity_id]:
                raise ValueError(f"{entity_id} is not a service provider (no SPSSODescriptor)")
        with self._lock:
            for key, existing in list(store.metadata.items()):
                for entity_id in entity_ids:
                    if entity_id in existing:
                        del existing[entity_id]
                if len(existing) == 0:
                    del store.metadata[key]
            store.metadata[f"trusted-sp:{'|'.join(sorted(entity_ids))}"] = loaded

    def trusted_sps(self) -> list[str]:
        with self._lock:
            return sorted(str(e) for e in self.server.metadata.keys())  # noqa: SIM118 - a MetadataStore, not a dict

    def refresh_sp_metadata(self) -> None:
        """Fetch the metadata of every URL in :attr:`sp_metadata_urls` (failures are logged)."""
        for url in self.sp_metadata_urls:
            try:
                self.trust_sp(fetch_metadata(url))
            except (OSError, ValueError) as exc:
                logger.warning("Test-IdP: could not load SP metadata from %s: %s", url, exc)

    # -- single sign-on ----------------------------------------------------------------------------------

    def _parse(self, query: Mapping[str, str], binding: str) -> tuple[AuthnRequestInfo, Any]:
        saml_binding = _binding(binding)
        saml_request = query.get("SAMLRequest")
        if not saml_request:
            raise SAMLRequestError("Forespørgslen mangler SAMLRequest.")
        # An SP may start after the IdP, or get a new key: fetch its metadata (again) when needed.
        issuer = _peek_issuer(saml_request, saml_binding) if self.sp_metadata_urls else None
        refreshed = False
        if issuer and issuer not in self.trusted_sps():
            self.refresh_sp_metadata()
            refreshed = True
        try:
            return self._verify_authn_request(query, saml_request, saml_binding)
        except SAMLRequestError:
            if refreshed or not issuer:
                raise
            self.refresh_sp_metadata()  # the SP may have a new key since its metadata was fetched
            return self._verify_authn_request(query, saml_request, saml_binding)

    def _verify_authn_request(
        self, query: Mapping[str, str], saml_request: str, saml_binding: str
    ) -> tuple[AuthnRequestInfo, Any]:
        relay_state = query.get("RelayState")
        with self._lock:
            try:
                parsed = self.server.parse_authn_request(
                    saml_request,
                    saml_binding,
                    relay_state=relay_state,
                    sigalg=query.get("SigAlg") if saml_binding == BINDING_HTTP_REDIRECT else None,
                    signature=query.get("Signature") if saml_binding == BINDING_HTTP_REDIRECT else None,
                )
            except Exception as exc:
                raise SAMLRequestError(f"Login-forespørgslen kunne ikke godkendes: {exc}") from exc
            if parsed is None or parsed.message is None:
                raise SAMLRequestError("Login-forespørgslen kunne ikke læses.")
            message = parsed.message
            if message.issuer is None or not message.issuer.text:
                raise SAMLRequestError("Login-forespørgslen mangler Issuer.")
            try:
                args = self.server.response_args(message, [BINDING_HTTP_POST])
            except Exception as exc:
                raise SAMLRequestError(f"Ukendt tjeneste eller modtageradresse: {exc}") from exc
        requested: tuple[str, ...] = ()
        if message.requested_authn_context is not None:
            requested = tuple(
                str(ref.text).strip() for ref in message.requested_authn_context.authn_context_class_ref or []
            )
        info = AuthnRequestInfo(
            id=str(message.id),
            issuer=str(message.issuer.text).strip(),
            acs_url=str(args["destination"]),
            relay_state=relay_state,
            binding=saml_binding,
            force_authn=str(message.force_authn).lower() in ("true", "1"),
            requested_loa=requested,
        )
        return info, message

    def parse_authn_request(self, query: Mapping[str, str], binding: str = "redirect") -> AuthnRequestInfo:
        """Verify an AuthnRequest (signature, destination, known SP and ACS URL) and describe it."""
        return self._parse(query, binding)[0]

    def person(self, person: Person | str) -> Person:
        if isinstance(person, Person):
            return person
        try:
            return self.people[person]
        except KeyError:
            raise SAMLRequestError(f"Ukendt demoperson: {person}") from None

    def _attributes(self, person: Person, overrides: Overrides) -> list[Any]:
        loa = overrides.loa or person.loa
        groups = overrides.privileges if overrides.privileges is not None else person.privileges
        values: list[tuple[str, str]] = [
            (OIOSAML_SPEC, OIOSAML_SPEC_VERSION),
            (OIOSAML_UUID, person.name_id_value),
            (OIOSAML_LOA, loa),
            (OIOSAML_FIRST, person.first_name),
            (OIOSAML_LAST, person.last_name),
            (OIOSAML_FULL, person.full_name),
            (OIOSAML_EMAIL, person.email),
            (OIOSAML_CVR, person.cvr),
            (OIOSAML_ORG_NAME, person.org_name),
            (OIOSAML_PRIVILEGES, privileges_attribute(groups) if groups else ""),
        ]
        return [
            saml.Attribute(
                name=name,
                name_format=NAME_FORMAT_URI,
                attribute_value=[saml.AttributeValue(text=value)],
            )
            for name, value in values
            if value and name not in overrides.drop_attributes
        ]

    def login_response(
        self,
        query: Mapping[str, str],
        person: Person | str,
        overrides: Overrides | None = None,
        binding: str = "redirect",
    ) -> PostForm:
        """The SAML Response logging ``person`` in, for the AuthnRequest in ``query``."""
        info, _message = self._parse(query, binding)
        who = self.person(person)
        ov = overrides or Overrides()
        loa = ov.loa or who.loa

        issued = datetime.now(UTC) - (EXPIRED_AGE if ov.expired else timedelta(0))
        valid_until = issued + ASSERTION_LIFETIME
        in_response_to = ov.in_response_to if ov.in_response_to is not None else info.id
        audience = ov.audience if ov.audience is not None else info.issuer
        session_index = f"_{secrets.token_hex(16)}"
        issuer = saml.Issuer(text=self.entity_id, format=NAMEID_FORMAT_ENTITY)

        assertion = saml.Assertion(
            id=ov.assertion_id or sid(),
            version="2.0",
            issue_instant=_instant(issued),
            issuer=issuer,
            subject=saml.Subject(
                name_id=saml.NameID(format=NAMEID_FORMAT_PERSISTENT, text=who.name_id_value),
                subject_confirmation=[
                    saml.SubjectConfirmation(
                        method=SCM_BEARER,
                        subject_confirmation_data=saml.SubjectConfirmationData(
                            in_response_to=in_response_to,
                            recipient=info.acs_url,
                            not_on_or_after=_instant(valid_until),
                        ),
                    )
                ],
            ),
            conditions=saml.Conditions(
                not_before=_instant(issued),
                not_on_or_after=_instant(valid_until),
                audience_restriction=[saml.AudienceRestriction(audience=[saml.Audience(text=audience)])],
            ),
            authn_statement=[
                saml.AuthnStatement(
                    authn_instant=_instant(issued),
                    session_index=session_index,
                    authn_context=saml.AuthnContext(
                        authn_context_class_ref=saml.AuthnContextClassRef(text=LOA_CLASS_REF_PREFIX + loa)
                    ),
                )
            ],
            attribute_statement=[saml.AttributeStatement(attribute=self._attributes(who, ov))],
        )
        response = samlp.Response(
            id=sid(),
            version="2.0",
            issue_instant=_instant(issued),
            issuer=saml.Issuer(text=self.entity_id, format=NAMEID_FORMAT_ENTITY),
            in_response_to=in_response_to,
            destination=info.acs_url,
            status=success_status_factory(),
        )
        response.assertion = assertion

        with self._lock:
            xml = self._sign_and_encrypt(response, assertion, ov, info.issuer)
            self._sessions.append(Session(who.key, info.issuer, who.name_id_value, session_index))
        encoded = base64.b64encode(xml.encode("utf-8")).decode("ascii")
        return PostForm(action=info.acs_url, saml_response=encoded, relay_state=info.relay_state)

    def _sign_and_encrypt(self, response: Any, assertion: Any, ov: Overrides, sp_entity_id: str) -> str:
        """Sign (and encrypt) everything only now, after all overrides are in place."""
        sec = self.server.sec
        algs = {"sign_alg": SIG_RSA_SHA256, "digest_alg": DIGEST_SHA256}
        assertion_ref = (class_name(assertion), assertion.id)
        response_ref = (class_name(response), response.id)
        if ov.sign_response:
            response.signature = pre_signature_part(response.id, sec.my_cert, 1, **algs)
        if ov.sign_assertion:
            assertion.signature = pre_signature_part(assertion.id, sec.my_cert, 2, **algs)

        if not ov.encrypt_assertion:
            to_sign = ([assertion_ref] if ov.sign_assertion else []) + ([response_ref] if ov.sign_response else [])
            if not to_sign:
                return str(response.to_string().decode("utf-8"))
            return str(signed_instance_factory(response, sec, to_sign))

        certs = self.server.metadata.certs(sp_entity_id, "spsso", "encryption")
        if not certs:
            raise SAMLRequestError(f"{sp_entity_id} has no encryption certificate in its metadata")
        assertion_tag = assertion._to_element_tree().tag
        response = pre_encrypt_assertion(response)
        xml = response.get_xml_string_with_self_contained_assertion_within_encrypted_assertion(assertion_tag)
        if ov.sign_assertion:
            xml = signed_instance_factory(xml, sec, [assertion_ref])
        wrapped, unwrapped = get_pem_wrapped_unwrapped(certs[0][1])
        cert_file = make_temp(wrapped.encode("ascii"), decode=False, delete_tmpfiles=True)
        template = pre_encryption_part(msg_enc=ENC_AES256_GCM, key_enc=ENC_RSA_OAEP_MGF1P, encrypt_cert=unwrapped)
        xml = sec.encrypt_assertion(xml, cert_file.name, template, key_type="aes-256")
        if ov.sign_response:
            xml = signed_instance_factory(xml, sec, [response_ref])
        return str(xml)

    # -- single logout ----------------------------------------------------------------------------------

    def sessions(self) -> list[Session]:
        with self._lock:
            return list(self._sessions)

    def _redirect(self, message: str, destination: str, relay_state: str | None, *, response: bool) -> str:
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            message,
            destination,
            relay_state or "",
            response=response,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return str(dict(info["headers"])["Location"])

    def _sp_slo(self, sp_entity_id: str) -> str:
        try:
            services = self.server.metadata.single_logout_service(sp_entity_id, BINDING_HTTP_REDIRECT, "spsso")
        except Exception as exc:
            raise SAMLRequestError(f"Ukendt tjeneste: {sp_entity_id}") from exc
        if not services:
            raise SAMLRequestError(f"{sp_entity_id} has no HTTP-Redirect SingleLogoutService in its metadata")
        return str(services[0]["location"])

    def logout_request(self, person: Person | str, sp_entity_id: str) -> str:
        """IdP-initiated logout: the signed HTTP-Redirect URL of a LogoutRequest to the SP's SLO endpoint.

        The person's sessions at that SP end at the IdP right away.  Without a recorded session the
        request names the person only (no SessionIndex), which asks the SP to end all their sessions.
        """
        who = self.person(person)
        with self._lock:
            destination = self._sp_slo(sp_entity_id)
            ended = [s for s in self._sessions if s.person_key == who.key and s.sp_entity_id == sp_entity_id]
            self._sessions = [s for s in self._sessions if s not in ended]
            _request_id, request = self.server.create_logout_request(
                destination,
                sp_entity_id,
                name_id=saml.NameID(format=NAMEID_FORMAT_PERSISTENT, text=who.name_id_value),
                reason="urn:oasis:names:tc:SAML:2.0:logout:user",
                expire=_instant(datetime.now(UTC) + LOGOUT_REQUEST_LIFETIME),
                session_indexes=[s.session_index for s in ended] or None,
                sign=False,  # HTTP-Redirect: the signature travels in the query string
            )
            return self._redirect(str(request), destination, None, response=False)

    def handle_logout_request(self, query: Mapping[str, str], binding: str = "redirect") -> str:
        """SP-initiated logout: verify the LogoutRequest, end the session, return the LogoutResponse URL."""
        saml_binding = _binding(binding)
        saml_request = query.get("SAMLRequest")
        if not saml_request:
            raise SAMLRequestError("Forespørgslen mangler SAMLRequest.")
        relay_state = query.get("RelayState")
        with self._lock:
            try:
                parsed = self.server.parse_logout_request(
                    saml_request,
                    saml_binding,
                    relay_state=relay_state,
                    sigalg=query.get("SigAlg") if saml_binding == BINDING_HTTP_REDIRECT else None,
                    signature=query.get("Signature") if saml_binding == BINDING_HTTP_REDIRECT else None,
                )
            except Exception as exc:
                raise SAMLRequestError(f"Logout-forespørgslen kunne ikke godkendes: {exc}") from exc
            if parsed is None or parsed.message is None:
                raise SAMLRequestError("Logout-forespørgslen kunne ikke læses.")
            message = parsed.message
            if message.issuer is None or not message.issuer.text:
                raise SAMLRequestError("Logout-forespørgslen mangler Issuer.")
            sp_entity_id = str(message.issuer.text).strip()
            destination = self._sp_slo(sp_entity_id)
            name_id = str(message.name_id.text).strip() if message.name_id is not None else None
            indexes = {str(si.text).strip() for si in message.session_index or []}
            self._sessions = [
                s
                for s in self._sessions
                if not (
                    s.sp_entity_id == sp_entity_id
                    and s.name_id == name_id
                    and (not indexes or s.session_index in indexes)
                )
            ]
            response = self.server.create_logout_response(
                message,
                [BINDING_HTTP_REDIRECT],
                status=success_status_factory(),
                sign=False,  # HTTP-Redirect: the signature travels in the query string
            )
            return self._redirect(str(response), destination, relay_state, response=True)

    def check_logout_response(self, query: Mapping[str, str], binding: str = "redirect") -> bool:
        """Whether an SP's LogoutResponse is addressed to us, signed by that SP and reports Success.

        With the HTTP-Redirect binding the signature is the query string's (SigAlg/Signature).
        """
        saml_response = query.get("SAMLResponse")
        if not saml_response:
            return False
        saml_binding = _binding(binding)
        with self._lock:
            try:
                parsed = self.server.parse_logout_request_response(saml_response, saml_binding)
                if parsed is None or parsed.response is None or parsed.response.issuer is None:
                    return False
                if saml_binding == BINDING_HTTP_REDIRECT:
                    if not (query.get("SigAlg") and query.get("Signature")):
                        return False
                    sp_entity_id = str(parsed.response.issuer.text).strip()
                    certs = self.server.metadata.certs(sp_entity_id, "spsso", "signing")
                    backend = self.server.sec.sec_backend
                    signed = {k: query[k] for k in ("SAMLResponse", "RelayState", "SigAlg", "Signature") if k in query}
                    if not any(verify_redirect_signature(signed, backend, cert) for _name, cert in certs):
                        return False
                elif parsed.response.signature is None:  # HTTP-POST: pysaml2 verified it if present
                    return False
                return bool(parsed.status_ok())
            except Exception:
                logger.info("Test-IdP: unreadable or unverified LogoutResponse", exc_info=True)
                return False

    # -- the HTTP face ----------------------------------------------------------------------------------

    def wsgi_app(self) -> Callable[..., Iterable[bytes]]:
        return _App(self)


def fetch_metadata(url: str, timeout: float = 5.0) -> str:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"Not an http(s) URL: {url}")
    with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 - scheme checked above
        return str(reply.read().decode("utf-8"))


# --- HTML -----------------------------------------------------------------------------------------------

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:0;line-height:1.5;color:#1a1a1a;background:#fff}"
    ".banner{background:#8a1c1c;color:#fff;font-weight:700;padding:.75rem 1rem;text-align:center;margin:0}"
    "main{max-width:44rem;margin:0 auto;padding:1rem}"
    "ul.people{list-style:none;padding:0}"
    "ul.people>li{border:1px solid #767676;border-radius:.25rem;padding:.75rem 1rem;margin:.75rem 0}"
    "h2{font-size:1.15rem;margin:.25rem 0}"
    "button,a{font-size:1rem}"
    "button{padding:.5rem 1rem;border:2px solid #0b3d91;background:#0b3d91;color:#fff;border-radius:.25rem;"
    "cursor:pointer}"
    "a{color:#0b3d91}"
    ":focus-visible{outline:3px solid #d35400;outline-offset:3px}"
    ".error{border-left:.3rem solid #8a1c1c;padding-left:1rem}"
)
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
CSP = f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; frame-ancestors 'none'"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{_e(name)}" value="{_e(value)}">'


def _page(title: str, body: str) -> str:
    full_title = title if "Test-IdP" in title else f"{title} – Test-IdP"
    return (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{_e(full_title)}</title>'
        f"<style>{_CSS}</style></head><body>"
        f'<header><p class="banner">{_e(BANNER)}</p></header>'
        f"<main>{body}</main></body></html>"
    )


def _loa_text(loa: str) -> str:
    return f"{LOA_DANISH.get(loa, loa)} ({loa})"


class _App:
    """The WSGI face of a :class:`TestIdP`."""

    def __init__(self, idp: TestIdP) -> None:
        self.idp = idp

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "/") or "/"
        try:
            params = self._params(environ, method)
            status, headers, body = self._route(method, path, params)
        except SAMLRequestError as exc:
            logger.info("Test-IdP refused a request: %s", exc)
            status, headers, body = self._html(
                "400 Bad Request",
                "Ugyldig forespørgsel",
                '<div class="error"><h1>Ugyldig forespørgsel</h1>'
                f"<p>Test-identitetsudbyderen kunne ikke bruge forespørgslen.</p><p>{_e(exc)}</p></div>",
            )
        data = body.encode("utf-8")
        headers = [*headers, ("Content-Length", str(len(data)))]
        start_response(status, headers)
        return [data] if method != "HEAD" else [b""]

    @staticmethod
    def _params(environ: dict[str, Any], method: str) -> dict[str, str]:
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > MAX_BODY:
                raise SAMLRequestError("Forespørgslen er for stor.")
            raw = environ["wsgi.input"].read(length) if length > 0 else b""
            form = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
            params.update({k: v[0] for k, v in form.items()})
        return params

    @staticmethod
    def _security_headers() -> list[tuple[str, str]]:
        return [
            ("Content-Security-Policy", CSP),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-store"),
            ("X-Frame-Options", "DENY"),
        ]

    def _html(self, status: str, title: str, body: str) -> tuple[str, list[tuple[str, str]], str]:
        headers = [("Content-Type", "text/html; charset=utf-8"), *self._security_headers()]
        return status, headers, _page(title, body)

    def _redirect(self, location: str) -> tuple[str, list[tuple[str, str]], str]:
        return "302 Found", [("Location", location), *self._security_headers()], ""

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[str, list[tuple[str, str]], str]:
        get = method in ("GET", "HEAD")
        if path == "/saml/metadata" and get:
            return (
                "200 OK",
                [("Content-Type", "application/samlmetadata+xml"), ("Cache-Control", "no-store")],
                self.idp.metadata_xml(),
            )
        if path == "/saml/sso" and (get or method == "POST"):
            return self._picker(params, "redirect" if get else "post")
        if path == "/saml/login" and method == "POST":
            binding = params.get("binding", "redirect")
            form = self.idp.login_response(params, params.get("person", ""), binding=binding)
            return "200 OK", [("Content-Type", "text/html; charset=utf-8"), *self._security_headers()], form.html()
        if path == "/saml/slo" and (get or method == "POST"):
            binding = "redirect" if get else "post"
            if params.get("SAMLRequest"):
                return self._redirect(self.idp.handle_logout_request(params, binding))
            if params.get("SAMLResponse"):
                ok = self.idp.check_logout_response(params, binding)
                note = "" if ok else "<p>Bemærk: tjenestens logout-svar kunne ikke bekræftes.</p>"
                return self._html(
                    "200 OK",
                    "Du er logget ud",
                    f'<h1>Du er logget ud</h1>{note}<p><a href="/">Tilbage til test-identitetsudbyderen</a></p>',
                )
            raise SAMLRequestError("Forespørgslen mangler SAMLRequest eller SAMLResponse.")
        if path == "/idp-logout" and get:
            return self._redirect(self.idp.logout_request(params.get("person", ""), params.get("sp", "")))
        if path == "/" and get:
            return self._home()
        if path in ("/", "/saml/metadata", "/saml/sso", "/saml/login", "/saml/slo", "/idp-logout"):
            status, headers, body = self._html(
                "405 Method Not Allowed", "Metoden er ikke tilladt", "<h1>Metoden er ikke tilladt</h1>"
            )
            return status, [*headers, ("Allow", "GET, POST")], body
        return self._html(
            "404 Not Found", "Siden findes ikke", '<h1>Siden findes ikke</h1><p><a href="/">Til forsiden</a></p>'
        )

    def _picker(self, params: dict[str, str], binding: str) -> tuple[str, list[tuple[str, str]], str]:
        info = self.idp.parse_authn_request(params, binding)
        carried = "".join(
            _hidden(name, params[name])
            for name in ("SAMLRequest", "RelayState", "SigAlg", "Signature")
            if name in params
        )
        carried += _hidden("binding", binding)
        items = []
        for person in self.idp.people.values():
            description = f"<p>{_e(person.description)}</p>" if person.description else ""
            items.append(
                f"<li><h2>{_e(person.full_name)}</h2>{description}"
                f"<p>Sikringsniveau: {_e(_loa_text(person.loa))}</p>"
                f'<form method="post" action="/saml/login">{carried}{_hidden("person", person.key)}'
                f'<button type="submit">Log ind som {_e(person.full_name)}</button></form></li>'
            )
        body = (
            "<h1>Vælg en demoperson</h1>"
            f"<p>Tjenesten <strong>{_e(info.issuer)}</strong> beder om login. "
            "Vælg hvem du vil logge ind som. Alle personer er opdigtede.</p>"
            f'<ul class="people">{"".join(items)}</ul>'
        )
        return self._html("200 OK", "Vælg en demoperson", body)

    def _home(self) -> tuple[str, list[tuple[str, str]], str]:
        sessions = self.idp.sessions()
        items = []
        for person in self.idp.people.values():
            links = []
            for sp in dict.fromkeys(s.sp_entity_id for s in sessions if s.person_key == person.key):
                href = "/idp-logout?" + urlencode({"person": person.key, "sp": sp}, quote_via=quote)
                links.append(
                    f'<li><a href="{_e(href)}">Log {_e(person.full_name)} ud fra tjenesten</a> ({_e(sp)})</li>'
                )
            session_html = f"<ul>{''.join(links)}</ul>" if links else "<p>Ingen aktive sessioner.</p>"
            description = f"<p>{_e(person.description)}</p>" if person.description else ""
            items.append(
                f"<li><h2>{_e(person.full_name)}</h2>{description}"
                f"<p>Sikringsniveau: {_e(_loa_text(person.loa))}</p>{session_html}</li>"
            )
        body = (
            f"<h1>Test-IdP for {_e(DEMO_ORG_NAME)}</h1>"
            "<p>Log ind via tjenesten (fx Kreds) – den sender dig hertil. "
            f'Metadata: <a href="/saml/metadata">{_e(self.idp.entity_id)}</a></p>'
            f'<ul class="people">{"".join(items)}</ul>'
        )
        return self._html("200 OK", f"Test-IdP for {DEMO_ORG_NAME}", body)


# --- command line ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m kreds.sso.testidp",
        description=f"Test SAML identity provider for {DEMO_ORG_NAME} (demo and tests only; never in production).",
    )
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--base-url", default=None, help="public base URL (default http://127.0.0.1:PORT)")
    parser.add_argument("--sp-metadata-url", action="append", default=[], help="an SP's metadata URL (repeatable)")
    parser.add_argument("--key-dir", default="var/test-idp", help="where the IdP's key and certificate are kept")
    args = parser.parse_args(argv)

    if os.environ.get("KREDS_ENV") == "production":
        raise SystemExit("The test IdP refuses to run with KREDS_ENV=production.")

    logging.basicConfig(level=logging.INFO, format="%(asctime)s test-idp %(levelname)s %(message)s")
    base_url = args.base_url or f"http://127.0.0.1:{args.port}"
    idp = TestIdP(base_url, key_dir=args.key_dir)
    idp.sp_metadata_urls.extend(args.sp_metadata_url)
    idp.refresh_sp_metadata()  # SPs not up yet are fetched again when their first request arrives

    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class _Handler(WSGIRequestHandler):
        def log_message(self, format: str, *log_args: Any) -> None:
            logger.info("%s %s", self.address_string(), format % log_args)

    with make_server("127.0.0.1", args.port, idp.wsgi_app(), handler_class=_Handler) as httpd:
        print(f"Test-IdP for {DEMO_ORG_NAME}: {base_url}/  (metadata: {idp.entity_id})", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()


if __name__ == "__main__":
    main()
