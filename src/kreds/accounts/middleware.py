"""Local accounts must pass TOTP before they reach any page other than login/enrolment."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import middleware as otp_middleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from kreds.accounts.backends import confirmed_totp_ids
from kreds.audit.constants import Action
from kreds.audit.services import record

# How django-otp names a TOTP device in the session ("<app_label>.<model_name>/<id>").
TOTP_LABEL = "otp_totp.totpdevice"

Handler = Callable[[HttpRequest], HttpResponse]

EXEMPT_URL_NAMES = {
    "accounts:login",
    "accounts:logout",
    "accounts:otp_verify",
    "accounts:otp_enrol",
    "healthz",
    "set_language",
    "accessibility",
    "leaflet",
    # Signing on through the municipality's identity provider (kreds.sso), which replaces TOTP for its users.
    "sso:saml_metadata",
    "sso:saml_login",
    "sso:saml_acs",
    "sso:saml_sls",
    "sso:single_logout",
    "sso:oidc_login",
    "sso:oidc_callback",
}
# People without accounts use personal links; a staff member opening one is not asked for 2FA either.
EXEMPT_NAMESPACES = {"participants"}


def two_factor_required(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_local_account", False):
        return False
    if settings.DEMO_MODE:
        return False
    return not user.is_verified()  # type: ignore[attr-defined]


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        match = request.resolver_match
        name = match.view_name if match else ""
        if (
            name in EXEMPT_URL_NAMES
            or (match is not None and match.namespace in EXEMPT_NAMESPACES)
            or request.path.startswith(settings.STATIC_URL)
        ):
            return None
        if two_factor_required(request):
            if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
                return redirect("accounts:otp_verify")
            return redirect("accounts:otp_enrol")
        return None


SESSION_LOGIN_AT = "_kreds_login_at"
SESSION_LAST_SEEN = "_kreds_last_seen"
SESSION_EPOCH = "_kreds_epoch"
# What a session signed on through the municipality's identity provider remembers of it (kreds.sso: for single
# logout; never a CPR number or a token), and the single logout still to send after Kreds' own logout.
SESSION_SSO = "_kreds_sso"
SESSION_SLO_PENDING = "_kreds_slo"
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


class OTPMiddleware(otp_middleware.OTPMiddleware):  # type: ignore[misc]  # django-otp has no type hints
    """django-otp's middleware, deciding "verified" from what ``accounts.backends`` read with the user.

    django-otp reads the session's device with a query of its own on every request; the backend already read the
    ids of the user's confirmed TOTP devices. The session's device verifies the user when it is one of them (the
    same test django-otp makes: the device is the user's and confirmed); the device itself is only read if a view
    asks for it. A user read some other way falls back to django-otp's own lookup.
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        confirmed = confirmed_totp_ids(user) if user.is_authenticated else None
        persistent_id = self._normalize_persistent_id(request.session.get(DEVICE_ID_SESSION_KEY) or "")
        label, _, device_id = persistent_id.rpartition("/")
        if confirmed is None or label != TOTP_LABEL:  # not read with the user, or no TOTP device: django-otp's way
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        if device_id.isdigit() and int(device_id) in confirmed:
            user.otp_device = SimpleLazyObject(partial(TOTPDevice.objects.get, pk=int(device_id)))
        else:
            del request.session[DEVICE_ID_SESSION_KEY]
        return user
