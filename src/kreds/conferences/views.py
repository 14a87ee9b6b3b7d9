"""Staff screens for the family group conference: referral, queue, preparation, conference, approval, follow-up.

Conferences have their own URLs (``/familieraadslagning/<id>/``) because the coordinator works on the
conference without access to the rest of the case. Every view asks :func:`kreds.authz.policies.can` with a
``conference.*`` action; reads are audit-logged as ``conference.view`` with the child as the person concerned.
Participants, invitations and letters are the conference meeting's own pages (``meetings:detail``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.authz.policies import can, has_role
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.conferences import forms, selectors, services
from kreds.conferences.constants import ConferenceStatus, Decision, ScoredBy, SupportStatus
from kreds.conferences.models import Conference, Cost, PlanItem, Preparation, Session
from kreds.conferences.pdf import plan_pdf as render_plan_pdf
from kreds.conferences.selectors import HELD
from kreds.core.viewhelpers import attempt, authorized, authorized_case, current_user, deny, get_or_404
from kreds.meetings import extras
from kreds.meetings import services as meeting_services
from kreds.meetings.constants import MeetingStatus, ParticipantRole
from kreds.meetings.models import Participant
from kreds.network import selectors as network_selectors


def _user(request: HttpRequest) -> User:
    return current_user(request)  # type: ignore[no-any-return]


def _deny(request: HttpRequest, action: str, object_id: str) -> Http404:
    return deny(request, action, object_type="conference", object_id=object_id)


def _conference(request: HttpRequest, conference_id: str, action: str) -> Conference:
    """The conference if the user may ``action`` it; 404 for foreign, unknown and forbidden alike. Reads logged."""
    queryset = Conference.objects.select_related(
        "case__child", "case__municipality", "coordinator", "meeting", "referred_by"
    )
    conference: Conference = authorized(
        request, queryset, conference_id, action, object_type="conference", read_action=Action.CONFERENCE_VIEW
    )
    return conference


def _perms(user: User, conference: Conference) -> dict[str, bool]:
    return {
        action.split(".")[1]: can(user, action, conference)
        for action in (
            "conference.edit_referral",
            "conference.prepare",
            "conference.run",
            "conference.approve",
            "conference.costs",
            "conference.close",
        )
    } | {"case": can(user, "case.view", conference.case), "allocate": can(user, "conference.allocate", conference)}


def _detail(conference: Conference) -> HttpResponse:
    return redirect("conferences:detail", conference_id=conference.public_id)


def _item(conference: Conference, item_id: str) -> PlanItem:
    return get_or_404(
        PlanItem.objects.select_related("session", "agreement", "responsible"),
        public_id=item_id,
        session__conference=conference,
    )


def _invitee(conference: Conference, participant_id: str) -> Participant:
    return get_or_404(
        Participant.objects.select_related("meeting", "person"),
        public_id=participant_id,
        meeting__fgc_session__conference=conference,
        removed_at__isnull=True,
    )


# Referral -------------------------------------------------------------------------------------------------


def _referral_data(form: forms.ReferralForm) -> tuple[dict[str, Any], dict[str, int | None]]:
    data = {k: form.cleaned_data.get(k) for k in services.REFERRAL_FIELDS}
    wellbeing = {
        ScoredBy.CHILD: form.cleaned_data.get("wellbeing_child"),
        ScoredBy.FAMILY: form.cleaned_data.get("wellbeing_family"),
    }
    return data, {str(k): v for k, v in wellbeing.items()}


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    case: Case = authorized_case(
        request, public_id, "conference.refer", read_action=Action.CASE_VIEW, object_type="case"
    )
    form = forms.ReferralForm(request.POST or None, user=user, initial={"parents_consent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data, wellbeing = _referral_data(form)
        created: list[Conference] = []
        if attempt(
            request,
            lambda: created.append(services.refer(actor=user, case=case, data=data, wellbeing=wellbeing)),
            _("The referral is sent to the FGC service, which allocates an independent coordinator."),
        ):
            return _detail(created[0])
    return render(request, "conferences/referral_form.html", {"case": case, "form": form, "gate": safety_gate(case)})


@login_required
@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.edit_referral")
    user = _user(request)
    form = forms.ReferralForm(request.POST or None, user=user, initial=forms.ReferralForm.initial_from(conference))
    if request.method == "POST" and form.is_valid():
        data, wellbeing = _referral_data(form)
        if attempt(
            request,
            lambda: services.update_referral(
                actor=user,
                conference=conference,
                data=data,
                expected_version=form.cleaned_data.get("version") or 0,
                wellbeing=wellbeing,
            ),
            _("The referral is saved."),
        ):
            return _detail(conference)
    return render(
        request,
        "conferences/referral_form.html",
        {"case": conference.case, "conference": conference, "form": form, "gate": safety_gate(conference.case)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.edit_referral")
    form = forms.ReasonForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            request,
            lambda: services.withdraw(actor=_user(request), conference=conference, reason=form.cleaned_data["reason"]),
            _("The conference is withdrawn. Personal links are stopped; remember to tell the family."),
        )
    ):
        return _detail(conference)
    return render(
        request,
        "conferences/reason_form.html",
        {
            "conference": conference,
            "form": form,
            "title": _("Withdraw the family group conference"),
            "button": _("Withdraw"),
            "intro": _("The conference has not been held. Withdrawing it cancels the planned conference."),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.close")
    form = forms.ReasonForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            request,
            lambda: services.close(actor=_user(request), conference=conference, reason=form.cleaned_data["reason"]),
            _("The family group conference course is closed."),
        )
    ):
        return _detail(conference)
    return render(
        request,
        "conferences/reason_form.html",
        {
            "conference": conference,
            "form": form,
            "title": _("Close the family group conference course"),
            "button": _("Close the course"),
            "intro": _("No more follow-up conferences. A follow-up conference that is planned is cancelled."),
        },
    )


# The FGC service ------------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The FGC service's queue (what allocation needs, not the case) and the coordinator's own conferences."""
    user = _user(request)
    if not can(user, "conference.service"):
        raise _deny(request, "conference.service", "")
    waiting = selectors.queue(user.municipality)  # type: ignore[arg-type]
    record(
        Action.CONFERENCE_QUEUE_VIEW,
        actor=user,
        object_type="conference_queue",
        purpose=Purpose.CASEWORK,
        details={"count": len(waiting)},
    )
    today = timezone.localdate()
    rows = [
        {
            "conference": c,
            "age": services.age_on(c.case.child.birth_date, today),
            "languages": c.case.child.languages,
            "interpreter": c.case.child.interpreter_needed,
            "unit": c.case.responsible_unit.name,
            "waiting": selectors.days_between(c.referred_at, timezone.now()),
        }
        for c in waiting
    ]
    return render(
        request,
        "conferences/queue.html",
        {
            "rows": rows,
            "mine": selectors.coordinated_by(user),
            "is_leader": has_role(user, Role.LEADER),
            "is_coordinator": has_role(user, Role.FACILITATOR),
            "allocate_form": forms.AllocateForm(municipality_id=user.municipality_id or 0),
        },
    )


@login_required
@require_POST
def allocate(request: HttpRequest, conference_id: str) -> HttpResponse:
    user = _user(request)
    conference = (
        Conference.objects.filter(public_id=conference_id, municipality_id=user.municipality_id or 0)
        .select_related("case__child", "case__municipality")
        .first()
    )
    if conference is None:
        raise Http404
    if not can(user, "conference.allocate", conference):
        raise _deny(request, "conference.allocate", str(conference.public_id))
    if request.POST.get("take") == "me":
        coordinator: User | None = user
    else:
        form = forms.AllocateForm(request.POST, municipality_id=user.municipality_id or 0)
        coordinator = form.cleaned_data["coordinator"] if form.is_valid() else None
        if coordinator is None:
            messages.error(request, _("Choose a coordinator."))
            return redirect("conferences:queue")
    assert coordinator is not None
    allocated: list[Conference] = []
    if attempt(
        request,
        lambda: allocated.append(services.allocate(actor=user, conference=conference, coordinator=coordinator)),
        _("%(name)s is the coordinator. The preparation can begin.") % {"name": coordinator.get_full_name()},
    ) and can(user, "conference.view", allocated[0]):
        return _detail(conference)
    return redirect("conferences:queue")


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The FGC service's own figures (seeds/004: what Esbjerg reports)."""
    user = _user(request)
    if not can(user, "conference.service"):
        raise _deny(request, "conference.service", "")
    figures = selectors.figures(user.municipality)  # type: ignore[arg-type]
    rows = [(_("The child"), figures["wellbeing_child"]), (_("The family"), figures["wellbeing_family"])]
    return render(request, "conferences/figures.html", {"figures": figures, "wellbeing_rows": rows})


# The conference page --------------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.view")
    user = _user(request)
    sessions = selectors.sessions(conference)
    current = sessions[-1] if sessions else None
    approval = services.session_for_approval(conference)
    return render(
        request,
        "conferences/detail.html",
        {
            "conference": conference,
            "case": conference.case,
            "perms": _perms(user, conference),
            "timeline": selectors.timeline(conference),
            "sessions": sessions,
            "current": current,
            "approval": approval,
            "items": selectors.plan_items(conference),
            "wellbeing": selectors.wellbeing_table(conference),
            "costs": selectors.costs(conference),
            "support_person": selectors.support_person_name(conference),
            "prep_summary": _preparation_summary(sessions[0]) if sessions else {},
            "gate": safety_gate(conference.case),
            "today": timezone.localdate(),
        },
    )


def _preparation_summary(session: Session) -> dict[str, int]:
    rows = _preparation_rows(session)
    return {"invited": len(rows), "prepared": sum(1 for r in rows if r["prep"] and r["prep"].prepared_at)}


def _preparation_rows(session: Session) -> list[dict[str, Any]]:
    participants = list(session.meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id"))
    preps = {p.participant_id: p for p in Preparation.objects.filter(session=session).prefetch_related("contacts")}
    rows = []
    for p in participants:
        prep = preps.get(p.pk)
        contacts = list(prep.contacts.all()) if prep else []
        rows.append(
            {"participant": p, "prep": prep, "contacts": len(contacts), "last": contacts[-1] if contacts else None}
        )
    return rows


@login_required
@require_GET
def plan_pdf(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.view")
    number = request.GET.get("session", "")
    held = Session.objects.filter(conference=conference, meeting__status__in=HELD).select_related("meeting")
    # The chosen conference's plan, or the latest one held.
    session = held.filter(number=int(number)).first() if number.isdigit() else held.order_by("-number").first()
    if session is None:
        raise Http404
    response = HttpResponse(render_plan_pdf(session.meeting), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="familiens-plan.pdf"'
    return response


# Preparation ----------------------------------------------------------------------------------------------


def _map_persons(case: Case) -> list[tuple[Any, str]]:
    return [
        (v.person, f"{v.name} ({v.relation})") for v in network_selectors.persons_as_of(case) if not v.is_professional
    ]


@login_required
@require_http_methods(["GET", "POST"])
def prepare(request: HttpRequest, conference_id: str) -> HttpResponse:
    """Pre-meeting, practical needs, date and venue, and the invitees' preparation checklist."""
    conference = _conference(request, conference_id, "conference.prepare")
    user = _user(request)
    initial = {f: getattr(conference, f) for f in services.PREMEETING_FIELDS} | {"version": conference.version}
    form = forms.PremeetingForm(request.POST or None, initial=initial, persons=_map_persons(conference.case))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in services.PREMEETING_FIELDS}
        if attempt(
            request,
            lambda: services.record_premeeting(
                actor=user, conference=conference, data=data, expected_version=form.cleaned_data["version"]
            ),
            _("The preparation is saved."),
        ):
            return redirect("conferences:prepare", conference_id=conference.public_id)
    return _render_prepare(request, conference, form)


def _render_prepare(
    request: HttpRequest,
    conference: Conference,
    form: forms.PremeetingForm | None = None,
    schedule_form: forms.ScheduleForm | None = None,
) -> HttpResponse:
    meeting = conference.meeting
    if schedule_form is None:
        initial: dict[str, Any] = {}
        if meeting is not None:
            start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
            initial = {
                "date": start.date(),
                "start": start.time(),
                "end": end.time(),
                "place": meeting.place,
                "child_participation": meeting.child_participation,
            }
        schedule_form = forms.ScheduleForm(initial=initial)
    if form is None:
        initial = {f: getattr(conference, f) for f in services.PREMEETING_FIELDS} | {"version": conference.version}
        form = forms.PremeetingForm(initial=initial, persons=_map_persons(conference.case))
    session = Session.objects.filter(conference=conference, number=0).select_related("meeting").first()
    rows = _preparation_rows(session) if session else []
    return render(
        request,
        "conferences/prepare.html",
        {
            "conference": conference,
            "case": conference.case,
            "form": form,
            "schedule_form": schedule_form,
            "rows": rows,
            "not_prepared": [r for r in rows if not (r["prep"] and r["prep"].prepared_at)],
            "problems": meeting_services.invitation_problems(meeting)
            if meeting and meeting.is_open_for_planning
            else [],
            "perms": _perms(_user(request), conference),
            "wellbeing_form": forms.WellbeingForm(
                initial={w.scored_by: str(w.score) for w in conference.wellbeing.filter(session__isnull=True)},
                prefix="wellbeing",
            ),
        },
    )


@login_required
@require_POST
def schedule(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.prepare")
    form = forms.ScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if attempt(
            request,
            lambda: services.schedule(
                actor=_user(request),
                conference=conference,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                child_participation=data["child_participation"],
            ),
            _("The date and venue are saved. Now choose who is invited."),
        ):
            return redirect("conferences:prepare", conference_id=conference.public_id)
    conference.refresh_from_db()
    return _render_prepare(request, conference, schedule_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, conference_id: str) -> HttpResponse:
    """Invite someone not yet on the network map: they are added to it (the network is fluid)."""
    conference = _conference(request, conference_id, "conference.prepare")
    form = forms.NewPersonForm(request.POST or None, municipality_id=conference.municipality_id)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "is_parent"}
        if attempt(
            request,
            lambda: services.add_person_and_invite(
                actor=_user(request), conference=conference, data=data, is_parent=form.cleaned_data["is_parent"]
            ),
            _("%(name)s is added to the network map and invited.") % {"name": form.cleaned_data["name"]},
        ):
            return redirect("conferences:prepare", conference_id=conference.public_id)
    return render(request, "conferences/person_form.html", {"conference": conference, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def invitee(request: HttpRequest, conference_id: str, participant_id: str) -> HttpResponse:
    """The preparation log of one invitee: contacts, whether they come, interpreter, worries, prepared."""
    conference = _conference(request, conference_id, "conference.prepare")
    participant = _invitee(conference, participant_id)
    prep = Preparation.objects.filter(participant=participant).prefetch_related("contacts__recorded_by").first()
    initial = {
        "will_come": participant.rsvp,
        "interpreter_needed": prep.interpreter_needed if prep else False,
        "language": prep.language if prep else "",
        "worries": prep.worries if prep else "",
        "prepared": bool(prep and prep.prepared_at),
    }
    form = forms.PreparationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if (data.get("will_come") or "") == participant.rsvp:
            data["will_come"] = None
        if attempt(
            request,
            lambda: services.update_preparation(
                actor=_user(request), conference=conference, participant=participant, data=data
            ),
            _("The preparation of %(name)s is saved.") % {"name": participant.name},
        ):
            return redirect("conferences:prepare", conference_id=conference.public_id)
    return render(
        request,
        "conferences/invitee.html",
        {
            "conference": conference,
            "participant": participant,
            "prep": prep,
            "form": form,
            "contact_form": forms.ContactForm(initial={"on": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def contact_add(request: HttpRequest, conference_id: str, participant_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.prepare")
    participant = _invitee(conference, participant_id)
    form = forms.ContactForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.add_contact(
                actor=_user(request),
                conference=conference,
                participant=participant,
                on=form.cleaned_data["on"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            ),
            _("The contact is recorded."),
        )
    else:
        messages.error(request, _("Write the date and the kind of contact."))
    return redirect("conferences:invitee", conference_id=conference.public_id, participant_id=participant.public_id)


# The conference screen ------------------------------------------------------------------------------------


def _running(conference: Conference) -> Session:
    session = services.current_session(conference)
    if session is None:
        raise Http404
    return session


@login_required
@require_GET
def run(request: HttpRequest, conference_id: str) -> HttpResponse:
    """The coordinator's screen: information phase, private family time, plan presentation (and the review)."""
    conference = _conference(request, conference_id, "conference.run")
    session = services.current_session(conference)
    if session is None:
        messages.info(request, _("Set the date and place of the conference first."))
        return redirect("conferences:prepare", conference_id=conference.public_id)
    return _render_run(request, conference, session)


def _render_run(
    request: HttpRequest,
    conference: Conference,
    session: Session,
    item_form: forms.PlanItemForm | None = None,
    info_form: forms.InformationForm | None = None,
) -> HttpResponse:
    meeting = session.meeting
    active = meeting.participants.filter(removed_at__isnull=True).order_by("speaking_order", "id")
    professionals = active.filter(role__in=[ParticipantRole.PROFESSIONAL, ParticipantRole.CASEWORKER])
    to_review = services.items_to_review(session) if session.number else []
    reviews = {r.item_id: r for r in session.reviews.all()}
    scores = {w.scored_by: w.score for w in session.wellbeing.all()}
    day = timezone.localtime(meeting.starts_at).date()
    follow_up = services.proposed_follow_up(conference, session)
    return render(
        request,
        "conferences/run.html",
        {
            "conference": conference,
            "case": conference.case,
            "session": session,
            "meeting": meeting,
            "participants": list(active),
            "information": list(session.information.select_related("participant")),
            "info_form": info_form or forms.InformationForm(participants=professionals),
            "items": list(session.items.order_by("number")),
            "item_form": item_form or forms.PlanItemForm(participants=active),
            "to_review": [(item, reviews.get(item.pk)) for item in to_review],
            "review_form": forms.ReviewForm(),
            "wellbeing_form": forms.WellbeingForm(initial={k: str(v) for k, v in scores.items()}, prefix="wellbeing"),
            "complete_form": forms.CompleteForm(initial={"follow_up_on": follow_up}),
            "problems": services.completion_problems(conference, session),
            "private_running": session.private_started_at is not None and session.private_ended_at is None,
            "not_yet": day > timezone.localdate(),
            "held": meeting.is_held,
            "cancelled": meeting.status == MeetingStatus.CANCELLED,
            "perms": _perms(_user(request), conference),
            "extras": extras.sections(meeting),
        },
    )


def _back_to_run(conference: Conference) -> HttpResponse:
    return redirect("conferences:run", conference_id=conference.public_id)


@login_required
@require_POST
def information_add(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.run")
    session = _running(conference)
    professionals = session.meeting.participants.filter(
        removed_at__isnull=True, role__in=[ParticipantRole.PROFESSIONAL, ParticipantRole.CASEWORKER]
    )
    form = forms.InformationForm(request.POST, participants=professionals)
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("worries", "questions", "bottom_lines", "support")}
        if attempt(
            request,
            lambda: services.add_information(
                actor=_user(request), conference=conference, participant=form.cleaned_data["participant"], data=data
            ),
            _("The information is recorded."),
        ):
            return _back_to_run(conference)
    else:
        messages.error(request, _("Choose who gave the information."))
    return _render_run(request, conference, session, info_form=form)


@login_required
@require_POST
def private_time(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.run")
    start = request.POST.get("action") == "start"
    attempt(
        request,
        lambda: services.private_time(actor=_user(request), conference=conference, start=start),
        _("The private family time has started. The professionals leave the room.")
        if start
        else _("The private family time has ended. The family presents its plan."),
    )
    return _back_to_run(conference)


@login_required
@require_POST
def item_add(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.run")
    session = _running(conference)
    form = forms.PlanItemForm(request.POST, participants=session.meeting.participants.filter(removed_at__isnull=True))
    if form.is_valid():
        data = form.cleaned_data
        if attempt(
            request,
            lambda: services.add_plan_item(
                actor=_user(request),
                conference=conference,
                responsible=data["responsible"],
                what=data["what"],
                due_on=data["due_on"],
                support_requested=data["support_requested"],
            ),
            _("The item is added to the family's plan."),
        ):
            return _back_to_run(conference)
    else:
        messages.error(request, _("Fill in who, what and by when."))
    return _render_run(request, conference, session, item_form=form)


@login_required
@require_POST
def item_remove(request: HttpRequest, conference_id: str, item_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.run")
    item = _item(conference, item_id)
    attempt(
        request,
        lambda: services.remove_plan_item(actor=_user(request), conference=conference, item=item),
        _("The item is removed."),
    )
    return _back_to_run(conference)


@login_required
@require_POST
def attendance(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.run")
    session = _running(conference)
    values = {}
    for p in meeting_services.speaking_order(session.meeting):
        answer = request.POST.get(f"attended-{p.public_id}")
        if answer in ("yes", "no"):
            values[p.pk] = answer == "yes"
    attempt(
        request,
        lambda: meeting_services.set_attendance(actor=_user(request), meeting=session.meeting, attended=values),
        _("Attendance is saved."),
    )
    return _back_to_run(conference)


@login_required
@require_POST
def item_review(request: HttpRequest, conference_id: str, item_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.run")
    item = _item(conference, item_id)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.review_item(
                actor=_user(request),
                conference=conference,
                item=item,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
            ),
            _("The review of item %(number)s is saved.") % {"number": item.label},
        )
    else:
        messages.error(request, _("Choose whether the item was realised."))
    return _back_to_run(conference)


@login_required
@require_POST
def wellbeing(request: HttpRequest, conference_id: str) -> HttpResponse:
    """The child's well-being: at a follow-up (coordinator) or at referral (the case's staff or the coordinator)."""
    at_session = request.POST.get("at") == "session"
    conference = _conference(request, conference_id, "conference.run" if at_session else "conference.view")
    user = _user(request)
    if not at_session and not (
        can(user, "conference.edit_referral", conference) or can(user, "conference.prepare", conference)
    ):
        raise _deny(request, "conference.edit_referral", str(conference.public_id))
    form = forms.WellbeingForm(request.POST, prefix="wellbeing")
    if form.is_valid():
        scores = {ScoredBy.CHILD.value: form.cleaned_data["child"], ScoredBy.FAMILY.value: form.cleaned_data["family"]}
        attempt(
            request,
            lambda: services.record_wellbeing(actor=user, conference=conference, scores=scores, at_session=at_session),
            _("The well-being scores are saved."),
        )
    else:
        messages.error(request, _("Well-being is scored from 1 to 5."))
    if at_session:
        return _back_to_run(conference)
    if can(user, "conference.prepare", conference) and conference.status == ConferenceStatus.PREPARING:
        return redirect("conferences:prepare", conference_id=conference.public_id)
    return _detail(conference)


@login_required
@require_POST
def complete(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.run")
    form = forms.CompleteForm(request.POST)
    follow_up_on = form.cleaned_data.get("follow_up_on") if form.is_valid() else None
    reason = form.cleaned_data.get("no_plan_reason", "") if form.is_valid() else request.POST.get("no_plan_reason", "")
    if attempt(
        request,
        lambda: services.complete(
            actor=_user(request), conference=conference, follow_up_on=follow_up_on, no_plan_reason=reason
        ),
        _(
            "The conference is completed and the follow-up conference is planned. "
            "The caseworker now decides on the plan."
        ),
    ):
        return _detail(conference)
    return _back_to_run(conference)


# Approval -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def approval(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.view")
    session = services.session_for_approval(conference)
    if session is None:
        messages.info(request, _("No plan is waiting for approval."))
        return _detail(conference)
    items = list(session.items.select_related("responsible", "decided_by").order_by("number"))
    return render(
        request,
        "conferences/approval.html",
        {
            "conference": conference,
            "case": conference.case,
            "session": session,
            "items": items,
            "undecided": sum(1 for i in items if i.decision == Decision.PENDING),
            "can_approve": can(_user(request), "conference.approve", conference),
            "perms": _perms(_user(request), conference),
            "support_form": forms.SupportForm(),
            "decision_form": forms.DecisionForm(),
            "bottom_lines": conference.bottom_line_list,
            "AVAILABLE": SupportStatus.AVAILABLE,
        },
    )


def _back_to_approval(conference: Conference) -> HttpResponse:
    return redirect("conferences:approval", conference_id=conference.public_id)


@login_required
@require_POST
def support(request: HttpRequest, conference_id: str, item_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.approve")
    item = _item(conference, item_id)
    form = forms.SupportForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.set_support(
                actor=_user(request),
                conference=conference,
                item=item,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            ),
            _("The support for item %(number)s is recorded.") % {"number": item.label},
        )
    else:
        messages.error(request, _("Choose whether the support is available."))
    return _back_to_approval(conference)


@login_required
@require_POST
def decide(request: HttpRequest, conference_id: str, item_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.approve")
    item = _item(conference, item_id)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.decide(
                actor=_user(request),
                conference=conference,
                item=item,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            ),
            _("Item %(number)s: %(decision)s.")
            % {"number": item.label, "decision": Decision(form.cleaned_data["decision"]).label},
        )
    else:
        messages.error(request, _("Choose approve or reject."))
    return _back_to_approval(conference)


@login_required
@require_POST
def finalise(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.approve")
    sent: list[int] = []
    if attempt(request, lambda: sent.append(services.finalise(actor=_user(request), conference=conference))):
        messages.success(
            request,
            _("The plan is approved and on its way: %(count)d by e-mail, and on every participant's personal page.")
            % {"count": sent[0]},
        )
        return _detail(conference)
    return _back_to_approval(conference)


# Costs ----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def costs(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.costs")
    form = forms.CostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            request,
            lambda: services.add_cost(
                actor=_user(request),
                conference=conference,
                category=data["category"],
                quantity=data["quantity"],
                rate=data.get("rate"),
                note=data.get("note", ""),
            ),
            _("The cost is recorded."),
        ):
            return redirect("conferences:costs", conference_id=conference.public_id)
    return render(
        request,
        "conferences/costs.html",
        {
            "conference": conference,
            "case": conference.case,
            "form": form,
            "costs": selectors.costs(conference),
            "municipality": conference.case.municipality,
            "perms": _perms(_user(request), conference),
        },
    )


@login_required
@require_POST
def cost_remove(request: HttpRequest, conference_id: str, cost_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.costs")
    cost = get_or_404(Cost.objects, public_id=cost_id, conference=conference)
    attempt(
        request,
        lambda: services.remove_cost(actor=_user(request), conference=conference, cost=cost),
        _("The cost is removed."),
    )
    return redirect("conferences:costs", conference_id=conference.public_id)


# Public leaflet and administrator settings ----------------------------------------------------------------


def leaflet_page(request: HttpRequest) -> HttpResponse:
    """The public leaflet: what a family group conference is (linked from invitations)."""
    from kreds.conferences.leaflet import leaflet

    title, sections = leaflet()
    return render(
        request, "meetings/leaflet.html", {"title": title, "sections": sections, "public": True, "fgc_page": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Administrators set the municipality's FGC defaults: follow-up months and cost rates."""
    from kreds.tenancy.models import Municipality

    user = _user(request)
    if not can(user, "admin.manage_settings"):
        raise _deny(request, "admin.manage_settings", "")
    municipality = Municipality.objects.get(pk=user.municipality_id or 0)
    form = forms.SettingsForm(
        request.POST or None, initial={f: getattr(municipality, f) for f in services.SETTINGS_FIELDS}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            request,
            lambda: services.save_settings(actor=user, municipality=municipality, data=form.cleaned_data),
            _("The settings are saved."),
        )
    ):
        return redirect("conference_settings:edit")
    return render(request, "conferences/settings.html", {"form": form})
