"""The child's plan, the consolidated list of who does what, the legal deadlines, and a network person's page."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.authz.policies import can, visible_cases
from kreds.cases.models import Case
from kreds.core.viewhelpers import attempt, authorized_case, current_user, deny, get_or_404
from kreds.network import selectors as network_selectors
from kreds.network.models import NetworkPerson
from kreds.participants import purposes
from kreds.participants.models import ParticipantLink
from kreds.participants.services import token_for
from kreds.plans import forms, selectors, services
from kreds.plans.models import Contribution, Goal
from kreds.plans.sending import sharing_problem


def _case(request: HttpRequest, public_id: str, action: str) -> Case:
    case: Case = authorized_case(request, public_id, action, read_action=Action.PLAN_VIEW, object_type="plan")
    return case


def _persons(case: Case) -> list[tuple[Any, str]]:
    return [
        (v.person, f"{v.name} ({v.relation or v.professional_role})") for v in network_selectors.persons_as_of(case)
    ]


def _render_plan(request: HttpRequest, case: Case, **forms_in: Any) -> HttpResponse:
    user = current_user(request)
    plan = selectors.plan(case)
    persons = _persons(case)
    for goal in plan.goals.all() if plan else []:
        # One form per goal, each with its own prefix so ids stay unique on the page.
        goal.contribution_form = forms.ContributionForm(prefix=f"g{goal.number}", persons=persons)  # type: ignore[attr-defined]
    return render(
        request,
        "plans/plan.html",
        {
            "case": case,
            "plan": plan,
            "plan_form": forms_in.get("plan_form")
            or forms.PlanForm(
                initial={"decided_on": plan.decided_on, "purpose": plan.purpose, "version": plan.version}
                if plan
                else {"decided_on": timezone.localdate()}
            ),
            "goal_form": forms_in.get("goal_form") or forms.GoalForm(),
            "review_form": forms.ReviewForm(),
            "status_form": forms.StatusForm(),
            "clocks": selectors.case_clocks(case),
            "can_edit": can(user, "plan.edit", case),
            "can_contribute": can(user, "plan.contribute", case),
        },
    )


@login_required
@require_GET
def plan(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_plan(request, _case(request, public_id, "plan.view"))


@login_required
@require_POST
def plan_save(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "plan.edit")
    form = forms.PlanForm(request.POST)
    if form.is_valid() and attempt(
        request,
        lambda: services.save_plan(
            actor=current_user(request),
            case=case,
            decided_on=form.cleaned_data["decided_on"],
            purpose=form.cleaned_data["purpose"],
            expected_version=form.cleaned_data.get("version"),
        ),
        _("The plan is saved."),
    ):
        return redirect("plans:plan", public_id=case.public_id)
    return _render_plan(request, case, plan_form=form)


@login_required
@require_POST
def goal_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "plan.edit")
    form = forms.GoalForm(request.POST)
    if form.is_valid() and attempt(
        request,
        lambda: services.add_goal(
            actor=current_user(request), case=case, area=form.cleaned_data["area"], text=form.cleaned_data["text"]
        ),
        _("The goal is added. Now add what the network and the professionals contribute."),
    ):
        return redirect("plans:plan", public_id=case.public_id)
    return _render_plan(request, case, goal_form=form)


def _goal(case: Case, goal_id: str) -> Goal:
    return get_or_404(Goal.objects.select_related("plan__case"), public_id=goal_id, plan__case=case)


@login_required
@require_POST
def goal_achieved(request: HttpRequest, public_id: str, goal_id: str) -> HttpResponse:
    case = _case(request, public_id, "plan.edit")
    goal = _goal(case, goal_id)
    achieved = request.POST.get("achieved") == "1"
    attempt(
        request,
        lambda: services.mark_goal_achieved(actor=current_user(request), goal=goal, achieved=achieved),
        _("The goal is marked as achieved.") if achieved else _("The goal is open again."),
    )
    return redirect("plans:plan", public_id=case.public_id)


@login_required
@require_POST
def contribution_add(request: HttpRequest, public_id: str, goal_id: str) -> HttpResponse:
    case = _case(request, public_id, "plan.contribute")
    goal = _goal(case, goal_id)
    form = forms.ContributionForm(request.POST, prefix=f"g{goal.number}", persons=_persons(case))
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.add_contribution(
                actor=current_user(request),
                goal=goal,
                what=data["what"],
                person=data["person"],
                responsible_name=data["responsible_name"],
                due_on=data["due_on"],
            ),
            _("The contribution is added."),
        )
    else:
        messages.error(request, _("Write what will be done."))
    return redirect(reverse("plans:plan", args=[case.public_id]) + f"#goal-{goal.public_id}")


@login_required
@require_POST
def contribution_status(request: HttpRequest, public_id: str, contribution_id: str) -> HttpResponse:
    case = _case(request, public_id, "plan.contribute")
    contribution = get_or_404(
        Contribution.objects.select_related("goal__plan__case"), public_id=contribution_id, goal__plan__case=case
    )
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.set_contribution_status(
                actor=current_user(request), contribution=contribution, status=form.cleaned_data["status"]
            ),
            _("The status is saved."),
        )
    return redirect(reverse("plans:plan", args=[case.public_id]) + f"#goal-{contribution.goal.public_id}")


@login_required
@require_POST
def review_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id, "plan.edit")
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.add_review(
                actor=current_user(request),
                case=case,
                reviewed_on=form.cleaned_data["reviewed_on"],
                note=form.cleaned_data["note"],
            ),
            _("The follow-up of the plan is recorded."),
        )
    else:
        messages.error(request, _("Write the date of the follow-up."))
    return redirect("plans:plan", public_id=case.public_id)


# Who does what ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def tasks(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every agreement and task on the case, from every source, with who, what, by when, status and source."""
    case = _case(request, public_id, "plan.view")
    rows = selectors.tasks(case)
    people = sorted({(t.person_key, t.who) for t in rows if t.person_key}, key=lambda p: p[1])
    form = forms.TaskFilterForm(request.GET or {"status": "open"}, people=people)
    filters = form.cleaned_data if form.is_valid() else {"status": "open"}
    shown = selectors.filter_tasks(
        rows,
        person=filters.get("person", ""),
        status=filters.get("status", ""),
        overdue=bool(filters.get("overdue")),
        source=filters.get("source", ""),
    )
    persons = {str(p.public_id): p for p in NetworkPerson.objects.filter(map__case=case)}
    return render(
        request,
        "plans/tasks.html",
        {
            "case": case,
            "rows": shown,
            "total": len(rows),
            "form": form,
            "people": [(key, name, persons.get(key)) for key, name in people],
            "can_send": can(current_user(request), "plan.contribute", case),
        },
    )


@login_required
@require_POST
def send_tasks(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    case = _case(request, public_id, "plan.contribute")
    person = NetworkPerson.objects.filter(public_id=person_id, map__case=case).first()
    if person is None:
        raise Http404
    sent: list[bool] = []
    if attempt(
        request, lambda: sent.append(services.send_person_tasks(actor=current_user(request), case=case, person=person))
    ):
        if sent[0]:
            messages.success(request, _("The list is on its way by e-mail, with the link to the person's own page."))
        else:
            messages.info(
                request, _("The person has no e-mail address. Print the page with the link and hand it over.")
            )
            return redirect("plans:person_letter", public_id=case.public_id, person_id=person.public_id)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)  # e.g. the contact plan, which offers the same link
    return redirect("plans:tasks", public_id=case.public_id)


@login_required
@require_GET
def person_letter(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    """The person's link as text and QR code, to print or show (for people without e-mail)."""
    case = _case(request, public_id, "plan.contribute")
    person = NetworkPerson.objects.filter(public_id=person_id, map__case=case).first()
    link = services.person_link(case, person) if person else None
    if link is None:
        raise Http404
    url = settings.SITE_URL + reverse("participants:home", kwargs={"token": token_for(link)})
    return render(
        request,
        "plans/person_letter.html",
        {
            "case": case,
            "link": link,
            "url": url,
            "qr": segno.make(url, error="m").svg_inline(scale=4, dark="#000000", light="#ffffff"),
            "tasks": [t for t in selectors.tasks_for_person(case, person) if t.is_open],  # type: ignore[arg-type]
            # What else the person's own page shows (their contact arrangement, when the consent covers it).
            "sections": purposes.sections_for(case, person),
        },
    )


@login_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    """Legal deadlines that are overdue or run out soon, on the cases the user may see (a leader: the unit's)."""
    user = current_user(request)
    if not can(user, "plan.unit_deadlines"):
        raise deny(request, "plan.unit_deadlines", object_type="deadlines", object_id="")
    from kreds.placements.selectors import suspensions_ending

    cases = visible_cases(user)
    rows = selectors.unit_clocks(cases)
    today = timezone.localdate()
    suspensions = [(s, (s.ends_on - today).days) for s in suspensions_ending(cases, today)]
    record(
        Action.PLAN_VIEW,
        actor=user,
        object_type="deadlines",
        purpose=Purpose.SUPERVISION,
        details={"view": "deadlines", "count": len(rows), "suspensions": len(suspensions)},
    )
    return render(request, "plans/deadlines.html", {"rows": rows, "suspensions": suspensions})


# A network person's own page (a personal link of purpose "person") ----------------------------------------------


def person_page(request: HttpRequest, token: str, link: ParticipantLink) -> HttpResponse:
    """Everything the person has taken on for the child: from meetings, conferences, the safety plan and the plan."""
    if request.method != "GET":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET"])
    case, person = link.case, link.person
    assert person is not None
    problem = sharing_problem(case, person)
    rows = [] if problem else selectors.tasks_for_person(case, person)
    return render(
        request,
        "plans/person_page.html",
        {
            "child": case.child.first_name,
            "municipality": case.municipality.name,
            "holder": link.holder_name,
            "open_rows": [t for t in rows if t.is_open],
            "done_rows": [t for t in rows if not t.is_open],
            "withheld": bool(problem),
            "sections": purposes.sections_for(case, person),
        },
    )
