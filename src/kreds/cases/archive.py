"""The archive extract of a closed case (DOMAIN §13: case content is never deleted; closed cases are archived and
can be exported for delivery to the archive).

One ZIP per case: every document the case's apps can produce as PDF/A (the network map, each meeting's minutes or
the family's plan, the Signs of Safety mappings, Words & Pictures, the contact plan and the placement decisions),
the uploaded files as they were checked in, and ``sag.json``: what the extract holds, with a SHA-256 per file. No
CPR number anywhere: the archive and the ESDH link by journal number.

Apps contribute with :func:`register` (from their ``AppConfig.ready``), as they do panels for the case overview, so
this module knows no app but cases.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from kreds.cases.models import Case
from kreds.core.text import safe_filename


@dataclass(frozen=True)
class ArchiveFile:
    name: str  # path inside the ZIP, e.g. "moeder/2026-03-04-netvaerksmoede.pdf"
    content: bytes
    title: str
    kind: str  # "network_map", "minutes", "safety_mapping", "upload", …
    dated: str = ""  # ISO date the document is of, when it has one


Source = Callable[[Case], list[ArchiveFile]]
_SOURCES: list[Source] = []
# Facts other apps add to ``sag.json`` (the protection app: that the extract holds protected details, issue 18).
Facts = Callable[[Case], dict[str, object]]
_FACTS: list[Facts] = []


def register_facts(facts: Facts) -> Facts:
    if facts not in _FACTS:
        _FACTS.append(facts)
    return facts


def register(source: Source) -> Source:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def safe_name(text: str) -> str:
    """A file name part from free text: lower-case letters, digits and dashes only."""
    return safe_filename(text.replace(".", "-"), default="dokument", lower=True)


def files(case: Case) -> list[ArchiveFile]:
    out: list[ArchiveFile] = []
    taken: set[str] = set()
    for source in _SOURCES:
        for item in source(case):
            name, number = item.name, 2
            while name in taken:  # two documents of the same name and day
                stem, dot, ext = item.name.rpartition(".")
                name = f"{stem}-{number}.{ext}" if dot else f"{item.name}-{number}"
                number += 1
            taken.add(name)
            out.append(
                item if name == item.name else ArchiveFile(name, item.content, item.title, item.kind, item.dated)
            )
    return out


def metadata(case: Case, items: list[ArchiveFile]) -> dict[str, object]:
    child = case.child
    return {
        "schema": "kreds.case-archive/1",
        "municipality": {"name": case.municipality.name, "code": case.municipality.code},
        "case": {
            "external_ref": case.external_ref,
            "kreds_id": str(case.public_id),
            "opened_on": case.opened_on.isoformat(),
            "closed_on": case.closed_on.isoformat() if case.closed_on else None,
            "closed_reason": case.closed_reason,
            "responsible_unit": case.responsible_unit.name,
        },
        "child": {"first_name": child.first_name, "last_name": child.last_name, "birth_date": str(child.birth_date)},
        "files": [
            {
                "file": item.name,
                "title": item.title,
                "kind": item.kind,
                "dated": item.dated or None,
                "bytes": len(item.content),
                "sha256": hashlib.sha256(item.content).hexdigest(),
            }
            for item in items
        ],
        "exported_at": timezone.now().isoformat(),
        **{key: value for facts in _FACTS for key, value in facts(case).items()},
    }


def build(case: Case) -> bytes:
    items = files(case)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sag.json", json.dumps(metadata(case, items), ensure_ascii=False, indent=2))
        for item in items:
            archive.writestr(item.name, item.content)
    return buffer.getvalue()


def zip_name(case: Case) -> str:
    return f"arkiv-{safe_filename(case.external_ref, default='sag')}.zip"
