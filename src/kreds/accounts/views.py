"""Login, two-factor, logout, own account and user administration."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kreds.accounts import services
from kreds.accounts.constants import Role
from kreds.accounts.forms import LoginForm, MembershipForm, OtpForm, UserCreateForm
from kreds.accounts.middleware import (
    SESSION_EPOCH,
    SESSION_LAST_SEEN,
    SESSION_LOGIN_AT,
    SESSION_SLO_PENDING,
    SESSION_SSO,
)
from kreds.accounts.models import Membership, User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.authz import access
from kreds.core.runner import run
from kreds.core.viewhelpers import get_or_404

# The secret of an authenticator app being set up (kreds.accounts.services.new_totp_key), kept only until it is set up.
TOTP_KEY_SESSION = "kreds_totp_key"


def _safe_next(request: HttpRequest, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/locked_out.html", status=429)
        if user is not None and user.municipality_id is not None:
            login(request, user)  # rotates the session key

            now = time.time()
            request.session[SESSION_LOGIN_AT] = now
            request.session[SESSION_LAST_SEEN] = now
            request.session[SESSION_EPOCH] = user.session_epoch
            record(Action.LOGIN, actor=user, purpose=Purpose.SECURITY)
            return redirect(_safe_next(request))
        form.add_error(None, _("The username or password is wrong."))
    context = {"form": form, "next": request.GET.get("next", "")}
    if settings.DEMO_MODE:
        from kreds.accounts.demo import DEMO_PASSWORD, STAFF  # only a demo server loads the demo's logins

        context["demo_accounts"] = [
            (u, f"{f} {la}", ", ".join(str(r.label) for _, r in roles)) for u, f, la, roles in STAFF
        ]
        context["demo_password"] = DEMO_PASSWORD
    return render(request, "accounts/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    signed_on = request.session.get(SESSION_SSO)
    if request.user.is_authenticated:
        record(Action.LOGOUT, actor=request.user, purpose=Purpose.SECURITY)
    logout(request)  # flushes the session: the old cookie is dead
    if isinstance(signed_on, dict) and signed_on.get("protocol") == "saml":
        # Signed on through the municipality's SAML login: its logout follows (single logout, kreds.sso).
        request.session[SESSION_SLO_PENDING] = signed_on
        return redirect("sso:single_logout")
    messages.success(request, _("You are logged out."))
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_enrol")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        record(Action.OTP_FAILED, actor=user, purpose=Purpose.SECURITY)
        form.add_error("otp_token", _("The code is wrong or has expired. Try the newest code."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        and not getattr(user, "is_verified", lambda: False)()
    ):
        return redirect("accounts:otp_verify")
    key = request.session.get(TOTP_KEY_SESSION) or services.new_totp_key()
    request.session[TOTP_KEY_SESSION] = key  # the same secret until the app is set up, however often the page loads
    device = services.pending_totp_device(user=user, key=key)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolled = services.enrol_totp_device(user=user, key=key, token=form.cleaned_data["otp_token"])
        if enrolled is not None:
            del request.session[TOTP_KEY_SESSION]
            otp_login(request, enrolled)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect("home")
        form.add_error("otp_token", _("The code is wrong. Check that the time on your phone is correct and try again."))
    qr_svg = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    memberships = user.memberships.select_related("unit").order_by("unit__name", "role")
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return render(request, "accounts/security.html", {"memberships": memberships, "has_device": has_device})


# --- Administration -------------------------------------------------------------------------------------


def _require_admin(request: HttpRequest) -> User:
    """The administrator managing users (every page here is the one action ``admin.manage_users``)."""
    access.check(request, "admin.manage_users", object_type="users")
    return request.user  # type: ignore[return-value]


def _get_managed_user(actor: User, public_id: str) -> User:
    return get_or_404(User.objects, public_id=public_id, municipality_id=actor.municipality_id)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _require_admin(request)
    users = (
        User.objects.filter(municipality_id=actor.municipality_id)  # type: ignore[misc]
        .prefetch_related("memberships__unit")
        .order_by("first_name", "last_name")
    )
    page = Paginator(users, 50).get_page(request.GET.get("side"))
    return render(request, "accounts/user_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    actor = _require_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        try:
            outcome = run(
                request,
                lambda: services.create_user(actor=actor, **form.cleaned_data),
                form=form,
                success=_("The user is created. Now give them a role."),
            )
        except ValidationError as exc:  # the password validators' verdict belongs beside the password
            form.add_error("password", exc)
        else:
            if outcome.value is not None:
                return redirect("accounts:user_detail", public_id=outcome.value.public_id)
    return render(request, "accounts/user_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _require_admin(request)
    target = _get_managed_user(actor, public_id)
    form = MembershipForm(request.POST or None, municipality_id=actor.municipality_id)
    if request.method == "POST" and run(
        request,
        lambda: services.add_membership(
            actor=actor, user=target, unit=form.cleaned_data["unit"], role=Role(form.cleaned_data["role"])
        ),
        form=form,
        success=_("The role is added."),
    ):
        return redirect("accounts:user_detail", public_id=target.public_id)
    memberships = target.memberships.select_related("unit").order_by("unit__name", "role")
    has_device = TOTPDevice.objects.filter(user=target, confirmed=True).exists()
    return render(
        request,
        "accounts/user_detail.html",
        {"target": target, "memberships": memberships, "form": form, "has_device": has_device},
    )


@login_required
@require_POST
def user_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    actor = _require_admin(request)
    target = _get_managed_user(actor, public_id)
    call: Callable[[], object]
    if action == "deaktiver":
        call, success = (
            lambda: services.set_active(actor=actor, user=target, active=False),
            _("The user is deactivated and logged out everywhere."),
        )
    elif action == "aktiver":
        call, success = (
            lambda: services.set_active(actor=actor, user=target, active=True),
            _("The user is active again."),
        )
    elif action == "afslut-sessioner":
        call, success = (
            lambda: services.end_all_sessions(actor=actor, user=target),
            _("All of the user's sessions are ended."),
        )
    elif action == "nulstil-2fa":
        call, success = (
            lambda: services.reset_two_factor(actor=actor, user=target),
            _("Two-factor is reset. The user sets it up again at next login."),
        )
    else:
        raise Http404
    run(request, call, success=success)
    return redirect("accounts:user_detail", public_id=target.public_id)


@login_required
@require_POST
def membership_remove(request: HttpRequest, public_id: str, membership_id: str) -> HttpResponse:
    actor = _require_admin(request)
    target = _get_managed_user(actor, public_id)
    membership = get_or_404(Membership.objects.select_related("unit", "user"), public_id=membership_id, user=target)
    run(
        request,
        lambda: services.remove_membership(actor=actor, membership=membership),
        success=_("The role is removed."),
    )
    return redirect("accounts:user_detail", public_id=target.public_id)
