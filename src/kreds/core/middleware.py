"""Cross-cutting middleware: request ids, session lifetimes, no-store caching."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from kreds.core.clientip import client_ip
from kreds.core.request_context import reset_request_context, set_request_context

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

Handler = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Give each request an id (or accept a sane one from the proxy) and remember the client IP."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else secrets.token_hex(8)
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = set_request_context(request_id, client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(tokens)
        response["X-Request-ID"] = request_id
        return response


SESSION_LOGIN_AT = "_kreds_login_at"
SESSION_LAST_SEEN = "_kreds_last_seen"
SESSION_EPOCH = "_kreds_epoch"
SESSION_TOUCH_SECONDS = 60


class SessionLifetimeMiddleware:
    """Idle timeout and absolute lifetime for logged-in sessions (SECURITY 7)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            login_at = request.session.get(SESSION_LOGIN_AT, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            expired = (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - login_at > settings.SESSION_ABSOLUTE_LIFETIME
                or request.session.get(SESSION_EPOCH, 0) != getattr(user, "session_epoch", 0)
            )
            if expired:
                from kreds.audit.constants import Action
                from kreds.audit.services import record

                record(Action.SESSION_EXPIRED, actor=user)
                logout(request)
                messages.info(request, _("You were logged out because your session expired. Please log in again."))
                return redirect(settings.LOGIN_URL)
            # Written at most once a minute: a session is not saved (an UPDATE and a commit) on every request only
            # to move this stamp; the idle timeout is then exact to within a minute, never later.
            if SESSION_LAST_SEEN not in request.session or now - last_seen >= SESSION_TOUCH_SECONDS:
                request.session[SESSION_LAST_SEEN] = now
            request.session.setdefault(SESSION_LOGIN_AT, now)
        return self.get_response(request)


class LanguageMiddleware:
    """Danish unless the user chose another language (cookie set by set_language); browser settings are ignored."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Dynamic responses are never stored by browsers or proxies (they may hold personal data)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class DenialAuditMiddleware:
    """Every refusal a signed-in user meets is an audit event (SECURITY 16.3.2, issue 13 §2): a view that refuses
    through ``viewhelpers.deny`` records it with its policy; any other 404 or 403 from a view (an object of another
    municipality, one the user may not see, an id that does not exist) is recorded here with the attempted object
    from the URL. Personal-link pages are not staff access and keep their own log (``link.refused``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from kreds.core.viewhelpers import DENIED

        if not isinstance(exception, (Http404, PermissionDenied)) or getattr(request, DENIED, False):
            return
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or not user.is_authenticated or match is None or match.namespace == "participants":
            return
        from kreds.audit.constants import Action
        from kreds.audit.services import record

        ids = {k: str(v) for k, v in match.kwargs.items()}
        object_id = next((v for k, v in ids.items() if k.endswith("id")), "")
        record(
            Action.ACCESS_DENIED,
            actor=user,
            object_type=match.view_name[:60],
            object_id=object_id[:64],
            details={
                "view": match.view_name,
                "path": request.path[:200],
                "url_ids": ids,
                "status": (403 if isinstance(exception, PermissionDenied) else 404),
            },
        )
        setattr(request, DENIED, True)
