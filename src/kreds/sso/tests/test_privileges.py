import base64
import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kreds.sso.privileges import Grant, MalformedPrivileges, parse

XML = """<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">
    <Privilege>http://kreds.dk/roles/usersystemrole/sagsbehandler/1</Privilege>
    <Privilege>http://kreds.dk/roles/usersystemrole/leder/1</Privilege>
    <Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">unit-a</Constraint>
    <Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">unit-b</Constraint>
  </PrivilegeGroup>
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">
    <Privilege>http://kreds.dk/roles/usersystemrole/moedeleder/1</Privilege>
  </PrivilegeGroup>
</bpp:PrivilegeList>"""
ORG = "http://sts.kombit.dk/constraints/orgenhed/1"


def test_every_privilege_of_a_group_holds_under_the_groups_constraints():
    grants = parse(base64.b64encode(XML.encode()).decode())
    assert [g.privilege.rsplit("/", 2)[1] for g in grants] == ["sagsbehandler", "leder", "moedeleder"]
    caseworker = grants[0]
    assert caseworker.satisfies(ORG, "unit-a") and caseworker.satisfies(ORG, "unit-b")
    assert not caseworker.satisfies(ORG, "unit-c")
    assert caseworker.satisfies("", "")  # a rule without a constraint matches whatever the constraints
    assert not grants[2].satisfies(ORG, "unit-a")  # no constraint sent: a constrained rule does not match


def test_plain_xml_is_read_too():
    assert parse(XML)[2] == Grant("http://kreds.dk/roles/usersystemrole/moedeleder/1", {})


@pytest.mark.parametrize(
    "value",
    [
        "not base64 at all!",
        base64.b64encode(b"<unclosed").decode(),
        base64.b64encode(b"<Other xmlns='x'/>").decode(),
        base64.b64encode(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>').decode(),
        base64.b64encode(
            XML.replace("<Privilege>", "<Surprise>").replace("</Privilege>", "</Surprise>").encode()
        ).decode(),
        base64.b64encode(b"\xff\xfe").decode(),
    ],
)
def test_anything_else_is_refused_as_malformed(value):
    with pytest.raises(MalformedPrivileges):
        parse(value)


@given(st.text(max_size=200))
def test_arbitrary_input_is_parsed_or_refused_never_crashes(value):
    with contextlib.suppress(MalformedPrivileges):
        parse(value)
