"""Finding CPR-shaped numbers in what users or participants see, without false alarms from identifiers.

A page or document is full of random identifiers (UUIDs in links, CSRF tokens, CSP nonces, 256-bit link tokens);
ten digits in a row turn up in them by chance now and then. They are blanked out before the search, so a test
fails only for a number that reads like a CPR number: six digits, an optional dash, four digits.
"""

from __future__ import annotations

import re

CPR_SHAPED = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
IDENTIFIERS = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUIDs
    r"|[A-Za-z0-9_\-+/=]{20,}"  # tokens, nonces, hashes
)


def cpr_shaped(text: str) -> str | None:
    """The first CPR-shaped number in ``text`` outside identifiers, or None."""
    found = CPR_SHAPED.search(IDENTIFIERS.sub(" ", text))
    return found.group(0) if found else None
