"""Restricted cases (issue 18): restricting a case to named staff, lifting it, and the leader's "break the glass"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.authz import access
from kreds.cases import services
from kreds.cases.forms import ReasonForm, RestrictForm
from kreds.cases.models import Case
from kreds.cases.policies import hidden_restricted, visible_cases
from kreds.core.runner import run
from kreds.core.viewhelpers import current_user

CASES = Case.objects.select_related("child", "responsible_unit", "municipality")


def _people(case: Case) -> list[tuple[str, str]]:
    """Staff who could need the case: those with a role in its responsible or a referred unit, and its caseworkers."""
    units = [case.responsible_unit_id, *case.referred_units.values_list("pk", flat=True)]
    users = (
        User.objects.filter(is_active=True, municipality_id=case.municipality_id)
        .filter(Q(memberships__unit_id__in=units) | Q(case_assignments__case=case))
        .distinct()
        .order_by("first_name", "last_name")
    )
    return [(str(u.public_id), u.get_full_name() or u.username) for u in users]


def _chosen(case: Case, ids: list[str]) -> list[User]:
    return list(User.objects.filter(public_id__in=ids, municipality_id=case.municipality_id, is_active=True))


@login_required
@require_http_methods(["GET", "POST"])
def case_restrict(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "case.restrict", read=Action.CASE_VIEW, queryset=CASES)
    user = current_user(request)
    restriction = services.restriction_in_force(case)
    initial = {"staff": [str(u.public_id) for u in restriction.staff.all()]} if restriction else None
    form = RestrictForm(request.POST or None, initial=initial, people=_people(case), changing=restriction is not None)
    if request.method == "POST" and form.is_valid():
        staff = _chosen(case, form.cleaned_data["staff"])
        if restriction is None:
            done = run(
                request,
                lambda: services.restrict_case(actor=user, case=case, reason=form.cleaned_data["reason"], staff=staff),
                form=form,
                success=_("The case is restricted. Only the named staff can open it."),
            )
        else:
            done = run(
                request,
                lambda: services.change_restriction(actor=user, case=case, staff=staff),
                form=form,
                success=_("The named staff are changed."),
            )
        if done:
            return redirect("cases:detail", public_id=case.public_id)
    return render(
        request,
        "cases/case_restrict.html",
        {
            "case": case,
            "form": form,
            "restriction": restriction,
            "glasses": services.break_glass_history(case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_unrestrict(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "case.restrict", read=Action.CASE_VIEW, queryset=CASES)
    if services.restriction_in_force(case) is None:
        raise Http404
    form = ReasonForm(request.POST or None, label=_("Why is the restriction lifted?"))
    if (
        request.method == "POST"
        and form.is_valid()
        and run(
            request,
            lambda: services.lift_restriction(
                actor=current_user(request), case=case, reason=form.cleaned_data["reason"]
            ),
            form=form,
            success=_("The restriction is lifted. Everyone who may see the case can open it again."),
        )
    ):
        return redirect("cases:detail", public_id=case.public_id)
    return render(request, "cases/case_unrestrict.html", {"case": case, "form": form})


def glass_case(request: HttpRequest, public_id: str) -> Case | None:
    """The restricted case the user may open only by breaking the glass: one they could list (leading its
    responsible unit) but not open. None otherwise."""
    user = current_user(request)
    hidden = hidden_restricted(user).values("case_id")
    case: Case | None = (
        CASES.filter(public_id=public_id, pk__in=hidden).filter(pk__in=visible_cases(user).values("pk")).first()
    )
    if case is None or not services.may_break_glass(user, case):
        return None
    return case


@login_required
@require_http_methods(["GET", "POST"])
def case_break_glass(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        case = glass_case(request, public_id)
    except (ValueError, TypeError):  # not a UUID
        case = None
    if case is None:
        raise access.deny(request, "case.break_glass", object_type="case", object_id=str(public_id)[:64])
    if request.method == "GET":  # the form names no child, but its address is a case: the look is logged
        record_for_case(
            Action.CASE_VIEW,
            actor=current_user(request),
            case=case,
            object_type="restricted_case",
            details={"view": "break_glass_form"},
        )
    form = ReasonForm(
        request.POST or None,
        label=_("Why do you need to open the case?"),
        help_text=_(
            "Shown to the case's caseworkers and kept in the audit log. The case stays open to you for 8 hours."
        ),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and run(
            request,
            lambda: services.break_glass(actor=current_user(request), case=case, reason=form.cleaned_data["reason"]),
            form=form,
            success=_("The case is open to you for 8 hours."),
        )
    ):
        messages.warning(
            request, _("You opened a restricted case. The case's caseworkers can see that you did, and why.")
        )
        return redirect("cases:detail", public_id=case.public_id)
    return render(request, "cases/case_break_glass.html", {"case": case, "form": form})
