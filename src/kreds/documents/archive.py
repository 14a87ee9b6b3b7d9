"""The files uploaded to a case, as they were checked in, in a closed case's archive extract."""

from __future__ import annotations

import logging

from django.utils import timezone

from kreds.cases.archive import ArchiveFile, register, safe_name
from kreds.cases.models import Case
from kreds.documents.models import Document
from kreds.documents.services import path_of

log = logging.getLogger(__name__)


@register
def uploads(case: Case) -> list[ArchiveFile]:
    out = []
    for document in Document.objects.filter(case=case).order_by("created_at", "id"):
        try:
            content = path_of(document).read_bytes()
        except OSError:
            log.error("archive: stored file of document %s is missing", document.public_id)
            continue
        day = timezone.localtime(document.created_at).date().isoformat()
        stem, _dot, ext = document.original_name.rpartition(".")
        name = f"bilag/{day}-{safe_name(stem or document.original_name)}.{safe_name(ext) if stem else 'bin'}"
        out.append(ArchiveFile(name, content, document.original_name, f"upload:{document.kind}", day))
    return out
