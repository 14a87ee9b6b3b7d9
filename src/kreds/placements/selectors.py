"""What the placement pages show: the exploration with its candidates and suggestions, the decision, the contact
plan with its warnings. Each function reads a fixed number of queries, whatever the size of the network."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.consent.constants import Category
from kreds.consent.services import may_share, sharing_decisions
from kreds.network import kinship
from kreds.network import selectors as network_selectors
from kreds.network.constants import ResourceTag
from kreds.network.models import NetworkPerson, NetworkPersonVersion
from kreds.placements.constants import (
    EXPIRY_WARN_DAYS,
    SUSPENSION_MAX_DAYS,
    SUSPENSION_WARN_DAYS,
    CandidateStatus,
    CheckState,
)
from kreds.placements.models import (
    Candidate,
    CandidateCheck,
    CandidateEvent,
    ContactArrangement,
    ContactArrangementVersion,
    Exploration,
    Placement,
    Suspension,
)


@dataclass
class CandidateRow:
    candidate: Candidate
    version: NetworkPersonVersion | None  # the person as on the map now (None: taken off the map)
    checks: list[CandidateCheck]
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.version.name if self.version else _("(no longer on the map)")

    @property
    def checks_done(self) -> int:
        return sum(1 for c in self.checks if c.state in (CheckState.DONE, CheckState.NOT_NEEDED))


@dataclass(frozen=True)
class Suggestion:
    version: NetworkPersonVersion
    why: str


def check_warnings(checks: list[CandidateCheck], today: datetime.date) -> list[str]:
    out = []
    for check in checks:
        if check.state != CheckState.DONE or check.expires_on is None:
            continue
        if check.expires_on < today:
            out.append(
                _("%(check)s ran out on %(date)s.")
                % {"check": check.get_key_display(), "date": check.expires_on.strftime("%d.%m.%Y")}
            )
        elif check.expires_on <= today + datetime.timedelta(days=EXPIRY_WARN_DAYS):
            out.append(
                _("%(check)s runs out on %(date)s.")
                % {"check": check.get_key_display(), "date": check.expires_on.strftime("%d.%m.%Y")}
            )
    return out


def _current_versions(person_ids: list[int]) -> dict[int, NetworkPersonVersion]:
    return {
        v.person_id: v
        for v in NetworkPersonVersion.objects.filter(
            person_id__in=person_ids, valid_to__isnull=True, removed=False
        ).select_related("sector")
    }


def exploration(case: Case) -> Exploration | None:
    """The open exploration, or else the latest closed one."""
    found: Exploration | None = (
        Exploration.objects.filter(case=case, closed_on__isnull=True).select_related("started_by").first()
    )
    if found is None:
        found = (
            Exploration.objects.filter(case=case).select_related("started_by").order_by("-started_on", "-id").first()
        )
    return found


def candidates(
    found: Exploration, today: datetime.date | None = None, only: Candidate | None = None
) -> list[CandidateRow]:
    """The exploration's candidates with their checks and warnings (``only``: just that one, for its own page)."""
    today = today or timezone.localdate()
    qs = Candidate.objects.filter(exploration=found)
    if only is not None:
        qs = qs.filter(pk=only.pk)
    rows = list(qs.prefetch_related(Prefetch("checks", queryset=CandidateCheck.objects.order_by("id"))).order_by("id"))
    versions = _current_versions([c.person_id for c in rows])
    out = []
    for c in rows:
        checks = list(c.checks.all())
        out.append(CandidateRow(c, versions.get(c.person_id), checks, check_warnings(checks, today)))
    order = {s: i for i, s in enumerate(CandidateStatus.values)}
    return sorted(out, key=lambda r: (order.get(r.candidate.status, 99), r.name))


def status_counts(rows: list[CandidateRow]) -> list[tuple[str, int]]:
    counts = Counter(r.candidate.status for r in rows)
    return [(str(label), counts[value]) for value, label in CandidateStatus.choices if counts[value]]


def suggestions(case: Case, found: Exploration | None) -> list[Suggestion]:
    """Persons on the map who are not candidates yet: those tagged as possible network foster carers first, then
    the closest family and friends (ring 1, then ring 2), then the rest of the private network. Never
    professionals, never the parents (a network placement is away from them, DOMAIN §10)."""
    taken = set(Candidate.objects.filter(exploration=found).values_list("person_id", flat=True)) if found else set()
    parents = kinship.marked_parents(case)
    out: list[tuple[int, int, str, Suggestion]] = []
    for v in network_selectors.persons_as_of(case):
        if v.person_id in taken or kinship.kin_of_version(v, parents) != kinship.NETWORK:
            continue
        if ResourceTag.FOSTER_CARER in (v.resource_tags or []):
            rank, why = 0, _("Marked as a possible network foster carer")
        elif v.ring == 1:
            rank, why = 1, _("Closest circle")
        elif v.ring == 2:
            rank, why = 2, _("Middle circle")
        else:
            rank, why = 3, _("Outer circle")
        out.append((rank, v.ring, v.name, Suggestion(v, why)))
    return [s for *_key, s in sorted(out, key=lambda t: (t[0], t[1], t[2]))]


def events(candidate: Candidate) -> list[CandidateEvent]:
    return list(CandidateEvent.objects.filter(candidate=candidate).select_related("recorded_by").order_by("-id"))


def placements(case: Case) -> list[Placement]:
    return list(Placement.objects.filter(case=case).select_related("candidate", "decided_by").order_by("-decided_on"))


def approved(found: Exploration | None) -> list[CandidateRow]:
    if found is None or found.closed_on is not None:
        return []
    return [r for r in candidates(found) if r.candidate.status == CandidateStatus.APPROVED and r.version]


# The contact plan --------------------------------------------------------------------------------------------------


@dataclass
class ContactRow:
    contact: ContactArrangement
    person: NetworkPersonVersion | None
    current: ContactArrangementVersion | None
    history: list[ContactArrangementVersion]
    suspensions: list[Suspension]
    warnings: list[str] = field(default_factory=list)
    shared: bool = False  # the person sees this arrangement on their own link page (consent covers it)
    not_shared_because: str = ""

    @property
    def name(self) -> str:
        return self.person.name if self.person else _("(no longer on the map)")

    @property
    def version(self) -> int:
        """The arrangement's version for optimistic locking: how many versions it has had (versions are only added)."""
        return len(self.history) + (1 if self.current else 0)

    def active_suspension(self, today: datetime.date) -> Suspension | None:
        return next((s for s in self.suspensions if s.is_active(today)), None)


def suspension_warnings(suspensions: list[Suspension], today: datetime.date) -> list[str]:
    out = []
    for s in suspensions:
        end = s.last_day
        if not s.is_active(today):
            continue
        run = (today - s.starts_on).days + 1
        left = (end - today).days
        if left <= SUSPENSION_WARN_DAYS:
            out.append(
                _("The suspension ends on %(date)s: plan how contact starts again.")
                % {"date": end.strftime("%d.%m.%Y")}
            )
        elif not s.by_decision and run >= SUSPENSION_MAX_DAYS - SUSPENSION_WARN_DAYS:
            out.append(_("The suspension has run %(days)d of at most 56 days.") % {"days": run})
    return out


def contacts(case: Case, today: datetime.date | None = None) -> list[ContactRow]:
    today = today or timezone.localdate()
    rows = list(
        ContactArrangement.objects.filter(case=case)
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ContactArrangementVersion.objects.select_related("changed_by").order_by("-valid_from"),
            ),
            Prefetch("suspensions", queryset=Suspension.objects.order_by("-starts_on")),
        )
        .order_by("id")
    )
    people = _current_versions([c.person_id for c in rows])
    out = []
    for c in rows:
        versions = list(c.versions.all())
        current = next((v for v in versions if v.valid_to is None), None)
        suspensions = list(c.suspensions.all())
        out.append(
            ContactRow(
                c,
                people.get(c.person_id),
                current,
                [v for v in versions if v is not current],
                suspensions,
                suspension_warnings(suspensions, today),
            )
        )
    if out:
        decisions = sharing_decisions(
            case=case, categories=[Category.CONTACT_PLAN], persons=[r.contact.person for r in out]
        )
        for row in out:
            decision = decisions[row.contact.person_id]
            row.shared, row.not_shared_because = decision.allowed, "" if decision.allowed else decision.reason
    return sorted(out, key=lambda r: r.name)


def contact_persons(case: Case) -> list[NetworkPersonVersion]:
    """The private network on the map, for choosing whom a new contact arrangement is with."""
    have = set(ContactArrangement.objects.filter(case=case).values_list("person_id", flat=True))
    return [
        v
        for v in network_selectors.persons_as_of(case)
        if not v.is_professional and not v.sector.is_professional and v.person_id not in have
    ]


def contact_for_person(case: Case, person: NetworkPerson) -> ContactRow | None:
    """A network person's own arrangement (their link page)."""
    rows = [r for r in contacts(case) if r.contact.person_id == person.pk]
    return rows[0] if rows else None


def link_section(case: Case, person: NetworkPerson) -> tuple[str, dict[str, object]] | None:
    """A network person's own contact arrangement on their link pages, when the sharing consent covers it.
    One query when there is none (most link pages)."""
    contact = ContactArrangement.objects.filter(case=case, person=person).first()
    if contact is None:
        return None
    current = ContactArrangementVersion.objects.filter(contact=contact, valid_to__isnull=True).first()
    if current is None or not may_share(case=case, category=Category.CONTACT_PLAN, person=person).allowed:
        return None
    today = timezone.localdate()
    suspended = next(
        (s for s in Suspension.objects.filter(contact=contact).order_by("-starts_on") if s.is_active(today)),
        None,
    )
    return (
        "placements/link_section.html",
        {
            "child": case.child.first_name,
            "current": current,
            "suspended": suspended,
            "suspended_until": suspended.last_day if suspended else None,
        },
    )


def suspensions_ending(cases: QuerySet[Case], today: datetime.date | None = None) -> list[Suspension]:
    """Suspensions of contact on ``cases`` that end within a week (today included): the caseworker plans how
    contact starts again (the staff reminder, the weekly digest, the deadline page). ``suspension.contact.case``
    comes with its child and unit; the person is not loaded, as e-mails never say whom the child asked not to see."""
    today = today or timezone.localdate()
    return list(
        Suspension.objects.filter(
            contact__case__in=cases.values("pk"),
            ended_early_on__isnull=True,
            starts_on__lte=today,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=SUSPENSION_WARN_DAYS),
        )
        .select_related("contact__case__child", "contact__case__responsible_unit")
        .order_by("ends_on", "id")
    )
