"""The case's protections: the list, recording one, changing it, and ending it with a reason."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kreds.audit.constants import Action
from kreds.authz import access
from kreds.cases.models import Case
from kreds.core import stale
from kreds.core.runner import run
from kreds.core.viewhelpers import current_user, get_or_404
from kreds.network.models import NetworkPerson
from kreds.protection import selectors, services
from kreds.protection.forms import CHILD, WHAT, EndForm, ProtectionForm
from kreds.protection.models import Protection

CASES = Case.objects.select_related("child", "municipality", "responsible_unit")


def _case(request: HttpRequest, public_id: str, action: str) -> Case:
    case: Case = access.fetch(
        request, Case, public_id, action, read=Action.CASE_VIEW, queryset=CASES, object_type="protections"
    )
    return case


def _people(case: Case) -> list[tuple[str, str]]:
    return [(str(v.person.public_id), selectors.label(v)) for v in selectors.map_people(case).values()]


def _form_data(case: Case, form: ProtectionForm) -> tuple[dict[str, Any], list[NetworkPerson]]:
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "must_not_learn", "protects")}
    chosen = data.get("person")
    data["person"] = (
        None if chosen in (None, "", CHILD) else get_or_404(NetworkPerson.objects, public_id=chosen, map__case=case)
    )
    barred = list(
        NetworkPerson.objects.filter(public_id__in=form.cleaned_data.get("must_not_learn") or [], map__case=case)
    )
    return data, barred


@login_required
@require_GET
def protection_list(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "protection.view")
    active = selectors.rows(case)
    return render(
        request,
        "protection/list.html",
        {
            "case": case,
            "active": [(row, services.already_sent(row.protection)) for row in active],
            "ended": selectors.rows(case, active=False),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def protection_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "protection.manage")
    form = ProtectionForm(request.POST or None, people=_people(case), child=case.child.full_name)
    if request.method == "POST" and form.is_valid():
        data, barred = _form_data(case, form)
        done = run(
            request,
            lambda: services.add_protection(actor=current_user(request), case=case, data=data, barred=barred),
            form=form,
            success=_("The protection is recorded. Check below what went out before it."),
        )
        if done:
            return redirect("protection:list", public_id=case.public_id)
    return render(request, "protection/form.html", {"case": case, "form": form, "adding": True})


def _protection(case: Case, protection_id: str) -> Protection:
    found: Protection = get_or_404(
        Protection.objects.select_related("case__child", "person"), public_id=protection_id, case=case
    )
    return found


@login_required
@require_http_methods(["GET", "POST"])
def protection_edit(request: HttpRequest, public_id: str, protection_id: str) -> HttpResponse:
    case = _case(request, public_id, "protection.manage")
    protection = _protection(case, protection_id)
    if not protection.is_active:
        raise Http404
    initial = {
        **{key: getattr(protection, key) for key in services.FIELDS if key != "person"},
        "protects": [key for key, _label in WHAT if getattr(protection, key)],
        "person": str(protection.person.public_id) if protection.person else CHILD,
        "must_not_learn": [str(m.public_id) for m in protection.must_not_learn.all()],
        "version": protection.version,
    }
    form = ProtectionForm(
        request.POST or None, initial=initial, people=_people(case), child=case.child.full_name, editing=True
    )
    if request.method == "POST" and form.is_valid():
        data, barred = _form_data(case, form)

        def saved_now() -> tuple[dict[str, Any], int]:
            fresh = Protection.objects.get(pk=protection.pk)
            return {key: getattr(fresh, key) for key in services.FIELDS if key != "person"}, fresh.version

        if run(
            request,
            lambda: services.change_protection(
                actor=current_user(request),
                protection=protection,
                data=data,
                barred=barred,
                expected_version=stale.expected_version(form) or 0,
            ),
            form=form,
            current=saved_now,
            success=_("The protection is changed."),
            reload_url=request.path,
        ):
            return redirect("protection:list", public_id=case.public_id)
    return render(
        request, "protection/form.html", {"case": case, "form": form, "adding": False, "protection": protection}
    )


@login_required
@require_http_methods(["GET", "POST"])
def protection_end(request: HttpRequest, public_id: str, protection_id: str) -> HttpResponse:
    case = _case(request, public_id, "protection.manage")
    protection = _protection(case, protection_id)
    if not protection.is_active:
        raise Http404
    form = EndForm(request.POST or None, initial={"version": protection.version})
    if (
        request.method == "POST"
        and form.is_valid()
        and run(
            request,
            lambda: services.end_protection(
                actor=current_user(request),
                protection=protection,
                reason=form.cleaned_data["end_reason"],
                expected_version=form.cleaned_data["version"],
            ),
            form=form,
            success=_("The protection has ended. The details are shown as before."),
        )
    ):
        return redirect("protection:list", public_id=case.public_id)
    row = next((r for r in selectors.rows(case) if r.protection.pk == protection.pk), None)
    return render(request, "protection/end.html", {"case": case, "form": form, "row": row})
