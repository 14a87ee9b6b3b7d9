"""Small helpers every domain's views share (views stay thin: parse, authorize, call a service, answer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from kreds.core.exceptions import KredsError


def attempt(request: HttpRequest, fn: Callable[[], Any], success: str = "") -> bool:
    """Run a service call; show its Danish refusal or the success message. True if it went through."""
    try:
        fn()
    except KredsError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True
