from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kreds.cases.constants import CaseStatus, Gender, LegalBasis, RiskOutcome
from kreds.core.crypto import CPR_RE
from kreds.core.forms import DateInput, KredsForm
from kreds.tenancy.models import Unit


def _validate_cpr(value: str) -> str:
    value = value.strip().replace(" ", "")
    if value and not CPR_RE.match(value):
        raise forms.ValidationError(_("A CPR number has 10 digits, written as ddmmåå-xxxx."))
    return value


class CaseForm(KredsForm):
    """Child and case in one form (a new case is usually a new child)."""

    first_name = forms.CharField(label=_("Child's first name(s)"), max_length=100)
    last_name = forms.CharField(label=_("Child's last name"), max_length=100)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())
    cpr = forms.CharField(
        label=_("CPR number"),
        required=False,
        max_length=11,
        help_text=_("Optional. Stored encrypted and shown masked. Write it as ddmmåå-xxxx."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    languages = forms.CharField(
        label=_("Language(s)"), max_length=200, required=False, help_text=_("For example: dansk, arabisk")
    )
    interpreter_needed = forms.BooleanField(label=_("The family needs an interpreter"), required=False)
    external_ref = forms.CharField(
        label=_("Journal number"),
        max_length=60,
        required=False,
        help_text=_("The case's number in the ESDH/DUBU system."),
    )
    opened_on = forms.DateField(label=_("Case opened"), widget=DateInput())
    responsible_unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    basis_afdaekning = forms.BooleanField(label=LegalBasis.AFDAEKNING.label, required=False)
    basis_investigation = forms.BooleanField(label=LegalBasis.INVESTIGATION.label, required=False)
    basis_support = forms.BooleanField(label=LegalBasis.SUPPORT.label, required=False)
    basis_placement = forms.BooleanField(label=LegalBasis.PLACEMENT.label, required=False)
    investigation_started_on = forms.DateField(
        label=_("Investigation (BFU) started on"),
        widget=DateInput(),
        required=False,
        help_text=_("The børnefaglige undersøgelse must be completed within 4 months."),
    )
    investigation_completed_on = forms.DateField(
        label=_("Investigation completed on"), widget=DateInput(), required=False
    )
    measure_decided_on = forms.DateField(
        label=_("Measure decided on"),
        widget=DateInput(),
        required=False,
        help_text=_("The child's plan must be made within 3 months of the decision."),
    )
    placement_without_consent = forms.BooleanField(
        label=_("Placement without consent"),
        required=False,
        help_text=_("Then the plan must be made before the decision."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = units  # type: ignore[attr-defined]
        self.editing = editing
        if editing:
            self.fields["cpr"].help_text = _(
                "Leave empty to keep the recorded CPR number. Write a new number to replace it."
            )
        self.fields["opened_on"].initial = timezone.localdate()

    def clean_cpr(self) -> str:
        return _validate_cpr(self.cleaned_data.get("cpr", ""))

    def clean_birth_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if value.year < timezone.localdate().year - 25:
            raise forms.ValidationError(_("Check the date of birth: the child would be more than 25 years old."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cpr, birth = data.get("cpr"), data.get("birth_date")
        if cpr and birth and cpr[:6] != birth.strftime("%d%m%y"):
            self.add_error("cpr", _("The first six digits of the CPR number must match the date of birth."))
        started, completed = data.get("investigation_started_on"), data.get("investigation_completed_on")
        if completed and not started:
            self.add_error("investigation_started_on", _("Write when the investigation started."))
        elif completed and started and completed < started:
            self.add_error("investigation_completed_on", _("The investigation cannot end before it started."))
        today = timezone.localdate()
        for name in ("investigation_started_on", "investigation_completed_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("The date cannot be in the future."))
        return data


class CaseSearchForm(KredsForm):
    hide_optional = True
    text = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, journal number or full CPR number"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *CaseStatus.choices], initial="open"
    )
    basis = forms.ChoiceField(label=_("Legal basis"), required=False, choices=[("", _("All")), *LegalBasis.choices])
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("mine", _("Cases assigned to me")), ("all", _("All cases I have access to"))],
        initial="mine",
    )


class CloseCaseForm(KredsForm):
    reason = forms.CharField(
        label=_("Why is the case closed?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(KredsForm):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Caseworker"), queryset=None)

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates  # type: ignore[attr-defined]


class ReferForm(KredsForm):
    unit = forms.ModelChoiceField(label=_("Refer to unit"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class SafetyConcernForm(KredsForm):
    safety_concern = forms.BooleanField(
        label=_("Honour-related conflict or negative social control may be involved"), required=False
    )


class RiskAssessmentForm(KredsForm):
    conditional_help = {"limits": _("Required if the conclusion is to proceed with limits.")}
    assessed_on = forms.DateField(label=_("Date of assessment"), widget=DateInput())
    summary = forms.CharField(label=_("Assessment"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    outcome = forms.ChoiceField(label=_("Conclusion"), choices=RiskOutcome.choices, widget=forms.RadioSelect)
    limits = forms.CharField(
        label=_("Limits on involvement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("For example: the father must not be told the address; only named relatives are invited."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == RiskOutcome.PROCEED_WITH_LIMITS and not (data.get("limits") or "").strip():
            self.add_error("limits", _("Describe the limits when the conclusion is to proceed with limits."))
        if data.get("assessed_on") and data["assessed_on"] > timezone.localdate():
            self.add_error("assessed_on", _("The date cannot be in the future."))
        return data


class RevealCprForm(KredsForm):
    reason = forms.CharField(
        label=_("Why do you need the full CPR number?"),
        max_length=200,
        help_text=_("Recorded in the access log."),
    )


class SiblingForm(KredsForm):
    sibling_case: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Sibling's case"), queryset=None)

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sibling_case"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["sibling_case"].label_from_instance = (  # type: ignore[attr-defined]
            lambda c: f"{c.child.full_name} ({c.external_ref or f'{c.child.birth_date:%d.%m.%Y}'})"
        )


class RestrictForm(KredsForm):
    reason = forms.CharField(
        label=_("Why is the case restricted?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the child of a colleague in the unit, or a family known from the media."),
    )
    staff = forms.MultipleChoiceField(
        label=_("Who may open the case"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            'You are always on the list. Everyone else sees the case as "Restricted case" without a name; the '
            "unit's leader can open it by stating a reason, which the named staff are shown."
        ),
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], changing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = people  # type: ignore[attr-defined]
        if changing:
            del self.fields["reason"]


class ReasonForm(KredsForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, label: Any = None, help_text: Any = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text
