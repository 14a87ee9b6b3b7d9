"""Case views: thin — parse input, ask authz, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.constants import READ_ACTIONS, Action, Purpose
from kreds.audit.services import record
from kreds.authz import access
from kreds.authz.policies import can, has_role
from kreds.cases import archive, panels, selectors, services
from kreds.cases.access_log import case_access_log as access_log_events
from kreds.cases.constants import RiskOutcome
from kreds.cases.forms import (
    AssignForm,
    CaseForm,
    CaseSearchForm,
    CloseCaseForm,
    ReferForm,
    RevealCprForm,
    RiskAssessmentForm,
    SafetyConcernForm,
    SiblingForm,
)
from kreds.cases.models import Case, CaseAssignment
from kreds.cases.policies import creatable_units, visible_cases
from kreds.cases.restriction_views import glass_case
from kreds.cases.safety import safety_gate
from kreds.core import stale
from kreds.core.crypto import CPR_RE, cpr_blind_index, format_cpr
from kreds.core.runner import run
from kreds.core.sections import Section, changed, sections_saved
from kreds.core.viewhelpers import get_or_404
from kreds.tenancy.models import Unit

SEARCH_SESSION_KEY = "kreds_case_search"

# The case with what every case page shows (one query with the access check's scope).
CASES = Case.objects.select_related("child", "responsible_unit", "municipality")
# The overview lists the case's caseworkers and the units it is referred to.
CASE_PAGE = CASES.prefetch_related(
    Prefetch("assignments", queryset=CaseAssignment.objects.select_related("user")), "referred_units"
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_http_methods(["GET", "POST"])
def my_cases(request: HttpRequest) -> HttpResponse:
    """The caseworker's case list. Search terms come by POST and stay in the session (never in the URL)."""
    user = _user(request)
    access.check(request, "case.list")
    default = {"status": "open", "scope": "mine" if has_role(user, Role.CASEWORKER) else "all"}
    stored = _stored_search(request) or default
    if request.method == "POST":
        if "reset" in request.POST:
            request.session.pop(SEARCH_SESSION_KEY, None)
            return redirect("cases:my_cases")
        form = CaseSearchForm(request.POST)
        if form.is_valid():
            stored = _storable(form.cleaned_data)
            request.session[SEARCH_SESSION_KEY] = stored
            flt = _filter_from(stored)
            selectors.audit_search(user, flt, selectors.case_list(user, flt).count())
            return redirect("cases:my_cases")
    else:
        form = CaseSearchForm(initial=stored)
    flt = _filter_from(stored)
    cases = selectors.with_unread_answers(selectors.case_list(user, flt))  # flagged as on the case page
    page = Paginator(cases, 25).get_page(request.GET.get("side"))
    record(Action.CASE_LIST, actor=user, details={"count": page.paginator.count, "page": page.number})
    return render(
        request,
        "cases/my_cases.html",
        {
            "form": form,
            "page": page,
            "searching": bool(stored.get("text") or stored.get("cpr_index")),
            "cpr_search": bool(stored.get("cpr_index")),
            "can_create": can(user, "case.create"),
            "scope": stored.get("scope", "mine"),
        },
    )


def _storable(data: dict[str, Any]) -> dict[str, Any]:
    """The search as it may be kept in the session: a CPR number never (SECURITY 22, issue 13 §4), only its blind
    index, which finds the same child and says nothing without the index key."""
    stored = {k: data.get(k) or "" for k in ("text", "status", "basis", "scope")}
    compact = stored["text"].replace(" ", "")
    if CPR_RE.match(compact):
        stored["text"] = ""
        stored["cpr_index"] = cpr_blind_index(compact)
    return stored


def _stored_search(request: HttpRequest) -> dict[str, Any] | None:
    """The kept search; one kept by an earlier version with the number itself is rewritten at once."""
    stored = request.session.get(SEARCH_SESSION_KEY)
    if stored and CPR_RE.match((stored.get("text") or "").replace(" ", "")):
        stored = _storable(stored)
        request.session[SEARCH_SESSION_KEY] = stored
    return stored


def _filter_from(data: dict[str, Any]) -> selectors.CaseFilter:
    return selectors.CaseFilter(
        cpr_index=data.get("cpr_index") or "",
        text=data.get("text") or "",
        status=data.get("status") or "",
        basis=data.get("basis") or "",
        mine_only=(data.get("scope") or "mine") == "mine",
    )


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    child = {k: data[k] for k in services.CHILD_FIELDS if k in data}
    case = {k: data[k] for k in services.CASE_FIELDS if k in data}
    return child, case, data.get("cpr", "")


def _cpr_free(form: CaseForm, user: User, child: Any = None) -> bool:
    """A CPR number another child has goes back on the form with the reason (and whom to ask)."""
    problem = selectors.cpr_conflict(user, form.cleaned_data.get("cpr") or "", child)
    if problem:
        form.add_error("cpr", problem)
    return not problem


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.check(request, "case.create")
    units = creatable_units(user)
    form = CaseForm(request.POST or None, units=units)
    if request.method == "GET" and units.count() == 1:
        form.fields["responsible_unit"].initial = units.first()
    if request.method == "POST" and form.is_valid() and _cpr_free(form, user):
        child, case_data, cpr = _split(form.cleaned_data)
        outcome = run(
            request,
            lambda: services.create_case(actor=user, child_data=child, case_data=case_data, cpr=cpr or None),
            form=form,
            success=_("The case is created."),
        )
        if outcome.value is not None:
            return redirect("cases:detail", public_id=outcome.value.public_id)
    return render(request, "cases/case_form.html", {"form": form, "creating": True})


@login_required
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    # A restricted case the leader of its unit is not named on opens only by breaking the glass (issue 18).
    if user.municipality is not None and user.municipality.restrictions_in_force:
        try:
            if glass_case(request, public_id) is not None:
                return redirect("cases:break_glass", public_id=public_id)
        except (ValueError, TypeError, ValidationError):
            pass
    case = access.fetch(request, Case, public_id, "case.view", read=Action.CASE_VIEW, queryset=CASE_PAGE)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "child": case.child,
            "siblings": selectors.siblings_for(user, case.child),
            "panels": panels.render_panels(request, case),
            "gate": safety_gate(case, just_read=True),
            "perms": {
                "edit": can(user, "case.edit", case),
                "close": can(user, "case.close", case),
                "assign": can(user, "case.assign", case),
                "reveal_cpr": can(user, "case.reveal_cpr", case),
                "safety": can(user, "case.record_safety", case),
                "access_log": can(user, "case.view_access_log", case),
            },
        },
    )


def _edit_initial(case: Case) -> dict[str, Any]:
    initial = {k: getattr(case.child, k) for k in services.CHILD_FIELDS}
    initial.update({k: getattr(case, k) for k in services.CASE_FIELDS})
    initial["version"] = case.version
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.edit", read=Action.CASE_VIEW, queryset=CASES)
    units = Unit.objects.filter(municipality_id=case.municipality_id)
    child = case.child
    form = CaseForm(request.POST or None, initial=_edit_initial(case), units=units, editing=True)
    if request.method == "POST" and form.is_valid() and _cpr_free(form, user, child):
        child_data, case_data, cpr = _split(form.cleaned_data)

        def saved_now() -> tuple[dict[str, Any], int]:
            fresh = Case.objects.select_related("child").get(pk=case.pk)
            return _edit_initial(fresh), fresh.version

        if run(
            request,
            lambda: services.update_case(
                actor=user,
                case=case,
                expected_version=stale.expected_version(form) or 0,
                child_data=child_data,
                case_data=case_data,
                cpr=cpr or None,
            ),
            form=form,
            current=saved_now,
            success=_("The changes are saved."),
            reload_url=request.path,
        ):
            return redirect("cases:detail", public_id=case.public_id)
    return render(request, "cases/case_form.html", {"form": form, "case": case, "creating": False})


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.close", read=Action.CASE_VIEW, queryset=CASES)
    form = CloseCaseForm(request.POST or None, initial={"closed_on": timezone.localdate(), "version": case.version})
    if request.method == "POST" and form.is_valid():
        if stale.expected_version(form) != case.version:
            stale.refuse(
                form,
                _("The case was changed after you opened this page. Check it and try again."),
                current={},
                version=case.version,
                notes=[_("Look at the case to see what was changed; your text is kept here.")],
            )
        elif run(
            request,
            lambda: services.close_case(
                actor=user, case=case, reason=form.cleaned_data["reason"], closed_on=form.cleaned_data["closed_on"]
            ),
            form=form,
            success=_("The case is closed. Nothing has been deleted, and it can be reopened."),
        ):
            return redirect("cases:detail", public_id=case.public_id)
    return render(request, "cases/case_close.html", {"form": form, "case": case})


@login_required
@require_POST
def case_reopen(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.close", queryset=CASES)
    run(request, lambda: services.reopen_case(actor=user, case=case), success=_("The case is reopened."))
    return redirect("cases:detail", public_id=case.public_id)


@login_required
@require_GET
def case_archive(request: HttpRequest, public_id: str) -> HttpResponse:
    """What the archive extract of the case holds, and (for a closed case) the download."""
    case = access.fetch(request, Case, public_id, "case.archive", read=Action.CASE_VIEW, queryset=CASES)
    return render(request, "cases/case_archive.html", {"case": case})


@login_required
@require_GET
def case_archive_zip(request: HttpRequest, public_id: str) -> HttpResponse:
    """The archive extract of a closed case (DOMAIN §13): every document as PDF/A, the uploads and sag.json."""
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.archive", queryset=CASES)
    outcome = run(request, lambda: services.archive_extract(actor=user, case=case))
    if outcome.value is None:
        return redirect("cases:archive", public_id=case.public_id)
    response = HttpResponse(outcome.value, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive.zip_name(case)}"'
    return response


def _caseworker_candidates(case: Case) -> Any:
    return (
        User.objects.filter(
            municipality_id=case.municipality_id,
            is_active=True,
            memberships__role=Role.CASEWORKER,
        )
        .exclude(case_assignments__case=case)
        .distinct()
        .order_by("first_name", "last_name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_team(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.assign", read=Action.CASE_VIEW, queryset=CASES)
    assign_form = AssignForm(request.POST or None, candidates=_caseworker_candidates(case))
    refer_units = Unit.objects.filter(municipality_id=case.municipality_id).exclude(
        pk__in=[case.responsible_unit_id, *case.referred_units.values_list("pk", flat=True)]
    )
    refer_form = ReferForm(units=refer_units)
    if request.method == "POST" and run(
        request,
        lambda: services.assign_caseworker(actor=user, case=case, user=assign_form.cleaned_data["user"]),
        form=assign_form,
        success=_("The caseworker is assigned."),
    ):
        return redirect("cases:team", public_id=case.public_id)
    assignments = case.assignments.select_related("user", "assigned_by").order_by("created_at")
    return render(
        request,
        "cases/case_team.html",
        {
            "case": case,
            "assign_form": assign_form,
            "refer_form": refer_form,
            "assignments": assignments,
            "referred_units": case.referred_units.order_by("name"),
        },
    )


@login_required
@require_POST
def case_unassign(request: HttpRequest, public_id: str, user_id: str) -> HttpResponse:
    actor = _user(request)
    case = access.fetch(request, Case, public_id, "case.assign", queryset=CASES)
    assignment = get_or_404(case.assignments.select_related("user"), user__public_id=user_id)
    run(
        request,
        lambda: services.unassign_caseworker(actor=actor, case=case, user=assignment.user),
        success=_("The caseworker is removed from the case."),
    )
    return redirect("cases:team", public_id=case.public_id)


@login_required
@require_POST
def case_refer(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _user(request)
    case = access.fetch(request, Case, public_id, "case.assign", queryset=CASES)
    form = ReferForm(request.POST, units=Unit.objects.filter(municipality_id=case.municipality_id))
    if form.is_valid():
        run(
            request,
            lambda: services.refer_case(actor=actor, case=case, unit=form.cleaned_data["unit"]),
            success=_("The case is referred to %(unit)s.") % {"unit": form.cleaned_data["unit"]},
        )
    else:
        messages.error(request, _("Choose a unit."))
    return redirect("cases:team", public_id=case.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def case_safety(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.record_safety", read=Action.CASE_VIEW, queryset=CASES)
    data = request.POST if request.method == "POST" else None
    concern_form = SafetyConcernForm(data, initial={"safety_concern": case.safety_concern})
    risk_form = RiskAssessmentForm(data, initial={"assessed_on": timezone.localdate()})
    # One form: saving the concern never loses an assessment being written, and the other way round.
    sections = {
        "concern": Section(
            concern_form,
            lambda _version: services.set_safety_concern(
                actor=user, case=case, concern=concern_form.cleaned_data["safety_concern"]
            ),
            _("Saved."),
        ),
    }
    if data is not None and "assessed_on" in data:  # the assessment is on the page once a concern is recorded
        sections["risk"] = Section(
            risk_form,
            lambda _version: services.record_risk_assessment(
                actor=user,
                case=case,
                assessed_on=risk_form.cleaned_data["assessed_on"],
                summary=risk_form.cleaned_data["summary"],
                outcome=RiskOutcome(risk_form.cleaned_data["outcome"]),
                limits=risk_form.cleaned_data["limits"],
            ),
            _("The risk assessment is recorded."),
        )
    if data is not None and sections_saved(request, sections, pressed=request.POST.get("form") or "concern"):
        if "risk" in sections and (request.POST.get("form") == "risk" or changed(risk_form)):
            return redirect("cases:detail", public_id=case.public_id)
        return redirect("cases:safety", public_id=case.public_id)
    return render(
        request,
        "cases/case_safety.html",
        {
            "case": case,
            "gate": safety_gate(case),
            "concern_form": concern_form,
            "risk_form": risk_form,
            "assessments": case.risk_assessments.select_related("assessed_by"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_reveal_cpr(request: HttpRequest, public_id: str) -> HttpResponse:
    """Show the full CPR number after the user states why. Every reveal is audit-logged."""
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.reveal_cpr", read=Action.CASE_VIEW, queryset=CASES)
    form = RevealCprForm(request.POST or None)
    cpr = None
    if request.method == "POST":
        outcome = run(
            request, lambda: services.reveal_cpr(actor=user, case=case, purpose=form.cleaned_data["reason"]), form=form
        )
        cpr = format_cpr(outcome.value) if outcome.value else None
    template = "cases/reveal_cpr.html#result" if request.headers.get("HX-Request") and cpr else "cases/reveal_cpr.html"
    return render(request, template, {"case": case, "form": form, "cpr": cpr})


@login_required
@require_http_methods(["GET", "POST"])
def case_siblings(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.link_siblings", read=Action.CASE_VIEW, queryset=CASES)
    linked = case.child.siblings.values_list("pk", flat=True)
    candidates = (
        visible_cases(user)
        .exclude(child=case.child)
        .exclude(child__in=linked)
        .select_related("child")
        .order_by("child__first_name")
    )
    form = SiblingForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and run(
        request,
        lambda: services.link_siblings(actor=user, child=case.child, sibling=form.cleaned_data["sibling_case"].child),
        form=form,
        success=_("The siblings are linked."),
    ):
        return redirect("cases:detail", public_id=case.public_id)
    return render(request, "cases/case_siblings.html", {"case": case, "form": form})


@login_required
@require_POST
def case_sibling_unlink(request: HttpRequest, public_id: str, child_id: str) -> HttpResponse:
    user = _user(request)
    case = access.fetch(request, Case, public_id, "case.link_siblings", queryset=CASES)
    sibling = get_or_404(case.child.siblings, public_id=child_id)
    run(
        request,
        lambda: services.unlink_siblings(actor=user, child=case.child, sibling=sibling),
        success=_("The sibling link is removed."),
    )
    return redirect("cases:detail", public_id=case.public_id)


@login_required
@require_GET
def case_access_log(request: HttpRequest, public_id: str) -> HttpResponse:
    """Who has looked at or changed this case (for the unit's leader); served under ``audit:case_access_log``."""
    case = access.fetch(
        request,
        Case,
        public_id,
        "case.view_access_log",
        read=Action.ACCESS_LOG_VIEW,
        queryset=CASES,
        purpose=Purpose.SUPERVISION,
    )
    only_reads = request.GET.get("vis") == "laesninger"
    page = Paginator(access_log_events(case, only_reads=only_reads), 50).get_page(request.GET.get("side"))
    return render(
        request,
        "audit/case_access_log.html",
        {
            "case": case,
            "page": page,
            "only_reads": only_reads,
            "read_actions": {str(a) for a in READ_ACTIONS},
            "page_query": "&vis=laesninger" if only_reads else "",
        },
    )
