"""DKFDS form rendering: every Kreds form uses these templates and widget classes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.renderers import TemplatesSetting
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kreds.core import disclosure
from kreds.core.text import validate_multi_line, validate_one_line


class KredsFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/div.html"
    field_template_name = "core/forms/field.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# Dates outside these years are typing mistakes (and would overflow date arithmetic further on); each form still
# checks what makes sense for its own dates.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
# Whole numbers must fit the database's integer columns.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def validate_sane_date(value: Any) -> None:
    if isinstance(value, datetime.date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Write a date between %(first)s and %(last)s.") % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            code="date_range",
        )


def _guard(field: forms.Field) -> None:
    """What every field of every form refuses, whatever the form itself checks (issue 13 §5, §6):

    * text: control characters; line breaks except in a multi-line field (core.text). Passwords are never shown
      anywhere and are left as typed;
    * dates: outside 1900–2100;
    * whole numbers: outside the database's integer range.
    """
    extra: list[Any] = []
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        extra.append(validate_multi_line if isinstance(field.widget, forms.Textarea) else validate_one_line)
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        extra.append(validate_sane_date)
    elif isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField | forms.FloatField):
        if field.max_value is None:
            extra.append(MaxValueValidator(INT_MAX))
        if field.min_value is None:
            extra.append(MinValueValidator(INT_MIN))
    field.validators = [*field.validators, *(v for v in extra if v not in field.validators)]
    _plain_choice_messages(field)


def _plain_choice_messages(field: forms.Field) -> None:
    """A choice that is not on the list gets a message in words: never Django's generic "Select a valid choice",
    never the value that was sent (it may be a raw id). A field's own message, where it has one, is kept."""
    if not isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return
    defaults: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    for key in ("invalid_choice", "invalid_pk_value", "invalid_list"):
        if key in field.error_messages and field.error_messages[key] is defaults.get(key):
            field.error_messages[key] = CHOICE_MESSAGES[key]


CHOICE_MESSAGES = {
    "invalid_choice": gettext_lazy("Choose one of the options in the list."),
    "invalid_pk_value": gettext_lazy("Choose one of the options in the list."),
    "invalid_list": gettext_lazy("Choose one or more of the options in the list."),
}


def conditional(field: forms.Field, when: Any) -> forms.Field:
    """Mark ``field`` as required under some answers only (issue 14 §3): ``when`` says when, in a sentence that
    starts "Required if …" ("Skal udfyldes, hvis …").

    The field stays ``required=False`` (the service checks the condition and refuses with its own message), but it is
    never labelled "(optional)": its hint starts with ``when``, and the hint is read out with the input. Use it on
    the field in the form class: ``reason = conditional(forms.CharField(required=False), _("Required if …"))``.
    """
    field.conditional_help = when  # type: ignore[attr-defined]
    return field


def _conditional_hint(field: forms.Field) -> None:
    when = getattr(field, "conditional_help", None)
    if when:
        field.help_text = format_lazy("{} {}", when, field.help_text) if field.help_text else when


class KredsFormMixin:
    """Adds DKFDS classes to widgets and wires errors to inputs for screen readers.

    ``conditional_help``: {field name: when it is required} for fields required under some answers only, the same
    as :func:`conditional` on each field.
    """

    default_renderer: Any = KredsFormRenderer
    conditional_help: dict[str, Any] = {}  # read only: set per form class

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, when in self.conditional_help.items():
            if name in self.fields:  # type: ignore[attr-defined]
                self.fields[name].conditional_help = when  # type: ignore[attr-defined]
        self._lock_protected()
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            _guard(field)
            _conditional_hint(field)
            css = widget.attrs.get("class", "")
            if isinstance(widget, forms.CheckboxInput):
                css += " form-checkbox"
            elif isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
                css += " form-select"
            elif isinstance(widget, forms.Textarea):
                css += " form-input"
            elif isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                css += " form-radio" if isinstance(widget, forms.RadioSelect) else " form-checkbox"
            else:
                css += " form-input"
            widget.attrs["class"] = css.strip()

    def _lock_protected(self) -> None:
        """A field whose saved text holds a protected detail the reader may not see (issue 18) is shown as the
        reader's guard shows it ("Beskyttet") and cannot be changed by them: a disabled field keeps its saved value
        whatever is posted, so nobody overwrites a protected address with the word "Beskyttet"."""
        initial: dict[str, Any] = self.initial  # type: ignore[attr-defined]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            value = initial.get(name, field.initial)
            if isinstance(value, str) and value and disclosure.text(value) != value:
                field.disabled = True
                field.help_text = _("Protected. Only the caseworkers assigned to the case can see and change it.")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_error"  # type: ignore[attr-defined]


class KredsForm(KredsFormMixin, forms.Form):
    pass


class KredsModelForm(KredsFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass
