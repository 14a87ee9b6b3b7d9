"""The guard behind :mod:`kreds.core.disclosure`: what a reader may learn of the protected people on a case.

One guard per output (a response, a message, a letter). It reads the protections that concern the reader once, the
first time something is guarded, and then for every string:

- a reader who may see a protected value (the case's assigned caseworkers and the leader of its responsible unit;
  the protected person themself) gets it as it is; each staff view of a protected value is an audit event;
- a reader who must not learn it gets a refusal (:class:`~kreds.core.disclosure.Withheld`) when the output is
  being sent, and "Beskyttet" in its place on a page;
- everyone else gets "Beskyttet" in its place.

Values are found however they are written in the output: as typed, HTML-escaped or JSON-escaped, with any spacing
(and phone numbers with or without spaces, dots or dashes), in any letter case, and only as whole words.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from kreds.accounts.constants import Role
from kreds.accounts.models import User
from kreds.audit.constants import Action
from kreds.audit.services import record
from kreds.authz.roles import unit_ids_with_role
from kreds.cases.models import CaseAssignment
from kreds.cases.policies import hidden_restricted
from kreds.core.disclosure import Reader, Withheld, current
from kreds.network.models import NetworkPersonVersion
from kreds.protection.models import Protection

# Shorter values are not looked for: a four-digit house number or a two-letter word would blank out half a page.
MIN_LENGTH = 4
_PHONE = re.compile(r"^\+?[\d\s.\-]{6,}$")


def _token_pattern(value: str) -> str:
    if _PHONE.match(value):
        # Danish numbers are eight digits; a country code before them may be written or left out.
        digits = [c for c in value if c.isdigit()]
        national, prefix = digits[-8:], digits[:-8]
        sep = r"[\s.\-]*"
        found = sep.join(national)
        return rf"(?:\+?{''.join(prefix)}{sep})?{found}" if prefix else found
    return r"\s+".join(re.escape(part) for part in value.split())


def _variants(value: str) -> set[str]:
    """The forms a value takes in an output: as typed, HTML-escaped (templates), JSON-escaped (data in a page)."""
    forms = {value, html.escape(value), html.escape(value, quote=False)}
    ascii_json = json.dumps(value)[1:-1]
    forms.add(ascii_json)
    forms.add(ascii_json.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026"))
    return {form for form in forms if form}


def pattern_for(values: list[str]) -> re.Pattern[str] | None:
    """One expression that finds any of ``values`` as whole words (longest first, so a street is not left half)."""
    wanted = {v.strip() for v in values if v and len(v.strip()) >= MIN_LENGTH}
    parts = sorted({_token_pattern(form) for v in wanted for form in _variants(v)}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


@dataclass
class Entry:
    protection: Protection | None  # None: a restricted case's name and number
    pattern: re.Pattern[str] | None
    visible: bool
    refuse: bool
    hidden_person_id: int | None = None
    names: re.Pattern[str] | None = None  # a hidden participant's name, kept from other participants
    whose: str = ""  # the protected person's name now (a refusal says whose details they are)
    label: str = ""  # what stands in the value's place ("Beskyttet"; "Begrænset sag" for a restricted case)


@dataclass
class ProtectionGuard:
    """A :class:`kreds.core.disclosure.Guard` for one reader (given, or asked for when first needed)."""

    source: Reader | Callable[[], Reader | None]
    _entries: list[Entry] | None = None
    _reader: Reader | None = None
    _seen: set[int] = field(default_factory=set)

    # The interface core asks.

    def text(self, value: str) -> str:
        for entry in self.entries():
            if entry.visible:
                if self._staff_sees_it_first(entry, value):
                    self._audit_view(entry)
                continue
            for pattern in (entry.pattern, entry.names):
                if pattern is None or not pattern.search(value):
                    continue
                # A protected detail refuses what is sent to a must-not-learn person; a hidden participant's name
                # (which they know) is only left out, so their taking part is not told.
                if entry.refuse and pattern is entry.pattern and entry.protection is not None:
                    raise Withheld(refusal_reason(entry.protection, entry.whose))
                value = pattern.sub(entry.label or _("Protected"), value)
        return value

    def _staff_sees_it_first(self, entry: Entry, value: str) -> bool:
        """A member of staff is shown this protection's values for the first time in this output."""
        reader = self._reader
        return (
            reader is not None
            and reader.kind == "staff"
            and entry.pattern is not None
            and entry.protection is not None
            and entry.protection.pk not in self._seen
            and entry.pattern.search(value) is not None
        )

    def shows_person(self, person_id: int | None) -> bool:
        if person_id is None:
            return True
        return all(entry.hidden_person_id != person_id for entry in self.entries())

    # Reading the protections once.

    def reader(self) -> Reader | None:
        if self._entries is None:
            self.entries()
        return self._reader

    def entries(self) -> list[Entry]:
        if self._entries is None:
            reader = self.source() if callable(self.source) else self.source
            self._reader = reader
            self._entries = _entries_for(reader) if reader is not None else []
        return self._entries

    def _audit_view(self, entry: Entry) -> None:
        protection = entry.protection
        reader = self._reader
        assert protection is not None and reader is not None and reader.user_id is not None
        self._seen.add(protection.pk)
        record(
            Action.PROTECTION_VIEW,
            actor=reader.user or User.objects.get(pk=reader.user_id),
            municipality=protection.case.municipality,
            object_type="protection",
            object_id=str(protection.public_id),
            person_concerned=str(protection.case.child.public_id),
            details={"details": protection.details()},
        )


def guard_for(source: Reader | Callable[[], Reader | None]) -> ProtectionGuard:
    return ProtectionGuard(source)


def refusal_reason(protection: Protection, whose: str = "") -> str:
    return _(
        "Not sent: it holds protected details about %(whose)s (%(details)s) that the recipient must not learn. Remove "
        "them from the text, or send this person nothing."
    ) % {"whose": whose or protection.case.child.first_name, "details": ", ".join(protection.details())}


def _active(**filters: Any) -> list[Protection]:
    return list(
        Protection.objects.filter(ended_at__isnull=True, **filters)
        .select_related("case__child", "case__municipality")
        .prefetch_related("must_not_learn")
        .order_by("id")
    )


def _entries_for(reader: Reader) -> list[Entry]:
    municipality = reader.municipality
    if municipality is not None and not (municipality.protections_in_force or municipality.restrictions_in_force):
        return []  # nothing is protected or restricted in the municipality: no query
    if reader.kind == "staff":
        return _staff_entries(reader)
    if reader.case_id is None:
        return []
    protections = _active(case_id=reader.case_id)
    if not protections:
        return []
    values = _values(protections)
    entries = []
    for p in protections:
        own = (p.person_id is not None and p.person_id == reader.person_id) or (
            p.person_id is None and reader.kind == "child"
        )
        barred = reader.person_id is not None and any(m.pk == reader.person_id for m in p.must_not_learn.all())
        entries.append(
            Entry(
                protection=p,
                pattern=pattern_for(values[p.pk]["details"]),
                visible=own,
                refuse=barred and reader.sending,
                hidden_person_id=p.person_id if p.hidden and not own else None,
                names=pattern_for(values[p.pk]["names"]) if p.hidden and not own else None,
                whose=values[p.pk]["names"][-1] if values[p.pk]["names"] else "",
            )
        )
    return entries


def _staff_entries(reader: Reader) -> list[Entry]:
    user = reader.user
    if user is None and reader.user_id is not None:
        user = User.objects.select_related("municipality").filter(pk=reader.user_id).first()
    if user is None or user.municipality_id is None:
        return []
    municipality = reader.municipality or user.municipality
    entries = _restricted_entries(user) if municipality.restrictions_in_force else []
    if not municipality.protections_in_force:
        return entries
    rows = list(
        Protection.objects.filter(ended_at__isnull=True, case__municipality_id=user.municipality_id)
        .annotate(assigned=Exists(CaseAssignment.objects.filter(case_id=OuterRef("case_id"), user_id=user.pk)))
        .select_related("case__child", "case__municipality")
        .prefetch_related("must_not_learn")
        .order_by("id")
    )
    if not rows:
        return entries
    leads = unit_ids_with_role(user, Role.LEADER)
    values = _values(rows)
    return entries + [
        Entry(
            protection=p,
            pattern=pattern_for(values[p.pk]["details"]),
            visible=bool(getattr(p, "assigned", False)) or p.case.responsible_unit_id in leads,
            refuse=False,
        )
        for p in rows
    ]


def _restricted_entries(user: User) -> list[Entry]:
    """A restricted case the user is not named on shows as "Begrænset sag": its child's name and its journal
    number are kept out of every list, search result, figure and digest (issue 18)."""
    hidden = hidden_restricted(user).select_related("case__child")
    return [
        Entry(
            protection=None,
            pattern=pattern_for([r.case.child.full_name, r.case.external_ref]),
            visible=False,
            refuse=False,
            label=_("Restricted case"),
        )
        for r in hidden
    ]


def _values(protections: list[Protection]) -> dict[int, dict[str, list[str]]]:
    """Each protection's protected values and (hidden participation) names, from the versions kept since it was
    recorded: an address typed later is protected too, an address left before it is not."""
    person_ids = {p.person_id for p in protections if p.person_id is not None}
    since = min(p.created_at for p in protections)
    versions: dict[int, list[NetworkPersonVersion]] = {}
    if person_ids:
        for v in NetworkPersonVersion.objects.filter(person_id__in=person_ids).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=since)
        ):
            versions.setdefault(v.person_id, []).append(v)
    out: dict[int, dict[str, list[str]]] = {}
    for p in protections:
        details: list[str] = list(p.extra_words())
        names: list[str] = []
        if p.whereabouts and p.whereabouts_text:
            details.append(p.whereabouts_text)
        if p.person_id is None:
            if p.address and p.case.child.address:
                details.append(p.case.child.address)
        else:
            for v in versions.get(p.person_id, []):
                if v.valid_to is not None and v.valid_to <= p.created_at:
                    continue
                if p.address:
                    details.append(v.address)
                if p.contact:
                    details.extend([v.phone, v.email])
                names.append(v.name)
        out[p.pk] = {"details": [d for d in details if d], "names": names}
    return out


def in_force(case_id: int) -> list[Protection]:
    """The case's protections in force: from the guard of this staff page when it has read them (no query), else
    read now."""
    guard = current()
    if isinstance(guard, ProtectionGuard):
        reader = guard.reader()
        if reader is not None and reader.kind == "staff":
            return [e.protection for e in guard.entries() if e.protection and e.protection.case_id == case_id]
    return _active(case_id=case_id)


def meeting_warning(meeting: Any) -> dict[str, Any] | None:
    """The meeting page's warning: a person who must not learn a protected detail is invited with the protected
    person (the meeting can be held; the facilitator is told what must not be said)."""
    protections = in_force(meeting.case_id)
    if not protections:
        return None
    invited = {
        p.person_id: p.name
        for p in meeting.participants.filter(removed_at__isnull=True, person__isnull=False).only("person_id", "name")
    }
    warnings = []
    for p in protections:
        together = p.person_id is None or p.person_id in invited
        barred = [invited[m.pk] for m in p.must_not_learn.all() if m.pk in invited]
        if together and barred:
            warnings.append(
                {
                    "protected": invited.get(p.person_id, "") if p.person_id else meeting.case.child.first_name,
                    "barred": barred,
                    "details": p.details(),
                    "hidden": p.hidden,
                }
            )
    hidden = [invited[p.person_id] for p in protections if p.hidden and p.person_id in invited]
    if not warnings and not hidden:
        return None
    return {"warnings": warnings, "hidden": hidden}
