"""The test IdP against a plain pysaml2 service provider: every message it sends must pass (or fail) on the other side.

No Django and no database: the SP here is pysaml2's own ``Saml2Client``, configured as strictly as Kreds' one
(signed AuthnRequests, a signed response or assertion required, no unsolicited responses).
"""

from __future__ import annotations

import base64
import stat
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.sigver import SigverError, read_cert_from_file, verify_redirect_signature
from saml2.validate import ResponseLifetimeExceed
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from werkzeug.test import Client

from kreds.sso import testidp
from kreds.sso.testidp import (
    OIOSAML_CVR,
    OIOSAML_EMAIL,
    OIOSAML_FIRST,
    OIOSAML_FULL,
    OIOSAML_LAST,
    OIOSAML_LOA,
    OIOSAML_PRIVILEGES,
    OIOSAML_SPEC,
    OIOSAML_UUID,
    Overrides,
    Privilege,
    SAMLRequestError,
    TestIdP,
)

IDP_BASE = "http://idp.test"
SP_BASE = "http://sp.test"
SP_ENTITY = f"{SP_BASE}/saml/metadata"
SP_ACS = f"{SP_BASE}/saml/acs"
SP_SLO = f"{SP_BASE}/saml/slo"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"


# --- the service provider ------------------------------------------------------------------------------


def sp_config_dict(keys: Path, idp_metadata: str | None) -> dict[str, Any]:
    return {
        "entityid": SP_ENTITY,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "key_file": str(keys / "sign" / testidp.KEY_FILE_NAME),
        "cert_file": str(keys / "sign" / testidp.CERT_FILE_NAME),
        "encryption_keypairs": [
            {
                "key_file": str(keys / "enc" / testidp.KEY_FILE_NAME),
                "cert_file": str(keys / "enc" / testidp.CERT_FILE_NAME),
            }
        ],
        "allow_unknown_attributes": True,
        "metadata": {"inline": [idp_metadata]} if idp_metadata else {},
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [(SP_ACS, BINDING_HTTP_POST)],
                    "single_logout_service": [(SP_SLO, BINDING_HTTP_REDIRECT)],
                },
                "authn_requests_signed": True,
                "want_assertions_or_response_signed": True,
                "want_response_signed": False,
                "want_assertions_signed": False,
                "allow_unsolicited": False,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
            }
        },
    }


@dataclass
class SP:
    client: Saml2Client
    metadata: str

    def authn_request(self, idp: TestIdP, binding: str = BINDING_HTTP_REDIRECT) -> tuple[str, dict[str, str]]:
        request_id, info = self.client.prepare_for_authenticate(
            entityid=idp.entity_id,
            relay_state="/sager/42",
            binding=binding,
            sign=True,
            sigalg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        if binding == BINDING_HTTP_REDIRECT:
            return request_id, query_of(dict(info["headers"])["Location"])
        fields = forms(info["data"])[0]["fields"]
        return request_id, fields

    def accept(self, saml_response: str, request_id: str) -> Any:
        return self.client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/sager/42"}
        )


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.buttons: list[str] = []
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append({"action": values.get("action"), "method": values.get("method"), "fields": {}})
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1]["fields"][values["name"]] = values.get("value") or ""
        elif tag == "button":
            self._in_button = True
            self.buttons.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._in_button = False

    def handle_data(self, data: str) -> None:
        if self._in_button:
            self.buttons[-1] += data


def forms(page: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def buttons(page: str) -> list[str]:
    parser = _Forms()
    parser.feed(page)
    return [b.strip() for b in parser.buttons]


@pytest.fixture(scope="module")
def sp_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    keys = tmp_path_factory.mktemp("sp-keys")
    testidp.ensure_keypair(keys / "sign", "test SP signing")
    testidp.ensure_keypair(keys / "enc", "test SP encryption")
    return keys


@pytest.fixture(scope="module")
def sp_metadata(sp_keys: Path) -> str:
    config = SPConfig()
    config.load(sp_config_dict(sp_keys, None))
    xml = create_metadata_string(None, config=config)
    return xml.decode() if isinstance(xml, bytes) else str(xml)


@pytest.fixture(scope="module")
def idp_module(tmp_path_factory: pytest.TempPathFactory, sp_metadata: str) -> TestIdP:
    idp = TestIdP(IDP_BASE, key_dir=tmp_path_factory.mktemp("idp-keys"))
    idp.trust_sp(sp_metadata)
    return idp


@pytest.fixture
def idp(idp_module: TestIdP) -> TestIdP:
    idp_module._sessions.clear()
    return idp_module


@pytest.fixture(scope="module")
def sp(sp_keys: Path, sp_metadata: str, idp_module: TestIdP) -> SP:
    config = SPConfig()
    config.load(sp_config_dict(sp_keys, idp_module.metadata_xml()))
    return SP(Saml2Client(config=config), sp_metadata)


def decoded(saml_response: str) -> str:
    return base64.b64decode(saml_response).decode("utf-8")


# --- metadata and keys ---------------------------------------------------------------------------------


def test_metadata_names_the_endpoints_and_the_signing_certificate(idp: TestIdP) -> None:
    root = ElementTree.fromstring(idp.metadata_xml())
    assert root.tag == f"{{{MD}}}EntityDescriptor"
    assert root.get("entityID") == f"{IDP_BASE}/saml/metadata" == idp.entity_id
    descriptor = root.find(f"{{{MD}}}IDPSSODescriptor")
    assert descriptor is not None
    assert descriptor.get("WantAuthnRequestsSigned") == "true"
    sso = {(e.get("Binding"), e.get("Location")) for e in descriptor.findall(f"{{{MD}}}SingleSignOnService")}
    assert sso == {(BINDING_HTTP_REDIRECT, f"{IDP_BASE}/saml/sso"), (BINDING_HTTP_POST, f"{IDP_BASE}/saml/sso")}
    slo = {(e.get("Binding"), e.get("Location")) for e in descriptor.findall(f"{{{MD}}}SingleLogoutService")}
    assert slo == {(BINDING_HTTP_REDIRECT, f"{IDP_BASE}/saml/slo"), (BINDING_HTTP_POST, f"{IDP_BASE}/saml/slo")}
    certs = [e.text for e in descriptor.iter("{http://www.w3.org/2000/09/xmldsig#}X509Certificate")]
    assert certs == [read_cert_from_file(str(idp.cert_file), "pem")]


def test_the_key_is_private_and_kept_across_runs(tmp_path: Path) -> None:
    first = TestIdP(IDP_BASE, key_dir=tmp_path / "keys")
    assert stat.S_IMODE(first.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.cert_file.stat().st_mode) == 0o600
    again = TestIdP(IDP_BASE, key_dir=tmp_path / "keys")
    assert again.cert_file.read_bytes() == first.cert_file.read_bytes()


# --- login ---------------------------------------------------------------------------------------------------


def test_a_signed_request_is_answered_with_every_oiosaml_attribute(idp: TestIdP, sp: SP) -> None:
    request_id, query = sp.authn_request(idp)
    info = idp.parse_authn_request(query)
    assert (info.id, info.issuer, info.acs_url, info.relay_state) == (request_id, SP_ENTITY, SP_ACS, "/sager/42")

    anna = idp.people["anna"]
    form = idp.login_response(query, "anna")
    assert (form.action, form.relay_state) == (SP_ACS, "/sager/42")
    assert "EncryptedAssertion" not in decoded(form.saml_response)  # not encrypted unless asked

    response = sp.accept(form.saml_response, request_id)
    ava = response.ava
    assert ava[OIOSAML_UUID] == [f"urn:uuid:{anna.uuid}"]
    assert ava[OIOSAML_LOA] == ["Substantial"]
    assert ava[OIOSAML_FIRST] == ["Anna-Sofie"]
    assert ava[OIOSAML_LAST] == ["Mølgaard Kristensen"]
    assert ava[OIOSAML_FULL] == ["Anna-Sofie Mølgaard Kristensen"]
    assert ava[OIOSAML_EMAIL] == [anna.email]
    assert ava[OIOSAML_SPEC] == ["OIO-SAML-3.0"]
    assert ava[OIOSAML_CVR] == [testidp.DEMO_CVR]
    (privileges,) = ava[OIOSAML_PRIVILEGES]
    xml = base64.b64decode(privileges).decode("utf-8")
    assert xml == testidp.privileges_xml(anna.privileges)
    root = ElementTree.fromstring(xml)
    assert root.tag == "{http://digst.dk/oiosaml/basic_privilege_profile}PrivilegeList"
    group = root.find("PrivilegeGroup")
    assert group is not None
    assert group.get("Scope") == "urn:dk:gov:saml:cvrNumberIdentifier:29189846"
    assert group.findtext("Privilege") == "http://kreds.dk/roles/usersystemrole/sagsbehandler/1"
    constraint = group.find("Constraint")
    assert constraint is not None
    assert (constraint.get("Name"), constraint.text) == (testidp.CONSTRAINT_ORGENHED, testidp.ORG_MYNDIGHED)

    assert response.name_id.format == NAMEID_FORMAT_PERSISTENT
    assert response.name_id.text == f"urn:uuid:{anna.uuid}"
    (statement,) = response.assertion.authn_statement
    assert statement.authn_context.authn_context_class_ref.text.endswith("/nsis/loa/Substantial")
    (session,) = idp.sessions()
    assert (session.person_key, session.sp_entity_id, session.session_index) == (
        "anna",
        SP_ENTITY,
        statement.session_index,
    )
    assert 'Name="https://data.gov.dk/model/core/eid/professional/uuid/persistent"' in decoded(form.saml_response)
    assert "attrname-format:uri" in decoded(form.saml_response)


def test_a_request_by_http_post_is_accepted_too(idp: TestIdP, sp: SP) -> None:
    request_id, fields = sp.authn_request(idp, BINDING_HTTP_POST)
    assert "SigAlg" not in fields  # signed inside the XML
    form = idp.login_response(fields, "mads", binding="post")
    assert sp.accept(form.saml_response, request_id).ava[OIOSAML_FIRST] == ["Mads Emil"]


def test_an_encrypted_assertion_is_accepted(idp: TestIdP, sp: SP) -> None:
    request_id, query = sp.authn_request(idp)
    form = idp.login_response(query, "birgitte", Overrides(encrypt_assertion=True))
    xml = decoded(form.saml_response)
    assert "EncryptedAssertion" in xml
    assert "Birgitte" not in xml
    assert "http://www.w3.org/2009/xmlenc11#aes256-gcm" in xml
    response = sp.accept(form.saml_response, request_id)
    assert response.ava[OIOSAML_FIRST] == ["Birgitte Lykke"]
    assert response.ava[OIOSAML_LOA] == ["High"]


def test_the_overrides_change_what_they_name(idp: TestIdP, sp: SP) -> None:
    request_id, query = sp.authn_request(idp)
    form = idp.login_response(
        query,
        "anna",
        Overrides(loa="Low", privileges=[], drop_attributes=(OIOSAML_EMAIL,), assertion_id="_fixed-id"),
    )
    response = sp.accept(form.saml_response, request_id)
    assert response.assertion.id == "_fixed-id"
    assert response.ava[OIOSAML_LOA] == ["Low"]
    assert OIOSAML_PRIVILEGES not in response.ava
    assert OIOSAML_EMAIL not in response.ava

    request_id, query = sp.authn_request(idp)
    form = idp.login_response(query, "anna", Overrides(privileges=[Privilege(("urn:x:role",))]))
    (value,) = sp.accept(form.saml_response, request_id).ava[OIOSAML_PRIVILEGES]
    assert b"<Privilege>urn:x:role</Privilege>" in base64.b64decode(value)


@pytest.mark.parametrize(
    ("overrides", "refusal", "message"),
    [
        (Overrides(audience="https://other.example/saml/metadata"), Exception, "AudienceRestrictions"),
        (Overrides(expired=True), ResponseLifetimeExceed, "too old"),
        (Overrides(sign_assertion=False, sign_response=False), SigverError, "Neither the response nor"),
        (Overrides(in_response_to="id-never-sent"), UnsolicitedResponse, "Unsolicited"),
    ],
    ids=["wrong-audience", "expired", "unsigned", "unsolicited"],
)
def test_a_plain_pysaml2_sp_refuses_a_bad_answer(
    idp: TestIdP, sp: SP, overrides: Overrides, refusal: type[Exception], message: str
) -> None:
    request_id, query = sp.authn_request(idp)
    form = idp.login_response(query, "anna", overrides)
    if overrides.sign_response:  # refused for what it says, not for a broken signature
        assert sp.client.sec.correctly_signed_response(decoded(form.saml_response), must=True)
    with pytest.raises(refusal, match=message):
        sp.accept(form.saml_response, request_id)


def test_the_expired_answer_lies_an_hour_back(idp: TestIdP, sp: SP) -> None:
    _request_id, query = sp.authn_request(idp)
    xml = decoded(idp.login_response(query, "anna", Overrides(expired=True)).saml_response)
    root = ElementTree.fromstring(xml)
    ns = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
    conditions = root.find(".//saml:Conditions", ns)
    confirmation = root.find(".//saml:SubjectConfirmationData", ns)
    assert conditions is not None and confirmation is not None
    issued = root.get("IssueInstant", "")
    assert conditions.get("NotBefore") == issued
    assert conditions.get("NotOnOrAfter") == confirmation.get("NotOnOrAfter")
    assert conditions.get("NotOnOrAfter", "") < testidp._instant(testidp.datetime.now(testidp.UTC))


def test_unsigned_tampered_or_unknown_requests_are_refused(idp: TestIdP, sp: SP) -> None:
    _request_id, query = sp.authn_request(idp)
    unsigned = {k: v for k, v in query.items() if k not in ("SigAlg", "Signature")}
    with pytest.raises(SAMLRequestError):
        idp.parse_authn_request(unsigned)
    with pytest.raises(SAMLRequestError):
        idp.parse_authn_request({**query, "RelayState": "/somewhere-else"})
    with pytest.raises(SAMLRequestError):
        idp.login_response(unsigned, "anna")
    stranger = TestIdP(IDP_BASE)  # trusts no SP
    with pytest.raises(SAMLRequestError):
        stranger.parse_authn_request(query)


def test_an_unknown_sp_is_fetched_when_its_first_request_arrives(
    sp: SP, monkeypatch: pytest.MonkeyPatch, idp_module: TestIdP
) -> None:
    fetched: list[str] = []

    def fetch(url: str, timeout: float = 5.0) -> str:
        fetched.append(url)
        return sp.metadata

    monkeypatch.setattr(testidp, "fetch_metadata", fetch)
    late = TestIdP(IDP_BASE, key_dir=idp_module.key_dir)  # same key, so the SP's metadata for it holds
    late.sp_metadata_urls.append(SP_ENTITY)
    _request_id, query = sp.authn_request(late)
    assert late.parse_authn_request(query).issuer == SP_ENTITY
    assert fetched == [SP_ENTITY]
    late.trust_sp(sp.metadata)  # replacing is fine
    assert late.trusted_sps() == [SP_ENTITY]

    # Stale metadata (another signing certificate): the request fails once, the metadata is fetched again.
    signing = read_cert_from_file(str(Path(sp.client.config.cert_file)), "pem")
    encryption = read_cert_from_file(sp.client.config.encryption_keypairs[0]["cert_file"], "pem")
    late.trust_sp(sp.metadata.replace(signing, encryption))
    _request_id, query = sp.authn_request(late)
    assert late.parse_authn_request(query).issuer == SP_ENTITY
    assert fetched == [SP_ENTITY, SP_ENTITY]


# --- logout ------------------------------------------------------------------------------------------------


def idp_cert(idp: TestIdP) -> str:
    return str(read_cert_from_file(str(idp.cert_file), "pem"))


def test_sp_initiated_logout_is_answered_with_a_signed_success(idp: TestIdP, sp: SP) -> None:
    request_id, query = sp.authn_request(idp)
    response = sp.accept(idp.login_response(query, "anna").saml_response, request_id)
    (statement,) = response.assertion.authn_statement
    destination = f"{IDP_BASE}/saml/slo"
    _logout_id, logout = sp.client.create_logout_request(
        destination,
        idp.entity_id,
        name_id=NameID(text=response.name_id.text, format=response.name_id.format),
        session_indexes=[statement.session_index],
        sign=False,
    )
    info = sp.client.apply_binding(
        BINDING_HTTP_REDIRECT, str(logout), destination, relay_state="/farvel", sign=True, sigalg=SIG_RSA_SHA256
    )
    request_query = query_of(dict(info["headers"])["Location"])

    with pytest.raises(SAMLRequestError):  # the signature is required
        idp.handle_logout_request({k: v for k, v in request_query.items() if k != "Signature"})
    assert len(idp.sessions()) == 1

    url = idp.handle_logout_request(request_query)
    assert url.startswith(f"{SP_SLO}?")
    answer = query_of(url)
    assert answer["RelayState"] == "/farvel"
    assert verify_redirect_signature(answer, sp.client.sec.sec_backend, idp_cert(idp))
    parsed = sp.client.parse_logout_request_response(answer["SAMLResponse"], BINDING_HTTP_REDIRECT)
    assert parsed.status_ok()
    assert parsed.response.in_response_to == _logout_id
    assert idp.sessions() == []


def test_idp_initiated_logout_sends_a_signed_request_for_the_session(idp: TestIdP, sp: SP) -> None:
    request_id, query = sp.authn_request(idp)
    response = sp.accept(idp.login_response(query, "jens").saml_response, request_id)
    (statement,) = response.assertion.authn_statement

    url = idp.logout_request("jens", SP_ENTITY)
    assert url.startswith(f"{SP_SLO}?")
    request_query = query_of(url)
    assert request_query["SigAlg"] == SIG_RSA_SHA256
    assert verify_redirect_signature(request_query, sp.client.sec.sec_backend, idp_cert(idp))
    parsed = sp.client.parse_logout_request(
        request_query["SAMLRequest"],
        BINDING_HTTP_REDIRECT,
        sigalg=request_query["SigAlg"],
        signature=request_query["Signature"],
    )
    message = parsed.message
    assert message.issuer.text == idp.entity_id
    assert message.destination == SP_SLO
    assert message.name_id.text == response.name_id.text
    assert [s.text for s in message.session_index] == [statement.session_index]
    assert idp.sessions() == []

    # The SP's signed answer comes back to the IdP's SingleLogoutService.
    answer = sp.client.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    info = sp.client.apply_binding(
        BINDING_HTTP_REDIRECT, str(answer), f"{IDP_BASE}/saml/slo", response=True, sign=True, sigalg=SIG_RSA_SHA256
    )
    answer_query = query_of(dict(info["headers"])["Location"])
    assert idp.check_logout_response(answer_query)
    assert not idp.check_logout_response({k: v for k, v in answer_query.items() if k != "Signature"})
    page = Client(idp.wsgi_app()).get("/saml/slo", query_string=answer_query).get_data(as_text=True)
    assert "Du er logget ud" in page
    assert "kunne ikke bekræftes" not in page


# --- the HTTP face ------------------------------------------------------------------------------------------


def test_the_wsgi_app_serves_metadata_picker_login_and_logout(idp: TestIdP, sp: SP) -> None:
    browser = Client(idp.wsgi_app())

    metadata = browser.get("/saml/metadata")
    assert metadata.status_code == 200
    assert metadata.headers["Content-Type"] == "application/samlmetadata+xml"
    assert metadata.get_data(as_text=True) == idp.metadata_xml()

    request_id, query = sp.authn_request(idp)
    picker = browser.get("/saml/sso", query_string=query)
    assert picker.status_code == 200
    page = picker.get_data(as_text=True)
    assert '<html lang="da">' in page
    assert "Vælg en demoperson" in page
    assert testidp.BANNER in page
    assert "Content-Security-Policy" in picker.headers
    people = list(idp.people.values())
    assert buttons(page) == [f"Log ind som {p.full_name}" for p in people]
    chosen = next(f for f in forms(page) if f["fields"]["person"] == "karen")
    assert chosen["action"] == "/saml/login"
    assert {k: chosen["fields"][k] for k in query} == query
    assert chosen["fields"]["binding"] == "redirect"

    login = browser.post("/saml/login", data=chosen["fields"])
    assert login.status_code == 200
    page = login.get_data(as_text=True)
    assert buttons(page) == ["Fortsæt til tjenesten"]
    (post,) = forms(page)
    assert (post["action"], post["method"], post["fields"]["RelayState"]) == (SP_ACS, "post", "/sager/42")
    response = sp.accept(post["fields"]["SAMLResponse"], request_id)
    assert response.ava[OIOSAML_FIRST] == ["Karen Margrethe"]
    assert OIOSAML_EMAIL not in response.ava  # Karen has no e-mail address

    home = browser.get("/").get_data(as_text=True)
    link = f"Log {idp.people['karen'].full_name} ud fra tjenesten"
    assert link in home
    logout = browser.get("/idp-logout", query_string={"person": "karen", "sp": SP_ENTITY})
    assert logout.status_code == 302
    assert logout.headers["Location"].startswith(f"{SP_SLO}?SAMLRequest=")
    assert link not in browser.get("/").get_data(as_text=True)

    done = browser.get("/saml/slo", query_string={"SAMLResponse": "bm90IFNBTUw="})
    assert done.status_code == 200
    assert "Du er logget ud" in done.get_data(as_text=True)


def test_the_wsgi_app_refuses_an_unsigned_request_in_danish(idp: TestIdP, sp: SP) -> None:
    _request_id, query = sp.authn_request(idp)
    unsigned = {k: v for k, v in query.items() if k != "Signature"}
    refused = Client(idp.wsgi_app()).get("/saml/sso", query_string=unsigned)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Ugyldig forespørgsel" in page
    assert '<html lang="da">' in page


def test_the_wsgi_app_redirects_an_sp_logout_request(idp: TestIdP, sp: SP) -> None:
    destination = f"{IDP_BASE}/saml/slo"
    _logout_id, logout = sp.client.create_logout_request(
        destination, idp.entity_id, name_id=NameID(text="urn:uuid:x", format=NAMEID_FORMAT_PERSISTENT), sign=False
    )
    info = sp.client.apply_binding(BINDING_HTTP_REDIRECT, str(logout), destination, sign=True, sigalg=SIG_RSA_SHA256)
    reply = Client(idp.wsgi_app()).get("/saml/slo", query_string=query_of(dict(info["headers"])["Location"]))
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith(f"{SP_SLO}?SAMLResponse=")


# --- demo people, privileges, command line ----------------------------------------------------------------


def test_the_demo_people_cover_the_cases_the_demo_needs() -> None:
    people = testidp.demo_people()
    assert len({p.key for p in people}) == len(people) == len({p.uuid for p in people})
    assert any(p.loa == "Low" for p in people)
    assert any(not p.privileges for p in people)
    assert any(p.email == "" for p in people)
    assert all(p.loa in testidp.LOA_LEVELS for p in people)
    names = {"sagsbehandler", "moedeleder", "leder", "administrator", "fagperson"}
    granted = {priv for p in people for group in p.privileges for priv in group.privileges}
    assert granted == {f"http://kreds.dk/roles/usersystemrole/{name}/1" for name in names}
    for person in people:
        for group in person.privileges:
            assert all(name == testidp.CONSTRAINT_ORGENHED for name, _value in group.constraints)


def test_privileges_xml_follows_the_basic_privilege_profile() -> None:
    groups = [Privilege(("a", "b"), (("c", 'd&"e'),), scope="urn:s")]
    xml = testidp.privileges_xml(groups)
    assert xml == (
        '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">'
        '<PrivilegeGroup Scope="urn:s"><Privilege>a</Privilege><Privilege>b</Privilege>'
        '<Constraint Name="c">d&amp;"e</Constraint></PrivilegeGroup></bpp:PrivilegeList>'
    )
    assert base64.b64decode(testidp.privileges_attribute(groups)).decode() == xml


def test_main_refuses_to_run_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KREDS_ENV", "production")
    with pytest.raises(SystemExit, match="production"):
        testidp.main(["--port", "0"])
