"""Sign-on through the municipality's identity provider (SAML 2.0, OpenID Connect) and its settings pages."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.accounts.constants import Role
from kreds.accounts.middleware import (
    SESSION_EPOCH,
    SESSION_LAST_SEEN,
    SESSION_LOGIN_AT,
)
from kreds.accounts.middleware import (
    SESSION_SLO_PENDING as SLO_PENDING,
)
from kreds.accounts.middleware import (
    SESSION_SSO as SSO_SESSION,
)
from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.authz import access
from kreds.core.exceptions import KredsError
from kreds.core.runner import run
from kreds.core.viewhelpers import get_or_404
from kreds.sso import keys, oidc, saml, services
from kreds.sso.constants import Protocol, Refusal
from kreds.sso.forms import KeyUploadForm, OidcForm, RuleForm, SamlForm
from kreds.sso.models import RoleRule, SignOn
from kreds.tenancy.models import Municipality

# The municipality of each OpenID Connect login in progress, by its state.
OIDC_STATES = "_kreds_oidc_municipality"
STAFF_BACKEND = "kreds.accounts.backends.StaffBackend"

MESSAGES = {
    Refusal.NOT_CONFIGURED: gettext_lazy(
        "The municipality's login is not set up in Kreds. Use your Kreds username instead."
    ),
    Refusal.MALFORMED: gettext_lazy("The answer from the municipality's login could not be read."),
    Refusal.UNSIGNED: gettext_lazy(
        "The answer from the municipality's login was not signed correctly, so Kreds cannot trust it."
    ),
    Refusal.UNKNOWN_ISSUER: gettext_lazy("The answer came from a login service Kreds does not know."),
    Refusal.WRONG_AUDIENCE: gettext_lazy("The answer from the login service was meant for another service than Kreds."),
    Refusal.WRONG_DESTINATION: gettext_lazy(
        "The answer from the login service was sent to another address than Kreds'."
    ),
    Refusal.EXPIRED: gettext_lazy("The answer from the municipality's login has expired. Log in again."),
    Refusal.UNSOLICITED: gettext_lazy("This login was not started here, or it has already been used. Start again."),
    Refusal.REPLAY: gettext_lazy("This login has already been used. Start again."),
    Refusal.MISSING_ATTRIBUTE: gettext_lazy(
        "The municipality's login did not send everything Kreds needs, such as your lasting identity or the level "
        "of assurance of your login."
    ),
    Refusal.LOW_ASSURANCE: gettext_lazy(
        "Your login's level of assurance is too low. Kreds requires at least substantial (NSIS Substantial), "
        "for example MitID Erhverv with the app."
    ),
    Refusal.NO_ROLE: gettext_lazy(
        "You have no privilege that gives you a role in Kreds. Ask your leader or the municipality's user "
        "administrator to give you a privilege for Kreds."
    ),
    Refusal.DEACTIVATED: gettext_lazy("Your user in Kreds is deactivated. Contact the municipality's administrator."),
    Refusal.PROVIDER_ERROR: gettext_lazy("The municipality's login reported an error or was cancelled."),
}


def _refused(
    request: HttpRequest, sign_on: SignOn | None, protocol: str, exc: services.Refused, status: int = 403
) -> HttpResponse:
    services.refuse(
        municipality=sign_on.municipality if sign_on else None, protocol=protocol, reason=exc.reason, detail=exc.detail
    )
    if exc.reason == Refusal.MALFORMED:
        status = 400
    return render(
        request,
        "sso/refused.html",
        {
            "message": str(MESSAGES.get(exc.reason, MESSAGES[Refusal.MALFORMED])),
            "retry": _retry_url(sign_on, protocol),
            "reference": getattr(request, "request_id", ""),
        },
        status=status,
    )


def _retry_url(sign_on: SignOn | None, protocol: str) -> str:
    if sign_on is None:
        return reverse("accounts:login")
    name = "sso:oidc_login" if protocol == Protocol.OIDC else "sso:saml_login"
    return reverse(name, kwargs={"code": sign_on.municipality.code})


def _sign_on(code: str) -> SignOn:
    """The municipality's sign-on (not set up: an unsaved one, which refuses politely); an unknown code is a 404."""
    found = SignOn.objects.select_related("municipality").filter(municipality__code=code).first()
    if found is not None:
        return found
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise Http404
    return SignOn(municipality=municipality)


def _next_path(value: str | None) -> str:
    """A same-site path to go to after login (RelayState and ?next= are only ever paths on this site)."""
    if (
        value
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    ):
        return value
    return reverse("home")


def _start_session(request: HttpRequest, user: User, protocol: str, level: str | None, sso: dict[str, str]) -> None:
    login(request, user, backend=STAFF_BACKEND)  # rotates the session key
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    request.session[SESSION_EPOCH] = user.session_epoch
    request.session[SSO_SESSION] = sso
    record(Action.LOGIN, actor=user, purpose=Purpose.SECURITY, details={"via": protocol, "level": level or ""})


# --- SAML -------------------------------------------------------------------------------------------------------


@require_GET
def saml_metadata(request: HttpRequest, code: str) -> HttpResponse:
    sign_on = _sign_on(code)
    try:
        xml = saml.metadata_xml(sign_on)
    except saml.NotReady as exc:
        raise Http404 from exc
    response = HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="kreds-{code}-metadata.xml"'
    return response


@require_GET
def saml_login(request: HttpRequest, code: str) -> HttpResponse:
    sign_on = _sign_on(code)
    try:
        services.check_allowed(sign_on)
        if not sign_on.saml_enabled:
            raise services.Refused(Refusal.NOT_CONFIGURED, "SAML is off")
        request_id, location = saml.authn_request(sign_on)
        saml.redirect_target(location)
    except saml.NotReady:
        return _refused(request, sign_on, Protocol.SAML, services.Refused(Refusal.NOT_CONFIGURED, "no key/metadata"))
    except services.Refused as exc:
        return _refused(request, sign_on, Protocol.SAML, exc)
    services.remember_request(
        municipality=sign_on.municipality, request_id=request_id, next_path=_next_path(request.GET.get("next"))
    )
    return redirect(location)


@csrf_exempt  # the identity provider's HTTP-POST binding: a cross-site form post; the answer's signature is its proof
@require_POST
def saml_acs(request: HttpRequest, code: str) -> HttpResponse:
    sign_on = _sign_on(code)
    answer: saml.Answer | None = None
    try:
        services.check_allowed(sign_on)
        if not sign_on.saml_enabled:
            raise services.Refused(Refusal.NOT_CONFIGURED, "SAML is off")
        posted = request.POST.get("SAMLResponse", "")
        if not posted or len(posted) > 2_000_000:
            raise services.Refused(Refusal.MALFORMED, "no SAMLResponse")
        found = saml.envelope(posted)
        saml.check_envelope(sign_on, found)
        pending = services.take_request(municipality=sign_on.municipality, request_id=found.in_response_to)
        if pending is None:
            raise services.Refused(Refusal.UNSOLICITED, "InResponseTo names no pending request")
        answer = saml.read_answer(sign_on, posted, pending.request_id)
        with transaction.atomic():
            services.remember_assertion(
                issuer=answer.claims.issuer, assertion_id=answer.assertion_id, expires_at=answer.valid_until
            )
            user = services.sign_on(municipality=sign_on.municipality, claims=answer.claims)
    except saml.NotReady:
        return _refused(request, sign_on, Protocol.SAML, services.Refused(Refusal.NOT_CONFIGURED, "no key/metadata"))
    except services.Refused as exc:
        if exc.reason == Refusal.NO_ROLE and answer is not None:
            services.withdraw_roles(municipality=sign_on.municipality, claims=answer.claims)
        return _refused(request, sign_on, Protocol.SAML, exc)
    _start_session(
        request,
        user,
        Protocol.SAML,
        answer.claims.level,
        {
            "code": code,
            "protocol": Protocol.SAML,
            "name_id": answer.name_id,
            "name_id_format": answer.name_id_format,
            "session_index": answer.session_index,
        },
    )
    return redirect(_next_path(request.POST.get("RelayState") or pending.next_path))


@csrf_exempt  # the identity provider's logout messages arrive cross-site; each is verified by its signature
@require_http_methods(["GET", "POST"])
def saml_sls(request: HttpRequest, code: str) -> HttpResponse:
    """Single logout: a LogoutRequest from the identity provider, or its answer to Kreds' own LogoutRequest."""
    sign_on = _sign_on(code)
    query = saml.query_of(request.META.get("QUERY_STRING", ""))
    try:
        if not sign_on.saml_enabled:
            raise services.Refused(Refusal.NOT_CONFIGURED, "SAML is off")
        if "SAMLRequest" in query:
            logout_request = saml.idp_logout_request(sign_on, query)
            user = services.identity_user(
                municipality=sign_on.municipality, issuer=sign_on.idp_entity_id, subject=logout_request.name_id
            )
            if user is not None:
                services.end_sessions_from_provider(user=user, protocol=Protocol.SAML)
            if request.user.is_authenticated and user is not None and request.user.pk == user.pk:
                logout(request)
            return redirect(saml.redirect_target(logout_request.reply_to))
        if "SAMLResponse" in query:
            ok = saml.idp_logout_response(sign_on, query)
            if ok:
                messages.success(request, _("You are logged out of Kreds and the municipality's login."))
            else:
                messages.warning(
                    request, _("You are logged out of Kreds, but the municipality's login did not confirm its logout.")
                )
            return redirect("accounts:login")
        raise services.Refused(Refusal.MALFORMED, "neither SAMLRequest nor SAMLResponse")
    except saml.NotReady:
        return _refused(request, sign_on, Protocol.SAML, services.Refused(Refusal.NOT_CONFIGURED, "no key/metadata"))
    except services.Refused as exc:
        return _refused(request, sign_on, Protocol.SAML, exc)


@require_GET
def single_logout(request: HttpRequest) -> HttpResponse:
    """After Kreds' own logout (accounts.views.logout_view): send the browser to the identity provider's logout."""
    pending: dict[str, str] | None = request.session.pop(SLO_PENDING, None)
    if not pending or pending.get("protocol") != Protocol.SAML:
        return redirect("accounts:login")
    sign_on = SignOn.objects.select_related("municipality").filter(municipality__code=pending.get("code", "")).first()
    if sign_on is None or not sign_on.saml_enabled:
        return redirect("accounts:login")
    try:
        location = saml.logout_request(
            sign_on,
            name_id=pending.get("name_id", ""),
            name_id_format=pending.get("name_id_format", ""),
            session_index=pending.get("session_index", ""),
        )
    except (saml.NotReady, services.Refused):
        location = None
    if location is None:
        messages.info(request, _("You are logged out of Kreds. Close the browser to end the municipality's login."))
        return redirect("accounts:login")
    # A page that goes on by itself, not a redirect: the logout began as a form post, and the browser holds every
    # redirect after a form post to the CSP's form-action ('self'), which the identity provider is not.
    return render(request, "sso/leaving.html", {"location": saml.redirect_target(location)})


# --- OpenID Connect ---------------------------------------------------------------------------------------------


@require_GET
def oidc_login(request: HttpRequest, code: str) -> HttpResponse:
    sign_on = _sign_on(code)
    try:
        services.check_allowed(sign_on)
        if not (sign_on.oidc_enabled and sign_on.oidc_provider and sign_on.oidc_client_id):
            raise services.Refused(Refusal.NOT_CONFIGURED, "OpenID Connect is off")
    except services.Refused as exc:
        return _refused(request, sign_on, Protocol.OIDC, exc)
    response: HttpResponse = oidc.RequestView(sign_on).get(request)
    state = parse_qs(urlsplit(response["Location"]).query).get("state", [""])[0]
    started: dict[str, str] = request.session.get(OIDC_STATES, {})
    started = dict(list(started.items())[-20:])  # a few logins in parallel tabs, never an ever-growing session
    started[state] = code
    request.session[OIDC_STATES] = started
    return response


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    started: dict[str, str] = request.session.get(OIDC_STATES, {})
    code = started.pop(state, None) if state else None
    request.session[OIDC_STATES] = started
    sign_on = SignOn.objects.select_related("municipality").filter(municipality__code=code or "").first()
    oidc_states: dict[str, Any] = request.session.get("oidc_states", {})
    try:
        if sign_on is None or state not in oidc_states:
            raise services.Refused(Refusal.UNSOLICITED, "unknown state")
        entry = oidc_states.pop(state)
        request.session["oidc_states"] = oidc_states
        if request.GET.get("error"):
            raise services.Refused(Refusal.PROVIDER_ERROR, str(request.GET.get("error"))[:100])
        services.check_allowed(sign_on)
        if not sign_on.oidc_enabled:
            raise services.Refused(Refusal.NOT_CONFIGURED, "OpenID Connect is off")
        try:
            claims = oidc.MunicipalBackend(sign_on).authenticate(
                request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
            )
        except SuspiciousOperation as exc:
            raise services.Refused(Refusal.UNSIGNED, str(exc)[:200]) from exc
        except requests.RequestException as exc:
            raise services.Refused(Refusal.PROVIDER_ERROR, type(exc).__name__) from exc
        if claims is None:
            raise services.Refused(Refusal.MALFORMED, "no claims")
        try:
            user = services.sign_on(municipality=sign_on.municipality, claims=claims)
        except services.Refused as exc:
            if exc.reason == Refusal.NO_ROLE:
                services.withdraw_roles(municipality=sign_on.municipality, claims=claims)
            raise
    except services.Refused as exc:
        return _refused(request, sign_on, Protocol.OIDC, exc)
    next_path = _next_path(request.session.get("oidc_login_next"))
    _start_session(request, user, Protocol.OIDC, claims.level, {"code": sign_on.municipality.code, "protocol": "oidc"})
    return redirect(next_path)


# --- Settings (administrators) ----------------------------------------------------------------------------------


def _admin(request: HttpRequest) -> User:
    access.check(request, "admin.manage_sign_on", object_type="sign_on")
    return request.user  # type: ignore[return-value]


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    municipality = user.municipality
    assert municipality is not None
    sign_on = services.sign_on_of(municipality)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    saml_form = SamlForm(
        request.POST if which == "saml" else None,
        request.FILES if which == "saml" else None,
        initial={"enabled": sign_on.saml_enabled, "metadata_url": sign_on.idp_metadata_url, "version": sign_on.version},
    )
    key_form = KeyUploadForm(request.POST if which == "key_upload" else None)
    oidc_form = OidcForm(
        request.POST if which == "oidc" else None,
        initial={
            "enabled": sign_on.oidc_enabled,
            "issuer": sign_on.oidc_issuer,
            "client_id": sign_on.oidc_client_id,
            "roles_claim": sign_on.oidc_roles_claim,
            "version": sign_on.version,
        },
    )
    rule_form = RuleForm(request.POST if which == "rule" else None, municipality_id=municipality.pk)
    done = False
    if which == "saml":
        done = bool(run(request, lambda: _save_saml(user, sign_on, saml_form), form=saml_form, success=_("Saved.")))
    elif which == "key_generate" and sign_on.sp_certificate and not request.POST.get("confirm"):
        messages.error(request, _("Confirm that the identity provider must have Kreds' new metadata first."))
    elif which == "key_generate":
        done = bool(
            run(
                request,
                lambda: services.save_key_pair(
                    actor=user,
                    sign_on=sign_on,
                    pair=keys.generate(f"Kreds {municipality.name}", bits=settings.SSO_KEY_BITS),
                ),
                success=_("A new key and certificate are made. Give the identity provider Kreds' new metadata."),
            )
        )
    elif which == "key_upload":
        done = bool(run(request, lambda: _save_key(user, sign_on, key_form), form=key_form, success=_("Saved.")))
    elif which == "oidc":
        done = bool(run(request, lambda: _save_oidc(user, sign_on, oidc_form), form=oidc_form, success=_("Saved.")))
    elif which == "rule":
        done = bool(
            run(
                request,
                lambda: services.add_rule(
                    actor=user,
                    municipality=municipality,
                    privilege=rule_form.cleaned_data["privilege"],
                    constraint_name=rule_form.cleaned_data["constraint_name"],
                    constraint_value=rule_form.cleaned_data["constraint_value"],
                    role=Role(rule_form.cleaned_data["role"]),
                    unit=rule_form.cleaned_data["unit"],
                ),
                form=rule_form,
                success=_("The rule is added. It takes effect at each person's next login."),
            )
        )
    if done:
        return redirect("sso:settings")
    pair = None
    try:
        pair = saml.key_pair(sign_on)
    except Exception:
        pair = None
    code = municipality.code
    return render(
        request,
        "sso/settings.html",
        {
            "sign_on": sign_on,
            "saml_form": saml_form,
            "key_form": key_form,
            "oidc_form": oidc_form,
            "rule_form": rule_form,
            "pair": pair,
            "key_from_files": keys.from_files(code) is not None,
            "addresses": saml.urls(code),
            "oidc_redirect": request.build_absolute_uri(reverse("sso:oidc_callback")),
            "oidc_secret_set": bool(oidc.client_secret(code)),
            "oidc_secret_name": f"OIDC_CLIENT_SECRET_{code}",
            "rules": RoleRule.objects.filter(municipality=municipality).select_related("unit"),
        },
    )


def _save_saml(user: User, sign_on: SignOn, form: SamlForm) -> SignOn:
    data = form.cleaned_data
    xml = data["metadata_file"] or ""
    url = data["metadata_url"] or ""
    if not xml and url:
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            xml = response.text
        except requests.RequestException as exc:
            raise KredsError(
                _("Kreds could not fetch the metadata from the address. Check it, or upload the file.")
            ) from exc
    if not xml:
        xml = sign_on.idp_metadata_xml
    entity_id = ""
    if xml:
        try:
            entity_id = saml.read_idp_metadata(xml)
        except ValueError as exc:
            raise KredsError(_("This is not an identity provider's SAML metadata.")) from exc
    return services.save_saml(
        actor=user,
        sign_on=sign_on,
        enabled=data["enabled"],
        metadata_url=url,
        metadata_xml=xml,
        entity_id=entity_id,
        version=data["version"],
    )


def _save_key(user: User, sign_on: SignOn, form: KeyUploadForm) -> SignOn:
    pair = keys.KeyPair(form.cleaned_data["key"].strip() + "\n", form.cleaned_data["certificate"].strip() + "\n")
    try:
        keys.check(pair)
    except ValueError as exc:
        raise KredsError(_("The key and certificate must be PEM, RSA, and the certificate must be the key's.")) from exc
    return services.save_key_pair(actor=user, sign_on=sign_on, pair=pair)


def _save_oidc(user: User, sign_on: SignOn, form: OidcForm) -> SignOn:
    data = form.cleaned_data
    provider: dict[str, Any] = {}
    if data["issuer"]:
        try:
            provider = oidc.discover(data["issuer"])
        except ValueError as exc:
            raise KredsError(
                _("Kreds could not read the provider's discovery document at the issuer's address.")
            ) from exc
    return services.save_oidc(
        actor=user,
        sign_on=sign_on,
        enabled=data["enabled"],
        issuer=data["issuer"].rstrip("/"),
        client_id=data["client_id"],
        roles_claim=data["roles_claim"],
        provider=provider,
        version=data["version"],
    )


@login_required
@require_POST
def rule_remove(request: HttpRequest, rule_id: str) -> HttpResponse:
    user = _admin(request)
    rule = get_or_404(
        RoleRule.objects.select_related("unit", "municipality"), public_id=rule_id, municipality_id=user.municipality_id
    )
    run(
        request,
        lambda: services.remove_rule(actor=user, rule=rule),
        success=_("The rule is removed. People lose the role at their next login."),
    )
    return redirect("sso:settings")
