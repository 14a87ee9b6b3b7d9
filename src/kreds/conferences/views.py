"""Staff screens for the family group conference: referral, queue, preparation, conference, approval, follow-up.

Conferences have their own URLs (``/familieraadslagning/<id>/``) because the coordinator works on the
conference without access to the rest of the case. Every view asks :func:`kreds.authz.policies.can` with a
``conference.*`` action; reads are audit-logged as ``conference.view`` with the child as the person concerned.
Participants, invitations and letters are the conference meeting's own pages (``meetings:detail``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.constants import Action, Purpose
from kreds.audit.services import record
from kreds.authz import access
from kreds.authz.policies import can, has_role
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.conferences import forms, selectors, services
from kreds.conferences.constants import ConferenceStatus, Decision, ScoredBy, SupportStatus
from kreds.conferences.leaflet import leaflet
from kreds.conferences.models import Conference, ConferenceSession, Cost, PlanItem, Preparation
from kreds.conferences.pdf import plan_pdf as render_plan_pdf
from kreds.conferences.selectors import HELD
from kreds.core import runner, stale
from kreds.core.sections import Section, changed, sections_saved
from kreds.core.viewhelpers import current_user, get_or_404
from kreds.meetings import extras, sending
from kreds.meetings import services as meeting_services
from kreds.meetings.constants import MeetingStatus, ParticipantRole
from kreds.meetings.models import Meeting, Participant
from kreds.network import selectors as network_selectors
from kreds.tenancy.models import Municipality


def _user(request: HttpRequest) -> User:
    return current_user(request)  # type: ignore[no-any-return]


def _conference(request: HttpRequest, conference_id: str, action: str) -> Conference:
    """The conference if the user may ``action`` it (:func:`access.fetch`, with what every page shows of it)."""
    return access.fetch(
        request,
        Conference,
        conference_id,
        action,
        read=Action.CONFERENCE_VIEW,
        queryset=Conference.objects.select_related(
            "case__child", "case__municipality", "coordinator", "meeting", "referred_by"
        ),
    )


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
            "conference.follow_up",
        )
    } | {"case": can(user, "case.view", conference.case), "allocate": can(user, "conference.allocate", conference)}


def _warn(request: HttpRequest, meeting: Meeting | None) -> None:
    """The non-blocking planning warnings (a date in the past, a weekend, a closing day) after a save."""
    if meeting is not None:
        for warning in meeting_services.planning_warnings(meeting):
            messages.warning(request, warning)


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


def _item_post(
    request: HttpRequest,
    conference_id: str,
    item_id: str,
    *,
    action: str,
    form_class: type[Form],
    save: Callable[[User, Conference, PlanItem, dict[str, Any]], Any],
    success: Callable[[PlanItem, dict[str, Any]], str],
    invalid: str,
    back: Callable[[Conference], HttpResponse],
) -> HttpResponse:
    """A small form posted about one item of the family's plan (review, support, decision): ``save`` it if it is
    valid, say ``invalid`` if not, and go ``back`` to the page it was posted from."""
    conference = _conference(request, conference_id, action)
    item = _item(conference, item_id)
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        runner.run(request, lambda: save(_user(request), conference, item, data), success=success(item, data))
    else:
        messages.error(request, invalid)
    return back(conference)


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
    case = access.fetch(request, Case, public_id, "conference.refer", read=Action.CASE_VIEW, object_type="case")
    form = forms.ReferralForm(request.POST or None, user=user, initial={"parents_consent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data, wellbeing = _referral_data(form)
        outcome = runner.run(
            request,
            lambda: services.refer(actor=user, case=case, data=data, wellbeing=wellbeing),
            success=_("The referral is sent to the FGC service, which allocates an independent coordinator."),
        )
        if outcome.value is not None:
            return _detail(outcome.value)
    return render(request, "conferences/referral_form.html", {"case": case, "form": form, "gate": safety_gate(case)})


@login_required
@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.edit_referral")
    user = _user(request)
    form = forms.ReferralForm(request.POST or None, user=user, initial=forms.ReferralForm.initial_from(conference))
    if request.method == "POST" and form.is_valid():
        data, wellbeing = _referral_data(form)

        def saved_now() -> tuple[dict[str, Any], int]:
            fresh = Conference.objects.select_related("referred_by").get(pk=conference.pk)
            return forms.ReferralForm.initial_from(fresh), fresh.version

        if runner.run(
            request,
            lambda: services.update_referral(
                actor=user,
                conference=conference,
                data=data,
                expected_version=stale.expected_version(form) or 0,
                wellbeing=wellbeing,
            ),
            form=form,
            current=saved_now,
            success=_("The referral is saved."),
            reload_url=request.path,
        ):
            return _detail(conference)
    return render(
        request,
        "conferences/referral_form.html",
        {"case": conference.case, "conference": conference, "form": form, "gate": safety_gate(conference.case)},
    )


def _reason_page(
    request: HttpRequest, conference: Conference, service: Any, *, success: str, title: str, button: str, intro: str
) -> HttpResponse:
    """A page that asks why, then ends the conference with ``service`` (withdraw, close)."""
    form = forms.ReasonForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and runner.run(
            request,
            lambda: service(actor=_user(request), conference=conference, reason=form.cleaned_data["reason"]),
            success=success,
        )
    ):
        return _detail(conference)
    context = {"conference": conference, "form": form, "title": title, "button": button, "intro": intro}
    return render(request, "conferences/reason_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, conference_id: str) -> HttpResponse:
    return _reason_page(
        request,
        _conference(request, conference_id, "conference.edit_referral"),
        services.withdraw,
        success=_(
            "The conference is withdrawn. Everyone already invited is told by e-mail, or by a letter to print on "
            "the meeting's page; their links say that it is cancelled."
        ),
        title=_("Withdraw the family group conference"),
        button=_("Withdraw"),
        intro=_("The conference has not been held. Withdrawing it cancels the planned conference."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, conference_id: str) -> HttpResponse:
    return _reason_page(
        request,
        _conference(request, conference_id, "conference.close"),
        services.close,
        success=_("The family group conference course is closed."),
        title=_("Close the family group conference course"),
        button=_("Close the course"),
        intro=_("No more follow-up conferences. A follow-up conference that is planned is cancelled."),
    )


# The FGC service ------------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The FGC service's queue (what allocation needs, not the case) and the coordinator's own conferences."""
    access.check(request, "conference.service", object_type="conference")
    user = _user(request)
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
    conference = access.fetch(
        request,
        Conference,
        conference_id,
        "conference.allocate",
        queryset=Conference.objects.select_related("case__child", "case__municipality"),
    )
    if request.POST.get("take") == "me":
        coordinator: User | None = user
    else:
        form = forms.AllocateForm(request.POST, municipality_id=user.municipality_id or 0)
        coordinator = form.cleaned_data["coordinator"] if form.is_valid() else None
        if coordinator is None:
            messages.error(request, _("Choose a coordinator."))
            return redirect("conferences:queue")
    assert coordinator is not None
    outcome = runner.run(
        request,
        lambda: services.allocate(actor=user, conference=conference, coordinator=coordinator),
        success=_("%(name)s is the coordinator. The preparation can begin.") % {"name": coordinator.get_full_name()},
    )
    if outcome.value is not None and can(user, "conference.view", outcome.value):
        return _detail(conference)
    return redirect("conferences:queue")


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The FGC service's own figures (seeds/004: what Esbjerg reports)."""
    access.check(request, "conference.service", object_type="conference")
    user = _user(request)
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
            "follow_up": services.follow_up_session(conference),
            "warnings": meeting_services.planning_warnings(current.meeting)
            if current and current.meeting.is_open_for_planning
            else [],
        },
    )


def _preparation_summary(session: ConferenceSession) -> dict[str, int]:
    rows = _preparation_rows(session)
    return {"invited": len(rows), "prepared": sum(1 for r in rows if r["prep"] and r["prep"].prepared_at)}


def _preparation_rows(session: ConferenceSession) -> list[dict[str, Any]]:
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
    number = request.GET.get("moede", "")
    held = ConferenceSession.objects.filter(conference=conference, meeting__status__in=HELD).select_related("meeting")
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
    """Pre-meeting, practical needs, date and venue, well-being, and the invitees' preparation checklist.

    Sections 1, 2 and the well-being are one form: whichever of its buttons is pressed, every section with changes
    is saved, all or nothing, so nothing typed in one section is lost by saving another (issue 14 §7)."""
    conference = _conference(request, conference_id, "conference.prepare")
    if request.method == "POST":
        return _save_prepare(request, conference, pressed=request.POST.get("save") or "premeeting")
    return _render_prepare(request, conference)


@login_required
@require_POST
def schedule(request: HttpRequest, conference_id: str) -> HttpResponse:
    """Date and venue: the preparation page's form, as if its "save date and venue" button was pressed."""
    conference = _conference(request, conference_id, "conference.prepare")
    return _save_prepare(request, conference, pressed="schedule")


def _premeeting_initial(conference: Conference) -> dict[str, Any]:
    return {f: getattr(conference, f) for f in services.PREMEETING_FIELDS} | {"version": conference.version}


def _schedule_initial(conference: Conference) -> dict[str, Any]:
    meeting = conference.meeting
    if meeting is None:
        return {}
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return {
        "date": start.date(),
        "start": start.time(),
        "end": end.time(),
        "place": meeting.place,
        "child_participation": meeting.child_participation,
    }


def _wellbeing_initial(conference: Conference) -> dict[str, Any]:
    return {w.scored_by: str(w.score) for w in conference.wellbeing.filter(session__isnull=True)}


def _prepare_forms(conference: Conference, data: Any = None) -> dict[str, Any]:
    return {
        "premeeting": forms.PremeetingForm(
            data, initial=_premeeting_initial(conference), persons=_map_persons(conference.case)
        ),
        "schedule": forms.ScheduleForm(data, initial=_schedule_initial(conference)),
        "wellbeing": forms.WellbeingForm(data, initial=_wellbeing_initial(conference), prefix="wellbeing"),
    }


def _save_prepare(request: HttpRequest, conference: Conference, *, pressed: str) -> HttpResponse:
    """Save the preparation page's sections together (kreds.core.sections): the pre-meeting first (it is checked
    against the version the page showed), then the date and venue, then the well-being."""
    user = _user(request)
    page = _prepare_forms(conference, request.POST)
    premeeting, when, wellbeing = page["premeeting"], page["schedule"], page["wellbeing"]

    def premeeting_now() -> tuple[dict[str, Any], int]:
        fresh = Conference.objects.get(pk=conference.pk)
        return _premeeting_initial(fresh), fresh.version

    saved = sections_saved(
        request,
        {
            "premeeting": Section(
                premeeting,
                lambda version: services.record_premeeting(
                    actor=user,
                    conference=conference,
                    data={k: premeeting.cleaned_data.get(k) for k in services.PREMEETING_FIELDS},
                    expected_version=version,
                ),
                _("The preparation is saved."),
                current=premeeting_now,
                reload_url=request.path,
            ),
            "schedule": Section(
                when,
                lambda _version: services.schedule(
                    actor=user,
                    conference=conference,
                    starts_at=when.cleaned_data["starts_at"],
                    ends_at=when.cleaned_data["ends_at"],
                    place=when.cleaned_data["place"],
                    child_participation=when.cleaned_data["child_participation"],
                ),
                _("The date and venue are saved. Now choose who is invited."),
            ),
            "wellbeing": Section(
                wellbeing,
                lambda _version: services.record_wellbeing(
                    actor=user,
                    conference=conference,
                    scores={
                        ScoredBy.CHILD.value: wellbeing.cleaned_data["child"],
                        ScoredBy.FAMILY.value: wellbeing.cleaned_data["family"],
                    },
                    at_session=False,
                ),
                _("The well-being scores are saved."),
            ),
        },
        pressed=pressed,
    )
    conference.refresh_from_db()
    if saved:
        if pressed == "schedule" or changed(when):
            _warn(request, conference.meeting)
        return redirect("conferences:prepare", conference_id=conference.public_id)
    return _render_prepare(request, conference, page)


def _render_prepare(
    request: HttpRequest, conference: Conference, sections: dict[str, Any] | None = None
) -> HttpResponse:
    meeting = conference.meeting
    sections = sections or _prepare_forms(conference)
    session = ConferenceSession.objects.filter(conference=conference, number=0).select_related("meeting").first()
    rows = _preparation_rows(session) if session else []
    return render(
        request,
        "conferences/prepare.html",
        {
            "conference": conference,
            "case": conference.case,
            "form": sections["premeeting"],
            "schedule_form": sections["schedule"],
            "wellbeing_form": sections["wellbeing"],
            "rows": rows,
            "not_prepared": [r for r in rows if not (r["prep"] and r["prep"].prepared_at)],
            "problems": meeting_services.invitation_problems(meeting)
            if meeting and meeting.is_open_for_planning
            else [],
            "perms": _perms(_user(request), conference),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, conference_id: str) -> HttpResponse:
    """Invite someone not yet on the network map: they are added to it (the network is fluid)."""
    conference = _conference(request, conference_id, "conference.prepare")
    form = forms.NewPersonForm(request.POST or None, municipality_id=conference.municipality_id)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "is_parent"}
        if runner.run(
            request,
            lambda: services.add_person_and_invite(
                actor=_user(request), conference=conference, data=data, is_parent=form.cleaned_data["is_parent"]
            ),
            success=_("%(name)s is added to the network map and invited.") % {"name": form.cleaned_data["name"]},
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
        if runner.run(
            request,
            lambda: services.update_preparation(
                actor=_user(request), conference=conference, participant=participant, data=data
            ),
            success=_("The preparation of %(name)s is saved.") % {"name": participant.name},
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
        runner.run(
            request,
            lambda: services.add_contact(
                actor=_user(request),
                conference=conference,
                participant=participant,
                on=form.cleaned_data["on"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            ),
            success=_("The contact is recorded."),
        )
    else:
        messages.error(request, _("Write the date and the kind of contact."))
    return redirect("conferences:invitee", conference_id=conference.public_id, participant_id=participant.public_id)


# The conference screen ------------------------------------------------------------------------------------


def _running(conference: Conference) -> ConferenceSession:
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
    session: ConferenceSession,
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
            "not_yet": not meeting_services.has_begun(meeting),
            "starts": meeting_services.when(meeting.starts_at),
            "today_is_the_day": day <= timezone.localdate(),
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
        if runner.run(
            request,
            lambda: services.add_information(
                actor=_user(request), conference=conference, participant=form.cleaned_data["participant"], data=data
            ),
            success=_("The information is recorded."),
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
    runner.run(
        request,
        lambda: services.private_time(actor=_user(request), conference=conference, start=start),
        success=_("The private family time has started. The professionals leave the room.")
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
        if runner.run(
            request,
            lambda: services.add_plan_item(
                actor=_user(request),
                conference=conference,
                responsible=data["responsible"],
                what=data["what"],
                due_on=data["due_on"],
                support_requested=data["support_requested"],
            ),
            success=_("The item is added to the family's plan."),
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
    runner.run(
        request,
        lambda: services.remove_plan_item(actor=_user(request), conference=conference, item=item),
        success=_("The item is removed."),
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
    runner.run(
        request,
        lambda: meeting_services.set_attendance(actor=_user(request), meeting=session.meeting, attended=values),
        success=_("Attendance is saved."),
    )
    return _back_to_run(conference)


@login_required
@require_POST
def item_review(request: HttpRequest, conference_id: str, item_id: str) -> HttpResponse:
    return _item_post(
        request,
        conference_id,
        item_id,
        action="conference.run",
        form_class=forms.ReviewForm,
        save=lambda user, conference, item, data: services.review_item(
            actor=user, conference=conference, item=item, outcome=data["outcome"], comment=data["comment"]
        ),
        success=lambda item, data: _("The review of item %(number)s is saved.") % {"number": item.label},
        invalid=_("Choose whether the item was realised."),
        back=_back_to_run,
    )


@login_required
@require_POST
def wellbeing(request: HttpRequest, conference_id: str) -> HttpResponse:
    """The child's well-being: at a follow-up (coordinator) or at referral (the case's staff or the coordinator)."""
    at_session = request.POST.get("at") == "session"
    conference = _conference(request, conference_id, "conference.run" if at_session else "conference.view")
    user = _user(request)
    if not at_session and not can(user, "conference.prepare", conference):
        access.check(request, "conference.edit_referral", conference)
    form = forms.WellbeingForm(request.POST, prefix="wellbeing")
    if form.is_valid():
        scores = {ScoredBy.CHILD.value: form.cleaned_data["child"], ScoredBy.FAMILY.value: form.cleaned_data["family"]}
        runner.run(
            request,
            lambda: services.record_wellbeing(actor=user, conference=conference, scores=scores, at_session=at_session),
            success=_("The well-being scores are saved."),
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
    if runner.run(
        request,
        lambda: services.complete(
            actor=_user(request), conference=conference, follow_up_on=follow_up_on, no_plan_reason=reason
        ),
        success=_(
            "The conference is completed and the follow-up conference is planned. "
            "The caseworker now decides on the plan."
        ),
    ):
        follow = services.follow_up_session(conference)
        _warn(request, follow.meeting if follow else None)
        return _detail(conference)
    return _back_to_run(conference)


# The follow-up conference ---------------------------------------------------------------------------------


def _follow_up_page(conference: Conference) -> HttpResponse:
    return redirect("conferences:follow_up", conference_id=conference.public_id)


@login_required
@require_GET
def follow_up(request: HttpRequest, conference_id: str) -> HttpResponse:
    """The follow-up conference before (and after) its day: when and where, who is coming, what will be reviewed;
    the coordinator and the caseworker move or cancel it here. It is run on the conference screen."""
    conference = _conference(request, conference_id, "conference.view")
    session = services.follow_up_session(conference)
    if session is None:
        messages.info(
            request, _("No follow-up conference is planned yet. It is planned when the conference is completed.")
        )
        return _detail(conference)
    return _render_follow_up(request, conference, session)


def _render_follow_up(
    request: HttpRequest,
    conference: Conference,
    session: ConferenceSession,
    move_form: forms.MoveFollowUpForm | None = None,
) -> HttpResponse:
    meeting = session.meeting
    user = _user(request)
    perms = _perms(user, conference)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if move_form is None:
        move_form = forms.MoveFollowUpForm(initial=forms.MoveFollowUpForm.initial_from(meeting))
    return render(
        request,
        "conferences/follow_up.html",
        {
            "conference": conference,
            "case": conference.case,
            "session": session,
            "meeting": meeting,
            "perms": perms,
            "participants": meeting_services.speaking_order(meeting),
            "rsvp": sending.rsvp_counts(meeting),
            "to_review": services.items_to_review(session),
            "warnings": meeting_services.planning_warnings(meeting) if meeting.is_open_for_planning else [],
            "move_form": move_form,
            "can_change": perms["follow_up"] and conference.is_open and meeting.is_open_for_planning,
            "can_replan": perms["follow_up"] and conference.is_open and cancelled,
            "cancelled": cancelled,
            "begun": meeting_services.has_begun(meeting),
            "starts": meeting_services.when(meeting.starts_at),
        },
    )


@login_required
@require_POST
def follow_up_move(request: HttpRequest, conference_id: str) -> HttpResponse:
    """Move the follow-up conference (new time or place), or plan a new one after a cancellation."""
    conference = _conference(request, conference_id, "conference.follow_up")
    session = services.follow_up_session(conference)
    if session is None:
        raise Http404
    form = forms.MoveFollowUpForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        user = _user(request)
        if session.meeting.status == MeetingStatus.CANCELLED:
            action: Any = lambda: services.plan_new_follow_up(  # noqa: E731
                actor=user,
                conference=conference,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
            )
            done = _("The new follow-up conference is planned. Send the invitations from its participant page.")
        else:
            action = lambda: services.move_follow_up(  # noqa: E731
                actor=user,
                conference=conference,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                expected_version=data.get("version"),
            )
            done = (
                _("The follow-up conference is moved. Everyone invited is told about the change.")
                if session.meeting.status == MeetingStatus.INVITED
                else _("The follow-up conference is moved.")
            )
        if runner.run(request, action, success=done):
            follow = services.follow_up_session(conference)
            _warn(request, follow.meeting if follow else None)
            return _follow_up_page(conference)
    return _render_follow_up(request, conference, session, move_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_cancel(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.follow_up")
    session = services.follow_up_session(conference)
    if session is None:
        raise Http404
    form = forms.CancelFollowUpForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and runner.run(
            request,
            lambda: services.cancel_follow_up(
                actor=_user(request),
                conference=conference,
                reason=form.cleaned_data["reason"],
                message=form.cleaned_data["message"],
            ),
            success=_("The follow-up conference is cancelled. Everyone invited is told."),
        )
    ):
        return _follow_up_page(conference)
    return render(
        request,
        "conferences/follow_up_cancel.html",
        {
            "conference": conference,
            "case": conference.case,
            "session": session,
            "meeting": session.meeting,
            "form": form,
            "starts": meeting_services.when(session.meeting.starts_at),
        },
    )


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
    return _item_post(
        request,
        conference_id,
        item_id,
        action="conference.approve",
        form_class=forms.SupportForm,
        save=lambda user, conference, item, data: services.set_support(
            actor=user, conference=conference, item=item, status=data["status"], note=data["note"]
        ),
        success=lambda item, data: _("The support for item %(number)s is recorded.") % {"number": item.label},
        invalid=_("Choose whether the support is available."),
        back=_back_to_approval,
    )


@login_required
@require_POST
def decide(request: HttpRequest, conference_id: str, item_id: str) -> HttpResponse:
    return _item_post(
        request,
        conference_id,
        item_id,
        action="conference.approve",
        form_class=forms.DecisionForm,
        save=lambda user, conference, item, data: services.decide(
            actor=user, conference=conference, item=item, decision=data["decision"], reason=data["reason"]
        ),
        success=lambda item, data: (
            _("Item %(number)s: %(decision)s.") % {"number": item.label, "decision": Decision(data["decision"]).label}
        ),
        invalid=_("Choose approve or reject."),
        back=_back_to_approval,
    )


@login_required
@require_POST
def finalise(request: HttpRequest, conference_id: str) -> HttpResponse:
    conference = _conference(request, conference_id, "conference.approve")
    outcome = runner.run(request, lambda: services.finalise(actor=_user(request), conference=conference))
    if outcome:
        messages.success(
            request,
            _("The plan is approved and on its way: %(count)d by e-mail, and on every participant's personal page.")
            % {"count": outcome.value},
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
        if runner.run(
            request,
            lambda: services.add_cost(
                actor=_user(request),
                conference=conference,
                category=data["category"],
                quantity=data["quantity"],
                rate=data.get("rate"),
                note=data.get("note", ""),
            ),
            success=_("The cost is recorded."),
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
    runner.run(
        request,
        lambda: services.remove_cost(actor=_user(request), conference=conference, cost=cost),
        success=_("The cost is removed."),
    )
    return redirect("conferences:costs", conference_id=conference.public_id)


# Public leaflet and administrator settings ----------------------------------------------------------------


def leaflet_page(request: HttpRequest) -> HttpResponse:
    """The public leaflet: what a family group conference is (linked from invitations)."""
    title, sections = leaflet()
    return render(
        request, "meetings/leaflet.html", {"title": title, "sections": sections, "public": True, "fgc_page": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Administrators set the municipality's FGC defaults: follow-up months and cost rates."""
    access.check(request, "admin.manage_settings", object_type="conference")
    user = _user(request)
    municipality = Municipality.objects.get(pk=user.municipality_id or 0)
    form = forms.SettingsForm(
        request.POST or None, initial={f: getattr(municipality, f) for f in services.SETTINGS_FIELDS}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and runner.run(
            request,
            lambda: services.save_settings(actor=user, municipality=municipality, data=form.cleaned_data),
            success=_("The settings are saved."),
        )
    ):
        return redirect("conference_settings:edit")
    return render(request, "conferences/settings.html", {"form": form})
