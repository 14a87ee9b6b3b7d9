"""Forms for the child's voice: what staff record, and the child's own page (large, plain, no JavaScript)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kreds.core.forms import DateInput, KredsForm


def _words(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=help_text)


class ThreeHousesForm(KredsForm):
    recorded_on = forms.DateField(label=_("Talked with the child on"), widget=DateInput)
    worries = _words(_("House of worries"), _("The child's own words, written as the child said them."))
    good_things = _words(_("House of good things"))
    dreams = _words(_("House of dreams"))
    drawing = forms.FileField(
        label=_("Photo of the child's drawing (optional)"),
        required=False,
        help_text=_("JPEG, PNG or PDF, at most 8 MB. Stored safely and shown only to staff on the case."),
    )
    parents_consent_by = forms.CharField(label=_("Consent given by (parents)"), max_length=200)
    parents_consent_on = forms.DateField(label=_("Consent given on"), widget=DateInput)
    shown_to_parents_first = forms.BooleanField(label=_("The tool was shown to the parents first"), required=False)
    checked_with_child_on = forms.DateField(
        label=_("Checked back with the child on"),
        widget=DateInput,
        required=False,
        help_text=_("When you read the words back to the child and the child agreed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"recorded_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReviewForm(KredsForm):
    note = forms.CharField(
        label=_("What happens with it?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: added the neighbour to the network map; will be read at the meeting."),
    )


class WordsAndPicturesForm(KredsForm):
    title = forms.CharField(label=_("Title"), max_length=120, initial=_("Why the municipality helps your family"))
    text = forms.CharField(
        label=_("The story"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Short sentences a child can understand: what happened, what the adults worry about, and what happens now."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ChildPageForm(KredsForm):
    worries = _words(_("What worries you?"))
    good_things = _words(_("What is good in your life?"))
    dreams = _words(_("What do you dream about?"))
    safe_with = _words(_("Who do you feel safe with?"))
    who_to_meeting = _words(_("Who should come to the meeting?"))
    tell_adults = _words(_("What do you want the adults to know?"))
    hide_optional = True
