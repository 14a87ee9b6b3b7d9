"""What a network person receives: an e-mail with the link to their own tasks on the case."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.consent.constants import Category
from kreds.consent.services import may_share
from kreds.core.mail import email
from kreds.meetings.sending import in_language
from kreds.network.services import current_version
from kreds.outbox.models import Outbox
from kreds.participants.services import token_for
from kreds.plans.selectors import tasks_for_person

# The outbox kind of a network person's task list (registered with kreds.outbox in apps.py).
PERSON_TASKS = "person_tasks"


def sharing_problem(case: object, person: object) -> str:
    """A private network member sees their tasks only when consent covers agreements (DOMAIN §4)."""
    decision = may_share(case=case, category=Category.AGREEMENTS, person=person)  # type: ignore[arg-type]
    return "" if decision.allowed else decision.reason


def send_person_tasks(row: Outbox) -> str:
    """The outbox sender for PERSON_TASKS rows."""

    link = row.link
    assert link is not None and link.person is not None
    case, person = link.case, link.person
    reason = sharing_problem(case, person) or ("" if link.is_active else _("The link is no longer active."))
    version = current_version(person)
    if not reason and not version.email:
        reason = _("The person has no e-mail address.")
    details = {"kind": row.kind, "person": str(person.public_id)}
    if reason:
        row.mark_not_sent(reason)
        record(
            Action.MESSAGE_REFUSED,
            actor=None,
            actor_label="worker",
            municipality=case.municipality,
            object_type="person_tasks",
            object_id=str(link.public_id),
            person_concerned=str(case.child.public_id),
            details={**details, "reason": reason},
        )
        return "refused"
    url = settings.SITE_URL + reverse("participants:home", kwargs={"token": token_for(link)})
    with in_language():
        body = render_to_string(
            "plans/email/person_tasks.txt",
            {
                "name": version.name,
                "child": case.child.first_name,
                "tasks": [t for t in tasks_for_person(case, person) if t.is_open],
                "url": url,
                "municipality": case.municipality.name,
            },
        )
        subject = _("Your tasks for %(child)s") % {"child": case.child.first_name}
    email(subject=subject, body=body.strip() + "\n", to=[version.email]).send(using="default")
    row.mark_sent()
    record(
        Action.MESSAGE_SENT,
        actor=None,
        actor_label="worker",
        municipality=case.municipality,
        object_type="person_tasks",
        object_id=str(link.public_id),
        person_concerned=str(case.child.public_id),
        details=details,
    )
    return "sent"
