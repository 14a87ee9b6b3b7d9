"""Uploads (SECURITY 24): size limit, type by content, stored outside the web root, served only by an authorized
view as an attachment, every download audited."""

from __future__ import annotations

import stat

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kreds.audit.constants import Action
from kreds.audit.models import AuditEvent
from kreds.core.exceptions import KredsError
from kreds.documents import cleaning, services
from kreds.documents.models import Document
from kreds.testing.files import pdf, png

pytestmark = pytest.mark.django_db
PNG = png()  # real files: uploads are decoded and cleaned (test_cleaning.py)
PDF = pdf()


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


def _store(world, name, content):
    return services.store(
        actor=world.caseworker, case=world.case, upload=SimpleUploadedFile(name, content), kind="drawing"
    )


def test_type_is_decided_by_content_not_by_name(world):
    document = _store(world, "tegning.jpg", PNG)
    assert document.content_type == "image/png" and document.original_name == "tegning.png"
    assert _store(world, "brev", PDF).content_type == "application/pdf"
    with pytest.raises(KredsError, match="JPEG or PNG"):
        _store(world, "tegning.png", b"<html><script>alert(1)</script></html>")
    with pytest.raises(KredsError, match="JPEG or PNG"):
        _store(world, "program.exe", b"MZ\x90\x00" + b"\x00" * 60)


def test_size_limit(world, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(KredsError, match="too large"):
        _store(world, "stor.png", PNG + b"\x00" * 100)
    assert not Document.objects.exists()


def test_stored_outside_the_web_root_with_a_random_name(world, upload_root):
    document = _store(world, "../../etc/passwd.png", PNG)
    path = services.path_of(document)
    assert path.is_file() and path.read_bytes() == cleaning.clean(PNG, "image/png")
    assert upload_root in path.parents
    assert settings.STATIC_ROOT not in path.parents and "passwd" not in document.stored_name
    assert document.original_name == "passwd.png"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert AuditEvent.objects.filter(action=Action.DOCUMENT_UPLOAD, object_id=str(document.public_id)).exists()


def test_download_is_an_authorized_attachment_and_audited(world, client, login):
    document = _store(world, "tegning.png", PNG)
    url = reverse("documents:download", args=[document.public_id])
    login(world.outsider)
    assert client.get(url).status_code == 404
    login(world.colleague)
    assert client.get(url).status_code == 404
    login(world.practitioner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="tegning.png"')
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == services.path_of(document).read_bytes()
    assert "sandbox" in response["Content-Security-Policy"]
    assert AuditEvent.objects.filter(action=Action.DOCUMENT_VIEW, actor=world.practitioner).exists()


def test_orphan_files_are_purged(world, upload_root):
    document = _store(world, "tegning.png", PNG)
    orphan = upload_root / "999" / "2026" / "orphan.png"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(PNG)
    assert services.purge_orphans() == 1
    assert services.path_of(document).is_file() and not orphan.exists()
