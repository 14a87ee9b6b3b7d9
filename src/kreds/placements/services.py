"""Every write about a placement: the exploration, candidates and their checks, the decision, the contact plan.

The rules of DOMAIN §10 live here (docs/design/kinship-placement.md): candidates come from the child's map and
are never professionals; approval (konkret godkendelse) needs an assessment and precedes the move; "placed" is set
only by the placement decision; "not suitable" needs a reason; a placement outside the network needs a reason;
a suspension of contact at the child's request lasts at most 8 weeks and cannot follow the last one within 8 weeks
(a longer stop is recorded as a decision).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.cases.models import Case
from kreds.core.exceptions import KredsError, StaleEdit
from kreds.core.logging import CPR_LIKE
from kreds.documents.models import DocumentKind
from kreds.documents.services import store
from kreds.network import kinship
from kreds.network.models import NetworkPerson, NetworkPersonVersion
from kreds.placements.constants import (
    ENDED,
    EXPLORED,
    FORWARD,
    SUSPENSION_GAP_DAYS,
    SUSPENSION_MAX_DAYS,
    CandidateStatus,
    CheckKey,
    CheckState,
    ContactMode,
    ContactSupport,
    Setting,
    SuspensionBasis,
)
from kreds.placements.models import (
    Candidate,
    CandidateCheck,
    CandidateDocument,
    CandidateEvent,
    ContactArrangement,
    ContactArrangementVersion,
    Exploration,
    Placement,
    Suspension,
)
from kreds.tenancy import services as tenancy
from kreds.tenancy.models import Municipality

CONTACT_FIELDS = ("frequency", "mode", "place", "support", "child_views", "note")


def _no_cpr(*texts: str) -> None:
    for text in texts:
        if text and CPR_LIKE.search(text):
            raise KredsError(_("Remove the CPR number from the text."))


def _audit(action: Action, actor: User, case: Case, object_type: str, object_id: str, **details: Any) -> None:
    record_for_case(action, actor=actor, case=case, object_type=object_type, object_id=object_id, details=details)


def _not_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        raise KredsError(_("%(what)s cannot be in the future.") % {"what": what})


def current_person(person: NetworkPerson) -> NetworkPersonVersion | None:
    return NetworkPersonVersion.objects.filter(person=person, valid_to__isnull=True, removed=False).first()


# The exploration ---------------------------------------------------------------------------------------------------


def open_exploration(case: Case) -> Exploration | None:
    return Exploration.objects.filter(case=case, closed_on__isnull=True).first()


@transaction.atomic
def start_exploration(*, actor: User, case: Case, started_on: datetime.date, why: str) -> Exploration:
    Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise KredsError(_("The case is closed."))
    if open_exploration(case) is not None:
        raise KredsError(_("The network is already being explored on this case."))
    why = why.strip()
    if not why:
        raise KredsError(_("Write why placement is being considered."))
    _no_cpr(why)
    _not_future(started_on, _("The start date"))
    if started_on < case.opened_on:
        raise KredsError(_("The exploration cannot start before the case was opened."))
    exploration = Exploration.objects.create(
        municipality_id=case.municipality_id, case=case, started_on=started_on, why=why, started_by=actor
    )
    _audit(Action.PLACEMENT_EXPLORATION, actor, case, "exploration", str(exploration.public_id), change="started")
    return exploration


def _configured_checks(case: Case) -> list[str]:
    chosen = set(case.municipality.placement_checks or [])
    return [key for key in CheckKey.values if key in chosen]


@transaction.atomic
def add_candidate(*, actor: User, exploration: Exploration, person: NetworkPerson) -> Candidate:
    case = exploration.case
    Exploration.objects.select_for_update().get(pk=exploration.pk)
    if exploration.closed_on is not None:
        raise KredsError(_("The exploration is closed."))
    version = current_person(person)
    if person.map.case_id != case.pk or version is None:
        raise KredsError(_("Only persons on the child's network map can be candidates."))
    if version.is_professional:
        raise KredsError(_("Professionals cannot be candidates for a network placement."))
    _not_a_parent(case, version)
    if Candidate.objects.filter(exploration=exploration, person=person).exists():
        raise KredsError(_("%(name)s is already a candidate.") % {"name": version.name})
    today = timezone.localdate()
    candidate = Candidate.objects.create(
        exploration=exploration,
        person=person,
        status=CandidateStatus.IDENTIFIED,
        status_on=max(today, exploration.started_on),
        added_by=actor,
    )
    CandidateEvent.objects.create(
        candidate=candidate, status=candidate.status, on=candidate.status_on, recorded_by=actor
    )
    CandidateCheck.objects.bulk_create(
        [CandidateCheck(candidate=candidate, key=key) for key in _configured_checks(case)]
    )
    _audit(Action.PLACEMENT_CANDIDATE, actor, case, "candidate", str(candidate.public_id), change="added")
    return candidate


def _not_a_parent(case: Case, version: NetworkPersonVersion) -> None:
    """A network placement is away from the parents (DOMAIN §10): a parent is never a candidate."""
    if kinship.kin_of_version(version, kinship.marked_parents(case)) == kinship.PARENT:
        raise KredsError(
            _(
                "%(name)s is the child's parent. A network placement is with someone in the network other than the "
                "parents, so a parent cannot be a candidate."
            )
            % {"name": version.name}
        )


def allowed_statuses(candidate: Candidate) -> list[str]:
    """The statuses a candidate may be moved to by hand (placed comes only with the placement decision)."""
    current = candidate.status
    if current == CandidateStatus.PLACED:
        return []
    if current in ENDED:
        return [CandidateStatus.IDENTIFIED]  # taken up again
    at = FORWARD.index(CandidateStatus(current))
    ahead = FORWARD[at + 1 :]  # the next step first
    if current != CandidateStatus.ASSESSMENT:
        ahead = [s for s in ahead if s != CandidateStatus.APPROVED]  # approval comes after the assessment
    back = list(reversed(FORWARD[:at]))  # corrections, the nearest first
    return [*ahead, CandidateStatus.DECLINED, CandidateStatus.NOT_SUITABLE, *back]


@transaction.atomic
def set_status(
    *,
    actor: User,
    candidate: Candidate,
    status: str,
    on: datetime.date,
    reason: str = "",
    expected_version: int,
) -> Candidate:
    locked = Candidate.objects.select_for_update().select_related("exploration__case").get(pk=candidate.pk)
    case = locked.exploration.case
    if locked.version != expected_version:
        raise StaleEdit(_("Someone changed this candidate while you were writing. Check the status and try again."))
    if locked.exploration.closed_on is not None:
        raise KredsError(_("The exploration is closed."))
    if status == CandidateStatus.PLACED:
        raise KredsError(_("A candidate becomes placed when the placement decision is recorded."))
    if status not in allowed_statuses(locked):
        if status == CandidateStatus.APPROVED:
            raise KredsError(
                _(
                    "Approval for this child (konkret godkendelse) comes after the assessment. "
                    "Start the assessment first."
                )
            )
        raise KredsError(_("The candidate cannot go from this status to the one chosen."))
    reason = reason.strip()
    _no_cpr(reason)
    if status == CandidateStatus.NOT_SUITABLE and not reason:
        raise KredsError(_("Write why the person is not suitable."))
    _not_future(on, _("The date"))
    if on < locked.exploration.started_on:
        raise KredsError(_("The date cannot be before the exploration started."))
    if on < locked.status_on:
        raise KredsError(
            _("The date cannot be before the date of the current status (%(date)s).")
            % {"date": locked.status_on.strftime("%d.%m.%Y")}
        )
    locked.status = status
    locked.status_on = on
    locked.reason = reason
    locked.approved_on = on if status == CandidateStatus.APPROVED else None
    locked.version += 1
    locked.save(update_fields=["status", "status_on", "reason", "approved_on", "version", "updated_at"])
    CandidateEvent.objects.create(candidate=locked, status=status, on=on, reason=reason, recorded_by=actor)
    _audit(Action.PLACEMENT_CANDIDATE, actor, case, "candidate", str(locked.public_id), change="status", status=status)
    return locked


@transaction.atomic
def save_check(
    *,
    actor: User,
    check: CandidateCheck,
    state: str,
    on: datetime.date | None,
    expires_on: datetime.date | None,
    note: str,
) -> CandidateCheck:
    locked = CandidateCheck.objects.select_for_update().select_related("candidate__exploration__case").get(pk=check.pk)
    case = locked.candidate.exploration.case
    if state not in CheckState.values:
        raise KredsError(_("Choose a state."))
    note = note.strip()
    _no_cpr(note)
    if state == CheckState.DONE and on is None:
        raise KredsError(_("Write the date it was done."))
    if state == CheckState.DONE and on is not None:
        _not_future(on, _("The date it was done"))
    if expires_on is not None and on is not None and expires_on < on:
        raise KredsError(_("It cannot run out before it was done."))
    locked.state = state
    locked.on = on if state in (CheckState.DONE, CheckState.PLANNED) else None
    locked.expires_on = expires_on if state == CheckState.DONE else None
    locked.note = note
    locked.changed_by = actor
    locked.save(update_fields=["state", "on", "expires_on", "note", "changed_by", "updated_at"])
    _audit(
        Action.PLACEMENT_CANDIDATE,
        actor,
        case,
        "candidate",
        str(locked.candidate.public_id),
        change="check",
        check=locked.key,
        state=state,
    )
    return locked


@transaction.atomic
def add_document(
    *, actor: User, candidate: Candidate, upload: Any, title: str, expires_on: datetime.date | None
) -> CandidateDocument:
    case = candidate.exploration.case
    title = title.strip()
    if not title:
        raise KredsError(_("Give the document a title."))
    _no_cpr(title)
    document = store(actor=actor, case=case, upload=upload, kind=DocumentKind.ASSESSMENT)
    return CandidateDocument.objects.create(candidate=candidate, document=document, title=title, expires_on=expires_on)


@transaction.atomic
def close_exploration(*, actor: User, exploration: Exploration, closed_on: datetime.date) -> Exploration:
    locked = Exploration.objects.select_for_update().get(pk=exploration.pk)
    if locked.closed_on is not None:
        raise KredsError(_("The exploration is closed."))
    _not_future(closed_on, _("The date"))
    if closed_on < locked.started_on:
        raise KredsError(_("The exploration cannot close before it started."))
    locked.closed_on = closed_on
    locked.save(update_fields=["closed_on", "updated_at"])
    _audit(Action.PLACEMENT_EXPLORATION, actor, locked.case, "exploration", str(locked.public_id), change="closed")
    return locked


# The decision ------------------------------------------------------------------------------------------------------


@transaction.atomic
def decide(
    *,
    actor: User,
    case: Case,
    decided_on: datetime.date,
    starts_on: datetime.date,
    setting: str,
    in_network: bool,
    candidate: Candidate | None,
    no_network_reason: str,
) -> Placement:
    """Record the placement decision. In the network: the carer is an approved candidate of this case's open
    exploration, approved on or before the move. Outside it: the reason no network placement was possible.
    The exploration is closed on the day of the decision."""
    Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise KredsError(_("The case is closed."))
    if setting not in Setting.values:
        raise KredsError(_("Choose the kind of placement."))
    _not_future(decided_on, _("The decision date"))
    if starts_on < decided_on:
        raise KredsError(_("The child cannot move before the decision."))
    exploration = open_exploration(case)
    if exploration is not None and decided_on < exploration.started_on:
        raise KredsError(_("The decision cannot be before the exploration of the network started."))
    reason = no_network_reason.strip()
    _no_cpr(reason)
    if in_network:
        if candidate is None:
            raise KredsError(_("Choose the network person the child moves to."))
        if exploration is None:
            raise KredsError(
                _("A placement in the network needs an approved candidate from an open exploration of the network.")
            )
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.exploration_id != exploration.pk:
            raise KredsError(_("Choose a candidate from this case's exploration."))
        carer = current_person(locked.person)
        if carer is not None:
            _not_a_parent(case, carer)
        if locked.status != CandidateStatus.APPROVED or locked.approved_on is None:
            raise KredsError(
                _(
                    "%(name)s is not approved for this child. Approval (konkret godkendelse, Barnets Lov § 43 stk. 1 "
                    "nr. 4) comes before the child moves."
                )
                % {"name": _name(locked)}
            )
        if locked.approved_on > starts_on:
            raise KredsError(
                _("The approval (%(date)s) must be on or before the day the child moves.")
                % {"date": locked.approved_on.strftime("%d.%m.%Y")}
            )
        reason = ""
    else:
        if not reason:
            raise KredsError(_("Write why no placement in the child's network was possible."))
        if setting == Setting.NETWORK_FOSTER_CARE:
            raise KredsError(_("Network foster care is a placement in the network. Choose the person."))
        candidate = None
    explored = (
        Candidate.objects.filter(exploration=exploration, status__in=list(EXPLORED)).count() if exploration else 0
    )
    placement = Placement.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        exploration=exploration,
        decided_on=decided_on,
        starts_on=starts_on,
        setting=setting,
        in_network=in_network,
        candidate=candidate,
        no_network_reason=reason,
        exploration_started_on=exploration.started_on if exploration else None,
        explored_candidates=explored,
        decided_by=actor,
    )
    if candidate is not None:
        placed = Candidate.objects.get(pk=candidate.pk)
        placed.status = CandidateStatus.PLACED
        placed.status_on = starts_on if starts_on <= timezone.localdate() else decided_on
        placed.version += 1
        placed.save(update_fields=["status", "status_on", "version", "updated_at"])
        CandidateEvent.objects.create(candidate=placed, status=placed.status, on=placed.status_on, recorded_by=actor)
    if exploration is not None:  # the search is over; a new one is started if the child is to move again
        Exploration.objects.filter(pk=exploration.pk).update(closed_on=decided_on)
    _audit(
        Action.PLACEMENT_DECISION,
        actor,
        case,
        "placement",
        str(placement.public_id),
        in_network=in_network,
        explored_before=placement.searched_first,
    )
    return placement


def _name(candidate: Candidate) -> str:
    version = current_person(candidate.person)
    return version.name if version else _("The candidate")


# The contact plan --------------------------------------------------------------------------------------------------


def _clean_contact(data: dict[str, Any]) -> dict[str, str]:
    values = {f: str(data.get(f) or "").strip() for f in CONTACT_FIELDS}
    if not values["frequency"]:
        raise KredsError(_("Write how often the contact takes place."))
    if values["mode"] not in ContactMode.values:
        raise KredsError(_("Choose the form of contact."))
    if values["support"] not in ContactSupport.values:
        raise KredsError(_("Choose whether the contact is supported or supervised."))
    _no_cpr(*values.values())
    return values


@transaction.atomic
def save_contact(
    *, actor: User, case: Case, person: NetworkPerson, data: dict[str, Any], expected_version: int | None = None
) -> ContactArrangement:
    """Add or change the contact arrangement with ``person``; a change closes the current version.
    ``expected_version``: how many versions the arrangement had when the form was shown (None for a new one)."""
    Case.objects.select_for_update().get(pk=case.pk)
    version = current_person(person)
    if person.map.case_id != case.pk or version is None:
        raise KredsError(_("Contact is planned with persons on the child's network map."))
    if version.is_professional:
        raise KredsError(_("Contact is planned with the child's family and network, not with professionals."))
    values = _clean_contact(data)
    contact = ContactArrangement.objects.get_or_create(
        case=case, person=person, defaults={"municipality_id": case.municipality_id, "created_by": actor}
    )[0]
    current = ContactArrangementVersion.objects.filter(contact=contact, valid_to__isnull=True).first()
    if ContactArrangementVersion.objects.filter(contact=contact).count() != (expected_version or 0):
        raise StaleEdit(_("Someone changed this contact arrangement while you were writing. Check it and save again."))
    now = timezone.now()
    if current is not None:
        if all(getattr(current, f) == values[f] for f in CONTACT_FIELDS):
            return contact  # nothing changed
        current.valid_to = now
        current.save(update_fields=["valid_to"])
    ContactArrangementVersion.objects.create(contact=contact, valid_from=now, changed_by=actor, **values)
    _audit(
        Action.CONTACT_CHANGE,
        actor,
        case,
        "contact",
        str(contact.public_id),
        change="added" if current is None else "changed",
    )
    return contact


def suspension_days(starts_on: datetime.date, ends_on: datetime.date) -> int:
    return (ends_on - starts_on).days + 1


def _day(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


@transaction.atomic
def suspend(
    *,
    actor: User,
    contact: ContactArrangement,
    starts_on: datetime.date,
    ends_on: datetime.date,
    child_request: str,
    basis: str = SuspensionBasis.CHILD_REQUEST,
    decision_on: datetime.date | None = None,
    decision_ref: str = "",
) -> Suspension:
    """Suspend contact. At the child's request (DOMAIN §10): at most 8 weeks, and not again until 8 weeks after the
    last suspension at the child's request ended — a longer stop is a decision (afgørelse), recorded with
    ``basis=decision``, its date and journal reference, and not bound by those two limits. No two suspensions of
    the same contact overlap, whatever their basis."""
    ContactArrangement.objects.select_for_update().get(pk=contact.pk)
    if basis not in SuspensionBasis.values:
        raise KredsError(_("Choose whether the suspension is at the child's request or by a decision."))
    child_request = child_request.strip()
    decision_ref = decision_ref.strip()
    _no_cpr(child_request, decision_ref)
    if ends_on < starts_on:
        raise KredsError(_("The suspension cannot end before it starts."))
    others = [s for s in Suspension.objects.filter(contact=contact) if s.last_day >= s.starts_on]  # had a day
    for other in others:
        other_end = other.last_day  # contact started again: a new suspension may begin that day
        if other.starts_on <= ends_on and starts_on <= other_end:
            raise KredsError(
                _("The contact is already suspended from %(start)s to %(end)s.")
                % {"start": _day(other.starts_on), "end": _day(other_end)}
            )
    if basis == SuspensionBasis.DECISION:
        if decision_on is None or not decision_ref:
            raise KredsError(_("Write the date of the decision and its journal reference."))
        _not_future(decision_on, _("The date of the decision"))
        if decision_on > starts_on:
            raise KredsError(_("The decision must be made on or before the day contact is suspended."))
    else:
        decision_on, decision_ref = None, ""
        if not child_request:
            raise KredsError(_("Write what the child asked for. A suspension is at the child's request."))
        if suspension_days(starts_on, ends_on) > SUSPENSION_MAX_DAYS:
            raise KredsError(
                _(
                    "A suspension at the child's request lasts at most 8 weeks (%(days)d days). This one is "
                    "%(chosen)d days. A longer stop of contact needs a decision (afgørelse): record the decision "
                    'under "Record a decision to suspend contact".'
                )
                % {"days": SUSPENSION_MAX_DAYS, "chosen": suspension_days(starts_on, ends_on)}
            )
        gap = datetime.timedelta(days=SUSPENSION_GAP_DAYS)
        for other in others:
            if other.basis != SuspensionBasis.CHILD_REQUEST:
                continue
            if other.starts_on > ends_on and other.starts_on <= ends_on + gap:
                raise KredsError(
                    _(
                        "Contact is suspended at the child's request from %(start)s. An earlier suspension at the "
                        "child's request must end more than 8 weeks before that. A longer stop of contact needs a "
                        'decision (afgørelse): record the decision under "Record a decision to suspend contact".'
                    )
                    % {"start": _day(other.starts_on)}
                )
            if other.starts_on <= ends_on and starts_on <= other.last_day + gap:
                raise KredsError(
                    _(
                        "Contact was suspended at the child's request until %(end)s. A new suspension at the child's "
                        "request can start 8 weeks after that at the earliest (%(earliest)s). A longer stop of "
                        'contact needs a decision (afgørelse): record the decision under "Record a decision to '
                        'suspend contact".'
                    )
                    % {"end": _day(other.last_day), "earliest": _day(other.last_day + gap + datetime.timedelta(1))}
                )
    suspension = Suspension.objects.create(
        contact=contact,
        basis=basis,
        starts_on=starts_on,
        ends_on=ends_on,
        child_request=child_request,
        decision_on=decision_on,
        decision_ref=decision_ref,
        recorded_by=actor,
    )
    _audit(
        Action.CONTACT_CHANGE,
        actor,
        contact.case,
        "contact",
        str(contact.public_id),
        change="suspended",
        basis=basis,
    )
    return suspension


@transaction.atomic
def end_suspension(*, actor: User, suspension: Suspension, on: datetime.date) -> Suspension:
    locked = Suspension.objects.select_for_update().select_related("contact__case").get(pk=suspension.pk)
    if locked.ended_early_on is not None:
        raise KredsError(_("The suspension has already ended."))
    if not (locked.starts_on <= on <= locked.ends_on):
        raise KredsError(_("Choose a day within the suspension."))
    locked.ended_early_on = on
    locked.save(update_fields=["ended_early_on", "updated_at"])
    _audit(
        Action.CONTACT_CHANGE, actor, locked.contact.case, "contact", str(locked.contact.public_id), change="resumed"
    )
    return locked


@transaction.atomic
def save_checklist(*, actor: User, municipality: Municipality, checks: list[str]) -> list[str]:
    """The municipality's choice of which checks a new candidate's assessment has (in the fixed order)."""
    chosen = [k for k in CheckKey.values if k in checks]
    tenancy.save_settings(actor=actor, municipality=municipality, values={"placement_checks": chosen})
    return chosen
