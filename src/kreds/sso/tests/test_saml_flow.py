"""The SAML 2.0 flow end to end, HTTP-Redirect request and HTTP-POST response, against a real pysaml2 identity
provider (kreds.sso.testidp) with its own keys and metadata — including every refusal issue 17 names."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership, User
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.sso import testidp
from kreds.sso.models import PendingRequest
from kreds.sso.tests.conftest import IDP_BASE, query_of

ACS = reverse("sso:saml_acs", kwargs={"code": "999"})


def start(client, next_path: str = "") -> dict[str, str]:
    """Press "log in with the municipality's login": Kreds sends the browser to the IdP with a signed request."""
    url = reverse("sso:saml_login", kwargs={"code": "999"}) + (f"?next={next_path}" if next_path else "")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(IDP_BASE + "/saml/sso?")
    query = query_of(response["Location"])
    assert query["SigAlg"].endswith("rsa-sha256") and query["Signature"]
    return query


def answer(client, idp, person="anna", overrides=None, query=None):
    query = query or start(client)
    form = idp.login_response(query, person, overrides)
    assert urlsplit(form.action).path == ACS
    data = {"SAMLResponse": form.saml_response}
    if form.relay_state:
        data["RelayState"] = form.relay_state
    return client.post(ACS, data), form


def refusal(reason: str) -> AuditEvent:
    return AuditEvent.objects.get(action=Action.SSO_REFUSED, details__reason=reason)


def held(user) -> set[tuple[str, str]]:
    return {(m.role, m.unit.name) for m in Membership.objects.filter(user=user).select_related("unit")}


def test_a_caseworker_signs_on_and_lands_where_she_was_going(client, saml_sign_on, idp):
    query = start(client, next_path="/sager/")
    info = idp.parse_authn_request(query)
    assert info.issuer.endswith("/sso/999/saml/metadata/") and info.acs_url.endswith(ACS)
    response, _ = answer(client, idp, query=query)
    assert response.status_code == 302 and response["Location"] == "/sager/"
    user = User.objects.get(is_local_account=False)
    assert user.get_full_name() == "Anna-Sofie Mølgaard Kristensen"
    assert held(user) == {(Role.CASEWORKER, "MyndighedsCenter")}
    assert client.get(reverse("cases:my_cases")).status_code == 200  # no TOTP asked of a sign-on user
    assert AuditEvent.objects.get(action=Action.LOGIN, actor=user).details == {"via": "saml", "level": "Substantial"}
    assert not PendingRequest.objects.exists()  # the request is used up


def test_a_constraint_gives_the_role_only_in_its_unit(client, saml_sign_on, idp):
    # Birgitte leads MyndighedsCenter and UngeCenter at the IdP; only MyndighedsCenter has a rule. Her
    # caseworker privilege in the same group is for MyndighedsCenter too.
    response, _ = answer(client, idp, "birgitte")
    assert response.status_code == 302
    user = User.objects.get(is_local_account=False)
    assert held(user) == {(Role.LEADER, "MyndighedsCenter"), (Role.CASEWORKER, "MyndighedsCenter")}
    assert AuditEvent.objects.get(action=Action.LOGIN, actor=user).details["level"] == "High"


def test_an_encrypted_assertion_is_accepted(client, saml_sign_on, idp):
    response, _ = answer(client, idp, overrides=testidp.Overrides(encrypt_assertion=True))
    assert response.status_code == 302 and User.objects.filter(is_local_account=False).exists()


def test_a_signed_assertion_in_an_unsigned_response_is_accepted(client, saml_sign_on, idp):
    response, _ = answer(client, idp, overrides=testidp.Overrides(sign_response=False))
    assert response.status_code == 302


def test_a_privilege_removed_at_the_idp_removes_the_role_at_the_next_login(client, saml_sign_on, idp, world, login):
    answer(client, idp, "birgitte")
    user = User.objects.get(is_local_account=False)
    client.post(reverse("accounts:logout"))
    only_leader = [testidp.Privilege((testidp.ROLE_LEDER,), ((testidp.CONSTRAINT_ORGENHED, testidp.ORG_MYNDIGHED),))]
    response, _ = answer(client, idp, "birgitte", testidp.Overrides(privileges=only_leader))
    assert response.status_code == 302
    assert held(user) == {(Role.LEADER, "MyndighedsCenter")}
    taken = AuditEvent.objects.get(action=Action.MEMBERSHIP_REMOVE, object_id=str(user.public_id))
    assert taken.details["role"] == Role.CASEWORKER and taken.details["via"] == "saml"
    # and the leader sees it in the list of role changes
    login(world.leader)
    page = client.get(reverse("audit:role_changes")).content.decode()
    assert "Birgitte Lykke Holm Frederiksen" in page


@pytest.mark.parametrize(
    ("person", "overrides", "reason", "status"),
    [
        ("anna", testidp.Overrides(audience="https://another-service.example/metadata"), "wrong_audience", 403),
        ("anna", testidp.Overrides(expired=True), "expired", 403),
        ("anna", testidp.Overrides(sign_assertion=False, sign_response=False), "unsigned", 403),
        ("fatima", None, "low_assurance", 403),
        ("soeren", None, "no_role", 403),
        ("anna", testidp.Overrides(drop_attributes=(testidp.OIOSAML_UUID,)), "missing_attribute", 403),
        ("anna", testidp.Overrides(drop_attributes=(testidp.OIOSAML_LOA,)), "missing_attribute", 403),
        ("anna", testidp.Overrides(in_response_to="_a-request-kreds-never-sent"), "unsolicited", 403),
    ],
)
def test_each_refusal_has_a_danish_page_an_audit_event_and_creates_nothing(
    client, saml_sign_on, idp, person, overrides, reason, status
):
    response, _ = answer(client, idp, person, overrides)
    assert response.status_code == status
    assert "could not be logged in" in response.content.decode()
    assert refusal(reason).municipality == saml_sign_on.municipality
    assert not User.objects.filter(is_local_account=False).exists()
    assert "_auth_user_id" not in client.session


def test_a_replayed_response_is_refused(client, saml_sign_on, idp):
    response, form = answer(client, idp)
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    again = client.post(ACS, {"SAMLResponse": form.saml_response})
    assert again.status_code == 403
    assert refusal("unsolicited")  # its request is used up
    # the same assertion id in an answer to a fresh request: the assertion id is remembered
    fixed = testidp.Overrides(assertion_id="_fixed-assertion-id-1")
    assert answer(client, idp, overrides=fixed)[0].status_code == 302
    client.post(reverse("accounts:logout"))
    assert answer(client, idp, overrides=fixed)[0].status_code == 403
    assert refusal("replay")


def test_a_foreign_identity_provider_is_refused(client, saml_sign_on, idp, tmp_path):
    """Another IdP (its own keys and entity id) answers a request Kreds really sent — but to the municipality's
    IdP, which is the only issuer Kreds trusts."""
    from kreds.sso import saml

    stranger = testidp.TestIdP("http://127.0.0.1:8009", key_dir=tmp_path)
    stranger.trust_sp(saml.metadata_xml(saml_sign_on))
    trusted = (saml_sign_on.idp_metadata_xml, saml_sign_on.idp_entity_id)
    saml_sign_on.idp_metadata_xml, saml_sign_on.idp_entity_id = stranger.metadata_xml(), stranger.entity_id
    saml_sign_on.save()
    sent = client.get(reverse("sso:saml_login", kwargs={"code": "999"}))["Location"]
    saml_sign_on.idp_metadata_xml, saml_sign_on.idp_entity_id = trusted
    saml_sign_on.save()
    form = stranger.login_response(query_of(sent), "anna")
    response = client.post(ACS, {"SAMLResponse": form.saml_response})
    assert response.status_code == 403 and refusal("unknown_issuer")
    assert not User.objects.filter(is_local_account=False).exists()


@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"SAMLResponse": "not base64!"},
        {"SAMLResponse": base64.b64encode(b"<unclosed").decode()},
        {"SAMLResponse": base64.b64encode(b'<!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>').decode()},
        {"SAMLResponse": base64.b64encode(b"<Response xmlns='urn:other'/>").decode()},
    ],
)
def test_malformed_input_is_a_clear_page_never_a_500(client, saml_sign_on, posted):
    response = client.post(ACS, posted)
    assert response.status_code == 400 and "could not be read" in response.content.decode()
    assert refusal("malformed")


def test_relay_state_only_ever_leads_to_a_path_on_kreds(client, saml_sign_on, idp):
    query = start(client)
    form = idp.login_response(query, "anna")
    response = client.post(ACS, {"SAMLResponse": form.saml_response, "RelayState": "https://evil.example/x"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_off_unknown_and_not_set_up(client, world, saml_sign_on):
    assert client.get(reverse("sso:saml_login", kwargs={"code": "123"})).status_code == 404
    assert client.get(reverse("sso:saml_metadata", kwargs={"code": "998"})).status_code == 404  # no key there
    response = client.get(reverse("sso:saml_login", kwargs={"code": "998"}))
    assert response.status_code == 403 and "not set up" in response.content.decode()


def test_the_metadata_names_the_endpoints_and_the_certificate(client, saml_sign_on):
    response = client.get(reverse("sso:saml_metadata", kwargs={"code": "999"}))
    xml = response.content.decode()
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    assert 'AuthnRequestsSigned="true"' in xml and "/sso/999/saml/acs/" in xml and "/sso/999/saml/slo/" in xml
    assert "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" in xml and "X509Certificate" in xml


def test_kreds_initiated_single_logout(client, saml_sign_on, idp):
    answer(client, idp)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("sso:single_logout")
    leaving = client.get(response["Location"])
    assert leaving.status_code == 200 and "logged out of Kreds" in leaving.content.decode()
    location = leaving.context["location"]
    assert location.startswith(IDP_BASE + "/saml/slo?")
    assert f'content="0;url={location.replace("&", "&amp;")}"' in leaving.content.decode()
    back = idp.handle_logout_request(query_of(location))
    assert urlsplit(back).path == reverse("sso:saml_sls", kwargs={"code": "999"})
    done = client.get(f"{urlsplit(back).path}?{urlsplit(back).query}")
    assert done.status_code == 302 and done["Location"] == reverse("accounts:login")
    assert "logged out of Kreds and the municipality" in client.get(done["Location"]).content.decode()


def test_idp_initiated_single_logout_ends_every_session(client, saml_sign_on, idp, django_user_model):
    from django.test import Client

    answer(client, idp)
    user = User.objects.get(is_local_account=False)
    other_browser = Client()
    answer(other_browser, idp)
    assert other_browser.get(reverse("cases:my_cases")).status_code == 200
    to_kreds = idp.logout_request("anna", idp.trusted_sps()[0])
    reply = client.get(f"{urlsplit(to_kreds).path}?{urlsplit(to_kreds).query}")
    assert reply.status_code == 302 and reply["Location"].startswith(IDP_BASE + "/saml/slo?")
    assert idp.check_logout_response(query_of(reply["Location"]))
    for browser in (client, other_browser):
        assert browser.get(reverse("cases:my_cases"))["Location"].startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(action=Action.LOGOUT, actor=user)
    assert event.details["initiated_by"] == "identity_provider"


def test_an_unsigned_logout_request_is_refused(client, saml_sign_on, idp):
    answer(client, idp)
    to_kreds = idp.logout_request("anna", idp.trusted_sps()[0])
    query = query_of(to_kreds)
    del query["Signature"]
    from urllib.parse import urlencode

    response = client.get(f"{urlsplit(to_kreds).path}?{urlencode(query)}")
    assert response.status_code == 403 and refusal("unsigned")
    assert client.get(reverse("cases:my_cases")).status_code == 200  # still logged in


def test_the_test_identity_provider_is_refused_outside_demo_and_tests(client, saml_sign_on, settings):
    saml_sign_on.is_test_provider = True
    saml_sign_on.save()
    settings.TESTING, settings.DEMO_MODE = False, False
    response = client.get(reverse("sso:saml_login", kwargs={"code": "999"}))
    assert response.status_code == 403 and refusal("not_configured")
    assert "municipality's login" not in client.get(reverse("accounts:login")).content.decode()


def test_a_key_sealed_with_a_retired_cpr_key_refuses_politely(client, saml_sign_on, settings):
    settings.CPR_KEYS = "new1:" + base64.b64encode(b"n" * 32).decode()  # the key the SP key was sealed with is gone
    response = client.get(reverse("sso:saml_login", kwargs={"code": "999"}))
    assert response.status_code == 403 and refusal("not_configured")
    assert client.get(reverse("sso:saml_metadata", kwargs={"code": "999"})).status_code == 404


def test_the_last_privilege_removed_at_the_idp_takes_every_role_and_session_away(client, saml_sign_on, idp):
    from django.test import Client

    other_browser = Client()
    answer(other_browser, idp, "anna")
    user = User.objects.get(is_local_account=False)
    assert other_browser.get(reverse("cases:my_cases")).status_code == 200
    response, _ = answer(client, idp, "anna", testidp.Overrides(privileges=[]))
    assert response.status_code == 403 and refusal("no_role")
    assert not Membership.objects.filter(user=user).exists()
    assert AuditEvent.objects.get(action=Action.MEMBERSHIP_REMOVE, object_id=str(user.public_id))
    assert other_browser.get(reverse("cases:my_cases"))["Location"].startswith(reverse("accounts:login"))
