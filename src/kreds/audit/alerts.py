"""Mail to the administrators when one user is refused many times in a short while (issue 13 §2).

The mail says who, how many times and since when, and links to the security page. It names no child and no case:
the attempted objects are on the security page, for those who may see it.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.models import SecurityAlert
from kreds.core.mail import email

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_AFTER = datetime.timedelta(minutes=5)


def recipients(municipality_id: int) -> list[User]:
    return list(
        User.objects.filter(
            municipality_id=municipality_id,
            is_active=True,
            memberships__role=Role.ADMINISTRATOR,
            memberships__unit__municipality_id=municipality_id,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def send(alert_id: int) -> str:
    with transaction.atomic():
        alert = (
            SecurityAlert.objects.select_for_update(of=("self",))
            .select_related("actor", "municipality")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None or alert.sent_at is not None:
            return "already sent"
        alert.attempts += 1
        to = recipients(alert.municipality_id)
        if not to:
            alert.sent_at = timezone.now()
            alert.last_error = "no administrator with an e-mail address"
            alert.save(update_fields=["attempts", "sent_at", "last_error"])
            return "no recipients"
        actor = alert.actor
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Kreds: %(name)s was refused access %(count)d times") % {
                "name": actor.get_full_name() or actor.username,
                "count": alert.denials,
            }
            body = _(
                "%(name)s (username %(username)s) was refused access %(count)d times within %(minutes)d minutes, "
                "from %(start)s.\n\n"
                "That can be someone trying addresses they should not, a colleague's account in the wrong hands, "
                "or a link that points to a case the person no longer has access to.\n\n"
                "See what was tried on the security page:\n%(url)s\n\n"
                "You can end all of the user's sessions or deactivate the user on their page under Users.\n"
            ) % {
                "name": actor.get_full_name() or actor.username,
                "username": actor.username,
                "count": alert.denials,
                "minutes": settings.AUTHZ_DENIAL_BURST_MINUTES,
                "start": timezone.localtime(alert.window_start).strftime("%d.%m.%Y %H:%M"),
                "url": settings.SITE_URL + reverse("audit:security"),
            }
        try:
            for admin in to:
                email(subject=subject, body=body, to=[admin.email]).send(using="default")
        except Exception as exc:
            alert.last_error = f"{type(exc).__name__}: {exc}"[:300]
            alert.save(update_fields=["attempts", "last_error"])
            log.warning("Security alert %s could not be sent: %s", alert.pk, type(exc).__name__)
            return "failed"
        alert.sent_at = timezone.now()
        alert.last_error = ""
        alert.save(update_fields=["attempts", "sent_at", "last_error"])
    return "sent"


def due_for_retry(now: datetime.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        SecurityAlert.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lte=now - RETRY_AFTER
        ).values_list("pk", flat=True)[:100]
    )


@task()
def send_security_alert(alert_id: int) -> str:
    """Mail the municipality's administrators about a burst of refused accesses (exactly once: the row is locked,
    and marked sent in the same transaction)."""
    return send(alert_id)


@task()
def retry_security_alerts() -> int:
    """Every few minutes: alerts whose task was lost or failed are sent again, a bounded number of times."""
    due = due_for_retry()
    for alert_id in due:
        send_security_alert.enqueue(alert_id)
    return len(due)
