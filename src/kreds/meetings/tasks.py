"""Background sending (run by ``run_worker``).

Exactly once: every message is an :class:`Outbox` row with a unique key, created in the same transaction as the
decision to send. :func:`send_outbox` locks the row, returns if it was already sent, sends, and marks it sent in
the same transaction. A restarted worker, a duplicate task or a second dispatcher run finds the key taken or the
row sent. The one window left is a crash between the SMTP server accepting the message and the commit; the row
then shows an attempt without ``sent_at`` and is retried, which can duplicate that single message (documented in
docs/design/network-meeting.md).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.meetings.constants import (
    FGC_KINDS,
    FOLLOW_UP_KINDS,
    SUMMARY_DAYS_BEFORE,
    AgreementStatus,
    Delivery,
    MeetingStatus,
    OutboxKind,
    ParticipantRole,
)
from kreds.meetings.models import Agreement, Meeting, Outbox
from kreds.meetings.selectors import INVITE_REMINDER_DAYS

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_AFTER = datetime.timedelta(minutes=10)


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


# Senders for outbox kinds owned by other apps (kreds.plans sends a network person their task list). A sender gets
# the locked row, sends, marks it sent (or records why not) and returns "sent", "refused" or "failed".
_SENDERS: dict[str, Callable[[Outbox], str]] = {}


def register_sender(kind: str, sender: Callable[[Outbox], str]) -> None:
    _SENDERS[kind] = sender


# Other mails that say what the daily staff reminder would say (the weekly digest on its day): each filter gets the
# ids of the users due a reminder and the day, and returns those whose reminder it replaces.
_REMINDER_FILTERS: list[Callable[[set[int], datetime.date], set[int]]] = []


def register_reminder_filter(replaces: Callable[[set[int], datetime.date], set[int]]) -> None:
    if replaces not in _REMINDER_FILTERS:
        _REMINDER_FILTERS.append(replaces)


@task()
def send_outbox(outbox_id: int) -> str:
    from kreds.meetings.sending import build_email, in_language
    from kreds.meetings.services import sharing_problem

    with transaction.atomic():
        row = (
            # Only the outbox row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
            Outbox.objects.select_for_update(of=("self",))
            .select_related(
                "meeting__case__child",
                "meeting__case__municipality",
                "participant__link",
                "participant__person__map",
                "link__case__child",
                "link__case__municipality",
                "link__person__map",
            )
            .filter(pk=outbox_id)
            .first()
        )
        if row is None or row.sent_at is not None:
            return "already sent"
        if row.kind == OutboxKind.STAFF_REMINDER:
            return _send_staff_reminder(row)
        if row.kind in _SENDERS:
            return _SENDERS[row.kind](row)
        participant = row.participant
        assert participant is not None
        row.attempts += 1
        # Consent is asked right before sending: a withdrawal after the decision to send still stops it.
        reason = sharing_problem(participant, OutboxKind(row.kind))
        if participant.removed_at is not None:
            reason = _("The participant was removed from the meeting.")
        if row.meeting is not None and row.meeting.status == MeetingStatus.CANCELLED:
            reason = _("The meeting is cancelled.")
        if reason:
            row.last_error = reason[:300]
            row.save(update_fields=["attempts", "last_error"])
            _audit_send(row, Action.MESSAGE_REFUSED, reason)
            return "refused"
        try:
            with in_language():
                message = build_email(row)
            message.send(using="default")
        except Exception as exc:
            # Staff read this on the meeting page: words, not the exception (which may hold an address or a name).
            with in_language():
                row.last_error = _(
                    "The mail system did not accept the message (%(kind)s). Kreds tries again a few times; check the "
                    "e-mail address, or print a letter instead."
                ) % {"kind": type(exc).__name__}
            row.save(update_fields=["attempts", "last_error"])
            log.warning("Sending outbox %s failed: %s", row.pk, type(exc).__name__)
            return "failed"
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "sent_at", "last_error"])
        if row.kind == OutboxKind.INVITATION and participant.invited_at is None:
            participant.invited_at = row.sent_at
            participant.save(update_fields=["invited_at", "updated_at"])
        _audit_send(row, Action.MESSAGE_SENT)
    return "sent"


def queue_summaries(now: datetime.datetime | None = None) -> list[Outbox]:
    """Agreement summaries for follow-up meetings due within 14 days (DOMAIN §5), one row per participant ever."""
    from kreds.meetings.services import _outbox, ensure_link, speaking_order

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
            for p in speaking_order(meeting):
                if p.role == ParticipantRole.CASEWORKER or p.delivery != Delivery.EMAIL or not p.email:
                    continue
                ensure_link(p, actor=None)
                row = _outbox(OutboxKind.SUMMARY, f"summary:{p.public_id}", meeting=meeting, participant=p)
                if row:
                    rows.append(row)
            if meeting.summary_queued_at is None:
                meeting.summary_queued_at = now
                meeting.save(update_fields=["summary_queued_at", "updated_at"])
    return rows


def retry_rows(now: datetime.datetime | None = None) -> list[Outbox]:
    """Rows whose task was lost (worker killed) or failed: retried after a pause, a bounded number of times."""
    now = now or timezone.now()
    return list(
        Outbox.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lte=now - RETRY_AFTER
        ).order_by("created_at")[:500]
    )


def queue_staff_reminders(today: datetime.date | None = None) -> list[Outbox]:
    """Once a day at most: each caseworker hears about agreements due within a week or overdue on their cases,
    meetings nobody has invited to and suspensions of contact ending; not on a day another mail says it all
    (the weekly digest on Mondays, see ``register_reminder_filter``)."""
    from kreds.accounts.models import User

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
    # The caseworkers of children whose suspension of contact ends within a week (placements).
    from kreds.cases.models import Case
    from kreds.placements.selectors import suspensions_ending

    user_ids |= set(
        Case.objects.filter(
            pk__in=[s.contact.case_id for s in suspensions_ending(Case.objects.filter(status="open"), today)]
        ).values_list("assignments__user_id", flat=True)
    )
    user_ids.discard(None)
    for replaces in _REMINDER_FILTERS:
        user_ids -= replaces(user_ids, today)
    rows = []
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        try:
            with transaction.atomic():
                rows.append(
                    Outbox.objects.create(
                        key=f"reminder:{user.pk}:{today.isoformat()}", kind=OutboxKind.STAFF_REMINDER, user=user
                    )
                )
        except IntegrityError:  # already queued today
            pass
    return rows


def _send_staff_reminder(row: Outbox) -> str:
    from django.conf import settings
    from django.template.loader import render_to_string

    from kreds.core.mail import email
    from kreds.meetings.selectors import agreements_for_user, meetings_to_invite
    from kreds.meetings.sending import in_language

    user = row.user
    assert user is not None
    row.attempts += 1
    from kreds.cases.models import Case
    from kreds.placements.selectors import suspensions_ending

    own_cases = Case.objects.filter(assignments__user=user, municipality=user.municipality, status="open")
    items: dict[str, list[Any]] = {
        **agreements_for_user(user),
        "to_invite": meetings_to_invite(user),
        "suspensions": suspensions_ending(own_cases),
    }
    if not any(items.values()):
        row.sent_at = timezone.now()
        row.last_error = "nothing due"
        row.save(update_fields=["attempts", "sent_at", "last_error"])
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
            subject = _("Suspensions of contact ending within a week: %(count)d") % {"count": len(items["suspensions"])}
    email(subject=subject, body=body, to=[user.email]).send(using="default")
    row.sent_at = timezone.now()
    row.save(update_fields=["attempts", "sent_at"])
    return "sent"


@task()
def dispatch_due() -> int:
    """Periodic (every few minutes from run_worker): queue due summaries and reminders, and retry lost sends."""
    rows = queue_summaries() + retry_rows()
    if timezone.localtime().hour >= 7:
        rows += queue_staff_reminders()
    for row in rows:
        send_outbox.enqueue(row.pk)
    return len(rows)
