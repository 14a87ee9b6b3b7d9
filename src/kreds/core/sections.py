"""A page with several sections of input is one ``<form>``: nothing typed in one section is lost by saving another.

Each section keeps its own submit button, whose value names the section. Whichever is pressed, that section and every
other section with changes are saved together, all or nothing: when one is refused (its own errors, a service's
refusal, a colleague's newer save — see :mod:`kreds.core.stale`), nothing is saved and every section is shown
again as typed, the refusal on its own section.

In a view::

    sections = {
        "notes": Section(NotesForm(request.POST, initial=...), lambda version: services.save(..., version), ...),
        "date": Section(DateForm(request.POST, initial=...), lambda _version: services.move(...), ...),
    }
    if sections_saved(request, sections, pressed=request.POST.get("save", "notes")):
        return redirect(...)
    return render(... the forms of ``sections`` ...)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from kreds.core import stale
from kreds.core.exceptions import KredsError, StaleEdit

REFUSED = gettext_lazy("Nothing is saved yet: correct what is marked below. All you wrote is still here.")


@dataclass
class Section:
    form: forms.BaseForm
    save: Callable[[Any], Any]  # called with the version the save may go through on (None if unversioned)
    success: str = ""
    current: Callable[[], tuple[Mapping[str, Any], Any]] | None = None  # what is saved now, for a stale save
    version_field: str = "version"
    reload_url: str = ""


class _Refused(Exception):
    pass


def changed(form: forms.BaseForm, version_field: str = "version") -> bool:
    """Did the user change anything in ``form`` (its hidden version aside)?"""
    return form.is_bound and any(name != version_field for name in form.changed_data)


def sections_saved(request: HttpRequest, sections: Mapping[str, Section], *, pressed: str) -> bool:
    """Save the ``pressed`` section and every section with changes, in this order, all or nothing. True if saved
    (each section's success message is queued); False if refused (the forms carry the reasons)."""
    chosen = [name for name, s in sections.items() if name == pressed or changed(s.form, s.version_field)]
    valid = [sections[name].form.is_valid() for name in chosen]  # every chosen section shows its own errors
    try:
        if not all(valid):
            raise _Refused
        with transaction.atomic():
            for name in chosen:
                _save(sections[name])
    except _Refused:
        if len(sections) > 1:  # the reason may be in another section than the button pressed
            messages.error(request, REFUSED)
        return False
    for name in chosen:
        if sections[name].success:
            messages.success(request, sections[name].success)
    return True


def _save(section: Section) -> None:
    form = section.form
    version = stale.expected_version(form, section.version_field) if section.version_field in form.fields else None
    try:
        section.save(version)
    except StaleEdit as exc:
        if section.current is None:
            form.add_error(None, exc.message)
        else:
            values, now = section.current()
            stale.refuse(form, exc.message, current=values, version=now, reload_url=section.reload_url)
        raise _Refused from exc
    except KredsError as exc:
        form.add_error(None, exc.message)
        raise _Refused from exc
