"""Link purposes beyond meetings (see :class:`kreds.participants.models.LinkPurpose`).

The app that owns a purpose registers the page its links open (GET and POST on ``/l/<token>/``) in its
``AppConfig.ready``: the child's page (:mod:`kreds.voice`) and a network person's tasks (:mod:`kreds.plans`).
The participants app resolves the token, applies the rate limits and logs the use, then hands over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from kreds.participants.models import ParticipantLink

LinkView = Callable[[HttpRequest, str, ParticipantLink], HttpResponse]
_REGISTRY: dict[str, LinkView] = {}


def register(purpose: str, view: LinkView) -> None:
    _REGISTRY[purpose] = view


def view_for(purpose: str) -> LinkView | None:
    return _REGISTRY.get(purpose)


# Extra items a network person sees on any of their link pages (their tasks from other sources than meetings:
# safety-plan rules, contributions to the child's plan). Each source returns items with ``what``, ``due_on``,
# ``status_label`` and ``source_label``.
ItemSource = Callable[[Any, Any], list[Any]]
_ITEM_SOURCES: list[ItemSource] = []


def register_item_source(source: ItemSource) -> None:
    if source not in _ITEM_SOURCES:
        _ITEM_SOURCES.append(source)


def items_for(case: Any, person: Any) -> list[Any]:
    """Everything the registered sources say ``person`` has taken on in ``case``."""
    out: list[Any] = []
    for source in _ITEM_SOURCES:
        out.extend(source(case, person))
    return out


# Whole sections a network person sees on their link pages (the meeting page and their own page), each decided by
# the app that owns it, consent included: e.g. their own contact arrangement during a placement (kreds.placements).
# A source returns (template name, context) or None.
SectionSource = Callable[[Any, Any], tuple[str, dict[str, Any]] | None]
_SECTION_SOURCES: list[SectionSource] = []


def register_section(source: SectionSource) -> None:
    if source not in _SECTION_SOURCES:
        _SECTION_SOURCES.append(source)


def sections_for(case: Any, person: Any) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for source in _SECTION_SOURCES:
        section = source(case, person)
        if section is not None:
            out.append(section)
    return out
