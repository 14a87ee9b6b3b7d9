"""Staff screens for the inclusive network meeting: plan, invite, run, minutes, journalise (DOMAIN §5).

Meetings have their own URLs (``/moeder/<id>/``) because the neutral facilitator may open the meeting without
having access to the rest of the case. Every view asks :func:`kreds.authz.policies.can` with a ``meeting.*``
action; reads are audit-logged as ``meeting.view`` with the child as the person concerned.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.cases.selectors import get_case
from kreds.core.text import safe_filename
from kreds.core.viewhelpers import attempt, authorized, authorized_case, current_user, deny, get_or_404
from kreds.meetings import extras, kinds, selectors, sending, services
from kreds.meetings.constants import AgreementStatus, MeetingStatus, ParticipantRole, Phase
from kreds.meetings.forms import (
    AgreementForm,
    AgreementStatusForm,
    CancelForm,
    CompleteForm,
    MeetingForm,
    NotesForm,
    ParticipantForm,
)
from kreds.meetings.models import Agreement, Meeting, Participant
from kreds.network import selectors as network_selectors

RETURN_TO = {"detail": "meetings:detail", "run": "meetings:run", "participants": "meetings:participants"}


def _user(request: HttpRequest) -> User:
    return current_user(request)  # type: ignore[no-any-return]


def _deny(request: HttpRequest, action: str, object_id: str) -> Http404:
    return deny(request, action, object_type="meeting", object_id=object_id)


def _meeting(request: HttpRequest, meeting_id: str, action: str) -> Meeting:
    """The meeting if the user may ``action`` it; 404 for foreign, unknown and forbidden alike. Reads are logged."""
    queryset = Meeting.objects.select_related(
        "case__child", "case__municipality", "facilitator", "minute_taker", "previous"
    )
    meeting: Meeting = authorized(
        request, queryset, meeting_id, action, object_type="meeting", read_action=Action.MEETING_VIEW
    )
    return meeting


def _owner_url(meeting: Meeting) -> str | None:
    """The page of the process that owns this meeting (a family group conference), if any."""
    hooks = kinds.hooks_for(meeting)
    return hooks.owner_url(meeting) if hooks else None


def _participant(meeting: Meeting, participant_id: str) -> Participant:
    return get_or_404(meeting.participants.select_related("link", "person__map"), public_id=participant_id)


def _agreement(meeting: Meeting, agreement_id: str, *, reviewable: bool = False) -> Agreement:
    ids = [m.pk for m in services.chain(meeting)] if reviewable else [meeting.pk]
    return get_or_404(Agreement.objects, public_id=agreement_id, meeting_id__in=ids)


_attempt = attempt


def _back(request: HttpRequest, meeting: Meeting, default: str = "detail") -> HttpResponse:
    target = RETURN_TO.get(request.POST.get("next", ""), RETURN_TO[default])
    return redirect(target, meeting_id=meeting.public_id)


def _perms(user: User, meeting: Meeting) -> dict[str, bool]:
    return {
        "plan": can(user, "meeting.plan", meeting),
        "run": can(user, "meeting.run", meeting),
        "minutes": can(user, "meeting.minutes", meeting),
        "journalise": can(user, "meeting.journalise", meeting),
        "case": can(user, "case.view", meeting.case),
    }


# Lists -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_meetings(request: HttpRequest) -> HttpResponse:
    """Meetings the user leads or takes minutes at, and meetings on the user's own cases."""
    user = _user(request)
    qs = (
        Meeting.objects.filter(municipality_id=user.municipality_id or 0)
        .filter(Q(facilitator=user) | Q(minute_taker=user) | Q(case__assignments__user=user))
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("case__child", "facilitator")
        .distinct()
    )
    now = timezone.now()
    upcoming = list(qs.filter(starts_at__gte=now - datetime.timedelta(hours=12)).order_by("starts_at")[:50])
    earlier = list(qs.filter(starts_at__lt=now - datetime.timedelta(hours=12)).order_by("-starts_at")[:20])
    return render(
        request,
        "meetings/my_meetings.html",
        {
            "upcoming": upcoming,
            "earlier": earlier,
            "due": selectors.agreements_for_user(user),
            "to_invite": selectors.meetings_to_invite(user),
        },
    )


@login_required
@require_GET
def case_meetings(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case = get_case(user, public_id)
    if not can(user, "case.view", case):
        raise _deny(request, "case.view", str(case.public_id))
    record(
        Action.MEETING_VIEW,
        actor=user,
        municipality=case.municipality,
        object_type="case",
        object_id=str(case.public_id),
        person_concerned=str(case.child.public_id),
        purpose=Purpose.CASEWORK,
        details={"view": "case_meetings"},
    )
    return render(
        request,
        "meetings/case_meetings.html",
        {
            "case": case,
            "meetings": selectors.meetings_for_case(case),
            "agreements": selectors.open_agreements(case),
            "can_plan": can(user, "meeting.plan", case),
            "today": timezone.localdate(),
        },
    )


# Planning --------------------------------------------------------------------------------------------------


def _planning_data(form: MeetingForm) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k in services.PLANNING_FIELDS}
    return data


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case: Case = authorized_case(request, public_id, "meeting.plan", read_action=Action.CASE_VIEW, object_type="case")
    initial = {"inviter": user.get_full_name(), "date": timezone.localdate() + datetime.timedelta(days=14)}
    form = MeetingForm(request.POST or None, initial=initial, case=case)
    if request.method == "POST" and form.is_valid():
        created: list[Meeting] = []
        if _attempt(
            request,
            lambda: created.append(services.create_meeting(actor=user, case=case, data=_planning_data(form))),
            _("The meeting is planned. Now choose the participants from the network map."),
        ):
            meeting = created[0]
            for warning in services.planning_warnings(meeting):
                messages.warning(request, warning)
            return redirect("meetings:participants", meeting_id=meeting.public_id)
    return render(request, "meetings/meeting_form.html", {"case": case, "form": form, "gate": safety_gate(case)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.plan")
    owner = _owner_url(meeting)
    if owner:  # A conference's time and place are planned on the conference page.
        return redirect(owner)
    user = _user(request)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_from(meeting), case=meeting.case)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        if _attempt(
            request,
            lambda: services.update_meeting(
                actor=user, meeting=meeting, data=_planning_data(form), expected_version=version
            ),
            _("The meeting is saved."),
        ):
            meeting.refresh_from_db()
            for warning in services.planning_warnings(meeting):
                messages.warning(request, warning)
            return redirect("meetings:detail", meeting_id=meeting.public_id)
    return render(
        request,
        "meetings/meeting_form.html",
        {"case": meeting.case, "meeting": meeting, "form": form, "gate": safety_gate(meeting.case)},
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.view")
    user = _user(request)
    participants = list(meeting.participants.select_related("link").order_by("speaking_order", "id"))
    outbox = list(meeting.outbox.select_related("participant").order_by("created_at"))
    context = {
        "meeting": meeting,
        "case": meeting.case,
        "participants": [p for p in participants if p.removed_at is None],
        "removed": [p for p in participants if p.removed_at is not None],
        "perms": _perms(user, meeting),
        "warnings": services.planning_warnings(meeting) if meeting.is_open_for_planning else [],
        "problems": services.invitation_problems(meeting) if meeting.is_open_for_planning else [],
        "rsvp": sending.rsvp_counts(meeting),
        "timeliness": sending.minutes_timeliness(meeting),
        "agreements": list(meeting.agreements.all()),
        "reviewed": services.agreements_to_review(meeting) if meeting.previous_id else [],
        "evaluations": selectors.evaluation_summary(meeting) if meeting.is_held else None,
        "failed": [o for o in outbox if o.sent_at is None and o.last_error],
        "pending": [o for o in outbox if o.sent_at is None and not o.last_error],
        "follow_up": meeting.follow_ups.exclude(status=MeetingStatus.CANCELLED).first(),
        "letters": [
            p
            for p in participants
            if p.removed_at is None and p.delivery in ("letter", "hand") and p.role != ParticipantRole.CASEWORKER
        ],
        "now": timezone.now(),
        "owner_url": _owner_url(meeting),
        "extras": extras.sections(meeting),
        "leaflet_url_name": sending.leaflet_url_name(meeting),
        "purpose_label": sending.purpose_label(meeting),
        "status_choices": AgreementStatus.choices,
        "today": timezone.localdate(),
        "uninvited": [
            p
            for p in participants
            if p.removed_at is None
            and p.role != ParticipantRole.CASEWORKER
            and p.invited_at is None
            and p.delivery == "email"
            and not any(o.participant_id == p.pk and o.kind == "invitation" for o in outbox)
        ],
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participants(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.plan")
    user = _user(request)
    versions = network_selectors.persons_as_of(meeting.case)
    chosen = set(meeting.participants.filter(removed_at__isnull=True).values_list("person_id", flat=True))
    if request.method == "POST":
        wanted = set(request.POST.getlist("person"))
        parent_ids = set(request.POST.getlist("parent"))
        # Keep the map's order (sector, ring, name): it becomes the first speaking order.
        persons = [v.person for v in versions if str(v.person.public_id) in wanted]
        parents = [v.person for v in versions if str(v.person.public_id) in parent_ids]
        if not persons:
            messages.error(request, _("Choose at least one person from the network map."))
        elif _attempt(
            request,
            lambda: services.add_participants(actor=user, meeting=meeting, persons=persons, parents=parents),
            _("The participants are added. Check how each one gets the invitation."),
        ):
            return redirect("meetings:detail", meeting_id=meeting.public_id)
    available = [v for v in versions if v.person_id not in chosen]
    return render(
        request,
        "meetings/participants.html",
        {"meeting": meeting, "case": meeting.case, "available": available, "chosen_count": len(chosen)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, meeting_id: str, participant_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.plan")
    participant = _participant(meeting, participant_id)
    if participant.role == ParticipantRole.CASEWORKER:
        raise Http404
    initial = {f: getattr(participant, f) for f in ("role", "delivery", "email", "phone", "address")}
    form = ParticipantForm(request.POST or None, initial=initial)
    if participant.role == ParticipantRole.CHILD:
        form.fields.pop("role")
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            request,
            lambda: services.update_participant(actor=_user(request), participant=participant, data=form.cleaned_data),
            _("The participant is saved."),
        )
    ):
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    return render(
        request,
        "meetings/participant_form.html",
        {"meeting": meeting, "case": meeting.case, "participant": participant, "form": form},
    )


@login_required
@require_POST
def participant_remove(request: HttpRequest, meeting_id: str, participant_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.plan")
    participant = _participant(meeting, participant_id)
    _attempt(
        request,
        lambda: services.remove_participant(actor=_user(request), participant=participant),
        _("%(name)s is removed from the meeting.") % {"name": participant.name},
    )
    return _back(request, meeting)


@login_required
@require_POST
def participant_move(request: HttpRequest, meeting_id: str, participant_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.plan")
    participant = _participant(meeting, participant_id)
    direction = -1 if request.POST.get("direction") == "up" else 1
    _attempt(
        request, lambda: services.move_participant(actor=_user(request), participant=participant, direction=direction)
    )
    return _back(request, meeting)


@login_required
@require_POST
def invite(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.plan")
    sent: list[int] = []
    if _attempt(request, lambda: sent.append(services.send_invitations(actor=_user(request), meeting=meeting))):
        messages.success(
            request,
            _("Invitations are on their way: %(count)d by e-mail. Print the letters for the others below.")
            % {"count": sent[0]},
        )
    return redirect("meetings:detail", meeting_id=meeting.public_id)


@login_required
@require_POST
def letter(request: HttpRequest, meeting_id: str, participant_id: str) -> HttpResponse:
    """The invitation as a printable PDF letter with the participant's personal link."""
    meeting = _meeting(request, meeting_id, "meeting.plan")
    participant = _participant(meeting, participant_id)
    if participant.role == ParticipantRole.CASEWORKER or participant.removed_at is not None:
        raise Http404
    problems = services.invitation_problems(meeting)
    if problems:
        messages.error(request, _("The letter was not made:") + " " + " ".join(problems))
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    services.ensure_link(participant, actor=_user(request))
    with sending.in_language():
        pdf = sending.letter_pdf(participant)
    services.record_letter_printed(actor=_user(request), participant=participant)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="invitation.pdf"'
    return response


@login_required
@require_POST
def link_revoke(request: HttpRequest, meeting_id: str, participant_id: str) -> HttpResponse:
    """Stop a personal link (lost phone, wrong address). A new one is made with the next letter or e-mail."""
    from kreds.participants.services import revoke

    meeting = _meeting(request, meeting_id, "meeting.plan")
    participant = _participant(meeting, participant_id)
    if participant.link is None or not participant.link.is_active:
        messages.info(request, _("%(name)s has no active personal link.") % {"name": participant.name})
    else:
        revoke(participant.link, reason="revoked by staff")
        participant.link = None
        participant.save(update_fields=["link", "updated_at"])
        record(
            Action.LINK_REVOKE,
            actor=_user(request),
            municipality=meeting.case.municipality,
            object_type="meeting",
            object_id=str(meeting.public_id),
            person_concerned=str(meeting.case.child.public_id),
            details={"participant": str(participant.public_id)},
        )
        messages.success(request, _("The personal link of %(name)s no longer works.") % {"name": participant.name})
    return redirect("meetings:detail", meeting_id=meeting.public_id)


@login_required
@require_GET
def meeting_ics(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.view")
    response = HttpResponse(sending.ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{sending.ics_filename(meeting)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.plan")
    owner = _owner_url(meeting)
    if owner:  # A conference is withdrawn or re-planned on its own page.
        return redirect(owner)
    form = CancelForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            request,
            lambda: services.cancel_meeting(actor=_user(request), meeting=meeting, reason=form.cleaned_data["reason"]),
            _("The meeting is cancelled and the personal links are stopped. Remember to tell the participants."),
        )
    ):
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    return render(request, "meetings/cancel.html", {"meeting": meeting, "case": meeting.case, "form": form})


# The meeting -----------------------------------------------------------------------------------------------


def _render_run(
    request: HttpRequest, meeting: Meeting, form: NotesForm, agreement_form: AgreementForm | None = None
) -> HttpResponse:
    user = _user(request)
    locked = meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED)
    order = services.speaking_order(meeting)
    current = order[meeting.speaker_position % len(order)] if order else None
    active = meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")
    context = {
        "meeting": meeting,
        "case": meeting.case,
        "form": form,
        "order": order,
        "current": current,
        "next_speaker": order[(meeting.speaker_position + 1) % len(order)] if len(order) > 1 else None,
        "agreement_form": agreement_form or AgreementForm(participants=active),
        "agreements": list(meeting.agreements.select_related("responsible")),
        "to_review": services.agreements_to_review(meeting) if meeting.previous_id else [],
        "unreviewed": {a.pk for a in services.unreviewed(meeting)} if meeting.previous_id else set(),
        "status_form": AgreementStatusForm(),
        "complete_form": CompleteForm(),
        "perms": _perms(user, meeting),
        "locked": locked,
        "not_locked": not locked,
        "held": meeting.is_held,
        "today": timezone.localdate(),
        "status_choices": AgreementStatus.choices,
        "extras": extras.sections(meeting),
    }
    return render(request, "meetings/run.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def run(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The facilitator's screen: phases with notes, speaking order, attendance, agreements, completion."""
    meeting = _meeting(request, meeting_id, "meeting.run")
    owner = _owner_url(meeting)
    if owner:  # A conference has its own screen with its own three parts.
        return redirect(owner)
    user = _user(request)
    initial = {f"notes_{p}": getattr(meeting, f"notes_{p}") for p in Phase.values}
    initial.update({"authority_declared": meeting.authority_declared, "version": meeting.version})
    form = NotesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notes = {p: form.cleaned_data[f"notes_{p}"] for p in Phase.values}
        if _attempt(
            request,
            lambda: services.save_notes(
                actor=user,
                meeting=meeting,
                notes=notes,
                authority_declared=form.cleaned_data["authority_declared"],
                expected_version=form.cleaned_data["version"],
            ),
            _("The notes are saved."),
        ):
            return redirect("meetings:run", meeting_id=meeting.public_id)
    return _render_run(request, meeting, form)


def _save_carried_notes(request: HttpRequest, meeting: Meeting) -> None:
    """Save the notes the browser sent along with another meeting-screen action (see kreds.js)."""
    if "notes_descriptive" not in request.POST:
        return
    form = NotesForm(request.POST)
    if not form.is_valid():
        return
    notes = {p: form.cleaned_data[f"notes_{p}"] for p in Phase.values}
    current = {p: getattr(meeting, f"notes_{p}") for p in Phase.values}
    if notes == current and form.cleaned_data["authority_declared"] == meeting.authority_declared:
        return
    _attempt(
        request,
        lambda: services.save_notes(
            actor=_user(request),
            meeting=meeting,
            notes=notes,
            authority_declared=form.cleaned_data["authority_declared"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    meeting.refresh_from_db()


@login_required
@require_POST
def speaker(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.run")
    _save_carried_notes(request, meeting)
    step = -1 if request.POST.get("step") == "back" else 1
    _attempt(request, lambda: services.set_speaker(actor=_user(request), meeting=meeting, step=step))
    return redirect("meetings:run", meeting_id=meeting.public_id)


@login_required
@require_POST
def attendance(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.run")
    _save_carried_notes(request, meeting)
    values = {}
    for p in services.speaking_order(meeting):
        answer = request.POST.get(f"attended-{p.public_id}")
        if answer in ("yes", "no"):
            values[p.pk] = answer == "yes"
    _attempt(
        request,
        lambda: services.set_attendance(actor=_user(request), meeting=meeting, attended=values),
        _("Attendance is saved."),
    )
    return redirect("meetings:run", meeting_id=meeting.public_id)


@login_required
@require_POST
def agreement_add(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.run")
    _save_carried_notes(request, meeting)
    form = AgreementForm(request.POST, participants=meeting.participants.filter(removed_at__isnull=True))
    if form.is_valid():
        if _attempt(
            request,
            lambda: services.add_agreement(
                actor=_user(request),
                meeting=meeting,
                responsible=form.cleaned_data["responsible"],
                what=form.cleaned_data["what"],
                due_on=form.cleaned_data["due_on"],
            ),
            _("The agreement is recorded."),
        ):
            return redirect("meetings:run", meeting_id=meeting.public_id)
    else:
        messages.error(request, _("Fill in who, what and by when for the agreement."))
    # Keep what was typed: show the screen again with the agreement form and its errors.
    initial = {f"notes_{p}": getattr(meeting, f"notes_{p}") for p in Phase.values}
    initial.update({"authority_declared": meeting.authority_declared, "version": meeting.version})
    return _render_run(request, meeting, NotesForm(initial=initial), agreement_form=form)


@login_required
@require_POST
def agreement_remove(request: HttpRequest, meeting_id: str, agreement_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.run")
    agreement = _agreement(meeting, agreement_id)
    _attempt(
        request,
        lambda: services.remove_agreement(actor=_user(request), agreement=agreement),
        _("The agreement is removed."),
    )
    return redirect("meetings:run", meeting_id=meeting.public_id)


@login_required
@require_POST
def agreement_status(request: HttpRequest, meeting_id: str, agreement_id: str) -> HttpResponse:
    """At a follow-up meeting (facilitator) or afterwards (staff on the case): change an agreement's status."""
    user = _user(request)
    meeting = _meeting(request, meeting_id, "meeting.minutes")
    agreement = _agreement(meeting, agreement_id, reviewable=True)
    form = AgreementStatusForm(request.POST)
    at_meeting = meeting if agreement.meeting_id != meeting.pk and not meeting.is_held else None
    if at_meeting is not None and not can(user, "meeting.run", meeting) and not can(user, "meeting.plan", meeting):
        raise _deny(request, "meeting.run", str(meeting.public_id))
    if form.is_valid():
        _attempt(
            request,
            lambda: services.set_agreement_status(
                actor=user,
                agreement=agreement,
                status=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"],
                at_meeting=at_meeting,
            ),
            _("The status is saved."),
        )
    else:
        messages.error(request, _("Choose a status."))
    return _back(request, meeting, "run" if at_meeting else "detail")


@login_required
@require_POST
def complete(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.run")
    owner = _owner_url(meeting)
    if owner:
        return redirect(owner)
    _save_carried_notes(request, meeting)
    form = CompleteForm(request.POST)
    follow_up_on = form.cleaned_data.get("follow_up_on") if form.is_valid() else None
    if _attempt(
        request,
        lambda: services.complete_meeting(actor=_user(request), meeting=meeting, follow_up_on=follow_up_on),
        _("The meeting is completed and the follow-up meeting is planned. Check and approve the minutes."),
    ):
        return redirect("meetings:minutes", meeting_id=meeting.public_id)
    return redirect("meetings:run", meeting_id=meeting.public_id)


# After the meeting -----------------------------------------------------------------------------------------


@login_required
@require_GET
def minutes(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.view")
    owner = _owner_url(meeting)
    if owner:  # The family's plan is shown and approved on the conference page.
        return redirect(owner)
    if not meeting.is_held:
        messages.info(request, _("The minutes are made when the meeting is completed."))
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "case": meeting.case,
            "data": sending.minutes_data(meeting),
            "perms": _perms(_user(request), meeting),
            "timeliness": sending.minutes_timeliness(meeting),
        },
    )


@login_required
@require_GET
def minutes_pdf(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.view")
    if not meeting.is_held:
        raise Http404
    response = HttpResponse(sending.minutes_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{sending.document_filename(meeting)}"'
    return response


@login_required
@require_POST
def minutes_send(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.minutes")
    owner = _owner_url(meeting)
    if owner:  # The family's plan goes out when the caseworker has decided on every item.
        return redirect(owner)
    sent: list[int] = []
    if _attempt(request, lambda: sent.append(services.approve_and_send_minutes(actor=_user(request), meeting=meeting))):
        messages.success(
            request,
            _(
                "The minutes are approved and on their way: %(count)d by e-mail, "
                "and on every participant's personal page."
            )
            % {"count": sent[0]},
        )
    return redirect("meetings:detail", meeting_id=meeting.public_id)


def _metadata(meeting: Meeting) -> dict[str, Any]:
    """Metadata for the municipality's ESDH (journalisation). No CPR number: the ESDH links by case number."""
    return {
        "schema": "kreds.meeting-minutes/1",
        "municipality": {"name": meeting.case.municipality.name, "code": meeting.case.municipality.code},
        "case": {"external_ref": meeting.case.external_ref, "kreds_id": str(meeting.case.public_id)},
        "document": {
            "title": sending.document_title(meeting),
            "file": sending.document_filename(meeting),
            "format": "PDF/A-2b",
            "kind": meeting.kind,
            "meeting_id": str(meeting.public_id),
            "held_on": timezone.localtime(meeting.starts_at).date().isoformat(),
            "follow_up_on": meeting.follow_up_on.isoformat() if meeting.follow_up_on else None,
            "minutes_approved_at": meeting.minutes_approved_at.isoformat() if meeting.minutes_approved_at else None,
            "minutes_sent_at": meeting.minutes_sent_at.isoformat() if meeting.minutes_sent_at else None,
            "participants": meeting.participants.filter(removed_at__isnull=True).count(),
            "agreements": meeting.agreements.count(),
        },
        "exported_at": timezone.now().isoformat(),
    }


@login_required
@require_GET
def export(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The minutes PDF/A plus a JSON metadata file, zipped for the ESDH."""
    meeting = _meeting(request, meeting_id, "meeting.journalise")
    if meeting.status not in (MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED):
        raise Http404
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(sending.document_filename(meeting), sending.minutes_pdf(meeting))
        archive.writestr("metadata.json", json.dumps(_metadata(meeting), ensure_ascii=False, indent=2))
    record(
        Action.MEETING_EXPORT,
        actor=_user(request),
        municipality=meeting.case.municipality,
        object_type="meeting",
        object_id=str(meeting.public_id),
        person_concerned=str(meeting.case.child.public_id),
    )
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    ref = safe_filename(meeting.case.external_ref, default="sag")
    response["Content-Disposition"] = f'attachment; filename="referat-{ref}.zip"'
    return response


@login_required
@require_POST
def journalise(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = _meeting(request, meeting_id, "meeting.journalise")
    _attempt(
        request,
        lambda: services.mark_journalised(actor=_user(request), meeting=meeting),
        _("The minutes are marked as journalised."),
    )
    return redirect("meetings:detail", meeting_id=meeting.public_id)


def leaflet_page(request: HttpRequest) -> HttpResponse:
    """The public leaflet: what an inclusive network meeting is (linked from invitations)."""
    from kreds.meetings.leaflet import leaflet

    title, sections = leaflet()
    return render(request, "meetings/leaflet.html", {"title": title, "sections": sections, "public": True})
