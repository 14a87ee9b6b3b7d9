"""The DKFDS form templates show each field's error next to it and wire it to the input for screen readers."""

from __future__ import annotations

from django import forms
from django.utils.translation import override

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


@override("en")
def test_a_conditionally_required_field_is_not_called_optional():
    """Issue 14 §3: a field required under some answers says when, instead of "(optional)"."""
    from kreds.core.forms import conditional

    class Form(KredsForm):
        in_network = forms.BooleanField(label="In the network", required=False)
        reason = conditional(forms.CharField(label="Reason", required=False), "Required if not in the network.")
        place = forms.CharField(label="Place", required=False, help_text="Where.")
        note = forms.CharField(label="Note", required=False)
        conditional_help = {"place": "Required if it is a visit."}

    form = Form()
    reason, place, note = (str(form[n].as_field_group()) for n in ("reason", "place", "note"))
    assert "(optional)" not in reason and "(optional)" not in place
    assert "(optional)" in note, "a truly optional field still says so"
    assert '<span class="form-hint" id="id_reason_helptext">Required if not in the network.</span>' in reason
    assert "Required if it is a visit. Where." in place, "the condition first, then the field's own hint"
    assert 'aria-describedby="id_reason_helptext"' in reason, "the hint is read out with the input"
    assert not Form().fields["reason"].required, "the service checks the condition"


@override("en")
def test_real_conditional_fields_are_marked():
    """The fields the field trial found labelled "(optional)" although the service requires them under some answers."""
    from kreds.meetings.forms import ParticipantForm
    from kreds.placements.forms import DecisionForm, StatusForm
    from kreds.plans.forms import ContributionForm
    from kreds.safety.forms import StatementForm

    forms_and_fields = [
        (DecisionForm(candidates=[]), ["candidate", "no_network_reason"]),
        (StatusForm(allowed=[]), ["reason"]),
        (StatementForm(), ["who_worried", "about_what", "if_nothing_changes"]),
        (ParticipantForm(), ["email", "address"]),
        (ContributionForm(persons=[]), ["person", "responsible_name"]),
    ]
    for form, names in forms_and_fields:
        for name in names:
            html = str(form[name].as_field_group())
            assert "(optional)" not in html, (type(form).__name__, name)
            assert "Required" in html, (type(form).__name__, name)
