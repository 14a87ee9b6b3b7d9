"""Checks that every date in the demo (seed_demo) is consistent (issue 14 §9): a case opens after the child is born,
and nothing on a case (map, consents, meetings, conferences, mappings, the child's words, plans, placements, their
history) happens before the case opened or, when it is a record of something done, after today. Run by
``test_demo.py``.

The check is generic: every model that reaches a case through its foreign keys is read, and every date and time on
it is compared with its case, so a new app's demo data is checked without changing this file.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from kreds.cases.models import Case

# Dates that are not events on the case.
NOT_EVENTS = {("cases", "child", "birth_date")}
# Dates that may lie ahead (plans, deadlines, validity, follow-ups); every other date records something done.
AHEAD = {
    "due_on",
    "follow_up_on",
    "expires_on",
    "expires_at",
    "ends_on",
    "valid_to",
    "starts_at",
    "ends_at",
    "starts_on",
    "last_day",
    "on",  # a check planned for a day ahead
    "was_starts_at",
    "was_ends_at",
    "next_attempt_at",
    "purge_after",
}
MAX_DEPTH = 4


def _path_to_case(model: type[models.Model]) -> str | None:
    """The shortest lookup path from ``model`` to its case through foreign keys (``meeting__case``), if any."""
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _depth in range(MAX_DEPTH):
        following = []
        for current, path in frontier:
            for field in current._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    continue
                target = field.related_model
                step = f"{path}__{field.name}" if path else field.name
                if target is Case:
                    return step
                if isinstance(target, type) and target._meta.app_label not in ("accounts", "tenancy", "auth"):
                    following.append((target, step))
        frontier = following
    return None


def _day(value: Any) -> datetime.date:
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


def dated_rows() -> Iterator[tuple[str, str, Any, datetime.date, Case]]:
    """(model label, field, value, day, case) for every date on every record of every case."""
    cases = {c.pk: c for c in Case.objects.select_related("child")}
    for model in apps.get_models():
        if not model.__module__.startswith("kreds.") or model is Case:
            continue
        path = _path_to_case(model)
        if path is None:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateField)
            and (model._meta.app_label, model._meta.model_name, f.name) not in NOT_EVENTS
        ]
        if not fields:
            continue
        key = f"{path}__id"
        for row in model.objects.filter(**{f"{path}__isnull": False}).values(key, *fields):
            case = cases[row.pop(key)]
            for name, value in row.items():
                if value is not None:
                    yield model._meta.label, name, value, _day(value), case
    for case in cases.values():
        for name in ("closed_on", "investigation_started_on", "investigation_completed_on", "measure_decided_on"):
            value = getattr(case, name)
            if value is not None:
                yield "cases.Case", name, value, value, case


def check_every_case_opens_after_the_child_is_born():
    wrong = [
        f"{c.external_ref}: born {c.child.birth_date}, opened {c.opened_on}"
        for c in Case.objects.select_related("child")
        if c.opened_on <= c.child.birth_date or c.opened_on > timezone.localdate()
    ]
    assert not wrong, wrong


def check_nothing_happens_before_the_case_opened():
    wrong = sorted(
        {
            f"{label}.{name} {day} < {case.opened_on} ({case.external_ref})"
            for label, name, _v, day, case in dated_rows()
            if day < case.opened_on
        }
    )
    assert not wrong, f"{len(wrong)} dates before the case opened: {wrong[:30]}"


def check_what_was_done_is_not_in_the_future():
    today = timezone.localdate()
    wrong = sorted(
        {
            f"{label}.{name} {day} ({case.external_ref})"
            for label, name, _v, day, case in dated_rows()
            if name not in AHEAD and day > today
        }
    )
    assert not wrong, f"{len(wrong)} records of things done dated after today: {wrong[:30]}"


def check_meetings_follow_their_order():
    """A follow-up after the meeting it follows; agreements due after their meeting; held meetings in the past;
    minutes after the meeting; a case closed after its last held meeting."""
    from kreds.meetings.models import Agreement, Meeting

    now = timezone.now()
    wrong = []
    for m in Meeting.objects.select_related("previous", "case"):
        if m.previous is not None and m.starts_at <= m.previous.starts_at:
            wrong.append(f"follow-up {m.pk} before its meeting")
        if m.is_held and m.starts_at > now:
            wrong.append(f"held meeting {m.pk} in the future")
        if m.follow_up_on and m.follow_up_on < _day(m.starts_at):
            wrong.append(f"meeting {m.pk}: follow-up date before the meeting")
        for name in ("held_at", "minutes_approved_at", "minutes_sent_at", "journalised_at"):
            value = getattr(m, name)
            if value is not None and value < m.starts_at:
                wrong.append(f"meeting {m.pk}: {name} before the meeting")
        if m.case.closed_on and m.is_held and _day(m.starts_at) > m.case.closed_on:
            wrong.append(f"meeting {m.pk} held after the case closed")
    wrong.extend(
        f"agreement {a.pk} due before its meeting"
        for a in Agreement.objects.select_related("meeting")
        if a.due_on < _day(a.meeting.starts_at)
    )
    assert not wrong, wrong


def check_people_are_on_the_map_before_they_take_part():
    """Nobody is invited, given a task, a rule, a score or a candidacy before they were put on the child's map."""
    from django.db.models import Min

    from kreds.network.models import NetworkPerson

    first_on_map = dict(NetworkPerson.objects.annotate(first=Min("versions__valid_from")).values_list("pk", "first"))
    wrong = []
    for model in apps.get_models():
        if not model.__module__.startswith("kreds."):
            continue
        people = [
            f.name
            for f in model._meta.concrete_fields
            if f.many_to_one and f.related_model is NetworkPerson and model._meta.app_label != "network"
        ]
        if not people or "created_at" not in {f.name for f in model._meta.concrete_fields}:
            continue
        for name in people:
            for person_id, created in model.objects.filter(**{f"{name}__isnull": False}).values_list(
                f"{name}_id", "created_at"
            ):
                if created < first_on_map[person_id]:
                    wrong.append(f"{model._meta.label}.{name}: {created:%Y-%m-%d} before on the map")
    from kreds.meetings.models import Participant
    from kreds.placements.models import Candidate

    wrong.extend(
        f"candidate {c.pk} explored from {c.exploration.started_on} before on the map"
        for c in Candidate.objects.select_related("exploration")
        if c.exploration.started_on < _day(first_on_map[c.person_id])
    )
    wrong.extend(
        f"participant {p.pk} in a meeting on {p.meeting.starts_at:%Y-%m-%d} before on the map"
        for p in Participant.objects.filter(person__isnull=False).select_related("meeting")
        if p.meeting.starts_at < first_on_map[p.person_id]
    )
    assert not wrong, f"{len(wrong)}: {sorted(set(wrong))[:30]}"


CHECKS = [
    check_every_case_opens_after_the_child_is_born,
    check_nothing_happens_before_the_case_opened,
    check_what_was_done_is_not_in_the_future,
    check_meetings_follow_their_order,
    check_people_are_on_the_map_before_they_take_part,
]
