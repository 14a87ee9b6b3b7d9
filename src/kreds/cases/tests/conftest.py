import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages(client):
    """Assert on the English msgids (pages too, via the language cookie); tests/test_i18n.py checks the Danish."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
