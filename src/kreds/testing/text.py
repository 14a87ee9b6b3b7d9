"""Reading what users see: CPR-shaped numbers in pages and documents, and the text of a PDF.

A page or document is full of random identifiers (UUIDs in links, CSRF tokens, CSP nonces, 256-bit link tokens);
ten digits in a row turn up in them by chance now and then. They are blanked out before the search, so a test
fails only for a number that reads like a CPR number: six digits, an optional dash, four digits.
"""

from __future__ import annotations

import re
import shutil
import subprocess

CPR_SHAPED = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
IDENTIFIERS = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUIDs
    r"|[A-Za-z0-9_\-+/=]{20,}"  # tokens, nonces, hashes
)


def cpr_shaped(text: str) -> str | None:
    """The first CPR-shaped number in ``text`` outside identifiers, or None."""
    found = CPR_SHAPED.search(IDENTIFIERS.sub(" ", text))
    return found.group(0) if found else None


def pdf_text(content: bytes) -> str:
    """The text of a PDF laid out as on the page (poppler's pdftotext), to assert on what a reader sees."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (Debian poppler-utils) is installed by scripts/system-deps"
    return subprocess.run(  # noqa: S603 - fixed executable, our own PDF on stdin
        [pdftotext, "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
