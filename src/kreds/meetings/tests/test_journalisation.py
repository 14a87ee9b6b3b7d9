"""The journalisation export carries the PDF's checksum, as the archive extract does (issue 14)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from kreds.meetings.sending import document_filename
from kreds.testing.conferences import approved
from kreds.testing.meetings import held_meeting

pytestmark = pytest.mark.django_db


def _export(client, meeting) -> tuple[dict, bytes]:
    response = client.get(reverse("meetings:export", args=[meeting.public_id]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    meta = json.loads(archive.read("metadata.json"))
    return meta, archive.read(meta["document"]["file"])


@pytest.mark.parametrize("kind", ["network meeting", "family group conference"])
def test_the_metadata_has_the_size_and_sha256_of_the_pdf_in_the_zip(world, client, login, kind):
    if kind == "network meeting":
        meeting = held_meeting(world.case, world.caseworker, world.facilitator, send_minutes=True).meeting
    else:
        meeting = approved(world.case, world.caseworker, world.facilitator).meeting
    login(world.caseworker)
    meta, pdf = _export(client, meeting)
    assert meta["document"]["file"] == document_filename(meeting) and pdf.startswith(b"%PDF-")
    assert meta["document"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert meta["document"]["bytes"] == len(pdf)
