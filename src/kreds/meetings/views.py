"""Staff screens for the inclusive network meeting: plan, invite, run, minutes, journalise (DOMAIN §5).

Meetings have their own URLs (``/moeder/<id>/``) because the neutral facilitator may open the meeting without
having access to the rest of the case. Every view reaches the meeting through :mod:`kreds.authz.access` with a
``meeting.*`` action (reads are audit-logged as ``meeting.view`` with the child as the person concerned) and runs
its change through :func:`kreds.core.runner.run`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.authz import access
from kreds.authz.policies import can
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.core import runner, stale
from kreds.core.text import safe_filename
from kreds.core.viewhelpers import current_user, get_or_404, parse_int
from kreds.meetings import actions, extras, kinds, notices, selectors, sending, services
from kreds.meetings import child_minutes as child_version
from kreds.meetings.constants import AgreementStatus, MeetingStatus, MessageKind, ParticipantRole, Phase
from kreds.meetings.forms import (
    AgreementForm,
    AgreementStatusForm,
    CancelForm,
    ChildMinutesForm,
    CompleteForm,
    MeetingForm,
    NotesForm,
    ParticipantForm,
    default_meeting_day,
)
from kreds.meetings.leaflet import leaflet
from kreds.meetings.models import Agreement, Meeting, Participant
from kreds.network import selectors as network_selectors
from kreds.outbox.constants import Channel
from kreds.outbox.models import Outbox

RETURN_TO = {"detail": "meetings:detail", "run": "meetings:run", "participants": "meetings:participants"}


def _user(request: HttpRequest) -> User:
    return current_user(request)  # type: ignore[no-any-return]


def _rows() -> QuerySet[Meeting]:
    """Meetings with what every meeting page shows beside them, fetched in the same query."""
    return Meeting.objects.select_related(
        "case__child", "case__municipality", "facilitator", "minute_taker", "previous"
    )


def _owner_url(meeting: Meeting) -> str | None:
    """The page of the process that owns this meeting (a family group conference), if any."""
    hooks = kinds.hooks_for(meeting)
    return hooks.owner_url(meeting) if hooks else None


def _participant(meeting: Meeting, participant_id: str) -> Participant:
    return get_or_404(meeting.participants.select_related("link", "person__map"), public_id=participant_id)


def _agreement(meeting: Meeting, agreement_id: str, *, reviewable: bool = False) -> Agreement:
    ids = [m.pk for m in services.chain(meeting)] if reviewable else [meeting.pk]
    return get_or_404(Agreement.objects, public_id=agreement_id, meeting_id__in=ids)


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
    rows = Case.objects.select_related("child", "responsible_unit", "municipality")
    case = access.fetch(request, Case, public_id, "case.view", read=Action.MEETING_VIEW, queryset=rows)
    return render(
        request,
        "meetings/case_meetings.html",
        {
            "case": case,
            "meetings": selectors.meetings_for_case(case),
            "agreements": selectors.open_agreements(case),
            "can_plan": can(request.user, "meeting.plan", case),
            "today": timezone.localdate(),
        },
    )


# Planning --------------------------------------------------------------------------------------------------


def _saved_now(meeting: Meeting, initial: Any) -> tuple[dict[str, Any], int]:
    """What is saved now, for the comparison after a stale save (kreds.core.stale)."""
    fresh = Meeting.objects.get(pk=meeting.pk)
    return initial(fresh), fresh.version


def _planning_data(form: MeetingForm) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k in services.PLANNING_FIELDS}
    return data


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access.fetch(request, Case, public_id, "meeting.plan", read=Action.CASE_VIEW)
    user = _user(request)
    initial = {"inviter": user.get_full_name(), "date": default_meeting_day()}
    form = MeetingForm(request.POST or None, initial=initial, case=case)
    if request.method == "POST":
        created = runner.run(
            request,
            lambda: services.create_meeting(actor=user, case=case, data=_planning_data(form)),
            form=form,
            success=_("The meeting is planned. Now choose the participants from the network map."),
        )
        if created.value is not None:
            for warning in services.planning_warnings(created.value):
                messages.warning(request, warning)
            return redirect("meetings:participants", meeting_id=created.value.public_id)
    return render(request, "meetings/meeting_form.html", {"case": case, "form": form, "gate": safety_gate(case)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", read=Action.MEETING_VIEW, queryset=_rows())
    owner = _owner_url(meeting)
    if owner:  # A conference's time and place are planned on the conference page.
        return redirect(owner)
    user = _user(request)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_from(meeting), case=meeting.case)
    if request.method == "POST":
        saved = runner.run(
            request,
            lambda: services.update_meeting(
                actor=user,
                meeting=meeting,
                data=_planning_data(form),
                expected_version=stale.expected_version(form) or 0,
            ),
            form=form,
            current=lambda: _saved_now(meeting, MeetingForm.initial_from),
            success=_("The meeting is saved."),
            reload_url=request.path,
        )
        if saved:
            before = meeting.sequence
            meeting.refresh_from_db()
            if meeting.sequence != before:
                told = meeting.outbox.filter(kind=MessageKind.CHANGE, key__endswith=f":{meeting.sequence}")
                messages.info(
                    request,
                    _("Everyone invited is told about the change: %(emails)d by e-mail, %(letters)d letters to print.")
                    % {
                        "emails": told.filter(channel=Channel.EMAIL).count(),
                        "letters": told.filter(channel=Channel.LETTER).count(),
                    },
                )
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
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.view", read=Action.MEETING_VIEW, queryset=_rows())
    user = _user(request)
    participants = list(meeting.participants.select_related("link").order_by("speaking_order", "id"))
    outbox = list(meeting.outbox.select_related("participant__person").order_by("created_at"))
    letters = services.letters_due(meeting, outbox)
    letter_problems = services.letter_problems(meeting, letters)
    context = {
        "meeting": meeting,
        "case": meeting.case,
        "participants": [p for p in participants if p.removed_at is None],
        "removed": [p for p in participants if p.removed_at is not None],
        "perms": _perms(user, meeting),
        "warnings": services.planning_warnings(meeting) if meeting.is_open_for_planning else [],
        "problems": services.invitation_problems(meeting) if meeting.is_open_for_planning else [],
        "rsvp": sending.rsvp_counts(meeting, participants),
        "timeliness": sending.minutes_timeliness(meeting),
        "agreements": list(meeting.agreements.all()),
        "reviewed": services.agreements_to_review(meeting) if meeting.previous_id else [],
        "evaluations": selectors.evaluation_summary(meeting) if meeting.is_held else None,
        "failed": [o for o in outbox if o.channel == "email" and o.sent_at is None and o.last_error],
        "pending": [o for o in outbox if o.channel == "email" and o.sent_at is None and not o.last_error],
        "follow_up": meeting.follow_ups.exclude(status=MeetingStatus.CANCELLED).first(),
        "letters": [(row, letter_problems[row.pk]) for row in letters],
        "letters_done": [o for o in outbox if o.channel == "letter" and o.sent_at is not None],
        "not_invitable": list(services.not_invitable(meeting).values()) if meeting.is_open_for_planning else [],
        "now": timezone.now(),
        "who_completes": services.who_completes(meeting),
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
            and not any(o.participant_id == p.pk and o.kind == "invitation" for o in outbox)
        ],
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participants(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", read=Action.MEETING_VIEW, queryset=_rows())
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
        elif runner.run(
            request,
            lambda: services.add_participants(actor=user, meeting=meeting, persons=persons, parents=parents),
            success=_("The participants are added. Check how each one gets the invitation."),
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
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", read=Action.MEETING_VIEW, queryset=_rows())
    participant = _participant(meeting, participant_id)
    if participant.role == ParticipantRole.CASEWORKER:
        raise Http404
    initial = {f: getattr(participant, f) for f in ("role", "delivery", "email", "phone", "address")}
    form = ParticipantForm(request.POST or None, initial=initial)
    if participant.role == ParticipantRole.CHILD:
        form.fields.pop("role")
    if request.method == "POST" and runner.run(
        request,
        lambda: services.update_participant(actor=_user(request), participant=participant, data=form.cleaned_data),
        form=form,
        success=_("The participant is saved."),
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
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", queryset=_rows())
    participant = _participant(meeting, participant_id)
    runner.run(
        request,
        lambda: services.remove_participant(actor=_user(request), participant=participant),
        success=_("%(name)s is removed from the meeting.") % {"name": participant.name},
    )
    return _back(request, meeting)


@login_required
@require_POST
def participant_move(request: HttpRequest, meeting_id: str, participant_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", queryset=_rows())
    participant = _participant(meeting, participant_id)
    direction = -1 if request.POST.get("direction") == "up" else 1
    runner.run(
        request, lambda: services.move_participant(actor=_user(request), participant=participant, direction=direction)
    )
    return _back(request, meeting)


@login_required
@require_POST
def invite(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", queryset=_rows())
    result = runner.run(request, lambda: services.send_invitations(actor=_user(request), meeting=meeting)).value
    if result is None:
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    if result.emails or result.letters:
        text = _("Invitations are on their way: %(emails)d by e-mail, %(letters)d letters to print below.") % {
            "emails": result.emails,
            "letters": result.letters,
        }
        messages.success(request, text)
    else:
        messages.info(request, _("Everyone who can be invited has been invited."))
    if result.not_invited:
        messages.warning(request, _("Not invited:") + " " + " ".join(result.not_invited))
    return redirect("meetings:detail", meeting_id=meeting.public_id)


def _letter_row(meeting: Meeting, letter_id: str) -> Outbox:
    row = get_or_404(
        meeting.outbox.select_related("participant__link", "participant__person__map"),
        pk=parse_int(letter_id),
        channel=Channel.LETTER,
    )
    assert isinstance(row, Outbox)
    return row


@login_required
@require_POST
def letter(request: HttpRequest, meeting_id: str, letter_id: str) -> HttpResponse:
    """A letter due for printing (invitation, change, cancellation, reminder, minutes, summary) as a PDF, with the
    participant's personal link; downloading it marks it printed."""
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", queryset=_rows())
    row = _letter_row(meeting, letter_id)
    pdf = runner.run(request, lambda: actions.print_letter(actor=_user(request), meeting=meeting, row=row)).value
    if pdf == b"":  # withheld: it would tell the recipient a protected detail (issue 18)
        row.refresh_from_db(fields=["last_error"])
        messages.error(request, row.last_error)
    if not pdf:
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    row.meeting = meeting
    response["Content-Disposition"] = f'attachment; filename="{notices.letter_filename(row)}"'
    return response


@login_required
@require_POST
def letter_handled(request: HttpRequest, meeting_id: str, letter_id: str) -> HttpResponse:
    """The message was given another way (a phone call, in person): the letter leaves the list unprinted."""
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", queryset=_rows())
    row = _letter_row(meeting, letter_id)
    assert row.participant is not None
    runner.run(
        request,
        lambda: services.record_letter_printed(actor=_user(request), row=row, printed=False),
        success=_("The letter to %(name)s is marked as handled.") % {"name": row.participant.name},
    )
    return redirect("meetings:detail", meeting_id=meeting.public_id)


@login_required
@require_POST
def link_revoke(request: HttpRequest, meeting_id: str, participant_id: str) -> HttpResponse:
    """Stop a personal link (lost phone, wrong address). A new one is made with the next letter or e-mail."""
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", queryset=_rows())
    participant = _participant(meeting, participant_id)
    revoked = runner.run(
        request, lambda: actions.revoke_link(actor=_user(request), meeting=meeting, participant=participant)
    )
    if revoked.value:
        messages.success(request, _("The personal link of %(name)s no longer works.") % {"name": participant.name})
    elif revoked:
        messages.info(request, _("%(name)s has no active personal link.") % {"name": participant.name})
    return redirect("meetings:detail", meeting_id=meeting.public_id)


@login_required
@require_GET
def meeting_ics(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.view", read=Action.MEETING_VIEW, queryset=_rows())
    response = HttpResponse(sending.ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{sending.ics_filename(meeting)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", read=Action.MEETING_VIEW, queryset=_rows())
    owner = _owner_url(meeting)
    if owner:  # A conference is withdrawn or re-planned on its own page.
        return redirect(owner)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and runner.run(
        request,
        lambda: services.cancel_meeting(
            actor=_user(request),
            meeting=meeting,
            reason=form.cleaned_data["reason"],
            message=form.cleaned_data["message"],
        ),
        form=form,
        success=_("The meeting is cancelled. Everyone who was invited is told; print the letters below."),
    ):
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    told = [p for p in services.was_told(meeting) if p.role != ParticipantRole.CASEWORKER]
    return render(
        request,
        "meetings/cancel.html",
        {
            "meeting": meeting,
            "case": meeting.case,
            "form": form,
            "by_email": [p for p in told if services.channel_for(p) == Channel.EMAIL],
            "by_letter": [p for p in told if services.channel_for(p) == Channel.LETTER],
        },
    )


# The meeting -----------------------------------------------------------------------------------------------


def _render_run(
    request: HttpRequest, meeting: Meeting, form: NotesForm, agreement_form: AgreementForm | None = None
) -> HttpResponse:
    user = _user(request)
    locked = meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED)
    order = services.speaking_order(meeting)
    current = services.current_speaker(meeting, order)
    active = meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")
    context = {
        "meeting": meeting,
        "case": meeting.case,
        "form": form,
        "order": order,
        "current": current,
        "next_speaker": services.next_speaker(meeting, order),
        "begun": services.has_begun(meeting),
        "starts": services.when(meeting.starts_at),
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
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.run", read=Action.MEETING_VIEW, queryset=_rows())
    owner = _owner_url(meeting)
    if owner:  # A conference has its own screen with its own three parts.
        return redirect(owner)
    form = NotesForm(request.POST or None, initial=_notes_initial(meeting))
    if request.method == "POST" and _save_notes(request, meeting, form, _("The notes are saved.")):
        return redirect("meetings:run", meeting_id=meeting.public_id)
    return _render_run(request, meeting, form)


def _notes_initial(meeting: Meeting) -> dict[str, Any]:
    initial: dict[str, Any] = {f"notes_{p}": getattr(meeting, f"notes_{p}") for p in Phase.values}
    initial.update({"authority_declared": meeting.authority_declared, "version": meeting.version})
    return initial


def _save_notes(request: HttpRequest, meeting: Meeting, form: NotesForm, success: str = "") -> bool:
    """Save the notes; a refusal (a colleague saved first: kreds.core.stale) goes onto the form, as typed."""
    return runner.run(
        request,
        lambda: services.save_notes(
            actor=_user(request),
            meeting=meeting,
            notes={p: form.cleaned_data[f"notes_{p}"] for p in Phase.values},
            authority_declared=form.cleaned_data["authority_declared"],
            expected_version=stale.expected_version(form),
        ),
        form=form,
        current=lambda: _saved_now(meeting, _notes_initial),
        success=success,
        reload_url=reverse("meetings:run", args=[meeting.public_id]),
    ).ok


def _save_carried_notes(request: HttpRequest, meeting: Meeting) -> NotesForm | None:
    """Save the notes the browser sent along with another meeting-screen action (see kreds.js). If they cannot be
    saved (invalid, or a colleague saved first), the notes form with what was typed is returned: the caller shows
    the screen with it instead of dropping the notes."""
    if "notes_descriptive" not in request.POST:
        return None
    form = NotesForm(request.POST, initial=_notes_initial(meeting))
    if form.is_valid() and not any(name != "version" for name in form.changed_data):
        return None
    if not _save_notes(request, meeting, form):
        return form
    meeting.refresh_from_db()
    return None


@login_required
@require_POST
def speaker(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.run", queryset=_rows())
    kept = _save_carried_notes(request, meeting)
    step = -1 if request.POST.get("step") == "back" else 1
    runner.run(request, lambda: services.set_speaker(actor=_user(request), meeting=meeting, step=step))
    if kept is not None:
        meeting.refresh_from_db()
        return _render_run(request, meeting, kept)
    return redirect("meetings:run", meeting_id=meeting.public_id)


@login_required
@require_POST
def attendance(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.run", queryset=_rows())
    kept = _save_carried_notes(request, meeting)
    values = {}
    for p in services.speaking_order(meeting):
        answer = request.POST.get(f"attended-{p.public_id}")
        if answer in ("yes", "no"):
            values[p.pk] = answer == "yes"
    runner.run(
        request,
        lambda: services.set_attendance(actor=_user(request), meeting=meeting, attended=values),
        success=_("Attendance is saved."),
    )
    if kept is not None:
        return _render_run(request, meeting, kept)
    return redirect("meetings:run", meeting_id=meeting.public_id)


@login_required
@require_POST
def agreement_add(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.run", queryset=_rows())
    kept = _save_carried_notes(request, meeting)
    form = AgreementForm(request.POST, participants=meeting.participants.filter(removed_at__isnull=True))
    if form.is_valid():
        if runner.run(
            request,
            lambda: services.add_agreement(
                actor=_user(request),
                meeting=meeting,
                responsible=form.cleaned_data["responsible"],
                what=form.cleaned_data["what"],
                due_on=form.cleaned_data["due_on"],
            ),
            success=_("The agreement is recorded."),
        ):
            if kept is None:
                return redirect("meetings:run", meeting_id=meeting.public_id)
            return _render_run(request, meeting, kept)  # the agreement is saved; the notes are shown as typed
    else:
        messages.error(request, _("Fill in who, what and by when for the agreement."))
    # Keep what was typed: show the screen again with the agreement form, the notes, and their errors.
    return _render_run(request, meeting, kept or NotesForm(initial=_notes_initial(meeting)), agreement_form=form)


@login_required
@require_POST
def agreement_remove(request: HttpRequest, meeting_id: str, agreement_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.run", queryset=_rows())
    agreement = _agreement(meeting, agreement_id)
    runner.run(
        request,
        lambda: services.remove_agreement(actor=_user(request), agreement=agreement),
        success=_("The agreement is removed."),
    )
    return redirect("meetings:run", meeting_id=meeting.public_id)


@login_required
@require_POST
def agreement_status(request: HttpRequest, meeting_id: str, agreement_id: str) -> HttpResponse:
    """At a follow-up meeting (facilitator) or afterwards (staff on the case): change an agreement's status."""
    user = _user(request)
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.minutes", queryset=_rows())
    agreement = _agreement(meeting, agreement_id, reviewable=True)
    form = AgreementStatusForm(request.POST)
    # Reviewed *at* the follow-up meeting only once it has begun; before that it is an ordinary status update.
    at_meeting = (
        meeting if agreement.meeting_id != meeting.pk and not meeting.is_held and services.has_begun(meeting) else None
    )
    if at_meeting is not None and not can(user, "meeting.plan", meeting):
        access.check(request, "meeting.run", meeting)
    if form.is_valid():
        runner.run(
            request,
            lambda: services.set_agreement_status(
                actor=user,
                agreement=agreement,
                status=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"],
                at_meeting=at_meeting,
            ),
            success=_("The status is saved."),
        )
    else:
        messages.error(request, _("Choose a status."))
    return _back(request, meeting, "run" if at_meeting else "detail")


@login_required
@require_POST
def complete(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.run", queryset=_rows())
    owner = _owner_url(meeting)
    if owner:
        return redirect(owner)
    kept = _save_carried_notes(request, meeting)
    if kept is not None:  # Not completed with notes that are not saved: they are shown again, as typed.
        return _render_run(request, meeting, kept)
    form = CompleteForm(request.POST)
    follow_up_on = form.cleaned_data.get("follow_up_on") if form.is_valid() else None
    if runner.run(
        request,
        lambda: services.complete_meeting(actor=_user(request), meeting=meeting, follow_up_on=follow_up_on),
        success=_("The meeting is completed and the follow-up meeting is planned. Check and approve the minutes."),
    ):
        return redirect("meetings:minutes", meeting_id=meeting.public_id)
    return redirect("meetings:run", meeting_id=meeting.public_id)


# After the meeting -----------------------------------------------------------------------------------------


@login_required
@require_GET
def minutes(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.view", read=Action.MEETING_VIEW, queryset=_rows())
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
            **child_minutes_context(meeting),
        },
    )


@login_required
@require_GET
def minutes_pdf(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.view", read=Action.MEETING_VIEW, queryset=_rows())
    if not meeting.is_held:
        raise Http404
    response = HttpResponse(sending.minutes_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{sending.document_filename(meeting)}"'
    return response


@login_required
@require_POST
def minutes_send(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.minutes", queryset=_rows())
    owner = _owner_url(meeting)
    if owner:  # The family's plan goes out when the caseworker has decided on every item.
        return redirect(owner)
    sent = runner.run(request, lambda: services.approve_and_send_minutes(actor=_user(request), meeting=meeting))
    if sent.value is not None:
        messages.success(
            request,
            _(
                "The minutes are approved and on their way: %(count)d by e-mail, "
                "and on every participant's personal page."
            )
            % {"count": sent.value},
        )
    return redirect("meetings:detail", meeting_id=meeting.public_id)


@login_required
@require_GET
def export(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The minutes PDF/A plus a JSON metadata file, zipped for the ESDH."""
    meeting = access.fetch(
        request, Meeting, meeting_id, "meeting.journalise", read=Action.MEETING_VIEW, queryset=_rows()
    )
    if meeting.status not in (MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED):
        raise Http404
    exported = runner.run(request, lambda: actions.export_minutes(actor=_user(request), meeting=meeting))
    if exported.value is None:
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    response = HttpResponse(exported.value, content_type="application/zip")
    ref = safe_filename(meeting.case.external_ref, default="sag")
    response["Content-Disposition"] = f'attachment; filename="referat-{ref}.zip"'
    return response


@login_required
@require_POST
def journalise(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.journalise", queryset=_rows())
    runner.run(
        request,
        lambda: services.mark_journalised(actor=_user(request), meeting=meeting),
        success=_("The minutes are marked as journalised."),
    )
    return redirect("meetings:detail", meeting_id=meeting.public_id)


def leaflet_page(request: HttpRequest) -> HttpResponse:
    """The public leaflet: what an inclusive network meeting is (linked from invitations)."""
    title, sections = leaflet()
    return render(request, "meetings/leaflet.html", {"title": title, "sections": sections, "public": True})


# The child's version of the minutes (issue 14) --------------------------------------------------------------


def _child(meeting: Meeting) -> Participant | None:
    return meeting.participants.filter(role=ParticipantRole.CHILD, removed_at__isnull=True).first()


def child_minutes_context(meeting: Meeting) -> dict[str, Any]:
    """For the minutes page: the child taking part, and the choice of what the child receives."""
    child = None if meeting.is_fgc else _child(meeting)
    version = "full" if meeting.child_gets_full_minutes else "child"
    return {"child": child, "child_form": ChildMinutesForm(initial={"version": version}) if child else None}


@login_required
@require_POST
def child_minutes(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The caseworker decides whether the child gets the child's version of the minutes or the full minutes."""
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.plan", queryset=_rows())
    form = ChildMinutesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what the child receives."))
        return redirect("meetings:minutes", meeting_id=meeting.public_id)
    full = form.cleaned_data["version"] == "full"
    runner.run(
        request,
        lambda: services.set_child_minutes(actor=_user(request), meeting=meeting, full=full),
        success=_("The child receives the full minutes.") if full else _("The child receives the child's version."),
    )
    return redirect("meetings:minutes", meeting_id=meeting.public_id)


@login_required
@require_GET
def child_minutes_pdf(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """The child's version as the child gets it, for staff to read before deciding."""
    meeting = access.fetch(request, Meeting, meeting_id, "meeting.view", read=Action.MEETING_VIEW, queryset=_rows())
    child = None if meeting.is_fgc or not meeting.is_held else _child(meeting)
    if child is None:
        raise Http404
    response = HttpResponse(child_version.child_minutes_pdf(meeting, child), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{child_version.FILENAME}"'
    return response
