"""Signs of Safety screens on a case: the mapping (three columns), its versions, scaling, the safety plan, PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.audit.constants import Action
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.core.viewhelpers import attempt, authorized_case, current_user, get_or_404
from kreds.meetings.models import Meeting
from kreds.network import selectors as network_selectors
from kreds.safety import forms, selectors, services
from kreds.safety.constants import SCALE_TEN, SCALE_ZERO
from kreds.safety.models import SafetyRule
from kreds.safety.pdf import mapping_pdf


def _case(request: HttpRequest, public_id: str, action: str) -> Case:
    case: Case = authorized_case(request, public_id, action, read_action=Action.SOS_VIEW, object_type="sos")
    return case


def _persons(case: Case) -> list[tuple[Any, str]]:
    return [
        (v.person, f"{v.name} ({v.relation or v.professional_role})") for v in network_selectors.persons_as_of(case)
    ]


def _perms(request: HttpRequest, case: Case) -> dict[str, bool]:
    user = current_user(request)
    return {
        "edit": can(user, "safety.edit", case),
        "worries": can(user, "safety.edit_worries", case),
        "case": True,
    }


@login_required
@require_GET
def overview(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "safety.view")
    current = selectors.mapping(case)
    statements = list(current.statements.all()) if current else []
    return render(
        request,
        "safety/overview.html",
        {
            "case": case,
            "mapping": current,
            "statements": statements,
            "charts": selectors.charts(case, current),
            "versions": selectors.versions(case),
            "plan": selectors.plan(case),
            "rules": selectors.rules(case),
            "scaling_form": forms.ScalingForm(statements=statements, persons=_persons(case)),
            "perms": _perms(request, case),
            "scale_zero": SCALE_ZERO,
            "scale_ten": SCALE_TEN,
        },
    )


@login_required
@require_GET
def version(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    case = _case(request, public_id, "safety.view")
    mapping = selectors.mapping(case, number)
    if mapping is None:
        raise Http404
    return render(
        request,
        "safety/version.html",
        {
            "case": case,
            "mapping": mapping,
            "statements": list(mapping.statements.all()),
            "perms": _perms(request, case),
        },
    )


def _statement_initial(mapping: Any) -> list[dict[str, Any]]:
    if mapping is None:
        return []
    return [
        {"key": str(s.key), **{f: getattr(s, f) for f in services.STATEMENT_FIELDS}}
        for s in mapping.statements.order_by("number")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """A new version of the mapping, starting from the latest one."""
    case = _case(request, public_id, "safety.edit")
    user = current_user(request)
    current = selectors.mapping(case)
    authority = can(user, "safety.edit_worries", case)
    initial = {f: getattr(current, f) for f in services.MAPPING_FIELDS} if current else {}
    initial.update({"based_on": current.version if current else 0, "sparring": False})
    form = forms.MappingForm(request.POST or None, initial=initial)
    formset = forms.StatementFormSet(request.POST or None, initial=_statement_initial(current), prefix="s")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data]
        if not authority:
            # Practitioners work with the authority's worries as they stand (seeds/003); they are not on the form.
            data["worry_basis"] = current.worry_basis if current else ""
            kept = {r["key"]: r for r in _statement_initial(current)}
            rows = [
                {**r, **{f: kept[r["key"]][f] for f in services.WORRY_FIELDS}} for r in rows if r.get("key") in kept
            ]
        saved: list[Any] = []
        if attempt(
            request,
            lambda: saved.append(
                services.save_mapping(
                    actor=user, case=case, data=data, statements=rows, based_on=form.cleaned_data["based_on"]
                )
            ),
        ):
            messages.success(request, _("Version %(version)d of the mapping is saved.") % {"version": saved[0].version})
            return redirect("safety:overview", public_id=case.public_id)
    return render(
        request,
        "safety/edit.html",
        {"case": case, "mapping": current, "form": form, "formset": formset, "authority": authority},
    )


@login_required
@require_POST
def scaling_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "safety.edit")
    current = selectors.mapping(case)
    statements = list(current.statements.all()) if current else []
    form = forms.ScalingForm(request.POST, statements=statements, persons=_persons(case))
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.add_scaling(
                actor=current_user(request),
                case=case,
                statement_key=data["statement"],
                scored_on=data["scored_on"],
                scorer_kind=data["scorer_kind"],
                score=data["score"],
                scorer_name=data["scorer_name"],
                person=data["person"],
                note=data["note"],
            ),
            _("The scaling is recorded."),
        )
    else:
        messages.error(request, _("Choose the worry statement, who answered, the date and a number from 0 to 10."))
    return redirect("safety:overview", public_id=case.public_id)


@login_required
@require_GET
def pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "safety.view")
    number = request.GET.get("version", "")
    mapping = selectors.mapping(case, int(number) if number.isdigit() else None)
    if mapping is None:
        raise Http404
    response = HttpResponse(mapping_pdf(case, mapping), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kortlaegning-v{mapping.version}.pdf"'
    return response


# The safety plan ------------------------------------------------------------------------------------------


def _meetings(case: Case) -> list[Meeting]:
    return list(Meeting.objects.filter(case=case).exclude(status="cancelled").order_by("-starts_at")[:30])


@login_required
@require_GET
def plan(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "safety.view")
    current = selectors.plan(case)
    return render(
        request,
        "safety/plan.html",
        {
            "case": case,
            "plan": current,
            "rules": selectors.rules(case, include_ended=True),
            "agreement_form": forms.AgreementForm(
                initial={
                    "agreed_on": current.agreed_on if current else None,
                    "meeting": str(current.agreed_at_meeting.public_id)
                    if current and current.agreed_at_meeting
                    else "",
                    "version": current.version if current else 1,
                },
                meetings=_meetings(case),
            ),
            "rule_form": forms.RuleForm(persons=_persons(case)),
            "status_form": forms.RuleStatusForm(),
            "perms": _perms(request, case),
        },
    )


@login_required
@require_POST
def plan_agree(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "safety.edit")
    meetings = _meetings(case)
    form = forms.AgreementForm(request.POST, meetings=meetings)
    if form.is_valid():
        meeting = next((m for m in meetings if str(m.public_id) == form.cleaned_data["meeting"]), None)
        attempt(
            request,
            lambda: services.record_agreement(
                actor=current_user(request),
                case=case,
                agreed_on=form.cleaned_data["agreed_on"],
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
            ),
            _("The safety plan's agreement is saved."),
        )
    else:
        messages.error(request, _("Write the date the safety plan was agreed."))
    return redirect("safety:plan", public_id=case.public_id)


@login_required
@require_POST
def rule_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "safety.edit")
    form = forms.RuleForm(request.POST, persons=_persons(case))
    if form.is_valid():
        data = form.cleaned_data
        if attempt(
            request,
            lambda: services.add_rule(
                actor=current_user(request),
                case=case,
                rule=data["rule"],
                responsible=data["responsible"],
                due_on=data["due_on"],
            ),
            _("The rule is added to the safety plan."),
        ):
            return redirect("safety:plan", public_id=case.public_id)
    else:
        messages.error(request, _("Write the rule and choose who is responsible."))
    current = selectors.plan(case)
    return render(
        request,
        "safety/plan.html",
        {
            "case": case,
            "plan": current,
            "rules": selectors.rules(case, include_ended=True),
            "agreement_form": forms.AgreementForm(
                initial={"version": current.version if current else 1}, meetings=_meetings(case)
            ),
            "rule_form": form,
            "status_form": forms.RuleStatusForm(),
            "perms": _perms(request, case),
        },
    )


def _rule(case: Case, rule_id: str) -> SafetyRule:
    return get_or_404(SafetyRule.objects.select_related("plan__case"), public_id=rule_id, plan__case=case)


@login_required
@require_POST
def rule_status(request: HttpRequest, public_id: str, rule_id: str) -> HttpResponse:
    case = _case(request, public_id, "safety.edit")
    rule = _rule(case, rule_id)
    if request.POST.get("end") == "1":
        attempt(
            request,
            lambda: services.end_rule(actor=current_user(request), rule=rule),
            _("The rule is taken out of the safety plan."),
        )
    else:
        form = forms.RuleStatusForm(request.POST)
        if form.is_valid():
            attempt(
                request,
                lambda: services.set_rule_status(
                    actor=current_user(request), rule=rule, status=form.cleaned_data["status"]
                ),
                _("The status is saved."),
            )
        else:
            messages.error(request, _("Choose a status."))
    return redirect("safety:plan", public_id=case.public_id)
