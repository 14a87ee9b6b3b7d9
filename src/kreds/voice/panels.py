"""The child's voice on the case overview: unread answers from the child come first (DOMAIN §8)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kreds.cases.models import Case
from kreds.cases.panels import register
from kreds.voice import selectors


@register("voice", "voice/panel.html", order=5)
def voice_panel(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    voice = selectors.latest_voice(case)
    return {"case": case, "unreviewed": selectors.unreviewed_count(case), **voice}
