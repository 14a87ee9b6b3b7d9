"""A worry statement reads as one sentence wherever it is shown (issue 14 §3): "Skolen er bekymret for at Tom er
alene …", never "… er bekymret for At Tom …", on the screen, in the edit form and in the PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from kreds.core.text import mid_sentence, sentence_start
from kreds.safety import services
from kreds.safety.pdf import mapping_pdf
from kreds.testing.meetings import network_for

pytestmark = pytest.mark.django_db

TYPED_ON_A_PHONE = {
    "who_worried": "skolen:",
    "about_what": "At Emma er alene hjemme om aftenen",
    "if_nothing_changes": "emma kan komme til skade",
}


def _pdf_text(content: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext
    return subprocess.run(  # noqa: S603 - fixed executable, our own PDF on stdin
        [pdftotext, "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def _mapping(world):
    network_for(world.case, world.caseworker)
    return services.save_mapping(
        actor=world.caseworker,
        case=world.case,
        data={"worry_basis": "Underretning fra skolen"},
        statements=[TYPED_ON_A_PHONE],
        expected_version=0,
    )


def test_screen_and_edit_form_compose_the_sentence(world, client, login):
    _mapping(world)
    login(world.practitioner)  # not the authority: the edit form shows the statement as text
    client.cookies["django_language"] = "da"
    for name in ("safety:overview", "safety:edit"):
        html = client.get(reverse(name, args=[world.case.public_id])).content.decode()
        assert "<strong>Skolen</strong> er bekymret for at Emma er alene hjemme om aftenen" in html, name
        assert "for At Emma" not in html and "skolen:" not in html, name
        assert "Emma kan komme til skade" in html, name


def test_pdf_composes_the_same_sentence(world):
    mapping = _mapping(world)
    with translation.override("en"):
        text = " ".join(_pdf_text(mapping_pdf(world.case, mapping)).split())
    assert "Skolen is worried about at Emma er alene" in text  # the composing msgid; the words as typed
    assert "At Emma" not in text


@pytest.mark.parametrize(
    ("typed", "mid"),
    [
        ("At Tom er alene hjemme", "at Tom er alene hjemme"),
        ("  Hvis mor drikker", "hvis mor drikker"),
        ("Mor drikker om aftenen", "mor drikker om aftenen"),
        (": at Tom", "at Tom"),
        ("Tom er alene hjemme", "Tom er alene hjemme"),  # a name stays
        ("SSP har set Tom", "SSP har set Tom"),  # an abbreviation stays
        ("Toms skolegang", "Toms skolegang"),
        ("That Tom is alone", "that Tom is alone"),
        ("", ""),
    ],
)
def test_mid_sentence(typed, mid):
    assert mid_sentence(typed) == mid


def test_sentence_start():
    assert sentence_start("skolen:") == "Skolen"
    assert sentence_start(" mor og mormor, ") == "Mor og mormor"
    assert sentence_start("SSP") == "SSP"
    assert sentence_start(None) == ""
