"""The login page's buttons for the municipalities' own logins (the accounts app does not import kreds.sso)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from kreds.sso.models import SignOn

register = template.Library()


@register.inclusion_tag("sso/_buttons.html")
def sign_on_buttons(next_path: str = "") -> dict[str, Any]:
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    choices = []
    found = SignOn.objects.filter(Q(saml_enabled=True) | Q(oidc_enabled=True)).select_related("municipality")
    for sign_on in found.order_by("municipality__name"):
        if sign_on.is_test_provider and not (settings.DEMO_MODE or settings.TESTING):
            continue
        code = sign_on.municipality.code
        if sign_on.saml_enabled:
            url = reverse("sso:saml_login", kwargs={"code": code}) + query
            choices.append({"municipality": sign_on.municipality.name, "url": url, "test": sign_on.is_test_provider})
        if sign_on.oidc_enabled:
            url = reverse("sso:oidc_login", kwargs={"code": code}) + query
            choices.append(
                {"municipality": sign_on.municipality.name, "url": url, "test": sign_on.is_test_provider, "oidc": True}
            )
    return {"choices": choices}
