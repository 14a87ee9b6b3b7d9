"""Consents and the one question every sending capability asks: may this go to that person now?

Later capabilities (invitations, minutes, agreement summaries, participant links) call :func:`may_share` right
before they send, and refuse with ``decision.reason`` when it is not allowed. The answer is never cached, so a
withdrawal takes effect at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record_for_case
from kreds.cases.models import Case
from kreds.cases.safety import safety_gate
from kreds.consent.constants import Category
from kreds.consent.models import SharingConsent
from kreds.core.exceptions import KredsError
from kreds.network.constants import ConsentGiverRole
from kreds.network.models import NetworkMap, NetworkPerson, NetworkPersonVersion


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def _audit(action: Action, actor: User, case: Case, consent: SharingConsent) -> None:
    record_for_case(
        action,
        actor=actor,
        case=case,
        object_type="sharing_consent",
        object_id=str(consent.public_id),
        details={"categories": list(consent.categories)},
    )


@transaction.atomic
def give_consent(
    *,
    actor: User,
    case: Case,
    given_by: str,
    role: ConsentGiverRole,
    categories: Iterable[Category | str],
    recipients: Iterable[NetworkPerson],
    purpose: str,
    given_on: datetime.date,
) -> SharingConsent:
    cats = sorted({str(c) for c in categories})
    people = list(recipients)
    if not given_by.strip():
        raise KredsError(_("Write who gave the consent."))
    if not cats or set(cats) - set(Category.values):
        raise KredsError(_("Choose which information the consent covers."))
    if not people:
        raise KredsError(_("Choose who may receive the information."))
    if any(p.map.case_id != case.pk for p in people):
        raise KredsError(_("Recipients must be people on this child's network map."))
    if not purpose.strip():
        raise KredsError(_("Write the purpose of sharing the information."))
    if given_on > timezone.localdate():
        raise KredsError(_("The consent date cannot be in the future."))
    consent = SharingConsent.objects.create(
        case=case,
        given_by=given_by.strip(),
        given_by_role=role,
        categories=cats,
        purpose=purpose.strip(),
        given_on=given_on,
        recorded_by=actor,
    )
    consent.recipients.set(people)
    _audit(Action.CONSENT_GIVEN, actor, case, consent)
    return consent


@transaction.atomic
def withdraw_consent(*, actor: User, consent: SharingConsent) -> SharingConsent:
    """Withdrawal takes effect at once (forvaltningsloven § 28)."""
    locked = SharingConsent.objects.select_for_update().get(pk=consent.pk)
    if locked.withdrawn_at is not None:
        raise KredsError(_("The consent is already withdrawn."))
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = actor
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    _audit(Action.CONSENT_WITHDRAWN, actor, locked.case, locked)
    return locked


@dataclass(frozen=True)
class Recipient:
    name: str
    on_map: bool  # False once the person is removed from the map


@dataclass(frozen=True)
class ConsentRow:
    consent: SharingConsent
    recipients: list[Recipient]


def consent_rows(case: Case) -> list[ConsentRow]:
    """Every sharing consent of the case with whom it covers (their name now, or when they left the map)."""
    consents = list(SharingConsent.objects.filter(case=case).prefetch_related("recipients"))
    people = {p.pk for c in consents for p in c.recipients.all()}
    latest: dict[int, NetworkPersonVersion] = {}
    for version in NetworkPersonVersion.objects.filter(person_id__in=people).order_by("valid_from", "id"):
        latest[version.person_id] = version
    rows = []
    for consent in consents:
        recipients = [
            Recipient(latest[p.pk].name, not latest[p.pk].removed) for p in consent.recipients.all() if p.pk in latest
        ]
        rows.append(ConsentRow(consent, sorted(recipients, key=lambda r: r.name.lower())))
    return rows


def consents_for(person: NetworkPerson) -> list[SharingConsent]:
    """The consents that name ``person`` as a recipient, valid ones first, newest first."""
    consents = SharingConsent.objects.filter(case_id=person.map.case_id, recipients=person).order_by("-given_on", "-id")
    return sorted(consents, key=lambda c: c.withdrawn_at is not None)


def may_share(
    *, case: Case, category: Category, person: NetworkPerson, at: datetime.datetime | None = None
) -> Decision:
    """May information of ``category`` about ``case`` go to ``person`` at ``at`` (now)? With the reason if not."""
    return sharing_decisions(case=case, categories=[category], persons=[person], at=at)[person.pk]


@dataclass(frozen=True)
class SharingFacts:
    """What every sharing decision about ``case`` for some people rests on, read once (see :func:`sharing_facts`)."""

    gate_reason: str  # the § 18 stk. 3 gate's reason when it is closed for the network, else ""
    map_id: int | None
    versions: dict[int, NetworkPersonVersion]
    consents: dict[int, list[SharingConsent]]

    def decide(self, person: NetworkPerson, categories: Iterable[Category | str]) -> Decision:
        """May all of ``categories`` go to ``person``: the first refusal, or the last allowance."""
        if self.gate_reason:
            return Decision(False, self.gate_reason)
        cats = [str(c) for c in categories]
        on_map = person.map_id == self.map_id
        return _decide(on_map, self.versions.get(person.pk), self.consents.get(person.pk, []), cats)


def sharing_facts(*, case: Case, persons: Iterable[NetworkPerson], at: datetime.datetime | None = None) -> SharingFacts:
    """The facts for deciding, for each of ``persons``, any categories about ``case`` at ``at`` (now): in at most
    four queries however many people and categories are then decided (a link page decides three kinds of
    message for its person)."""
    when = at or timezone.now()
    gate = safety_gate(case)
    if gate.is_open:
        return SharingFacts(gate.reason, None, {}, {})
    ids = [p.pk for p in persons]
    map_id = NetworkMap.objects.filter(case=case).values_list("pk", flat=True).first()
    versions = {
        v.person_id: v
        for v in NetworkPersonVersion.objects.filter(person_id__in=ids, valid_from__lte=when).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=when)
        )
    }
    consents: dict[int, list[SharingConsent]] = {}
    for consent in (
        SharingConsent.objects.filter(case=case, recipients__in=ids, given_on__lte=timezone.localtime(when).date())
        .exclude(withdrawn_at__lte=when)
        .annotate(recipient_id=F("recipients"))
        .order_by("given_on", "id")
    ):
        consents.setdefault(consent.recipient_id, []).append(consent)
    return SharingFacts("", map_id, versions, consents)


def sharing_decisions(
    *,
    case: Case,
    categories: Iterable[Category | str],
    persons: Iterable[NetworkPerson],
    at: datetime.datetime | None = None,
) -> dict[int, Decision]:
    """:func:`may_share` for many people and categories at once (all must be allowed), in three queries.

    The answer for a person is the first refusal among ``categories``, or the last allowance.
    """
    people = list(persons)
    cats = [str(c) for c in categories]
    facts = sharing_facts(case=case, persons=people, at=at)
    return {person.pk: facts.decide(person, cats) for person in people}


def _decide(
    on_map: bool, version: NetworkPersonVersion | None, consents: list[SharingConsent], cats: list[str]
) -> Decision:
    if not on_map:
        return Decision(False, _("The person is not on this child's network map."))
    if version is None or version.removed:
        return Decision(False, _("The person is no longer on the network map."))
    if version.is_professional:
        return Decision(True, _("Professional: sharing follows the law's own rules; record the basis when sending."))
    decision = Decision(False, "")
    for category in cats:
        covering = next((c for c in consents if category in c.categories), None)
        if covering is None:
            return Decision(
                False,
                _("There is no valid consent to share %(category)s with %(person)s.")
                % {"category": str(Category(category).label).lower(), "person": version.name},
            )
        decision = Decision(
            True,
            _("Covered by the consent given by %(name)s on %(date)s.")
            % {"name": covering.given_by, "date": covering.given_on.strftime("%d.%m.%Y")},
        )
    return decision
