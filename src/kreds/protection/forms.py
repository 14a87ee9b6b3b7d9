"""The protection form: whose details, what is protected, why, and who must never learn it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kreds.core.forms import KredsForm
from kreds.protection.models import Reason

CHILD = "barnet"
WHAT = [
    ("address", _("Address")),
    ("contact", _("Phone and e-mail")),
    ("whereabouts", _("Whereabouts")),
    ("hidden", _("Takes part in meetings without appearing to the other participants")),
]


class ProtectionForm(KredsForm):
    person = forms.ChoiceField(label=_("Whose details are protected"))
    protects = forms.MultipleChoiceField(
        label=_("What is protected"),
        choices=WHAT,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what is protected.")},
        help_text=_(
            "Taking part without appearing: the person's name, contact details and attendance are left out of what "
            "the other participants receive."
        ),
    )
    whereabouts_text = forms.CharField(
        label=_("Where the person is staying"),
        required=False,
        max_length=300,
        help_text=_("Required for whereabouts. For example the name of the crisis centre or the town."),
    )
    also_words = forms.CharField(
        label=_("Other words that reveal it"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, for example a new school or a street name. Kreds keeps them out of what others receive too."
        ),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices, widget=forms.RadioSelect)
    reason_text = forms.CharField(
        label=_("The reason in words"), required=False, max_length=300, help_text=_("Required for other reasons.")
    )
    must_not_learn = forms.MultipleChoiceField(
        label=_("Who must never learn it"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Kreds refuses to send them anything that contains the protected details, and warns when they are invited "
            "to the same meeting as the protected person."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, people: list[tuple[str, str]], child: str, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Choose a person")), (CHILD, child), *people]  # type: ignore[attr-defined]
        self.fields["must_not_learn"].choices = people  # type: ignore[attr-defined]
        if editing:
            self.fields["person"].disabled = True
            self.fields["person"].help_text = _("To protect someone else's details, record a new protection.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = set(data.get("protects") or [])
        for key, _label in WHAT:
            data[key] = key in chosen
        if data.get("whereabouts") and not (data.get("whereabouts_text") or "").strip():
            self.add_error("whereabouts_text", _("Write where the person is staying."))
        if data.get("reason") == Reason.OTHER and not (data.get("reason_text") or "").strip():
            self.add_error("reason_text", _("Write the reason in words."))
        person = data.get("person")
        if person and person in (data.get("must_not_learn") or []):
            self.add_error("must_not_learn", _("The protected person cannot be one of those who must not learn it."))
        return data


class EndForm(KredsForm):
    end_reason = forms.CharField(
        label=_("Why does the protection end?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the CPR protection has ended, or the family has moved on. Kept in the audit trail."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
