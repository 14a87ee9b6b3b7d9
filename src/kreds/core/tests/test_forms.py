"""The DKFDS form templates show each field's error next to it and wire it to the input for screen readers."""

from __future__ import annotations

from django import forms

from kreds.core.forms import KredsForm


class _Form(KredsForm):
    name = forms.CharField(label="Name")
    agree = forms.BooleanField(label="Agree")
    choice = forms.ChoiceField(label="Choice", choices=[("a", "A")], widget=forms.RadioSelect)


def test_field_errors_are_shown_and_described():
    form = _Form(data={})
    assert not form.is_valid()
    html = str(form)
    for name in ("name", "agree", "choice"):
        assert f'id="id_{name}_error"' in html, name
    assert html.count("form-error-message") == 3
    assert 'aria-describedby="id_name_error"' in html and 'aria-invalid="true"' in html
    # The same when a template renders one field at a time.
    assert 'id="id_name_error"' in str(form["name"].as_field_group())


def test_valid_form_shows_no_errors():
    form = _Form(data={"name": "Inge", "agree": "on", "choice": "a"})
    assert form.is_valid()
    assert "form-error-message" not in str(form)
