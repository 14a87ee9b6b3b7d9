"""Seams for processes that run their gatherings as meetings (like :mod:`kreds.cases.panels`).

A family group conference (DOMAIN §6) and its follow-ups are meetings of kind ``fgc`` and ``fgc_follow_up``:
participants, invitations, links, RSVP, attendance, evaluation and agreements work as for every meeting. What
differs is owned by the process's app, which registers a :class:`KindHooks` for its kinds in ``AppConfig.ready``.
The meetings app asks this registry and never imports the process's app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kreds.meetings.models import Meeting, Participant


@dataclass(frozen=True)
class KindHooks:
    # The staff page that owns meetings of this kind (the conference page), or None for the meeting page.
    owner_url: Callable[[Meeting], str | None]
    # The document that goes to participants after the meeting instead of the minutes (the family's plan).
    document_pdf: Callable[[Meeting], bytes]
    document_filename: str
    # The leaflet sent with invitations, fitted to the meeting (``leaflet(meeting=meeting)``): (title, sections);
    # and the URL name of its public page (the general leaflet).
    leaflet: Callable[..., tuple[str, Any]]
    leaflet_url_name: str
    # More reasons invitations must wait (e.g. the coordinator's independence), checked with the meeting's own.
    invitation_problems: Callable[[Meeting], list[str]] = field(default=lambda meeting: [])
    # Extra context for the participant's personal page (e.g. the family's plan with the decisions).
    link_context: Callable[[Participant], dict[str, Any]] = field(default=lambda participant: {})


_REGISTRY: dict[str, KindHooks] = {}


def register(kinds: frozenset[str] | set[str], hooks: KindHooks) -> None:
    for kind in kinds:
        _REGISTRY[str(kind)] = hooks


def hooks_for(meeting: Meeting) -> KindHooks | None:
    return _REGISTRY.get(meeting.kind)
