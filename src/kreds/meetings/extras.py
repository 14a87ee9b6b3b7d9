"""Sections other apps add to the meeting page and the meeting screen (like :mod:`kreds.cases.panels`).

The child's voice (:mod:`kreds.voice`) uses it so that the child's own words reach every meeting about them
(DOMAIN §8). A section is a template and a function from the meeting to its context (None hides it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kreds.meetings.models import Meeting

SectionContext = Callable[["Meeting"], dict[str, Any] | None]
_REGISTRY: dict[str, SectionContext] = {}


def register(template: str, context: SectionContext) -> None:
    _REGISTRY[template] = context


def sections(meeting: Meeting) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for template, context in sorted(_REGISTRY.items()):
        data = context(meeting)
        if data is not None:
            out.append((template, data))
    return out
