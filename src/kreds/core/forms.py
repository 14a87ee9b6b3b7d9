"""DKFDS form rendering: every Kreds form uses these templates and widget classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


class KredsFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/div.html"
    field_template_name = "core/forms/field.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class KredsFormMixin:
    """Adds DKFDS classes to widgets and wires errors to inputs for screen readers."""

    default_renderer: Any = KredsFormRenderer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
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
