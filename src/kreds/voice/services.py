"""Every write to the child's voice, with its rule and audit event (DOMAIN §8)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record, record_for_case
from kreds.cases.models import Case
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.core.logging import CPR_LIKE
from kreds.documents import services as documents
from kreds.documents.models import DocumentKind
from kreds.participants import services as links
from kreds.participants.models import LinkPurpose, ParticipantLink
from kreds.voice.models import ChildInput, ThreeHouses, WordsAndPictures

HOUSES = ("worries", "good_things", "dreams")
CHILD_FIELDS = (*HOUSES, "safe_with", "who_to_meeting", "tell_adults")
CHILD_LINK_DAYS = 30
MAX_CHILD_TEXT = 4000


def _no_cpr(*texts: str) -> None:
    for text in texts:
        if text and CPR_LIKE.search(text):
            raise KredsError(_("Remove the CPR number from the text."))


def _audit(action: Action, actor: User, case: Case, object_type: str, object_id: str = "", **details: Any) -> None:
    record_for_case(action, actor=actor, case=case, object_type=object_type, object_id=object_id, details=details)


@transaction.atomic
def record_three_houses(*, actor: User, case: Case, data: dict[str, Any], drawing: Any = None) -> ThreeHouses:
    """The child's exact words in the three houses, with the parents' consent and an optional photo of a drawing."""
    houses = {h: (data.get(h) or "").strip() for h in HOUSES}
    if not any(houses.values()):
        raise KredsError(_("Write the child's own words in at least one of the houses."))
    consent_by = (data.get("parents_consent_by") or "").strip()
    consent_on = data.get("parents_consent_on")
    if not consent_by or not consent_on:
        raise KredsError(_("Record which parent consented to the conversation with the child, and when."))
    today = timezone.localdate()
    recorded_on = data.get("recorded_on") or today
    for day in (recorded_on, consent_on, data.get("checked_with_child_on")):
        if day and day > today:
            raise KredsError(_("A date cannot be in the future."))
    _no_cpr(*houses.values())
    document = documents.store(actor=actor, case=case, upload=drawing, kind=DocumentKind.DRAWING) if drawing else None
    houses_row = ThreeHouses.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        recorded_on=recorded_on,
        drawing=document,
        parents_consent_by=consent_by[:200],
        parents_consent_on=consent_on,
        shown_to_parents_first=bool(data.get("shown_to_parents_first")),
        checked_with_child_on=data.get("checked_with_child_on"),
        recorded_by=actor,
        **houses,
    )
    _audit(Action.VOICE_CHANGE, actor, case, "three_houses", str(houses_row.public_id), drawing=bool(document))
    return houses_row


@transaction.atomic
def mark_checked_with_child(*, actor: User, houses: ThreeHouses, on: datetime.date) -> ThreeHouses:
    if on > timezone.localdate():
        raise KredsError(_("A date cannot be in the future."))
    houses.checked_with_child_on = on
    houses.save(update_fields=["checked_with_child_on", "updated_at"])
    _audit(Action.VOICE_CHANGE, actor, houses.case, "three_houses", str(houses.public_id), checked=on.isoformat())
    return houses


def child_link(case: Case) -> ParticipantLink | None:
    """The child's active link, if one has been issued."""
    for link in ParticipantLink.objects.filter(case=case, purpose=LinkPurpose.CHILD, revoked_at__isnull=True):
        if link.is_active:
            return link
    return None


@transaction.atomic
def issue_child_link(*, actor: User, case: Case) -> ParticipantLink:
    """A personal link for the child's own page (DOMAIN §8, §11). An existing active one is kept."""
    if not case.is_open:
        raise KredsError(_("The case is closed."))
    existing = child_link(case)
    if existing is not None:
        return existing
    link = links.issue(
        case=case,
        holder_name=case.child.first_name,
        expires_at=timezone.now() + datetime.timedelta(days=getattr(settings, "CHILD_LINK_DAYS", CHILD_LINK_DAYS)),
        actor=actor,
        purpose=LinkPurpose.CHILD,
    )
    _audit(Action.VOICE_CHANGE, actor, case, "child_link", str(link.public_id), issued=True)
    return link


@transaction.atomic
def revoke_child_link(*, actor: User, case: Case) -> int:
    count = 0
    for link in ParticipantLink.objects.filter(case=case, purpose=LinkPurpose.CHILD, revoked_at__isnull=True):
        links.revoke(link, reason="stopped by staff")
        count += 1
    if count:
        record(
            Action.LINK_REVOKE,
            actor=actor,
            municipality=case.municipality,
            object_type="child_link",
            object_id=str(case.public_id),
            person_concerned=str(case.child.public_id),
        )
    return count


@transaction.atomic
def submit_child_input(*, link: ParticipantLink, data: dict[str, Any]) -> ChildInput:
    """The child sends their answers. Nothing is required: a child may answer only one question."""
    if link.purpose != LinkPurpose.CHILD or not link.is_active:
        raise KredsError(_("The page is no longer open."))
    values = {f: (data.get(f) or "").strip()[:MAX_CHILD_TEXT] for f in CHILD_FIELDS}
    if not any(values.values()):
        raise KredsError(_("Write something in at least one of the boxes."))
    child_input = ChildInput.objects.create(case=link.case, link=link, **values)
    record(
        Action.CHILD_INPUT,
        actor=None,
        actor_label=f"link:{link.public_id}",
        municipality=link.case.municipality,
        object_type="child_input",
        object_id=str(child_input.public_id),
        person_concerned=str(link.case.child.public_id),
    )
    return child_input


@transaction.atomic
def review_child_input(*, actor: User, child_input: ChildInput, note: str) -> ChildInput:
    """A caseworker has read what the child wrote, and says what happens with it."""
    if child_input.reviewed_at is not None:
        raise KredsError(_("The answers are already read."))
    _no_cpr(note)
    child_input.reviewed_at, child_input.reviewed_by = timezone.now(), actor
    child_input.review_note = note.strip()
    child_input.save(update_fields=["reviewed_at", "reviewed_by", "review_note", "updated_at"])
    _audit(Action.CHILD_INPUT_REVIEW, actor, child_input.case, "child_input", str(child_input.public_id))
    return child_input


@transaction.atomic
def save_words_and_pictures(
    *, actor: User, case: Case, title: str, text: str, expected_version: int | None = None
) -> WordsAndPictures:
    """A new version of Words & Pictures. ``expected_version``: the version the form showed (0 for none), when the
    save comes from a form."""
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise KredsError(_("Write a title and the story."))
    _no_cpr(title, text)
    Case.objects.select_for_update().get(pk=case.pk)  # one new version at a time
    latest = WordsAndPictures.objects.filter(case=case).order_by("-version").first()
    if expected_version is not None and (latest.version if latest else 0) != expected_version:
        raise StaleEdit(_("Someone saved a newer version of Words & Pictures while you were writing."))
    if latest is not None and (latest.title, latest.text) == (title, text):
        raise KredsError(_("Nothing has changed."))
    created = WordsAndPictures.objects.create(
        case=case, version=(latest.version if latest else 0) + 1, title=title[:120], text=text, created_by=actor
    )
    _audit(Action.VOICE_CHANGE, actor, case, "words_and_pictures", str(created.public_id), version=created.version)
    return created
