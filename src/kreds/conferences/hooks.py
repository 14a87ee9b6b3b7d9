"""How family group conferences plug into meetings (see :mod:`kreds.meetings.kinds`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kreds.conferences.constants import Decision
from kreds.conferences.independence import independence_problem
from kreds.conferences.leaflet import leaflet
from kreds.conferences.models import ConferenceSession, PlanItem
from kreds.conferences.pdf import plan_pdf
from kreds.meetings.constants import FGC_KINDS, MeetingStatus, MessageKind
from kreds.meetings.kinds import KindHooks, register
from kreds.meetings.models import Meeting, Participant
from kreds.meetings.services import sharing_problem


def owner_url(meeting: Meeting) -> str | None:
    public_id = (
        ConferenceSession.objects.filter(meeting=meeting).values_list("conference__public_id", flat=True).first()
    )
    return reverse("conferences:detail", kwargs={"conference_id": public_id}) if public_id else None


def invitation_problems(meeting: Meeting) -> list[str]:
    """An FGC's invitations also wait for the pre-meeting and a coordinator who is still independent."""
    session = (
        ConferenceSession.objects.filter(meeting=meeting)
        .select_related("conference__case__child", "conference__coordinator")
        .first()
    )
    if session is None:
        return [_("The meeting does not belong to a family group conference.")]
    conference = session.conference
    problems = []
    if session.number == 0 and conference.premeeting_on is None:
        problems.append(_("Hold the pre-meeting with the child and the parents before the invitations go out."))
    if conference.coordinator is not None:
        own = tuple(ConferenceSession.objects.filter(conference=conference).values_list("meeting_id", flat=True))
        problem = independence_problem(conference.coordinator, conference.case, exclude_meetings=own)
        if problem:
            problems.append(problem)
    return problems


def link_context(participant: Participant) -> dict[str, Any]:
    """The bottom lines (with the invitation) and, once sent, the approved plan of the whole course."""

    meeting = participant.meeting
    session = ConferenceSession.objects.filter(meeting=meeting).select_related("conference").first()
    if session is None:
        return {}
    conference = session.conference
    context: dict[str, Any] = {}
    if not sharing_problem(participant, MessageKind.INVITATION):
        context["bottom_lines"] = conference.bottom_line_list
    sent = meeting.status in (MeetingStatus.MINUTES_SENT, MeetingStatus.JOURNALISED)
    if sent and not sharing_problem(participant, MessageKind.MINUTES):
        context["plan_items"] = list(
            PlanItem.objects.filter(
                session__conference=conference, session__number__lte=session.number, decision=Decision.APPROVED
            ).order_by("session__number", "number")
        )
    return context


def register_hooks() -> None:
    register(
        FGC_KINDS,
        KindHooks(
            owner_url=owner_url,
            document_pdf=plan_pdf,
            document_filename="familiens-plan.pdf",
            leaflet=leaflet,
            leaflet_url_name="fgc_leaflet",
            invitation_problems=invitation_problems,
            link_context=link_context,
        ),
    )
