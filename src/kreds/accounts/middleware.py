"""Local accounts must pass TOTP before they reach any page other than login/enrolment."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp.plugins.otp_totp.models import TOTPDevice

EXEMPT_URL_NAMES = {
    "accounts:login",
    "accounts:logout",
    "accounts:otp_verify",
    "accounts:otp_enrol",
    "healthz",
    "set_language",
    "accessibility",
    "leaflet",
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
