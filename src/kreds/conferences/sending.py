"""What a coordinator receives when a leader allocates them to a family group conference (DOMAIN §6)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.conferences.models import Conference
from kreds.core.mail import email
from kreds.meetings.sending import in_language
from kreds.outbox.models import Outbox
from kreds.outbox.services import queue

# The outbox kind of the mail to a newly allocated coordinator (registered with kreds.outbox in apps.py).
COORDINATOR = "coordinator"


def key_for(conference: Conference, coordinator: User) -> str:
    # The sender finds the conference from the key: the outbox has no column for it.
    return f"coordinator:{conference.public_id}:{coordinator.pk}:{conference.version}"


def queue_coordinator_notice(conference: Conference, coordinator: User) -> None:
    """Queue the mail to a newly allocated coordinator, once per allocation, sent after commit."""
    if coordinator.email:
        queue(COORDINATOR, key_for(conference, coordinator), user=coordinator)


def send_coordinator_notice(row: Outbox) -> str:
    """The outbox sender for COORDINATOR rows."""

    user = row.user
    assert user is not None
    public_id = row.key.split(":")[1]
    conference = (
        Conference.objects.select_related("case__child", "case__municipality").filter(public_id=public_id).first()
    )
    if conference is None or conference.coordinator_id != user.pk or not user.is_active:
        row.mark_done("no longer the coordinator")
        return "refused"
    with in_language():
        body = render_to_string(
            "conferences/email/allocated.txt",
            {
                "user": user,
                "child": conference.case.child.first_name,
                "url": settings.SITE_URL + reverse("conferences:detail", args=[conference.public_id]),
                "allocated_by": conference.allocated_by.get_full_name() if conference.allocated_by else "",
            },
        )
        subject = _("You are the coordinator of a family group conference about %(child)s") % {
            "child": conference.case.child.first_name
        }
    email(subject=subject, body=body.strip() + "\n", to=[user.email]).send(using="default")
    row.mark_sent()
    record(
        Action.MESSAGE_SENT,
        actor=None,
        actor_label="worker",
        municipality=conference.case.municipality,
        object_type="conference",
        object_id=str(conference.public_id),
        person_concerned=str(conference.case.child.public_id),
        details={"kind": row.kind, "user": user.username},
    )
    return "sent"
