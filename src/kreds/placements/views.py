"""Search the network first: the exploration, a candidate, the placement decision, the contact plan (DOMAIN §10).

Views parse, authorize, call a service and answer. A refused action re-renders the page with the form as typed and
the service's Danish message next to it; nothing the user typed is lost.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.audit.constants import Action
from kreds.authz import access
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.core import stale
from kreds.core.runner import run
from kreds.core.viewhelpers import current_user, get_or_404, parse_uuid
from kreds.network.models import NetworkPerson
from kreds.placements import forms, selectors, services
from kreds.placements.constants import CheckKey, SuspensionBasis
from kreds.placements.models import Candidate, CandidateCheck, ContactArrangement, ContactArrangementVersion, Suspension
from kreds.placements.pdf import contact_plan_pdf
from kreds.tenancy.models import Municipality


def _candidate(case: Case, candidate_id: str) -> Candidate:
    return get_or_404(
        Candidate.objects.select_related("exploration", "person"), public_id=candidate_id, exploration__case=case
    )


def _person(case: Case, person_id: str) -> NetworkPerson:
    return get_or_404(NetworkPerson.objects.select_related("map"), public_id=person_id, map__case=case)


# The exploration ---------------------------------------------------------------------------------------------------


def _approved_choices(found: Any) -> list[tuple[str, str]]:
    return [
        (
            str(r.candidate.public_id),
            _("%(name)s (%(relation)s), approved %(date)s")
            % {
                "name": r.name,
                "relation": r.version.relation if r.version else "",
                "date": r.candidate.approved_on.strftime("%d.%m.%Y") if r.candidate.approved_on else "",
            },
        )
        for r in selectors.approved(found)
    ]


def _render_exploration(request: HttpRequest, case: Case, **bound: Any) -> HttpResponse:
    found = selectors.exploration(case)
    rows = selectors.candidates(found) if found else []
    is_open = found is not None and found.closed_on is None
    return render(
        request,
        "placements/exploration.html",
        {
            "case": case,
            "exploration": found,
            "is_open": is_open,
            "rows": rows,
            "counts": selectors.status_counts(rows),
            "suggestions": selectors.suggestions(case, found) if is_open else [],
            "placements": selectors.placements(case),
            "can_edit": can(current_user(request), "placement.edit", case),
            "start_form": bound.get("start_form") or forms.ExplorationForm(),
            "close_form": bound.get("close_form") or forms.CloseForm(),
            "decision_form": bound.get("decision_form")
            or forms.DecisionForm(candidates=_approved_choices(found) if is_open else []),
        },
    )


@login_required
@require_GET
def exploration(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.view", read=Action.PLACEMENT_VIEW, object_type="placement")
    return _render_exploration(request, case)


@login_required
@require_POST
def start(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    form = forms.ExplorationForm(request.POST)
    if run(
        request,
        lambda: services.start_exploration(
            actor=current_user(request),
            case=case,
            started_on=form.cleaned_data["started_on"],
            why=form.cleaned_data["why"],
        ),
        form=form,
        success=_("The exploration of the network has started. Add the candidates from the map."),
    ):
        return redirect("placements:exploration", public_id=case.public_id)
    return _render_exploration(request, case, start_form=form)


@login_required
@require_POST
def add_candidate(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    found = services.open_exploration(case)
    if found is None:
        raise Http404
    person_id = parse_uuid(request.POST.get("person"))
    person = NetworkPerson.objects.filter(public_id=person_id, map__case=case).first() if person_id else None
    if person is None:
        messages.error(request, _("Choose a person from the child's network map."))
        return redirect("placements:exploration", public_id=case.public_id)
    outcome = run(
        request,
        lambda: services.add_candidate(actor=current_user(request), exploration=found, person=person),
        success=_("The person is added as a candidate."),
    )
    if outcome.value is None:
        return redirect("placements:exploration", public_id=case.public_id)
    return redirect("placements:candidate", public_id=case.public_id, candidate_id=outcome.value.public_id)


@login_required
@require_POST
def close(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    found = services.open_exploration(case)
    if found is None:
        raise Http404
    form = forms.CloseForm(request.POST)
    if run(
        request,
        lambda: services.close_exploration(
            actor=current_user(request), exploration=found, closed_on=form.cleaned_data["closed_on"]
        ),
        form=form,
        success=_("The exploration is closed. It is kept with the case."),
    ):
        return redirect("placements:exploration", public_id=case.public_id)
    return _render_exploration(request, case, close_form=form)


@login_required
@require_POST
def decide(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    found = services.open_exploration(case)
    form = forms.DecisionForm(request.POST, candidates=_approved_choices(found))

    def call() -> None:
        data = form.cleaned_data
        chosen = None
        if data["in_network"] and data["candidate"]:
            chosen = _candidate(case, data["candidate"])
        services.decide(
            actor=current_user(request),
            case=case,
            decided_on=data["decided_on"],
            starts_on=data["starts_on"],
            setting=data["setting"],
            in_network=data["in_network"],
            candidate=chosen,
            no_network_reason=data["no_network_reason"],
        )

    if run(request, call, form=form, success=_("The placement decision is recorded.")):
        return redirect("placements:exploration", public_id=case.public_id)
    return _render_exploration(request, case, decision_form=form)


# One candidate -----------------------------------------------------------------------------------------------------


def _render_candidate(request: HttpRequest, case: Case, candidate: Candidate, **bound: Any) -> HttpResponse:
    [row] = selectors.candidates(candidate.exploration, only=candidate)
    current = row.candidate
    check_forms = [
        (
            check,
            bound.get(f"check_{check.key}")
            or forms.CheckForm(
                initial={"state": check.state, "on": check.on, "expires_on": check.expires_on, "note": check.note},
                prefix=check.key,
            ),
        )
        for check in row.checks
    ]
    editable = can(current_user(request), "placement.edit", case) and candidate.exploration.closed_on is None
    allowed = services.allowed_statuses(current)
    return render(
        request,
        "placements/candidate.html",
        {
            "case": case,
            "row": row,
            "candidate": current,
            "events": selectors.events(current),
            "documents": list(current.documents.select_related("document").all()),
            "check_forms": check_forms,
            "can_edit": editable,
            "status_form": bound.get("status_form")
            or forms.StatusForm(
                allowed=allowed, initial={"version": current.version, "status": allowed[0] if allowed else None}
            ),
            "has_statuses": bool(allowed),
            "document_form": bound.get("document_form") or forms.DocumentForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def candidate(request: HttpRequest, public_id: str, candidate_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.view", read=Action.PLACEMENT_VIEW, object_type="candidate")
    return _render_candidate(request, case, _candidate(case, candidate_id))


@login_required
@require_POST
def candidate_status(request: HttpRequest, public_id: str, candidate_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    found = _candidate(case, candidate_id)
    form = forms.StatusForm(request.POST, allowed=services.allowed_statuses(found))

    def saved_now() -> tuple[dict[str, Any], int]:
        fresh = Candidate.objects.get(pk=found.pk)
        return {"status": fresh.get_status_display(), "on": fresh.status_on, "reason": fresh.reason}, fresh.version

    if run(
        request,
        lambda: services.set_status(
            actor=current_user(request),
            candidate=found,
            status=form.cleaned_data["status"],
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
            expected_version=stale.expected_version(form),
        ),
        form=form,
        current=saved_now,
        success=_("The status is saved."),
        reload_url=reverse("placements:candidate", args=[case.public_id, found.public_id]),
    ):
        return redirect("placements:candidate", public_id=case.public_id, candidate_id=found.public_id)
    return _render_candidate(request, case, found, status_form=form)


@login_required
@require_POST
def candidate_check(request: HttpRequest, public_id: str, candidate_id: str, key: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    found = _candidate(case, candidate_id)
    if key not in CheckKey.values:
        raise Http404
    check = get_or_404(CandidateCheck.objects, candidate=found, key=key)
    form = forms.CheckForm(request.POST, prefix=key)
    if run(
        request,
        lambda: services.save_check(
            actor=current_user(request),
            check=check,
            state=form.cleaned_data["state"],
            on=form.cleaned_data["on"],
            expires_on=form.cleaned_data["expires_on"],
            note=form.cleaned_data["note"],
        ),
        form=form,
        success=_("%(check)s is saved.") % {"check": check.get_key_display()},
    ):
        return redirect("placements:candidate", public_id=case.public_id, candidate_id=found.public_id)
    return _render_candidate(request, case, found, **{f"check_{key}": form})


@login_required
@require_POST
def candidate_document(request: HttpRequest, public_id: str, candidate_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    found = _candidate(case, candidate_id)
    form = forms.DocumentForm(request.POST, request.FILES)
    if run(
        request,
        lambda: services.add_document(
            actor=current_user(request),
            candidate=found,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            expires_on=form.cleaned_data["expires_on"],
        ),
        form=form,
        success=_("The document is uploaded."),
    ):
        return redirect("placements:candidate", public_id=case.public_id, candidate_id=found.public_id)
    return _render_candidate(request, case, found, document_form=form)


# The contact plan --------------------------------------------------------------------------------------------------


def _person_choices(case: Case) -> list[tuple[str, str]]:
    return [(str(v.person.public_id), f"{v.name} ({v.relation})") for v in selectors.contact_persons(case)]


def _render_contacts(request: HttpRequest, case: Case, **bound: Any) -> HttpResponse:
    rows = selectors.contacts(case)
    today = timezone.localdate()
    change_forms = {}
    for row in rows:
        key = f"change_{row.contact.public_id}"
        initial = {"version": row.version}
        if row.current:
            initial.update({f: getattr(row.current, f) for f in services.CONTACT_FIELDS})
        change_forms[row.contact.pk] = bound.get(key) or forms.ContactArrangementForm(
            initial=initial, prefix=str(row.contact.public_id)[:8]
        )
    return render(
        request,
        "placements/contacts.html",
        {
            "case": case,
            "rows": [
                (
                    row,
                    change_forms[row.contact.pk],
                    bound.get(f"suspend_{row.contact.public_id}")
                    or forms.SuspensionForm(prefix=f"s{str(row.contact.public_id)[:8]}"),
                    row.active_suspension(today),
                    bound.get(f"decision_{row.contact.public_id}")
                    or forms.DecisionSuspensionForm(prefix=f"d{str(row.contact.public_id)[:8]}"),
                )
                for row in rows
            ],
            "can_edit": can(current_user(request), "placement.edit", case),
            "add_form": bound.get("add_form")
            or forms.ContactArrangementForm(persons=_person_choices(case), prefix="new"),
            "end_form": forms.EndSuspensionForm(),
            "today": today,
        },
    )


def _contact(case: Case, contact_id: str) -> ContactArrangement:
    return get_or_404(ContactArrangement.objects, public_id=contact_id, case=case)


@login_required
@require_GET
def contacts(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(
        request, Case, public_id, "placement.view", read=Action.PLACEMENT_VIEW, object_type="contact_plan"
    )
    return _render_contacts(request, case)


@login_required
@require_GET
def contacts_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    """The contact plan as PDF/A for the case file (audited as a read of the contact plan)."""
    case = access.fetch(
        request, Case, public_id, "placement.view", read=Action.PLACEMENT_VIEW, object_type="contact_plan"
    )
    today = timezone.localdate()
    response = HttpResponse(
        contact_plan_pdf(case, selectors.contacts(case, today), today), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="samvaersplan-{today:%Y-%m-%d}.pdf"'
    return response


@login_required
@require_POST
def contact_add(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    form = forms.ContactArrangementForm(request.POST, persons=_person_choices(case), prefix="new")
    if run(
        request,
        lambda: services.save_contact(
            actor=current_user(request),
            case=case,
            person=_person(case, form.cleaned_data["person"]),
            data=form.cleaned_data,
        ),
        form=form,
        success=_("The contact arrangement is saved."),
    ):
        return redirect("placements:contacts", public_id=case.public_id)
    return _render_contacts(request, case, add_form=form)


@login_required
@require_POST
def contact_change(request: HttpRequest, public_id: str, contact_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    contact = _contact(case, contact_id)
    form = forms.ContactArrangementForm(request.POST, prefix=str(contact.public_id)[:8])

    def saved_now() -> tuple[dict[str, Any], int]:
        fresh = ContactArrangementVersion.objects.filter(contact=contact, valid_to__isnull=True).first()
        values = {f: getattr(fresh, f) for f in services.CONTACT_FIELDS} if fresh else {}
        return values, ContactArrangementVersion.objects.filter(contact=contact).count()

    if run(
        request,
        lambda: services.save_contact(
            actor=current_user(request),
            case=case,
            person=contact.person,
            data=form.cleaned_data,
            expected_version=stale.expected_version(form),
        ),
        form=form,
        current=saved_now,
        success=_("The change is saved. The earlier arrangement is kept in the history."),
        reload_url=reverse("placements:contacts", args=[case.public_id]),
    ):
        return redirect("placements:contacts", public_id=case.public_id)
    return _render_contacts(request, case, **{f"change_{contact.public_id}": form})


@login_required
@require_POST
def suspend(request: HttpRequest, public_id: str, contact_id: str) -> HttpResponse:
    """Suspend contact: at the child's request (the 8-week rules) or by a recorded decision (``basis=decision``)."""
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    contact = _contact(case, contact_id)
    short = str(contact.public_id)[:8]
    by_decision = request.POST.get(f"d{short}-basis") == SuspensionBasis.DECISION
    form: forms.SuspensionForm | forms.DecisionSuspensionForm = (
        forms.DecisionSuspensionForm(request.POST, prefix=f"d{short}")
        if by_decision
        else forms.SuspensionForm(request.POST, prefix=f"s{short}")
    )

    def call() -> None:
        data = form.cleaned_data
        services.suspend(
            actor=current_user(request),
            contact=contact,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            child_request=data["child_request"],
            basis=SuspensionBasis.DECISION if by_decision else SuspensionBasis.CHILD_REQUEST,
            decision_on=data.get("decision_on"),
            decision_ref=data.get("decision_ref") or "",
        )

    if run(
        request,
        call,
        form=form,
        success=_("The decision to suspend contact is recorded.") if by_decision else _("The suspension is recorded."),
    ):
        return redirect("placements:contacts", public_id=case.public_id)
    key = f"decision_{contact.public_id}" if by_decision else f"suspend_{contact.public_id}"
    return _render_contacts(request, case, **{key: form})


@login_required
@require_POST
def end_suspension(request: HttpRequest, public_id: str, contact_id: str, suspension_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "placement.edit", object_type="placement")
    contact = _contact(case, contact_id)
    suspension = get_or_404(Suspension.objects, public_id=suspension_id, contact=contact)
    form = forms.EndSuspensionForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: services.end_suspension(
                actor=current_user(request), suspension=suspension, on=form.cleaned_data["on"]
            ),
            success=_("Contact starts again."),
        )
    else:
        messages.error(request, _("Write the day contact starts again."))
    return redirect("placements:contacts", public_id=case.public_id)


# The municipality's checklist --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Administrators choose which checks the assessment of a network candidate has."""
    user = current_user(request)
    if not can(user, "admin.manage_settings"):
        # Not access.check: the refusal has always been audited with object_id "placement" (which settings page).
        raise access.deny(request, "admin.manage_settings", object_type="settings", object_id="placement")
    municipality = Municipality.objects.get(pk=user.municipality_id or 0)
    form = forms.SettingsForm(request.POST or None, initial={"placement_checks": municipality.placement_checks})
    form.fields["placement_checks"].choices = CheckKey.choices  # type: ignore[attr-defined]
    if request.method == "POST" and run(
        request,
        lambda: services.save_checklist(
            actor=user, municipality=municipality, checks=form.cleaned_data["placement_checks"]
        ),
        form=form,
        success=_("The settings are saved. New candidates get these checks."),
    ):
        return redirect("placement_settings:edit")
    return render(request, "placements/settings.html", {"form": form})
