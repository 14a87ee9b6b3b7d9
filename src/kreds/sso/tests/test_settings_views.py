"""The administrator's page for the municipality's login: key, metadata, OpenID Connect and the role rules."""

from __future__ import annotations

import html
import io

import pytest
from django.urls import reverse

from kreds.accounts.constants import Role
from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.sso import keys, testidp
from kreds.sso.models import RoleRule, SignOn
from kreds.sso.tests.conftest import sp_pair

URL = reverse("sso:settings")


@pytest.fixture
def admin(world, login):
    login(world.administrator)
    return world


def text(response) -> str:
    return html.unescape(response.content.decode())


def page(client) -> str:
    return text(client.get(URL))


def test_only_administrators_see_it(world, login, client):
    login(world.leader)
    assert client.get(URL).status_code == 404
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, details__policy="admin.manage_sign_on").exists()


def test_a_new_municipality_is_told_what_to_do_first(admin, client):
    shown = page(client)
    assert "has no key and certificate for this municipality yet" in shown
    assert "No rules yet" in shown and "OIDC_CLIENT_SECRET_999" in shown


def test_making_a_key_then_replacing_it_needs_a_confirmation(admin, client):
    client.post(URL, {"form": "key_generate"})
    sign_on = SignOn.objects.get()
    first = sign_on.sp_certificate
    assert first.startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE" not in sign_on.sp_key_encrypted
    shown = page(client)
    assert "/sso/999/saml/metadata/" in shown and "Certificate valid until" in shown
    client.post(URL, {"form": "key_generate"})  # no confirmation: nothing replaced
    assert SignOn.objects.get().sp_certificate == first
    client.post(URL, {"form": "key_generate", "confirm": "on"})
    assert SignOn.objects.get().sp_certificate != first
    assert AuditEvent.objects.filter(action=Action.SSO_SETTINGS).count() == 2
    assert client.get(reverse("sso:saml_metadata", kwargs={"code": "999"})).status_code == 200


def test_an_uploaded_key_must_match_its_certificate(admin, client):
    other = keys.generate("another", bits=2048)
    response = client.post(URL, {"form": "key_upload", "key": sp_pair().key_pem, "certificate": other.cert_pem})
    assert "the certificate must be the key" in text(response)
    assert sp_pair().key_pem.splitlines()[1] in text(response)  # what was typed is kept
    client.post(URL, {"form": "key_upload", "key": sp_pair().key_pem, "certificate": sp_pair().cert_pem})
    assert SignOn.objects.get().sp_certificate.strip() == sp_pair().cert_pem.strip()


def test_metadata_upload_reads_the_identity_provider(admin, client, idp):
    upload = io.BytesIO(idp.metadata_xml().encode())
    upload.name = "idp.xml"
    response = client.post(URL, {"form": "saml", "enabled": "on", "metadata_file": upload, "version": 1})
    # SAML cannot be turned on before Kreds has a key: refused with a message, nothing saved
    assert "before the service has a key" in text(response)
    client.post(URL, {"form": "key_generate"})
    upload.seek(0)
    client.post(URL, {"form": "saml", "enabled": "on", "metadata_file": upload, "version": 2})
    sign_on = SignOn.objects.get()
    assert sign_on.saml_enabled and sign_on.idp_entity_id == idp.entity_id
    from django.test import Client

    assert 'href="/sso/999/saml/log-ind/"' in text(Client().get(reverse("accounts:login")))


NO_CERT = (
    b"<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata' entityID='https://idp.example'>"
    b"<IDPSSODescriptor protocolSupportEnumeration='urn:oasis:names:tc:SAML:2.0:protocol'>"
    b"<SingleSignOnService Binding='urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' Location='https://idp.example/sso'/>"
    b"</IDPSSODescriptor></EntityDescriptor>"
)


@pytest.mark.parametrize(
    "content",
    [b"<not-xml", b"<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata'/>", b"\xff\xfe", NO_CERT],
)
def test_metadata_that_is_not_an_identity_providers_is_refused(admin, client, content):
    upload = io.BytesIO(content)
    upload.name = "idp.xml"
    response = client.post(URL, {"form": "saml", "metadata_file": upload, "version": 1})
    assert response.status_code == 200
    assert "not an identity provider's SAML metadata" in text(response) or "UTF-8" in (text(response))
    assert not SignOn.objects.get().idp_metadata_xml


def test_a_stale_settings_form_is_refused(admin, client):
    client.post(URL, {"form": "key_generate"})
    response = client.post(URL, {"form": "saml", "version": 1})
    assert "Someone else changed the login settings" in text(response)


def test_rules_are_added_and_removed_with_audit(admin, client):
    response = client.post(
        URL,
        {
            "form": "rule",
            "privilege": testidp.ROLE_SAGSBEHANDLER,
            "constraint_name": testidp.CONSTRAINT_ORGENHED,
            "constraint_value": "",
            "role": Role.CASEWORKER,
            "unit": admin.authority.pk,
        },
    )
    assert "Give both the constraint and its value" in text(response)
    assert testidp.ROLE_SAGSBEHANDLER in text(response)  # kept
    client.post(
        URL,
        {
            "form": "rule",
            "privilege": testidp.ROLE_SAGSBEHANDLER,
            "constraint_name": testidp.CONSTRAINT_ORGENHED,
            "constraint_value": testidp.ORG_MYNDIGHED,
            "role": Role.CASEWORKER,
            "unit": admin.authority.pk,
        },
    )
    rule = RoleRule.objects.get()
    assert testidp.ORG_MYNDIGHED in page(client)
    # a unit of another municipality is not offered (and not accepted)
    response = client.post(
        URL,
        {"form": "rule", "privilege": "x", "role": Role.LEADER, "unit": admin.other_municipality.units.first().pk},
    )
    assert RoleRule.objects.count() == 1
    client.post(reverse("sso:rule_remove", kwargs={"rule_id": rule.public_id}))
    assert not RoleRule.objects.exists()
    assert [e.action for e in AuditEvent.objects.filter(object_type="role_rule").order_by("seq")] == [
        Action.SSO_RULE_ADD,
        Action.SSO_RULE_REMOVE,
    ]


def test_openid_connect_needs_a_readable_discovery_document(admin, client):
    response = client.post(
        URL,
        {
            "form": "oidc",
            "enabled": "on",
            "issuer": "http://127.0.0.1:9/",
            "client_id": "kreds",
            "version": 1,
            "roles_claim": "roles",
        },
    )
    assert "could not read the provider's discovery document" in text(response)
    response = client.post(URL, {"form": "oidc", "enabled": "on", "version": 1, "roles_claim": "roles"})
    assert "Give the issuer and the client id" in text(response)
    assert not SignOn.objects.get().oidc_enabled


def test_a_sign_on_users_page_says_where_the_roles_come_from(admin, client, saml_sign_on):
    from kreds.sso import services
    from kreds.sso.privileges import Grant

    user = services.sign_on(
        municipality=admin.municipality,
        claims=services.Claims(
            protocol="saml",
            issuer=saml_sign_on.idp_entity_id,
            subject="uuid-1",
            first_name="Mette",
            last_name="Sørensen",
            level="Substantial",
            grants=[
                Grant(testidp.ROLE_SAGSBEHANDLER, {testidp.CONSTRAINT_ORGENHED: frozenset({testidp.ORG_MYNDIGHED})})
            ],
        ),
    )
    shown = text(client.get(reverse("accounts:user_detail", kwargs={"public_id": user.public_id})))
    assert "roles follow the privileges there" in shown and "Add role" not in shown and "Reset two-factor" not in shown


def test_metadata_is_fetched_from_the_identity_providers_address(admin, client, idp):
    import threading

    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, idp.wsgi_app(), threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        client.post(URL, {"form": "key_generate"})
        address = f"http://127.0.0.1:{server.server_port}/saml/metadata"
        client.post(URL, {"form": "saml", "enabled": "on", "metadata_url": address, "version": 2})
    finally:
        server.shutdown()
    sign_on = SignOn.objects.get()
    assert sign_on.saml_enabled and sign_on.idp_metadata_url == address and sign_on.idp_entity_id == idp.entity_id
    response = client.post(URL, {"form": "saml", "metadata_url": address, "version": 3})  # the server is gone now
    assert "could not fetch the metadata" in text(response)


def test_operations_can_keep_the_key_in_files(admin, client, settings, tmp_path):
    (tmp_path / "999.key").write_text(sp_pair().key_pem)
    (tmp_path / "999.crt").write_text(sp_pair().cert_pem)
    settings.SSO_KEY_DIR = str(tmp_path)
    shown = page(client)
    assert "in a file on the server" in shown and "Make a key and certificate" not in shown
    metadata = client.get(reverse("sso:saml_metadata", kwargs={"code": "999"})).content.decode()
    body = "".join(sp_pair().cert_pem.strip().splitlines()[1:-1])
    assert body[:60] in metadata.replace("\n", "")
