"""Signs of Safety screens on a case: the mapping (three columns), its versions, scaling, the safety plan, PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.audit.constants import Action
from kreds.authz import access
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.core import stale
from kreds.core.runner import run
from kreds.core.viewhelpers import current_user, get_or_404, parse_int
from kreds.meetings.models import Meeting
from kreds.network import selectors as network_selectors
from kreds.safety import forms, selectors, services
from kreds.safety.constants import SCALE_TEN, SCALE_ZERO
from kreds.safety.models import SafetyRule
from kreds.safety.pdf import mapping_pdf


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
    case = access.fetch(request, Case, public_id, "safety.view", read=Action.SOS_VIEW, object_type="sos")
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
    case = access.fetch(request, Case, public_id, "safety.view", read=Action.SOS_VIEW, object_type="sos")
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


def _typed_statements(data: Any) -> list[dict[str, Any]]:
    """The worry statements as typed on the edit form (rows left empty are left out, as when saving)."""
    total = parse_int(data.get("s-TOTAL_FORMS"), 0, low=0, high=forms.StatementFormSet.absolute_max) or 0
    rows = []
    for i in range(total):
        row = {f: str(data.get(f"s-{i}-{f}", "")) for f in ("key", *services.STATEMENT_FIELDS)}
        if any(v.strip() for v in row.values()):
            rows.append(row)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """A new version of the mapping, starting from the latest one."""
    case = access.fetch(request, Case, public_id, "safety.edit", read=Action.SOS_VIEW, object_type="sos")
    user = current_user(request)
    current = selectors.mapping(case)
    authority = can(user, "safety.edit_worries", case)
    initial = {f: getattr(current, f) for f in services.MAPPING_FIELDS} if current else {}
    initial.update({"version": current.version if current else 0, "sparring": False})
    form = forms.MappingForm(request.POST or None, initial=initial)
    formset = forms.StatementFormSet(request.POST or None, initial=_statement_initial(current), prefix="s")
    if request.method == "POST" and "add_statement" in request.POST and authority:
        # "Add another worry statement": nothing is saved; everything typed stays, with one more empty row.
        formset = forms.StatementFormSet(initial=_typed_statements(request.POST), prefix="s")
        if len(formset.forms) > len(formset.initial_forms):
            formset.forms[-1].fields["who_worried"].widget.attrs["autofocus"] = True
        return render(
            request,
            "safety/edit.html",
            {"case": case, "mapping": current, "form": form, "formset": formset, "authority": authority},
        )
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

        def saved_now() -> tuple[dict[str, Any], int]:
            fresh = selectors.mapping(case)
            shown = [f for f in services.MAPPING_FIELDS if authority or f != "worry_basis"]
            return ({f: getattr(fresh, f) for f in shown} if fresh else {}), (fresh.version if fresh else 0)

        outcome = run(
            request,
            lambda: services.save_mapping(
                actor=user, case=case, data=data, statements=rows, expected_version=stale.expected_version(form)
            ),
            form=form,
            current=saved_now,
            reload_url=request.path,
            # a stale save compares the worry statements too, one by one, below the mapping's own fields
            extra_rows=lambda: _statement_conflicts(selectors.mapping(case), formset, authority=authority),
        )
        if outcome.value is not None:
            messages.success(
                request, _("Version %(version)d of the mapping is saved.") % {"version": outcome.value.version}
            )
            return redirect("safety:overview", public_id=case.public_id)
    return render(
        request,
        "safety/edit.html",
        {"case": case, "mapping": current, "form": form, "formset": formset, "authority": authority},
    )


def _statement_conflicts(fresh: Any, formset: Any, *, authority: bool) -> list[stale.Row]:
    """A colleague saved a newer version: the worry statements as saved now beside the user's own, statement by
    statement (added below the mapping's own fields in the comparison)."""
    statement_fields = [f for f in services.STATEMENT_FIELDS if authority or f not in services.WORRY_FIELDS]
    statements = list(fresh.statements.order_by("number")) if fresh else []
    theirs = {str(s.key): (s.number, {f: getattr(s, f) for f in statement_fields}) for s in statements}
    rows: list[stale.Row] = []
    mine = set()
    for row in formset.forms:
        key = (row.cleaned_data or {}).get("key") or ""
        if key in theirs:
            mine.add(key)
            number, values = theirs[key]
            label = _("Worry statement %(number)d") % {"number": number}
            rows += [stale.Row(f"{label}: {r.label}", r.theirs, r.mine) for r in stale.compare(row, values)]
    gone = _("Not in your version")
    rows += [
        stale.Row(_("Worry statement %(number)d") % {"number": number}, values.get("about_what") or "–", gone)
        for key, (number, values) in theirs.items()
        if key not in mine
    ]
    return rows


@login_required
@require_POST
def scaling_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "safety.edit", object_type="sos")
    current = selectors.mapping(case)
    statements = list(current.statements.all()) if current else []
    form = forms.ScalingForm(request.POST, statements=statements, persons=_persons(case))
    if form.is_valid():
        data = form.cleaned_data
        run(
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
            success=_("The scaling is recorded."),
        )
    else:
        messages.error(request, _("Choose the worry statement, who answered, the date and a number from 0 to 10."))
    return redirect("safety:overview", public_id=case.public_id)


@login_required
@require_GET
def pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "safety.view", read=Action.SOS_VIEW, object_type="sos")
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


def _agreement_initial(current: Any) -> dict[str, Any]:
    return {
        "agreed_on": current.agreed_on if current else None,
        "meeting": str(current.agreed_at_meeting.public_id) if current and current.agreed_at_meeting else "",
        "version": current.version if current else 1,
    }


def _render_plan(request: HttpRequest, case: Case, **bound: Any) -> HttpResponse:
    current = selectors.plan(case)
    rules = selectors.rules(case, include_ended=True)
    return render(
        request,
        "safety/plan.html",
        {
            "case": case,
            "plan": current,
            "rules": rules,
            "overdue_count": sum(1 for r in rules if r.overdue),
            "agreement_form": bound.get("agreement_form")
            or forms.AgreementForm(initial=_agreement_initial(current), meetings=_meetings(case)),
            "rule_form": bound.get("rule_form") or forms.RuleForm(persons=_persons(case)),
            "status_form": forms.RuleStatusForm(),
            "perms": _perms(request, case),
        },
    )


@login_required
@require_GET
def plan(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_plan(
        request, access.fetch(request, Case, public_id, "safety.view", read=Action.SOS_VIEW, object_type="sos")
    )


@login_required
@require_POST
def plan_agree(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "safety.edit", object_type="sos")
    meetings = _meetings(case)
    form = forms.AgreementForm(request.POST, meetings=meetings)

    def saved_now() -> tuple[dict[str, Any], int]:
        current = selectors.plan(case)
        initial = _agreement_initial(current)
        return initial, initial["version"]

    if run(
        request,
        lambda: services.record_agreement(
            actor=current_user(request),
            case=case,
            agreed_on=form.cleaned_data["agreed_on"],
            meeting=next((m for m in meetings if str(m.public_id) == form.cleaned_data["meeting"]), None),
            expected_version=stale.expected_version(form),
        ),
        form=form,
        current=saved_now,
        success=_("The safety plan's agreement is saved."),
        reload_url=reverse("safety:plan", args=[case.public_id]),
    ):
        return redirect("safety:plan", public_id=case.public_id)
    return _render_plan(request, case, agreement_form=form)


@login_required
@require_POST
def rule_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "safety.edit", object_type="sos")
    form = forms.RuleForm(request.POST, persons=_persons(case))
    if form.is_valid():
        data = form.cleaned_data
        if run(
            request,
            lambda: services.add_rule(
                actor=current_user(request),
                case=case,
                rule=data["rule"],
                responsible=data["responsible"],
                due_on=data["due_on"],
            ),
            success=_("The rule is added to the safety plan."),
        ):
            return redirect("safety:plan", public_id=case.public_id)
    else:
        messages.error(request, _("Write the rule and choose who is responsible."))
    return _render_plan(request, case, rule_form=form)


def _rule(case: Case, rule_id: str) -> SafetyRule:
    return get_or_404(SafetyRule.objects.select_related("plan__case"), public_id=rule_id, plan__case=case)


@login_required
@require_POST
def rule_status(request: HttpRequest, public_id: str, rule_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "safety.edit", object_type="sos")
    rule = _rule(case, rule_id)
    if request.POST.get("end") == "1":
        run(
            request,
            lambda: services.end_rule(actor=current_user(request), rule=rule),
            success=_("The rule is taken out of the safety plan."),
        )
    else:
        form = forms.RuleStatusForm(request.POST)
        if form.is_valid():
            run(
                request,
                lambda: services.set_rule_status(
                    actor=current_user(request), rule=rule, status=form.cleaned_data["status"]
                ),
                success=_("The status is saved."),
            )
        else:
            messages.error(request, _("Choose a status."))
    return redirect("safety:plan", public_id=case.public_id)
