"""Who a person is to the child: the child, a parent, the private network or a professional (issue 14 §9).

Everywhere people are sorted by their relation to the child reads this module, so a mother is never "network" in
one list and "parent" in another, and never proposed as a network placement candidate (a network placement is
away from the parents, DOMAIN §10).

A person on the map is a parent when their relation says so in plain words (``mor``, ``far``, ``forælder``,
``mother`` …, with or without a note such as ``mor (forældremyndighed)``), or when staff marked them as a parent
at a meeting or a family group conference of the case. Grandparents, step-parents and foster parents are not
(``mormor``, ``stedfar``, ``plejemor``): they are the network.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from kreds.network.models import NetworkPerson, NetworkPersonVersion

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from kreds.cases.models import Case
    from kreds.network.models import NetworkPersonVersion

CHILD, PARENT, NETWORK, PROFESSIONAL = "child", "parent", "network", "professional"
LABELS: dict[str, Promise] = {
    CHILD: _("the child"),
    PARENT: _("parent"),
    NETWORK: _("network"),
    PROFESSIONAL: _("professional"),
}

PARENT_RELATIONS = frozenset(
    {
        # Danish
        "mor",
        "far",
        "moder",
        "fader",
        "forælder",
        "forældre",
        "medmor",
        "biologisk mor",
        "biologisk far",
        "mor til barnet",
        "far til barnet",
        # English
        "mother",
        "father",
        "parent",
        "mum",
        "mom",
        "dad",
        "birth mother",
        "birth father",
    }
)
_NOTE = re.compile(r"\(.*?\)|[,;].*$")


def is_parent_relation(relation: str | None) -> bool:
    """``relation`` (as written on the map) names a parent of the child."""
    text = _NOTE.sub(" ", (relation or "").lower())
    return " ".join(text.split()) in PARENT_RELATIONS


def marked_parents(case: Case) -> set[int]:
    """Persons on the case's map whom staff marked as a parent at a meeting or conference of the case."""

    return set(
        NetworkPerson.objects.filter(
            map__case=case, meeting_participations__meeting__case=case, meeting_participations__role=PARENT
        ).values_list("pk", flat=True)
    )


def kin_of_version(version: NetworkPersonVersion, marked: set[int] | frozenset[int] = frozenset()) -> str:
    """Who the person is to the child: a professional, a parent, or the private network."""
    if version.is_professional or version.sector.is_professional:
        return PROFESSIONAL
    if version.person_id in marked or is_parent_relation(version.relation):
        return PARENT
    return NETWORK


def person_kinds(case: Case) -> dict[int, str]:
    """Every person ever on the case's map (also those taken off it), by id: who they are to the child. Two
    queries, whatever the size of the map."""

    marked = marked_parents(case)
    current = NetworkPersonVersion.objects.filter(person__map__case=case, valid_to__isnull=True).select_related(
        "sector"
    )
    return {v.person_id: kin_of_version(v, marked) for v in current}


def kin_of_participant(role: str, person_id: int | None, kinds: dict[int, str]) -> str:
    """Who a meeting participant is to the child: the child and the caseworker by their role; a person from the map
    as the map says (a mother added as "private network" is still a parent)."""
    if role == CHILD:
        return CHILD
    if role == "caseworker":
        return PROFESSIONAL
    if role == PARENT:
        return PARENT
    if person_id is not None and person_id in kinds:
        return kinds[person_id]
    return PROFESSIONAL if role == PROFESSIONAL else NETWORK


def label(kin: str) -> str:
    return str(LABELS.get(kin, LABELS[NETWORK]))
