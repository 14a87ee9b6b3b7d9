"""The meeting leaflet (kreds.meetings.leaflet): both languages complete, the key points present, short paragraphs.

It lives here until the meetings app has its own tests package.
"""

from __future__ import annotations

from django.utils import translation

from kreds.meetings.leaflet import LEAFLET, Section, leaflet


def _text(language: str) -> str:
    title, sections = LEAFLET[language]
    return " ".join([title, *(s.heading for s in sections), *(p for s in sections for p in s.paragraphs)])


def test_both_languages_have_the_same_sections():
    assert set(LEAFLET) == {"da", "en"}
    da_sections = LEAFLET["da"][1]
    en_sections = LEAFLET["en"][1]
    assert len(da_sections) == len(en_sections)
    for da, en in zip(da_sections, en_sections, strict=True):
        assert isinstance(da, Section) and isinstance(en, Section)
        assert len(da.paragraphs) == len(en.paragraphs)


def test_danish_leaflet_has_the_key_points():
    text = _text("da")
    assert LEAFLET["da"][0] == "Hvad er et inddragende netværksmøde?"
    for phrase in ("neutral", "to timer", "hvem der gør hvad", "samtykke", "14 dage", "pause"):
        assert phrase in text, phrase


def test_paragraphs_are_short():
    for _title, sections in LEAFLET.values():
        for section in sections:
            assert section.paragraphs
            for paragraph in section.paragraphs:
                assert len(paragraph) <= 400, paragraph


def test_leaflet_follows_the_active_language_and_falls_back_to_danish():
    assert leaflet("en") is LEAFLET["en"]
    assert leaflet("en-gb") is LEAFLET["en"]
    assert leaflet("da") is LEAFLET["da"]
    assert leaflet("fr") is LEAFLET["da"]
    with translation.override("en"):
        assert leaflet() is LEAFLET["en"]
    with translation.override("da"):
        assert leaflet() is LEAFLET["da"]
    with translation.override(None):
        assert leaflet() is LEAFLET["da"]
