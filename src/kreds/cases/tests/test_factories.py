from faker.providers.person.da_DK import Provider

from kreds.testing.factories import CHILD_FIRST_NAMES, CHILD_LAST_NAMES


def test_children_and_staff_never_share_a_name():
    """Tests assert that a child's name is *not* on a page that shows staff names; a shared name would fail them
    at random (a child called Lauridsen and a caseworker called Ingrid Lauridsen once did)."""
    assert not set(CHILD_FIRST_NAMES) & set(Provider.first_names)
    assert not set(CHILD_LAST_NAMES) & set(Provider.last_names)
    assert not set(CHILD_LAST_NAMES) & set(Provider.first_names)
