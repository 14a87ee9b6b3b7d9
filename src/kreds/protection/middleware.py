"""Every response is rendered for its reader (issue 18): the staff member signed in, or the holder of the personal
link the view resolved (``request.kreds_reader``, set by the link pages). Text responses pass the reader's guard
once more at the end, so a page, a fragment, a calendar file or an SVG that forgot nothing still cannot carry a
protected value to someone who may not see it. PDFs were guarded when typst built them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kreds.authz.roles import staff
from kreds.core import disclosure
from kreds.core.disclosure import Reader

TEXT_TYPES = ("text/", "application/json", "image/svg+xml", "application/xhtml+xml")


def reader_of(request: HttpRequest) -> Reader | None:
    """Who reads this response: set by a link page, or the signed-in staff member (asked when first needed)."""
    given: Reader | None = getattr(request, "kreds_reader", None)
    if given is not None:
        return given
    user = getattr(request, "user", None)
    member = staff(user) if user is not None else None
    if member is not None:
        return Reader(kind="staff", user_id=member.pk, user=member, municipality=member.municipality)
    return None


class DisclosureMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with disclosure.reading_as(lambda: reader_of(request)) as guard:
            response = self.get_response(request)
            if guard is not None and _is_text(response):
                charset = response.charset or "utf-8"
                try:
                    body = response.content.decode(charset)
                except UnicodeDecodeError:
                    return response
                # A page's reader is never "sending" (a page is redacted, not refused), so this does not raise.
                guarded = disclosure.text(body)
                if guarded != body:
                    response.content = guarded.encode(charset)
        return response


def _is_text(response: HttpResponse) -> bool:
    if getattr(response, "streaming", False):
        return False
    content_type = response.get("Content-Type", "")
    return any(content_type.startswith(t) for t in TEXT_TYPES)
