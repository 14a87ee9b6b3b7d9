"""The archive extract of a closed case (DOMAIN §13): what it holds, that it holds no CPR number, who may make it,
and that it is made only for a closed case and is audited."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kreds.audit.models import AuditEvent
from kreds.cases import services as case_services
from kreds.core.crypto import cpr_blind_index, encrypt_cpr
from kreds.documents import services as documents
from kreds.placements import services as placements
from kreds.safety import services as safety
from kreds.testing.files import pdf
from kreds.testing.meetings import held_meeting
from kreds.testing.text import cpr_shaped, pdf_text
from kreds.voice import services as voice

CPR = "1403152468"


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


@pytest.fixture
def closed(world):
    """A case with a map, a meeting whose minutes were sent, a mapping, Words & Pictures, an upload and a contact
    plan, then closed."""
    case = world.case
    case.child.cpr_encrypted, case.child.cpr_index = encrypt_cpr(CPR), cpr_blind_index(CPR)
    case.child.save()
    setup = held_meeting(case, world.caseworker, world.facilitator, send_minutes=True)
    safety.save_mapping(
        actor=world.caseworker,
        case=case,
        data={"worry_basis": "Underretning fra skolen", "strengths": "Mormor er der"},
        statements=[],
        expected_version=0,
    )
    voice.save_words_and_pictures(actor=world.caseworker, case=case, title="Hvorfor", text="Fordi voksne hjælper")
    documents.store(
        actor=world.caseworker,
        case=case,
        upload=SimpleUploadedFile("Tegning af huset.pdf", pdf()),
        kind="drawing",
    )
    mother = next(p.person for p in setup.meeting.participants.all() if p.person and p.role == "parent")
    placements.save_contact(
        actor=world.caseworker,
        case=case,
        person=mother,
        data={"frequency": "Hver anden weekend", "mode": "visit", "support": "none"},
    )
    placements.decide(
        actor=world.caseworker,
        case=case,
        decided_on=case.opened_on,
        starts_on=case.opened_on,
        setting="foster_family",
        in_network=False,
        candidate=None,
        no_network_reason="Akut anbringelse om natten",
    )
    case_services.close_case(actor=world.caseworker, case=case, reason="Forløbet er slut")
    case.refresh_from_db()
    return case


def _zip(client, case) -> zipfile.ZipFile:
    response = client.get(reverse("cases:archive_zip", kwargs={"public_id": case.public_id}))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert (
        "attachment" in response["Content-Disposition"] and case.child.last_name not in response["Content-Disposition"]
    )
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_extract_holds_every_document_with_checksums_and_no_cpr(world, closed, client, login):
    login(world.caseworker)
    page = client.get(reverse("cases:archive", kwargs={"public_id": closed.public_id})).content.decode()
    assert reverse("cases:archive_zip", kwargs={"public_id": closed.public_id}) in page
    archive = _zip(client, closed)
    names = archive.namelist()
    assert names[0] == "sag.json"
    meta = json.loads(archive.read("sag.json"))
    assert meta["case"]["external_ref"] == closed.external_ref and meta["case"]["closed_reason"] == "Forløbet er slut"
    kinds = {f["kind"] for f in meta["files"]}
    assert {"network_map", "minutes", "safety_mapping", "words_pictures", "placement", "contact_plan"} <= kinds
    assert "upload:drawing" in kinds
    for entry in meta["files"]:
        content = archive.read(entry["file"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"] and len(content) == entry["bytes"]
    assert any(n.startswith("bilag/") and n.endswith("-tegning-af-huset.pdf") for n in names)
    texts = [pdf_text(archive.read(n)) for n in names if n.endswith(".pdf") and not n.startswith("bilag/")]
    assert any("Henter Emma fra skole" in t for t in texts), "the minutes' agreements"
    assert any("Hver anden weekend" in t for t in texts), "the contact plan"
    assert any("Akut anbringelse om natten" in t for t in texts), "the placement decision with its reason"
    assert not any(cpr_shaped(t) for t in [*texts, archive.read("sag.json").decode()])
    assert not any(CPR.encode() in archive.read(n) or CPR[:6].encode() + b"-" in archive.read(n) for n in names)
    event = AuditEvent.objects.get(action="case.archive_export")
    assert event.actor == world.caseworker and event.person_concerned == str(closed.child.public_id)


def test_an_open_case_is_not_exported_and_others_get_404(world, client, login):
    login(world.caseworker)
    url = reverse("cases:archive_zip", kwargs={"public_id": world.case.public_id})
    response = client.get(url, follow=True)
    assert b"Only a closed case is exported" in response.content
    assert not AuditEvent.objects.filter(action="case.archive_export").exists()
    login(world.outsider)
    assert client.get(url).status_code == 404
