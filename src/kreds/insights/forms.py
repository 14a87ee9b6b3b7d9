from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kreds.core.forms import KredsForm
from kreds.insights.periods import MAX_CUSTOM_DAYS, Period

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(KredsForm):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("Your own dates")),
        ],
        initial="month",
    )
    on = forms.DateField(
        label=_("A day in the period"),
        required=False,
        widget=DATE,
        help_text=_("For a month, quarter or year: any day in it."),
    )
    start = forms.DateField(label=_("First day"), required=False, widget=DATE, help_text=_("Only for your own dates."))
    end = forms.DateField(label=_("Last day"), required=False, widget=DATE, help_text=_("Only for your own dates."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Choose the first day of the period."))
            if not end:
                self.add_error("end", _("Choose the last day of the period."))
            if start and end and end < start:
                self.add_error("end", _("The last day must not be before the first day."))
            elif start and end and (end - start).days > MAX_CUSTOM_DAYS:
                self.add_error("end", _("A period can be at most three years."))
        return data

    def period_or(self, today: datetime.date) -> Period:
        """The chosen period, or the current month when nothing valid was chosen."""
        if not self.is_bound or not self.is_valid():
            return Period.containing("month", today)
        data = self.cleaned_data
        if data["period"] == "custom":
            return Period.custom(data["start"], data["end"])
        return Period.containing(data["period"], data.get("on") or today)


def period_form(params: Any, today: datetime.date) -> tuple[PeriodForm, Period]:
    form = PeriodForm(params if params else None, initial={"period": "month", "on": today})
    return form, form.period_or(today)
