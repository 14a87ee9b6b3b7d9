from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kreds.consent.constants import Category
from kreds.core.forms import DateInput, KredsForm
from kreds.network.constants import ConsentGiverRole, Quality, RelationKind, ResourceTag
from kreds.network.models import Sector

RING_CHOICES = [(1, _("1 – closest")), (2, _("2 – close")), (3, _("3 – further out"))]


class PersonForm(KredsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.CharField(
        label=_("Relation to the child"), max_length=100, help_text=_("In plain words: mormor, nabo, fodboldtræner …")
    )
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.none(), empty_label=None)
    ring = forms.TypedChoiceField(
        label=_("Closeness (as the child sees it)"),
        choices=RING_CHOICES,
        coerce=int,
        initial=2,
        widget=forms.RadioSelect,
    )
    quality = forms.ChoiceField(label=_("Relation quality"), choices=Quality.choices, initial=Quality.SUPPORTIVE)
    safe_adult = forms.BooleanField(label=_("The child names this person as a safe adult"), required=False)
    resource_tags = forms.MultipleChoiceField(
        label=_("What can the person contribute?"),
        choices=ResourceTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    resources = forms.CharField(
        label=_("Resources in own words"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    language = forms.CharField(label=_("Preferred language"), max_length=60, required=False)
    is_professional = forms.BooleanField(label=_("Professional"), required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    professional_role = forms.CharField(label=_("Professional role"), max_length=100, required=False)
    intervention = forms.CharField(
        label=_("Intervention they run for the family"),
        max_length=200,
        required=False,
        help_text=_("For example family therapy, PPR support, psychiatry."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, municipality_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.filter(  # type: ignore[attr-defined,misc]
            municipality_id=municipality_id, active=True
        ).order_by("order")


class MapConsentForm(KredsForm):
    given_by = forms.CharField(
        label=_("Who gave consent?"), max_length=200, help_text=_("Name and relation, e.g. Lise Holm (mor)")
    )
    role = forms.ChoiceField(label=_("Role"), choices=ConsentGiverRole.choices)
    given_on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class SharingConsentForm(KredsForm):
    given_by = forms.CharField(label=_("Who gave consent?"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=ConsentGiverRole.choices)
    categories = forms.MultipleChoiceField(
        label=_("Which information?"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    recipients = forms.MultipleChoiceField(label=_("To whom?"), choices=[], widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    given_on = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args: Any, people: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = people or []  # type: ignore[attr-defined]
        self.fields["given_on"].initial = timezone.localdate()


class RelationForm(KredsForm):
    other = forms.ChoiceField(label=_("Other person"), choices=[])
    kind = forms.ChoiceField(
        label=_("Relation"), choices=[("", _("No relation")), *RelationKind.choices], required=False
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = people or []  # type: ignore[attr-defined]


class CompareForm(KredsForm):
    hide_optional = True
    fra = forms.DateField(label=_("From"), widget=DateInput())
    til = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fra") and data.get("til") and data["fra"] > data["til"]:
            self.add_error("til", _("The second date must be after the first."))
        return data


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))
