"""Storing uploads safely (SECURITY 24, ASVS 5.2–5.4).

* size limit (``UPLOAD_MAX_BYTES``, 8 MB), read in chunks so a large upload is refused without filling memory;
* the type is decided by the file's first bytes (PNG, JPEG, PDF), never by its name or the browser's claim;
* the file is cleaned before it is kept (:mod:`kreds.documents.cleaning`): an image is decoded within a pixel limit
  and encoded again without metadata (no EXIF/GPS), a PDF with JavaScript, launch actions or embedded files is
  refused and the rest is kept as pikepdf writes it; only the cleaned bytes are stored, hashed and counted;
* the file is stored under ``UPLOAD_ROOT`` (outside the web root and ``STATIC_ROOT``) with a random name and
  mode 0600; the name the user gave is kept only as a cleaned label;
* it is served only by :func:`kreds.documents.views.download`, as an attachment, after an authorization check.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.cases.models import Case
from kreds.core.exceptions import KredsError
from kreds.documents import cleaning
from kreds.documents.models import Document

SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type and extension the file's first bytes say, or None when it is not an allowed type."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def clean_name(name: str, extension: str) -> str:
    """A harmless label: no path, no control characters, at most 80 characters, the real extension."""
    base = Path(unicodedata.normalize("NFC", name or "")).name
    base = re.sub(r"[^\w .()-]", "_", base).strip(" .")[:60] or "fil"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem}{extension}"


def root() -> Path:
    return Path(settings.UPLOAD_ROOT)


def path_of(document: Document) -> Path:
    return root() / document.stored_name


@transaction.atomic
def store(*, actor: User, case: Case, upload: Any, kind: str) -> Document:
    """Check and store an uploaded file (a Django ``UploadedFile``)."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload is None or not getattr(upload, "size", 0):
        raise KredsError(_("Choose a file to upload."))
    if upload.size > limit:
        raise KredsError(_("The file is too large. The limit is %(size)s.") % {"size": filesizeformat(limit)})
    chunks: list[bytes] = []
    size = 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:
            raise KredsError(_("The file is too large. The limit is %(size)s.") % {"size": filesizeformat(limit)})
        chunks.append(chunk)
    content = b"".join(chunks)
    found = sniff(content[:16])
    if found is None:
        raise KredsError(_("Only photos (JPEG or PNG) and PDF files can be uploaded."))
    content_type, extension = found
    content = cleaning.clean(content, content_type)
    stored = f"{case.municipality.code}/{timezone.now():%Y}/{secrets.token_hex(16)}{extension}"
    target = root() / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    document = Document.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        original_name=clean_name(upload.name, extension),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        stored_name=stored,
        uploaded_by=actor,
    )
    record_for_case(
        Action.DOCUMENT_UPLOAD,
        actor=actor,
        case=case,
        object_type="document",
        object_id=str(document.public_id),
        details={"kind": kind, "size": len(content), "type": content_type},
    )
    return document


def purge_orphans() -> int:
    """Files under UPLOAD_ROOT that no Document points at (a transaction that rolled back after writing)."""
    known = set(Document.objects.values_list("stored_name", flat=True))
    removed = 0
    for path in root().rglob("*"):
        if path.is_file() and str(path.relative_to(root())) not in known:
            path.unlink()
            removed += 1
    return removed
