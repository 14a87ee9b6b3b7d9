import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Assert on the English msgids; the Danish catalogue is checked by tests/test_i18n.py."""
    with translation.override("en"):
        yield
