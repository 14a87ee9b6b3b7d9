"""Pages reached through a personal link (DOMAIN §11): mobile-first, plain Danish, no JavaScript needed.

A link opens exactly one participant's view of one meeting: the invitation, their answer, the minutes and the
agreement summary when consent covers them, their own agreements, and the evaluation. Agreements show only once
the minutes (a conference: the family's plan) are approved; the child of a network meeting gets the child's version
of the minutes unless the caseworker decided otherwise. A moved meeting says what changed; a cancelled meeting
says only that it is cancelled, and a holder removed from the meeting that they are no longer invited. Unknown,
expired and revoked links all get the same answer. Every use is audit-logged with the link as the actor.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.core import disclosure
from kreds.core.clientip import address_bucket, client_ip
from kreds.core.disclosure import Reader, Withheld
from kreds.core.runner import run
from kreds.meetings import child_minutes, kinds, sending, services
from kreds.meetings.constants import MeetingStatus, MessageKind, ParticipantRole, Rsvp
from kreds.meetings.forms import (
    ChildConferenceEvaluationForm,
    ChildEvaluationForm,
    ConferenceEvaluationForm,
    EvaluationForm,
    RsvpForm,
)
from kreds.meetings.models import Agreement, Evaluation, Meeting, Participant
from kreds.meetings.notices import contact_line
from kreds.participants import purposes
from kreds.participants import services as links
from kreds.participants.models import LinkPurpose, ParticipantLink

View = Callable[..., HttpResponse]


def _client_ip(request: HttpRequest) -> str:
    """The client's address as the rate limits count it: behind trusted proxies the real client, an IPv6 client by
    its /64 (ADR 0011)."""
    return address_bucket(client_ip(request))


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "participants/unavailable.html", {"too_many": True}, status=429)
    response["Retry-After"] = str(settings.PARTICIPANT_LINK_RATE_WINDOW)
    return response


def _resolve(request: HttpRequest, token: str) -> tuple[ParticipantLink | None, HttpResponse | None]:
    """The active link for ``token``, or the answer to give (ADR 0011).

    The token is looked up first (one indexed lookup of its hash). A valid link is then limited per link only, so
    no other client can use it up: not one guessing tokens from the same office NAT, home network or mobile
    carrier's address. Only failures count against an address (:func:`_unknown`); a request is never counted
    against its address merely for being made.
    """
    link = links.resolve(token)
    if link is None:
        return None, _unknown(request)
    if not links.allow(f"link:{link.pk}", limit=settings.PARTICIPANT_LINK_RATE_PER_LINK):
        return None, _too_many(request)
    return link, None


def _unknown(request: HttpRequest) -> HttpResponse:
    """Unknown, expired, revoked and out-of-scope links all get the same answer (no oracle).

    Each is a failure counted against the client's address; over ``PARTICIPANT_LINK_BAD_TOKENS_PER_IP`` in the
    window the address gets 429 for every further failure.
    """
    if not links.allow(f"bad:{_client_ip(request)}", limit=settings.PARTICIPANT_LINK_BAD_TOKENS_PER_IP):
        return _too_many(request)
    return render(request, "participants/unavailable.html", {}, status=404)


def _log_use(
    request: HttpRequest, link: ParticipantLink, *, actor_label: str, object_type: str, object_id: str
) -> None:
    if request.method == "GET":
        record(
            Action.LINK_VIEW,
            actor=None,
            actor_label=actor_label,
            municipality=link.case.municipality,
            object_type=object_type,
            object_id=object_id,
            person_concerned=str(link.case.child.public_id),
            details={"view": request.resolver_match.url_name if request.resolver_match else ""},
        )


def _participant_for(link: ParticipantLink) -> Participant | None:
    """The link's participant; one removed from the meeting too (their page says so and shows nothing else)."""
    if link.purpose != LinkPurpose.MEETING:
        return None
    return (
        Participant.objects.filter(link=link)
        .select_related(
            "meeting__case__child", "meeting__case__municipality", "meeting__facilitator", "person__map", "link"
        )
        .order_by(F("removed_at").asc(nulls_first=True), "id")
        .first()
    )


def _log_participant(request: HttpRequest, link: ParticipantLink, participant: Participant) -> None:
    _log_use(
        request,
        link,
        actor_label=f"link:{participant.public_id}",
        object_type="meeting",
        object_id=str(participant.meeting.public_id),
    )


def with_participant(view: View) -> View:
    """Resolve the token to its meeting participant (the pages of a meeting or conference link)."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        link, answer = _resolve(request, token)
        if answer is not None:
            return answer
        assert link is not None
        participant = _participant_for(link)
        if participant is None:
            return _unknown(request)
        request.participant = participant  # type: ignore[attr-defined]
        request.kreds_reader = sending.reader_for(  # type: ignore[attr-defined]
            participant, municipality=participant.meeting.case.municipality
        )
        _log_participant(request, link, participant)
        if participant.removed_at is not None or participant.meeting.status == MeetingStatus.CANCELLED:
            return redirect("participants:home", token=token)  # the page says why there is nothing more here
        return view(request, token, participant, *args, **kwargs)

    return never_cache(wrapper)


def _scope(participant: Participant) -> dict[str, Any]:
    """What this participant may see now: decided by meeting state and consent, asked fresh on every view."""
    meeting = participant.meeting
    problems = services.sharing_problems_by_kind(
        participant, (MessageKind.INVITATION, MessageKind.MINUTES, MessageKind.SUMMARY)
    )
    practical_ok = not problems[MessageKind.INVITATION]
    minutes_ok = (
        meeting.status
        in (
            MeetingStatus.MINUTES_SENT,
            MeetingStatus.JOURNALISED,
        )
        and not problems[MessageKind.MINUTES]
    )
    summary_ok = bool(meeting.previous_id) and not problems[MessageKind.SUMMARY]
    own: list[Agreement] = []
    if participant.person_id or participant.role == ParticipantRole.CHILD:
        course = [m.pk for m in services.chain(meeting)]
        # Agreements reach a participant once the minutes (a conference: the family's plan) are approved.
        qs = Agreement.objects.filter(meeting_id__in=course, meeting__minutes_approved_at__isnull=False).select_related(
            "meeting"
        )
        if participant.person_id:
            own = list(qs.filter(person_id=participant.person_id))
        else:
            own = list(qs.filter(responsible__role=ParticipantRole.CHILD))
    hooks = kinds.hooks_for(meeting)
    # Their tasks from the safety plan and the child's plan (issue 6), when consent covers agreements.
    other: list[Any] = []
    if participant.person_id and not problems[MessageKind.SUMMARY]:
        other = purposes.items_for(meeting.case, participant.person)
    child_version = minutes_ok and child_minutes.gets_child_version(participant)
    if child_version:  # the child's version lists this meeting's own agreements itself
        own = [a for a in own if a.meeting_id != meeting.pk]
    return {
        "child_minutes": child_minutes.child_minutes_data(meeting, participant) if child_version else None,
        "other_items": other,
        "sections": purposes.sections_for(meeting.case, participant.person) if participant.person_id else [],
        "practical_ok": practical_ok,
        "minutes_ok": minutes_ok,
        "summary": sending.agreements_for_summary(meeting) if summary_ok else [],
        "own": own,
        "others": sending.others_for(participant) if practical_ok else [],
        "purpose_label": sending.purpose_label(meeting),
        "leaflet_url_name": sending.leaflet_url_name(meeting),
        **(hooks.link_context(participant) if hooks else {}),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest, token: str) -> HttpResponse:
    """The page a link opens: a meeting participant's page, or the page of the link's purpose (child, person)."""
    link, answer = _resolve(request, token)
    if answer is not None:
        return answer
    assert link is not None
    if link.purpose == LinkPurpose.MEETING:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        participant = _participant_for(link)
        if participant is None:
            return _unknown(request)
        request.kreds_reader = sending.reader_for(  # type: ignore[attr-defined]
            participant, municipality=participant.meeting.case.municipality
        )
        _log_participant(request, link, participant)
        return _meeting_home(request, token, participant)
    view = purposes.view_for(link.purpose)
    if view is None:
        return _unknown(request)
    # The page is rendered for the link's holder (issue 18): kreds.protection.middleware guards it for them.
    request.kreds_reader = Reader(  # type: ignore[attr-defined]
        kind="child" if link.purpose == LinkPurpose.CHILD else "person",
        case_id=link.case_id,
        person_id=link.person_id,
        municipality=link.municipality,
    )
    _log_use(
        request, link, actor_label=f"link:{link.public_id}", object_type=link.purpose, object_id=str(link.public_id)
    )
    return view(request, token, link)


def _when(start: datetime.datetime, end: datetime.datetime) -> str:
    """As :func:`kreds.meetings.sending.when_text`, for any start and end ('tirsdag d. 12.05.2026 kl. 10.00–12.00')."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    return _("%(weekday)s %(day)s from %(start)s to %(end)s") % {
        "weekday": date_format(start, "l"),
        "day": start.strftime("%d.%m.%Y"),
        "start": start.strftime("%H.%M"),
        "end": end.strftime("%H.%M"),
    }


def _change(meeting: Meeting, participant: Participant) -> dict[str, Any] | None:
    """What changed at the latest change of an upcoming meeting: the time, the place or both, with the earlier ones."""
    if meeting.changed_at is None or not meeting.is_open_for_planning or meeting.ends_at <= timezone.now():
        return None
    moved = meeting.was_starts_at is not None and (
        meeting.was_starts_at != meeting.starts_at or meeting.was_ends_at != meeting.ends_at
    )
    new_place = bool(meeting.was_place.strip()) and meeting.was_place.strip() != meeting.place.strip()
    if not moved and not new_place:
        return None
    return {
        "moved": moved,
        "new_place": new_place,
        "was_when": _when(meeting.was_starts_at, meeting.was_ends_at or meeting.ends_at)
        if moved and meeting.was_starts_at
        else "",
        "was_place": meeting.was_place if new_place else "",
        # A new time resets the answers (kreds.meetings.services.update_meeting): ask again.
        "answer_again": moved and participant.rsvp == Rsvp.NONE,
    }


def _removed(request: HttpRequest, participant: Participant) -> HttpResponse:
    """A link whose holder was taken off the meeting: say so, and nothing about the meeting."""
    meeting = participant.meeting
    return render(
        request,
        "participants/removed.html",
        {
            "participant": participant,
            "municipality": meeting.case.municipality.name,
            "contact": contact_line(meeting),
        },
    )


def _cancelled(request: HttpRequest, token: str, participant: Participant) -> HttpResponse:
    """A cancelled meeting (or withdrawn conference): that it is cancelled, when it would have been, the message to
    the participants and whom to ask. No answer form, no other participants, no documents; never the internal
    reason."""
    meeting = participant.meeting
    practical_ok = not services.sharing_problem(participant, MessageKind.CANCELLATION)
    return render(
        request,
        "participants/cancelled.html",
        {
            "token": token,
            "participant": participant,
            "meeting": meeting,
            "municipality": meeting.case.municipality.name,
            "child": meeting.case.child.first_name,
            "practical_ok": practical_ok,
            "when": sending.when_text(meeting) if practical_ok else "",
            "contact": contact_line(meeting),
        },
    )


def _meeting_home(request: HttpRequest, token: str, participant: Participant) -> HttpResponse:
    meeting = participant.meeting
    if participant.removed_at is not None:
        return _removed(request, participant)
    if meeting.status == MeetingStatus.CANCELLED:
        return _cancelled(request, token, participant)
    return _home_page(request, token, participant)


def _home_page(
    request: HttpRequest, token: str, participant: Participant, rsvp_form: RsvpForm | None = None
) -> HttpResponse:
    """The participant's page of an upcoming or held meeting; after a refused answer (``rsvp_form``, a 400) with
    what was typed."""
    meeting = participant.meeting
    scope = _scope(participant)
    context = {
        "token": token,
        "participant": participant,
        "meeting": meeting,
        "municipality": meeting.case.municipality.name,
        "child": meeting.case.child.first_name,
        "when": sending.when_text(meeting),
        "rsvp_form": RsvpForm(initial={"answer": participant.rsvp or None, "message": participant.rsvp_message})
        if rsvp_form is None
        else rsvp_form,
        "can_answer": meeting.is_open_for_planning,
        "change": _change(meeting, participant) if scope["practical_ok"] else None,
        **scope,
    }
    if rsvp_form is None:
        context["evaluation"] = Evaluation.objects.filter(participant=participant).first()
    return render(request, "participants/home.html", context, status=200 if rsvp_form is None else 400)


@require_POST
@with_participant
def rsvp(request: HttpRequest, token: str, participant: Participant) -> HttpResponse:
    form = RsvpForm(request.POST)
    # A refusal stays a page message, as link pages have always shown it (not an error on the form).
    if form.is_valid() and run(
        request,
        lambda: services.record_rsvp(
            participant=participant, answer=form.cleaned_data["answer"], message=form.cleaned_data["message"]
        ),
        success=_("Thank you. Your answer is sent to the meeting leader."),
    ):
        return redirect("participants:home", token=token)
    return _home_page(request, token, participant, rsvp_form=form)


def _handed_over(participant: Participant) -> Any:
    """A document downloaded from a link page is handed over to its holder, as a letter or an e-mail would be: one
    that would tell a must-not-learn holder a protected detail is withheld, not redacted (issue 18)."""
    municipality = participant.meeting.case.municipality
    return disclosure.reading_as(sending.reader_for(participant, sending=True, municipality=municipality))


def _withheld(request: HttpRequest, token: str, participant: Participant) -> HttpResponse:
    context = {"participant": participant, "token": token, "contact": contact_line(participant.meeting)}
    return render(request, "participants/withheld.html", context)


@require_GET
@with_participant
def ics(request: HttpRequest, token: str, participant: Participant) -> HttpResponse:
    if not _scope(participant)["practical_ok"] or participant.meeting.status == MeetingStatus.CANCELLED:
        raise Http404
    try:
        with _handed_over(participant):
            content = disclosure.text(sending.ics(participant.meeting, participant).decode("utf-8"))
    except Withheld:
        return _withheld(request, token, participant)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{sending.ics_filename(participant.meeting)}"'
    return response


@require_GET
@with_participant
def minutes(request: HttpRequest, token: str, participant: Participant) -> HttpResponse:
    if not _scope(participant)["minutes_ok"]:
        raise Http404
    meeting = participant.meeting
    child_version = child_minutes.gets_child_version(participant)
    try:
        with sending.in_language(), _handed_over(participant):
            pdf = (
                child_minutes.child_minutes_pdf(meeting, participant) if child_version else sending.minutes_pdf(meeting)
            )
    except Withheld:
        return _withheld(request, token, participant)
    filename = child_minutes.FILENAME if child_version else sending.document_filename(meeting)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@with_participant
def evaluation(request: HttpRequest, token: str, participant: Participant) -> HttpResponse:
    meeting = participant.meeting
    if not meeting.is_held:
        messages.info(request, _("The evaluation opens after the meeting."))
        return redirect("participants:home", token=token)
    if Evaluation.objects.filter(participant=participant).exists():
        messages.info(request, _("You have already answered. Thank you!"))
        return redirect("participants:home", token=token)
    child = participant.role == ParticipantRole.CHILD
    form_class: type[EvaluationForm] | type[ChildEvaluationForm]
    if meeting.is_fgc:
        form_class = ChildConferenceEvaluationForm if child else ConferenceEvaluationForm
    else:
        form_class = ChildEvaluationForm if child else EvaluationForm
    form = form_class(request.POST or None)
    scored = ("heard", "knew_purpose", "realistic", "own_part_clear", "satisfaction", "plan_satisfaction")
    if (
        request.method == "POST"
        and form.is_valid()
        and run(
            request,
            lambda: services.submit_evaluation(
                participant=participant,
                scores={k: form.cleaned_data[k] for k in scored if k in form.cleaned_data},
                comment=form.cleaned_data.get("comment", ""),
                child_form=child,
                plan_made=form.cleaned_data.get("plan_made"),
            ),
            success=_("Thank you for answering. Your answers help make the next meeting better."),
        )
    ):
        return redirect("participants:home", token=token)
    return render(
        request,
        "participants/evaluation.html",
        {
            "token": token,
            "participant": participant,
            "meeting": meeting,
            "form": form,
            "child_form": child,
            "municipality": meeting.case.municipality.name,
        },
    )
