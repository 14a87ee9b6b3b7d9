"""Reads for the plan, the consolidated agreement list and the legal deadlines. Callers have authorized the case."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.meetings.constants import MeetingKind
from kreds.meetings.models import Agreement
from kreds.network import kinship
from kreds.network.models import NetworkPerson
from kreds.plans import clocks
from kreds.plans.constants import OPEN
from kreds.plans.models import ChildPlan, Contribution
from kreds.safety.models import SafetyRule


def plan(case: Case) -> ChildPlan | None:
    """The plan with its goals, contributions (each with ``kin``: who the person is to the child) and follow-ups."""
    found = (
        ChildPlan.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related(
            "goals__contributions__person",
            "goals__versions__replaced_by",
            "goals__contributions__versions__replaced_by",
            "reviews__created_by",
        )
        .first()
    )
    if found is not None:
        kinds = kinship.person_kinds(case)
        for goal in found.goals.all():
            for c in goal.contributions.all():
                c.kin = _contribution_kin(case, c, kinds)
    return found


def _contribution_kin(case: Case, c: Contribution, kinds: dict[int, str]) -> str:
    """A person from the map as the map says; a name written by hand is a professional (the form asks for "the
    caseworker or the school"), unless it is the child's own name."""
    if c.person_id is not None:
        return kinds.get(c.person_id, kinship.NETWORK if c.is_network else kinship.PROFESSIONAL)
    name = " ".join(c.responsible_name.lower().split())
    child = case.child
    own = {child.first_name.lower(), f"{child.first_name} {child.last_name}".lower(), "barnet", "the child"}
    return kinship.CHILD if name in own else kinship.PROFESSIONAL


@dataclass(frozen=True)
class Task:
    """One row of the consolidated list: who does what by when, its status, and where it was agreed."""

    source: str  # meeting | fgc | safety | plan
    source_label: str
    source_url: str
    who: str
    person_id: int | None
    person_key: str
    kin: str  # who the person is to the child: kreds.network.kinship (child, parent, network, professional)
    what: str
    due_on: datetime.date | None
    status: str
    status_label: str
    today: datetime.date

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_network(self) -> bool:
        """Held by the private network (not the child, a parent or a professional)."""
        return self.kin == kinship.NETWORK

    @property
    def kin_label(self) -> str:
        return kinship.label(self.kin)

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < self.today


SOURCE_LABELS = {
    "meeting": _("Network meeting"),
    "fgc": _("Family group conference"),
    "safety": _("Safety plan"),
    "plan": _("The child's plan"),
}


def tasks(case: Case, today: datetime.date | None = None, *, approved_only: bool = False) -> list[Task]:
    """Every agreement and task on the case, from every source, in a fixed number of queries (DOMAIN §9).

    ``approved_only``: a meeting's agreements only once its minutes (a conference's: the family's plan) are
    approved, as for what a network person sees; staff see the drafts too."""
    today = today or timezone.localdate()
    out: list[Task] = []
    kinds = kinship.person_kinds(case)
    agreements = Agreement.objects.filter(case=case)
    if approved_only:
        agreements = agreements.filter(meeting__minutes_approved_at__isnull=False)
    for a in agreements.select_related("meeting", "responsible", "person"):
        fgc = a.meeting.kind in (MeetingKind.FGC, MeetingKind.FGC_FOLLOW_UP)
        out.append(
            Task(
                "fgc" if fgc else "meeting",
                f"{a.meeting.get_kind_display()} {timezone.localtime(a.meeting.starts_at):%d.%m.%Y}",
                reverse("meetings:detail", args=[a.meeting.public_id]),
                a.responsible_name,
                a.person_id,
                str(a.person.public_id) if a.person else "",
                kinship.kin_of_participant(a.responsible.role, a.responsible.person_id, kinds),
                a.what,
                a.due_on,
                a.status,
                str(a.get_status_display()),
                today,
            )
        )
    safety_url = reverse("safety:plan", args=[case.public_id])
    out.extend(
        Task(
            "safety",
            str(SOURCE_LABELS["safety"]),
            safety_url,
            r.responsible_name,
            r.responsible_id,
            str(r.responsible.public_id),
            kinds.get(r.responsible_id, kinship.NETWORK),
            r.rule,
            r.due_on,
            r.status,
            str(r.get_status_display()),
            today,
        )
        for r in SafetyRule.objects.filter(plan__case=case, ended_at__isnull=True).select_related("responsible")
    )
    plan_url = reverse("plans:plan", args=[case.public_id])
    out.extend(
        Task(
            "plan",
            f"{SOURCE_LABELS['plan']}: {c.goal.get_area_display()}",
            plan_url,
            c.responsible_name,
            c.person_id,
            str(c.person.public_id) if c.person else "",
            _contribution_kin(case, c, kinds),
            c.what,
            c.due_on,
            c.status,
            str(c.get_status_display()),
            today,
        )
        for c in Contribution.objects.filter(goal__plan__case=case).select_related("goal", "person")
    )
    far = datetime.date.max
    out.sort(key=lambda t: (not t.is_open, t.due_on or far, t.who))
    return out


def task_counts(case: Case, today: datetime.date | None = None) -> tuple[int, int]:
    """(open, overdue) over the same rows as :func:`tasks`, counted by the database: the case overview shows only
    the two numbers, and building every row with its links cost more than the rest of the panel. Three plain
    aggregates compile faster than one statement with six subqueries (measured on the national bench data)."""
    today = today or timezone.localdate()
    open_count = overdue_count = 0
    for qs in (
        Agreement.objects.filter(case=case),
        SafetyRule.objects.filter(plan__case=case, ended_at__isnull=True),
        Contribution.objects.filter(goal__plan__case=case),
    ):
        counted = qs.filter(status__in=OPEN).aggregate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
        open_count += counted["n"]
        overdue_count += counted["late"]
    return open_count, overdue_count


def filter_tasks(
    rows: list[Task], *, person: str = "", status: str = "", overdue: bool = False, source: str = ""
) -> list[Task]:
    if person:
        rows = [t for t in rows if t.person_key == person]
    if status == "open":
        rows = [t for t in rows if t.is_open]
    elif status:
        rows = [t for t in rows if t.status == status]
    if overdue:
        rows = [t for t in rows if t.overdue]
    if source:
        rows = [t for t in rows if t.source == source]
    return rows


def tasks_for_person(case: Case, person: NetworkPerson) -> list[Task]:
    """A network person's own items (their personal page and e-mail show them, DOMAIN §9): a meeting's agreements
    once its minutes are approved, never a draft."""
    return [t for t in tasks(case, approved_only=True) if t.person_id == person.pk]


def plan_header(case: Case) -> ChildPlan | None:
    """The current plan without its goals, with ``first_review`` (the day of its first follow-up, or None): what
    the case overview and the legal deadlines need, in one query."""
    return ChildPlan.objects.filter(case=case).annotate(first_review=Min("reviews__reviewed_on")).first()


_READ = object()


def case_clocks(case: Case, today: datetime.date | None = None, header: Any = _READ) -> list[clocks.Clock]:
    """The case's legal deadlines; ``header`` is :func:`plan_header` when the caller has read it already."""
    child_plan = plan_header(case) if header is _READ else header
    first_review = getattr(child_plan, "first_review", None) if child_plan else None
    return clocks.clocks_for(
        investigation_started_on=case.investigation_started_on,
        investigation_completed_on=case.investigation_completed_on,
        measure_decided_on=case.measure_decided_on,
        placement_without_consent=case.placement_without_consent,
        plan_decided_on=child_plan.decided_on if child_plan else None,
        first_review_on=first_review,
        today=today,
    )


def unit_clocks(cases: QuerySet[Case], today: datetime.date | None = None) -> list[tuple[Case, clocks.Clock]]:
    """Deadlines that are overdue or run out within two weeks, on the open cases given (a leader's unit)."""
    rows = (
        cases.filter(status="open")
        .select_related("child", "responsible_unit", "child_plan")
        .annotate(first_review=Min("child_plan__reviews__reviewed_on"))
    )
    out: list[tuple[Case, Any]] = []
    for case in rows:
        child_plan = getattr(case, "child_plan", None)
        case_clocks = clocks.clocks_for(
            investigation_started_on=case.investigation_started_on,
            investigation_completed_on=case.investigation_completed_on,
            measure_decided_on=case.measure_decided_on,
            placement_without_consent=case.placement_without_consent,
            plan_decided_on=child_plan.decided_on if child_plan else None,
            first_review_on=case.first_review,
            today=today,
        )
        out.extend((case, clock) for clock in case_clocks if clock.state in ("overdue", "due_soon"))
    out.sort(key=lambda row: (row[1].state != "overdue", row[1].due_on))
    return out
