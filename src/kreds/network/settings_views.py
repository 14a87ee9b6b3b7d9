"""The municipality's network-map sectors, managed by administrators."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kreds.accounts.models import User
from kreds.authz.access import deny
from kreds.authz.policies import can
from kreds.core.forms import KredsForm
from kreds.core.runner import run
from kreds.core.viewhelpers import get_or_404
from kreds.network import services
from kreds.network.models import Sector


class SectorForm(KredsForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    colour = forms.CharField(
        label=gettext_lazy("Colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"}), initial="#4d4d4d"
    )
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=99, initial=10)
    is_professional = forms.BooleanField(label=gettext_lazy("Professional sector"), required=False)
    active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not can(user, "admin.manage_settings"):
        raise deny(request, "admin.manage_settings", object_type="settings", object_id="sectors")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def sector_list(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    municipality = user.municipality
    assert municipality is not None
    # Every municipality has the default sectors from its creation (network.apps); this page lists and edits them.
    form = SectorForm(request.POST or None)
    if request.method == "POST" and run(
        request,
        lambda: services.save_sector(actor=user, municipality=municipality, **form.cleaned_data),
        form=form,
        success=_("The sector is added."),
    ):
        return redirect("network_settings:sectors")
    sectors = Sector.objects.filter(municipality=user.municipality).order_by("order", "id")
    return render(request, "network/sectors.html", {"sectors": sectors, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def sector_edit(request: HttpRequest, sector_id: str) -> HttpResponse:
    user = _admin(request)
    sector = get_or_404(Sector.objects, public_id=sector_id, municipality=user.municipality)
    initial = {f: getattr(sector, f) for f in ("name", "colour", "order", "is_professional", "active")}
    form = SectorForm(request.POST or None, initial=initial)
    municipality = user.municipality
    assert municipality is not None
    if request.method == "POST" and run(
        request,
        lambda: services.save_sector(actor=user, municipality=municipality, sector=sector, **form.cleaned_data),
        form=form,
        success=_("The changes are saved."),
    ):
        return redirect("network_settings:sectors")
    return render(request, "network/sector_form.html", {"sector": sector, "form": form})


app_name = "network_settings"
urlpatterns = [
    path("", sector_list, name="sectors"),
    path("<uuid:sector_id>/", sector_edit, name="sector_edit"),
]
