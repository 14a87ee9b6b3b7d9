"""Forms for the exploration, candidates, the placement decision and the contact plan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kreds.core.forms import DateInput, KredsForm, conditional
from kreds.placements.constants import CandidateStatus, CheckState, ContactMode, ContactSupport, Setting


def _today() -> Any:
    return timezone.localdate()


class ExplorationForm(KredsForm):
    started_on = forms.DateField(label=_("Exploration started on"), widget=DateInput, initial=_today)
    why = forms.CharField(
        label=_("Why is placement being considered?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In a few sentences. No CPR numbers."),
    )


class CloseForm(KredsForm):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput, initial=_today)


class StatusForm(KredsForm):
    status = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=_today, help_text=_("The day it happened."))
    reason = conditional(
        forms.CharField(label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2})),
        _("Required if the person is not suitable."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(CandidateStatus.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in allowed]  # type: ignore[attr-defined]


class CheckForm(KredsForm):
    state = forms.ChoiceField(label=_("State"), choices=CheckState.choices)
    on = conditional(
        forms.DateField(label=_("Date (planned or done)"), widget=DateInput, required=False),
        _("Required if the check is done."),
    )
    expires_on = forms.DateField(label=_("Valid until"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DocumentForm(KredsForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))
    expires_on = forms.DateField(label=_("Valid until (if it runs out)"), widget=DateInput, required=False)


class DecisionForm(KredsForm):
    in_network = forms.TypedChoiceField(
        label=_("Is the placement in the child's network?"),
        choices=[("yes", _("Yes, with a person from the child's network")), ("no", _("No"))],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    candidate = conditional(
        forms.ChoiceField(
            label=_("The network person the child moves to"),
            required=False,
            help_text=_("Only candidates approved for this child can be chosen."),
        ),
        _("Required if the placement is in the network."),
    )
    setting = forms.ChoiceField(label=_("Kind of placement"), choices=Setting.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput, initial=_today)
    starts_on = forms.DateField(label=_("The child moves on"), widget=DateInput, initial=_today)
    no_network_reason = conditional(
        forms.CharField(
            label=_("Why was no placement in the child's network possible?"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
        _("Required if the placement is not in the network."),
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = [("", _("Choose …")), *candidates]  # type: ignore[attr-defined]


class ContactArrangementForm(KredsForm):
    person = forms.ChoiceField(label=_("With whom"))
    frequency = forms.CharField(
        label=_("How often"), max_length=120, help_text=_("For example: every other weekend, Wednesdays 15–17.")
    )
    mode = forms.ChoiceField(label=_("Form"), choices=ContactMode.choices, widget=forms.RadioSelect)
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    support = forms.ChoiceField(label=_("Support"), choices=ContactSupport.choices, widget=forms.RadioSelect)
    child_views = forms.CharField(
        label=_("The child's views"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the child says about the contact, in the child's own words where possible."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, persons: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if persons is None:
            del self.fields["person"]
        else:
            self.fields["person"].choices = [("", _("Choose …")), *persons]  # type: ignore[attr-defined]


class SuspensionForm(KredsForm):
    basis = forms.CharField(widget=forms.HiddenInput, initial="child")
    starts_on = forms.DateField(label=_("From"), widget=DateInput, initial=_today)
    ends_on = forms.DateField(label=_("To and including"), widget=DateInput, help_text=_("At most 8 weeks."))
    child_request = forms.CharField(
        label=_("What the child asked for"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "A suspension is at the child's own request: at most 8 weeks, and not again within 8 weeks of the last "
            "one. A longer stop needs a decision."
        ),
    )


class DecisionSuspensionForm(KredsForm):
    """A stop of contact decided by the municipality (afgørelse): longer than 8 weeks, or soon after a suspension at
    the child's request. Recorded with the decision's date and journal reference."""

    basis = forms.CharField(widget=forms.HiddenInput, initial="decision")
    decision_on = forms.DateField(label=_("The decision was made on"), widget=DateInput)
    decision_ref = forms.CharField(
        label=_("Journal reference of the decision"),
        max_length=100,
        help_text=_("The decision's number or reference in the journal (ESDH)."),
    )
    starts_on = forms.DateField(label=_("Contact is suspended from"), widget=DateInput, initial=_today)
    ends_on = forms.DateField(label=_("To and including"), widget=DateInput, help_text=_("As in the decision."))
    child_request = forms.CharField(
        label=_("What the child said (if anything)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EndSuspensionForm(KredsForm):
    on = forms.DateField(label=_("Contact starts again on"), widget=DateInput, initial=_today)


class SettingsForm(KredsForm):
    placement_checks = forms.MultipleChoiceField(
        label=_("Checks in the assessment of a network candidate"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
