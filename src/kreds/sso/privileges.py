"""The OIO Basic Privilege Profile (1.2): the base64 XML of the ``privilegesIntermediate`` attribute.

    <bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">
      <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">
        <Privilege>http://kreds.dk/roles/usersystemrole/sagsbehandler/1</Privilege>
        <Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">a1c4…</Constraint>
      </PrivilegeGroup>
    </bpp:PrivilegeList>

Every privilege of a group holds under each of the group's constraints. Parsed with defusedxml (no entities, no
external references); anything else than this shape is refused as malformed.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from kreds.sso.constants import BPP_NAMESPACE


class MalformedPrivileges(ValueError):
    pass


@dataclass(frozen=True)
class Grant:
    """One privilege as the identity provider granted it, with its group's constraints (name → values)."""

    privilege: str
    constraints: dict[str, frozenset[str]] = field(default_factory=dict)

    def satisfies(self, name: str, value: str) -> bool:
        return not name or value in self.constraints.get(name, frozenset())


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse(value: str) -> list[Grant]:
    """The grants of one ``privilegesIntermediate`` value (base64 of the XML; plain XML is accepted too)."""
    text = value.strip()
    if not text.startswith("<"):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, ValueError) as exc:  # ValueError: not ASCII; UnicodeDecodeError is one
            raise MalformedPrivileges("not base64 of UTF-8") from exc
    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise MalformedPrivileges("not well-formed XML") from exc
    if root.tag != f"{{{BPP_NAMESPACE}}}PrivilegeList":
        raise MalformedPrivileges("not a PrivilegeList")
    grants: list[Grant] = []
    for group in root:
        if _local(group.tag) != "PrivilegeGroup":
            raise MalformedPrivileges("unexpected element")
        constraints: dict[str, set[str]] = {}
        privileges: list[str] = []
        for item in group:
            kind, content = _local(item.tag), (item.text or "").strip()
            if kind == "Privilege" and content:
                privileges.append(content)
            elif kind == "Constraint" and item.get("Name"):
                constraints.setdefault(item.get("Name", ""), set()).add(content)
            else:
                raise MalformedPrivileges("unexpected element in a group")
        frozen = {name: frozenset(values) for name, values in constraints.items()}
        grants.extend(Grant(privilege, frozen) for privilege in privileges)
    return grants
