"""A save refused because a colleague saved first (optimistic locking) — the one way every edit form handles it.

The form keeps what the user typed, and shows, field by field, what is saved now beside the user's own text. The
hidden version on the form stays the one the user opened, so clicking "save" again is refused again: nobody
overwrites a colleague's change by accident. The user can tick "Save my changes over my colleague's"; only that box
carries the newer version, so only a deliberate choice goes through (and is audited by the service as any save).

In a view (through the one service runner, ``kreds.core.runner.run``)::

    form = SomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and run(
        request, lambda: services.save(..., expected_version=stale.expected_version(form)),
        form=form, current=lambda: (fresh_initial(), fresh_version()), success=_("Saved."),
    ):
        return redirect(...)

A template that renders ``{{ form }}`` shows the comparison by itself (``core/forms/div.html``); one that renders
the fields one by one includes ``core/forms/_stale.html`` inside its ``<form>``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kreds.core.viewhelpers import parse_int

# The checkbox "Save my changes over my colleague's": its value is the version the user was shown.
KEEP_FIELD = "stale_keep"
# Never shown in a comparison, whatever the form calls secret.
HIDDEN_NAMES = frozenset({"cpr", "password"})


@dataclass(frozen=True)
class Row:
    label: str
    theirs: str
    mine: str


@dataclass
class Conflict:
    """What the template shows after a refused stale save."""

    rows: list[Row]
    version: str  # submitted only when the user ticks the box
    keep_name: str
    keep_id: str
    reload_url: str = ""
    notes: list[str] = field(default_factory=list)


def expected_version(form: forms.BaseForm, name: str = "version") -> Any:
    """The version a save may go through on: the one the form was opened on — or, only when the user ticked
    "Save my changes over my colleague's" after a refused save, the newer version they were shown then."""
    kept = form.data.get(form.add_prefix(KEEP_FIELD)) if form.is_bound else None
    if kept not in (None, ""):
        number = parse_int(kept)
        if number is not None:
            return number
    return form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None


def refuse(
    form: forms.BaseForm,
    message: str,
    *,
    current: Mapping[str, Any],
    version: Any,
    reload_url: str = "",
    also: Iterable[tuple[str, forms.BaseForm, Mapping[str, Any]]] = (),
    extra_rows: Sequence[Row] = (),
    notes: Sequence[str] = (),
) -> None:
    """Mark ``form`` as refused because it is stale: the message goes on the form, the form stays bound to what
    the user typed, and ``form.stale`` holds the comparison with ``current`` (the values saved now, as the form's
    initial would have them) and the ``version`` saved now. ``also``: further (label prefix, form, current) to
    compare, e.g. the forms of a formset; ``extra_rows``: rows the caller works out itself."""
    form.add_error(None, message)
    rows = compare(form, current)
    for prefix, other, other_current in also:
        rows += [Row(f"{prefix}: {r.label}", r.theirs, r.mine) for r in compare(other, other_current)]
    rows += list(extra_rows)
    form.stale = Conflict(  # type: ignore[attr-defined]
        rows=rows,
        version="" if version is None else str(version),
        keep_name=form.add_prefix(KEEP_FIELD),
        keep_id=f"id_{form.add_prefix(KEEP_FIELD)}",
        reload_url=reload_url,
        notes=list(notes),
    )


def compare(form: forms.BaseForm, current: Mapping[str, Any]) -> list[Row]:
    """The fields where what is saved now (``current``) differs from what the user sent, both in words."""
    rows = []
    cleaned = getattr(form, "cleaned_data", {})
    for name, bound in form.fields.items():
        if name in HIDDEN_NAMES or name not in current or name == KEEP_FIELD:
            continue
        widget = bound.widget
        if widget.is_hidden or isinstance(widget, forms.PasswordInput):
            continue
        theirs = current[name]
        if not bound.has_changed(_initial(bound, theirs), form[name].data):
            continue
        mine = cleaned.get(name, form[name].data)
        rows.append(Row(str(bound.label or name), display(bound, theirs), display(bound, mine)))
    return rows


def _initial(bound: forms.Field, value: Any) -> Any:
    if isinstance(bound, forms.ModelChoiceField) and isinstance(value, Model):
        return value.pk
    return value


def display(bound: forms.Field, value: Any) -> str:
    """A value as the user reads it: choices by their label, dates in Danish, yes/no, "–" for nothing."""
    if isinstance(bound, forms.BooleanField):
        return _("Yes") if value else _("No")
    if value is None or value == "" or value == [] or value == ():
        return "–"
    if isinstance(value, (list, tuple, set)) and not isinstance(bound, forms.ModelChoiceField):
        return ", ".join(display(bound, v) for v in value)
    if isinstance(bound, forms.ModelChoiceField):
        instance = value
        if not isinstance(value, Model):
            try:
                instance = bound.queryset.filter(pk=value).first()  # type: ignore[union-attr]
            except (ValueError, TypeError):
                instance = None
        if instance is None:
            return "–"
        return str(bound.label_from_instance(instance))
    choices = getattr(bound, "choices", None)
    if choices:
        for key, label in _flat(choices):
            if str(key) == str(value):
                return str(label)
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "j. F Y H.i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j. F Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H.%M")
    return str(value)


def _flat(choices: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat(label)
        else:
            yield key, label
