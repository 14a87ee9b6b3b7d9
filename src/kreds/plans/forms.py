"""Forms for the child's plan and the agreement list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kreds.core.forms import DateInput, KredsForm
from kreds.network.models import NetworkPerson
from kreds.plans.constants import GoalArea, TaskStatus


class PlanForm(KredsForm):
    decided_on = forms.DateField(label=_("The plan was made on"), widget=DateInput)
    purpose = forms.CharField(
        label=_("The purpose of the support"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the support should achieve for the child (Barnets Lov § 91)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class GoalForm(KredsForm):
    area = forms.ChoiceField(label=_("Area"), choices=GoalArea.choices)
    text = forms.CharField(
        label=_("Goal"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Think the network into every goal where possible, not in a separate section."),
    )


class ContributionForm(KredsForm):
    conditional_help = {
        "person": _("Required if “Or: who” is empty."),
        "responsible_name": _("Required if no one from the map is chosen."),
    }
    person = forms.ModelChoiceField(
        label=_("Who (from the network map)"),
        queryset=NetworkPerson.objects.none(),
        required=False,
        empty_label=_("Someone not on the map"),
    )
    responsible_name = forms.CharField(
        label=_("Or: who"), max_length=200, required=False, help_text=_("For example the caseworker or the school.")
    )
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("By when"), widget=DateInput, required=False)

    def __init__(self, *args: Any, persons: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        field.queryset = NetworkPerson.objects.filter(pk__in=[p.pk for p, _n in persons])  # type: ignore[attr-defined]
        names = {p.pk: name for p, name in persons}
        field.label_from_instance = lambda p: names.get(p.pk, "")  # type: ignore[attr-defined]


class GoalEditForm(GoalForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ContributionEditForm(ContributionForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(KredsForm):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)


class ReviewForm(KredsForm):
    reviewed_on = forms.DateField(label=_("Followed up on"), widget=DateInput)
    note = forms.CharField(label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class TaskFilterForm(KredsForm):
    hide_optional = True
    person = forms.ChoiceField(label=_("Who"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("", _("All")), *TaskStatus.choices],
    )
    source = forms.ChoiceField(
        label=_("Where agreed"),
        required=False,
        choices=[
            ("", _("Everywhere")),
            ("meeting", _("Network meetings")),
            ("fgc", _("Family group conferences")),
            ("safety", _("Safety plan")),
            ("plan", _("The child's plan")),
        ],
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone")), *people]  # type: ignore[attr-defined]
