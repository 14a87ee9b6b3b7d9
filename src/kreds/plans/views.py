"""The child's plan, the consolidated list of who does what, the legal deadlines, and a network person's page."""

from __future__ import annotations

import datetime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record, record_for_case
from kreds.authz import access
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.policies import visible_cases
from kreds.core import disclosure, stale
from kreds.core.disclosure import Reader, Withheld
from kreds.core.runner import run
from kreds.core.viewhelpers import current_user, get_or_404
from kreds.network import selectors as network_selectors
from kreds.network.models import NetworkPerson
from kreds.participants import purposes
from kreds.participants.models import ParticipantLink
from kreds.participants.services import token_for
from kreds.placements.selectors import suspensions_ending
from kreds.plans import forms, selectors, services
from kreds.plans.models import Contribution, Goal
from kreds.plans.pdf import child_plan_pdf
from kreds.plans.pdf import tasks_pdf as build_tasks_pdf
from kreds.plans.sending import sharing_problem


def _persons(case: Case) -> list[tuple[Any, str]]:
    return [
        (v.person, f"{v.name} ({v.relation or v.professional_role})") for v in network_selectors.persons_as_of(case)
    ]


def _render_plan(request: HttpRequest, case: Case, **forms_in: Any) -> HttpResponse:
    user = current_user(request)
    plan = selectors.plan(case)
    persons = _persons(case)
    bound = forms_in.get("edit_forms") or {}
    for goal in plan.goals.all() if plan else []:
        # One form per goal, each with its own prefix so ids stay unique on the page.
        goal.contribution_form = forms.ContributionForm(prefix=f"g{goal.number}", persons=persons)  # type: ignore[attr-defined]
        goal.edit_form = bound.get(("goal", goal.pk)) or forms.GoalEditForm(  # type: ignore[attr-defined]
            prefix=f"eg{goal.number}", initial={"area": goal.area, "text": goal.text, "version": goal.version}
        )
        for c in goal.contributions.all():
            c.edit_form = bound.get(("contribution", c.pk)) or forms.ContributionEditForm(  # type: ignore[attr-defined]
                prefix=_contribution_prefix(c), persons=persons, initial=_contribution_initial(c)
            )
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
    return _render_plan(
        request, access.fetch(request, Case, public_id, "plan.view", read=Action.PLAN_VIEW, object_type="plan")
    )


@login_required
@require_POST
def plan_save(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "plan.edit", object_type="plan")
    form = forms.PlanForm(request.POST)

    def saved_now() -> tuple[dict[str, Any], int | None]:
        plan = selectors.plan(case)
        return ({"decided_on": plan.decided_on, "purpose": plan.purpose}, plan.version) if plan else ({}, None)

    if run(
        request,
        # A form opened before the plan was made has no version: if a colleague made it meanwhile, that is stale.
        lambda: services.save_plan(
            actor=current_user(request),
            case=case,
            decided_on=form.cleaned_data["decided_on"],
            purpose=form.cleaned_data["purpose"],
            expected_version=stale.expected_version(form) or 0,
        ),
        form=form,
        current=saved_now,
        success=_("The plan is saved."),
        reload_url=reverse("plans:plan", args=[case.public_id]),
    ):
        return redirect("plans:plan", public_id=case.public_id)
    return _render_plan(request, case, plan_form=form)


@login_required
@require_POST
def goal_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "plan.edit", object_type="plan")
    form = forms.GoalForm(request.POST)
    if run(
        request,
        lambda: services.add_goal(
            actor=current_user(request), case=case, area=form.cleaned_data["area"], text=form.cleaned_data["text"]
        ),
        form=form,
        success=_("The goal is added. Now add what the network and the professionals contribute."),
    ):
        return redirect("plans:plan", public_id=case.public_id)
    return _render_plan(request, case, goal_form=form)


def _goal(case: Case, goal_id: str) -> Goal:
    return get_or_404(Goal.objects.select_related("plan__case"), public_id=goal_id, plan__case=case)


def _contribution_prefix(c: Contribution) -> str:
    return f"ec{str(c.public_id)[:8]}"


def _contribution_initial(c: Contribution) -> dict[str, Any]:
    return {
        "person": c.person_id,
        "responsible_name": "" if c.person_id else c.responsible_name,
        "what": c.what,
        "due_on": c.due_on,
        "version": c.version,
    }


@login_required
@require_POST
def goal_edit(request: HttpRequest, public_id: str, goal_id: str) -> HttpResponse:
    """Change a goal's area and wording; the earlier wording is kept, a stale form is refused with a comparison."""
    case = access.fetch(request, Case, public_id, "plan.edit", object_type="plan")
    goal = _goal(case, goal_id)
    form = forms.GoalEditForm(request.POST, prefix=f"eg{goal.number}")

    def saved_now() -> tuple[dict[str, Any], int]:
        fresh = Goal.objects.get(pk=goal.pk)
        return {"area": fresh.area, "text": fresh.text}, fresh.version

    if run(
        request,
        lambda: services.edit_goal(
            actor=current_user(request),
            goal=goal,
            area=form.cleaned_data["area"],
            text=form.cleaned_data["text"],
            expected_version=stale.expected_version(form),
        ),
        form=form,
        current=saved_now,
        success=_("The goal is changed. The earlier wording is kept in its history."),
        reload_url=reverse("plans:plan", args=[case.public_id]) + f"#goal-{goal.public_id}",
    ):
        return redirect(reverse("plans:plan", args=[case.public_id]) + f"#goal-{goal.public_id}")
    return _render_plan(request, case, edit_forms={("goal", goal.pk): form})


@login_required
@require_POST
def contribution_edit(request: HttpRequest, public_id: str, contribution_id: str) -> HttpResponse:
    """Change who does what by when; the earlier version is kept, a stale form is refused with a comparison."""
    case = access.fetch(request, Case, public_id, "plan.contribute", object_type="plan")
    contribution = get_or_404(
        Contribution.objects.select_related("goal__plan__case"), public_id=contribution_id, goal__plan__case=case
    )
    form = forms.ContributionEditForm(request.POST, prefix=_contribution_prefix(contribution), persons=_persons(case))

    def saved_now() -> tuple[dict[str, Any], int]:
        fresh = Contribution.objects.get(pk=contribution.pk)
        initial = _contribution_initial(fresh)
        return {k: v for k, v in initial.items() if k != "version"}, fresh.version

    anchor = f"#goal-{contribution.goal.public_id}"
    if run(
        request,
        lambda: services.edit_contribution(
            actor=current_user(request),
            contribution=contribution,
            what=form.cleaned_data["what"],
            person=form.cleaned_data["person"],
            responsible_name=form.cleaned_data["responsible_name"],
            due_on=form.cleaned_data["due_on"],
            expected_version=stale.expected_version(form),
        ),
        form=form,
        current=saved_now,
        success=_("The contribution is changed. The earlier version is kept in its history."),
        reload_url=reverse("plans:plan", args=[case.public_id]) + anchor,
    ):
        return redirect(reverse("plans:plan", args=[case.public_id]) + anchor)
    return _render_plan(request, case, edit_forms={("contribution", contribution.pk): form})


@login_required
@require_POST
def goal_achieved(request: HttpRequest, public_id: str, goal_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "plan.edit", object_type="plan")
    goal = _goal(case, goal_id)
    achieved = request.POST.get("achieved") == "1"
    run(
        request,
        lambda: services.mark_goal_achieved(actor=current_user(request), goal=goal, achieved=achieved),
        success=_("The goal is marked as achieved.") if achieved else _("The goal is open again."),
    )
    return redirect("plans:plan", public_id=case.public_id)


@login_required
@require_POST
def contribution_add(request: HttpRequest, public_id: str, goal_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "plan.contribute", object_type="plan")
    goal = _goal(case, goal_id)
    form = forms.ContributionForm(request.POST, prefix=f"g{goal.number}", persons=_persons(case))
    if form.is_valid():
        data = form.cleaned_data
        run(
            request,
            lambda: services.add_contribution(
                actor=current_user(request),
                goal=goal,
                what=data["what"],
                person=data["person"],
                responsible_name=data["responsible_name"],
                due_on=data["due_on"],
            ),
            success=_("The contribution is added."),
        )
    else:
        messages.error(request, _("Write what will be done."))
    return redirect(reverse("plans:plan", args=[case.public_id]) + f"#goal-{goal.public_id}")


@login_required
@require_POST
def contribution_status(request: HttpRequest, public_id: str, contribution_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "plan.contribute", object_type="plan")
    contribution = get_or_404(
        Contribution.objects.select_related("goal__plan__case"), public_id=contribution_id, goal__plan__case=case
    )
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.set_contribution_status(
                actor=current_user(request), contribution=contribution, status=form.cleaned_data["status"]
            ),
            success=_("The status is saved."),
        )
    return redirect(reverse("plans:plan", args=[case.public_id]) + f"#goal-{contribution.goal.public_id}")


@login_required
@require_POST
def review_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "plan.edit", object_type="plan")
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.add_review(
                actor=current_user(request),
                case=case,
                reviewed_on=form.cleaned_data["reviewed_on"],
                note=form.cleaned_data["note"],
            ),
            success=_("The follow-up of the plan is recorded."),
        )
    else:
        messages.error(request, _("Write the date of the follow-up."))
    return redirect("plans:plan", public_id=case.public_id)


# Who does what ------------------------------------------------------------------------------------------------


def _filtered_tasks(
    request: HttpRequest, case: Case, today: datetime.date | None = None
) -> tuple[list[selectors.Task], list[selectors.Task], forms.TaskFilterForm, list[tuple[str, str]]]:
    """Every task on the case, those the page's filters (default: open ones) show, the filter form, the people."""
    rows = selectors.tasks(case, today)
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
    return rows, shown, form, people


@login_required
@require_GET
def tasks(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every agreement and task on the case, from every source, with who, what, by when, status and source."""
    case = access.fetch(request, Case, public_id, "plan.view", read=Action.PLAN_VIEW, object_type="plan")
    rows, shown, form, people = _filtered_tasks(request, case)
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
    case = access.fetch(request, Case, public_id, "plan.contribute", object_type="plan")
    person = get_or_404(NetworkPerson.objects, public_id=person_id, map__case=case)
    outcome = run(request, lambda: services.send_person_tasks(actor=current_user(request), case=case, person=person))
    if outcome:
        if outcome.value:
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
    case = access.fetch(request, Case, public_id, "plan.contribute", read=Action.PLAN_VIEW, object_type="plan")
    person = NetworkPerson.objects.filter(public_id=person_id, map__case=case).first()
    link = services.person_link(case, person) if person else None
    if link is None:
        raise Http404
    url = settings.SITE_URL + reverse("participants:home", kwargs={"token": token_for(link)})
    assert person is not None
    context = {
        "case": case,
        "link": link,
        "url": url,
        "qr": segno.make(url, error="m").svg_inline(scale=4, dark="#000000", light="#ffffff"),
        "tasks": [t for t in selectors.tasks_for_person(case, person) if t.is_open],
        # What else the person's own page shows (their contact arrangement, when the consent covers it).
        "sections": purposes.sections_for(case, person),
    }
    # A letter is written for the person it is given to, not for the member of staff printing it (issue 18).
    reader = Reader(kind="person", case_id=case.pk, person_id=person.pk, sending=True)
    try:
        with disclosure.reading_as(reader):
            page = disclosure.text(render_to_string("plans/person_letter.html", context, request=request))
    except Withheld as refused:
        record_for_case(
            Action.PROTECTION_SEND_REFUSED,
            actor=current_user(request),
            case=case,
            object_type="person_letter",
            object_id=str(person.public_id),
            details={"reason": refused.reason},
        )
        messages.error(request, refused.reason)
        return redirect("plans:tasks", public_id=case.public_id)
    return HttpResponse(page)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_GET
def plan_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    """The child's plan as PDF/A to print (audited as a read of the plan, view "plan_pdf")."""
    case = access.fetch(request, Case, public_id, "plan.view", read=Action.PLAN_VIEW, object_type="plan")
    child_plan = selectors.plan(case)
    if child_plan is None:
        raise Http404
    return _pdf(child_plan_pdf(case, child_plan), "barnets-plan.pdf")


@login_required
@require_GET
def tasks_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    """Who does what as PDF/A, with the same filters as the page (audited as a read, view "tasks_pdf")."""
    case = access.fetch(request, Case, public_id, "plan.view", read=Action.PLAN_VIEW, object_type="plan")
    today = timezone.localdate()
    rows, shown, _form, _people = _filtered_tasks(request, case, today)
    return _pdf(build_tasks_pdf(case, shown, len(rows), today), "hvem-goer-hvad.pdf")


@login_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    """Legal deadlines that are overdue or run out soon, on the cases the user may see (a leader: the unit's)."""
    user = current_user(request)
    access.check(request, "plan.unit_deadlines", object_type="deadlines")
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
