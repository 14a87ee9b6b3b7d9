"""Text in and out (issue 13 §5): the form guard refuses control characters; every renderer takes any stored text.

Hypothesis generates the text: any Unicode, control characters, surrogate-free or not, long or short.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from kreds.core.forms import KredsForm
from kreds.core.mail import email
from kreds.core.text import (
    clean_structure,
    one_line,
    printable,
    safe_filename,
    spreadsheet_cell,
    xml_text,
)

ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=["Cs"]), max_size=200)
WITH_CONTROLS = st.text(
    alphabet=st.sampled_from(list("ab æ\x00\x01\x07\x0b\x0c\x1b\x7f\x85\x9f\t\n\r\u2028\u2029😀\u202e"))
)


class Sample(KredsForm):
    name = forms.CharField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)
    when = forms.DateField(required=False)
    count = forms.IntegerField(required=False)


@given(WITH_CONTROLS)
@settings(max_examples=200, deadline=None)
def test_renderers_take_any_text(value):
    line = one_line(value)
    assert "\n" not in line and "\r" not in line
    assert all(c >= " " and not "\x7f" <= c <= "\x9f" for c in line)
    kept = printable(value)
    assert all(c == "\n" or (c >= " " and not "\x7f" <= c <= "\x9f") for c in kept)
    ET.fromstring(f"<t>{escape(xml_text(value))}</t>")  # well-formed XML, whatever was stored
    name = safe_filename(value)
    assert name and all(c.isascii() and (c.isalnum() or c in "._-") for c in name) and ".." not in name
    email(subject=value, body=value, to=["a@example.invalid"]).message()  # no header error, ever


@given(ANY_TEXT)
@settings(max_examples=200, deadline=None)
def test_printable_keeps_ordinary_text(value):
    ordinary = "".join(c for c in value if c.isprintable() or c == " ")
    assert printable(ordinary) == printable(printable(ordinary))  # idempotent
    assert one_line("Åse  Bjørn-Ølund\t") == "Åse Bjørn-Ølund"


@given(ANY_TEXT)
@settings(max_examples=100, deadline=None)
def test_a_spreadsheet_cell_is_never_a_formula(value):
    cell = spreadsheet_cell(value)
    assert not cell.startswith(("=", "+", "@", "\t", "\r", "|", "%")) or cell.startswith("'")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow([cell])
    assert next(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"))[0] == cell
    assert spreadsheet_cell("-5") == "-5" and spreadsheet_cell(12) == 12
    assert spreadsheet_cell("=SUM(A1)") == "'=SUM(A1)"


def test_clean_structure_reaches_every_string():
    assert clean_structure({"a": ["x\x07y", {"b": ("z\x00",)}], "n": 3}) == {"a": ["xy", {"b": ["z"]}], "n": 3}


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("name", "Anna Sørensen", True),
        ("name", "عائشة 😀", True),
        ("name", "Anna\tSørensen", False),
        ("name", "Li\nne", False),
        ("name", "Ole\x1b[31m", False),
        ("name", "a\u2028b", False),
        ("note", "Første linje\r\nAnden linje\tmed tab", True),
        ("note", "bell\x07", False),
        ("note", "sep\u2029arator", False),
        ("when", "0001-01-01", False),
        ("when", "9999-12-31", False),
        ("when", "2026-12-05", True),
        ("count", "99999999999", False),
        ("count", "-99999999999", False),
        ("count", "42", True),
    ],
)
def test_every_form_guards_its_fields(field, value, ok):
    form = Sample({field: value})
    assert form.is_valid() is ok, form.errors
    if not ok:
        assert form.errors[field][0]  # a message in words, not a crash
