"""The meetings app's background work: its messages' senders, and the periodic queueing of summaries and reminders.

Messages go through the outbox (:mod:`kreds.outbox`): a row per message with a unique key, sent exactly once by
the outbox worker, which calls the senders registered here (:func:`register_senders`, from ``apps.py``).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.core.disclosure import Withheld
from kreds.core.mail import email
from kreds.meetings.constants import (
    FGC_KINDS,
    FOLLOW_UP_KINDS,
    SUMMARY_DAYS_BEFORE,
    AgreementStatus,
    MeetingStatus,
    MessageKind,
    ParticipantRole,
)
from kreds.meetings.emails import build_email
from kreds.meetings.models import Agreement, Meeting
from kreds.meetings.selectors import INVITE_REMINDER_DAYS, agreements_for_user, meetings_to_invite
from kreds.meetings.sending import in_language
from kreds.meetings.services import ensure_link, queue_messages, sharing_problem, speaking_order, was_told
from kreds.outbox import registry
from kreds.outbox.constants import Channel
from kreds.outbox.models import Outbox
from kreds.outbox.services import queue
from kreds.outbox.tasks import send_outbox

log = logging.getLogger(__name__)


def _audit_send(row: Outbox, action: Action, reason: str = "") -> None:
    meeting = row.meeting
    if meeting is None:
        return
    record(
        action,
        actor=None,
        actor_label="worker",
        municipality=meeting.case.municipality,
        object_type="meeting",
        object_id=str(meeting.public_id),
        person_concerned=str(meeting.case.child.public_id),
        details={
            "kind": row.kind,
            "participant": str(row.participant.public_id) if row.participant else "",
            "reason": reason,
        },
    )


# Other mails that say what the daily staff reminder would say (the weekly digest on its day): each filter gets the
# ids of the users due a reminder and the day, and returns those whose reminder it replaces.
_REMINDER_FILTERS: list[Callable[[set[int], datetime.date], set[int]]] = []


def register_reminder_filter(replaces: Callable[[set[int], datetime.date], set[int]]) -> None:
    if replaces not in _REMINDER_FILTERS:
        _REMINDER_FILTERS.append(replaces)


@dataclass(frozen=True)
class ReminderSource:
    """Another app's part of the daily staff reminder (placements: suspensions of contact ending).

    ``due(today)`` gives the ids of the users it has something for; ``items(user)`` the items for one user, shown
    in the reminder under ``name`` (meetings/email/staff_reminder.txt)."""

    name: str
    due: Callable[[datetime.date], set[int]]
    items: Callable[[User], list[Any]]


_REMINDER_SOURCES: dict[str, ReminderSource] = {}


def register_reminder_source(
    name: str, *, due: Callable[[datetime.date], set[int]], items: Callable[[User], list[Any]]
) -> None:
    _REMINDER_SOURCES[name] = ReminderSource(name, due, items)


def send_message(row: Outbox) -> str:
    """The outbox sender for a participant's message about a meeting (invitation, minutes, summary, …)."""
    participant = row.participant
    assert participant is not None
    # Consent is asked right before sending: a withdrawal after the decision to send still stops it.
    reason = sharing_problem(participant, MessageKind(row.kind))
    if participant.removed_at is not None:
        reason = _("The participant was removed from the meeting.")
    if (
        row.meeting is not None
        and row.meeting.status == MeetingStatus.CANCELLED
        and row.kind != MessageKind.CANCELLATION
    ):
        reason = _("The meeting is cancelled.")
    if row.kind == MessageKind.RSVP_REMINDER and participant.rsvp:
        reason = _("The participant has answered.")
    if reason:
        row.mark_not_sent(reason)
        _audit_send(row, Action.MESSAGE_REFUSED, reason)
        return "refused"
    try:
        with in_language():
            message = build_email(row)
        message.send(using="default")
    except Withheld:
        raise  # the worker records it: the message would tell the recipient a protected detail (issue 18)
    except Exception as exc:
        # Staff read this on the meeting page: words, not the exception (which may hold an address or a name).
        with in_language():
            row.mark_not_sent(
                _(
                    "The mail system did not accept the message (%(kind)s). Kreds tries again a few times; check the "
                    "e-mail address, or print a letter instead."
                )
                % {"kind": type(exc).__name__}
            )
        log.warning("Sending outbox %s failed: %s", row.pk, type(exc).__name__)
        return "failed"
    row.mark_sent()
    if row.kind == MessageKind.INVITATION and participant.invited_at is None:
        participant.invited_at = row.sent_at
        participant.save(update_fields=["invited_at", "updated_at"])
    _audit_send(row, Action.MESSAGE_SENT)
    return "sent"


def register_senders() -> None:
    """Called from ``MeetingsConfig.ready``: the meetings app's kinds of message and who sends them."""
    for kind in MessageKind:
        sender = send_staff_reminder if kind == MessageKind.STAFF_REMINDER else send_message
        registry.register(kind.value, sender, label=kind.label)


def queue_summaries(now: datetime.datetime | None = None) -> list[Outbox]:
    """Agreement summaries for follow-up meetings due within 14 days (DOMAIN §5), one per participant ever: an
    e-mail, or a letter on the meeting page for those without e-mail."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=SUMMARY_DAYS_BEFORE)
    due = Meeting.objects.filter(
        kind__in=FOLLOW_UP_KINDS,
        status__in=[MeetingStatus.PLANNED, MeetingStatus.INVITED],
        starts_at__gt=now,
        starts_at__lte=horizon,
    ).select_related("case__child")
    rows: list[Outbox] = []
    for meeting in due:
        with transaction.atomic():
            recipients = [p for p in speaking_order(meeting) if p.role != ParticipantRole.CASEWORKER]
            for p in recipients:
                ensure_link(p, actor=None)
            queue_messages(MessageKind.SUMMARY, meeting, recipients, "summary:{p}", send=False, into=rows)
            if meeting.summary_queued_at is None:
                meeting.summary_queued_at = now
                meeting.save(update_fields=["summary_queued_at", "updated_at"])
    return rows


def queue_rsvp_reminders(now: datetime.datetime | None = None) -> list[Outbox]:
    """One reminder to each invited participant who has not answered, ``MEETING_RSVP_REMINDER_DAYS`` before the
    meeting (again after a move, which resets the answers). Invited less than a day ago: no reminder yet."""
    days = settings.MEETING_RSVP_REMINDER_DAYS
    if days <= 0:
        return []
    now = now or timezone.now()
    rows: list[Outbox] = []
    due = Meeting.objects.filter(
        status=MeetingStatus.INVITED, starts_at__gt=now, starts_at__lte=now + datetime.timedelta(days=days)
    ).select_related("case__child")
    for meeting in due:
        invited = dict(
            Outbox.objects.filter(meeting=meeting, kind=MessageKind.INVITATION, sent_at__isnull=False).values_list(
                "participant_id", "sent_at"
            )
        )
        recipients = [
            p
            for p in was_told(meeting)
            if p.role not in (ParticipantRole.CASEWORKER, ParticipantRole.CHILD)
            and not p.rsvp
            and (invited.get(p.pk) or p.invited_at or now) <= now - datetime.timedelta(days=1)
        ]
        with transaction.atomic():
            queue_messages(
                MessageKind.RSVP_REMINDER,
                meeting,
                recipients,
                f"rsvp-reminder:{{p}}:{meeting.sequence}",
                send=False,
                into=rows,
            )
    return rows


def queue_staff_reminders(today: datetime.date | None = None) -> list[Outbox]:
    """Once a day at most: each caseworker hears about agreements due within a week or overdue on their cases,
    meetings nobody has invited to and what other apps add (``register_reminder_source``: suspensions of contact
    ending); not on a day another mail says it all (the weekly digest on Mondays, ``register_reminder_filter``)."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=7)
    open_statuses = [AgreementStatus.AGREED, AgreementStatus.IN_PROGRESS]
    user_ids = set(
        Agreement.objects.filter(status__in=open_statuses, due_on__lte=soon, case__status="open")
        .values_list("case__assignments__user_id", flat=True)
        .distinct()
    )
    # Those who send invitations to meetings coming up soon: coordinators (FGC) and the cases' caseworkers.
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    planned = Meeting.objects.filter(
        status=MeetingStatus.PLANNED,
        starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=INVITE_REMINDER_DAYS + 1),
        case__status="open",
    )
    user_ids |= set(planned.filter(kind__in=FGC_KINDS).values_list("facilitator_id", flat=True))
    user_ids |= set(planned.exclude(kind__in=FGC_KINDS).values_list("case__assignments__user_id", flat=True))
    for source in _REMINDER_SOURCES.values():
        user_ids |= source.due(today)
    user_ids.discard(None)  # a case without assignments
    for replaces in _REMINDER_FILTERS:
        user_ids -= replaces(user_ids, today)
    rows = []
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        row = queue(MessageKind.STAFF_REMINDER, f"reminder:{user.pk}:{today.isoformat()}", user=user, send=False)
        if row is not None:  # None: already queued today
            rows.append(row)
    return rows


def send_staff_reminder(row: Outbox) -> str:
    """The outbox sender for the daily staff reminder."""
    user = row.user
    assert user is not None
    items: dict[str, list[Any]] = {
        **agreements_for_user(user),
        "to_invite": meetings_to_invite(user),
        **{name: source.items(user) for name, source in _REMINDER_SOURCES.items()},
    }
    if not any(items.values()):
        row.mark_done("nothing due")
        return "nothing due"
    with in_language():
        body = render_to_string("meetings/email/staff_reminder.txt", {"user": user, "site": settings.SITE_URL, **items})
        if items["overdue"] or items["soon"]:
            subject = _("Agreements to follow up: %(overdue)d overdue, %(soon)d due this week") % {
                "overdue": len(items["overdue"]),
                "soon": len(items["soon"]),
            }
        elif items["to_invite"]:
            subject = _("Meetings coming up without invitations: %(count)d") % {"count": len(items["to_invite"])}
        else:
            subject = _("Suspensions of contact ending within a week: %(count)d") % {
                "count": len(items.get("suspensions", []))
            }
    email(subject=subject, body=body, to=[user.email]).send(using="default")
    row.mark_sent()
    return "sent"


@task()
def dispatch_due() -> int:
    """Periodic (every few minutes from run_worker): queue due summaries and reminders and hand their e-mails to the
    outbox worker (which retries lost sends itself: kreds.outbox.tasks.send_due)."""
    rows = [r for r in queue_summaries() + queue_rsvp_reminders() if r.channel == Channel.EMAIL]
    if timezone.localtime().hour >= 7:
        rows += queue_staff_reminders()
    for row in rows:
        send_outbox.enqueue(row.pk)
    return len(rows)
