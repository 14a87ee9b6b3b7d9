"""Panels on the case overview. Later capabilities register their own panel here.

A panel is a template plus a function that builds its context from (request, case). Panels must read only
through selectors that respect authz (the case itself is already authorized and its read audit-logged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from kreds.cases.models import Case

PanelContext = Callable[[HttpRequest, Case], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    order: int
    context: PanelContext


_REGISTRY: dict[str, Panel] = {}


def register(key: str, template: str, order: int = 100) -> Callable[[PanelContext], PanelContext]:
    def decorator(func: PanelContext) -> PanelContext:
        _REGISTRY[key] = Panel(key, template, order, func)
        return func

    return decorator


def render_panels(request: HttpRequest, case: Case) -> list[tuple[Panel, dict[str, Any]]]:
    out = []
    for panel in sorted(_REGISTRY.values(), key=lambda p: (p.order, p.key)):
        ctx = panel.context(request, case)
        if ctx is not None:
            out.append((panel, ctx))
    return out
