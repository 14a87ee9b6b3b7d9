"""The one way a view runs a service: its result comes back, its refusal reaches the user.

    outcome = run(request, lambda: services.plan_meeting(actor=user, case=case, **form.cleaned_data),
                  form=form, success=_("The meeting is planned."))
    if outcome:
        return redirect(outcome.value)

- With a ``form``: nothing runs unless the form is valid; a refusal (:class:`KredsError`) goes onto the form above
  the fields, with everything the user typed kept.
- Without a form: a refusal is a page message.
- A stale save (:class:`StaleEdit`) with ``current`` (a callable giving the values and version saved now) shows the
  user's text beside the colleague's (``core.stale``); the service is called with the version the form was opened
  on — use ``stale.expected_version(form)`` inside the call; ``extra_rows`` adds comparison rows the form alone
  cannot work out (a formset's rows, as the Signs of Safety mapping's worry statements).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from kreds.core import stale
from kreds.core.exceptions import KredsError, StaleEdit


@dataclass(frozen=True)
class Outcome[T]:
    """What running a service gave: ``ok`` (also its truth value), the service's return ``value``, or the
    ``error`` the user was shown."""

    ok: bool
    value: T | None = None
    error: str = ""

    def __bool__(self) -> bool:
        return self.ok


def run[T](
    request: HttpRequest,
    call: Callable[[], T],
    *,
    form: forms.BaseForm | None = None,
    success: str = "",
    current: Callable[[], tuple[Mapping[str, Any], Any]] | None = None,
    reload_url: str = "",
    extra_rows: Callable[[], Sequence[stale.Row]] | None = None,
) -> Outcome[T]:
    """Run ``call`` (a service call) for the user; see the module's docstring."""
    if form is not None and not form.is_valid():
        return Outcome(False)
    try:
        value = call()
    except StaleEdit as exc:
        if form is not None and current is not None:
            values, version = current()
            stale.refuse(
                form,
                exc.message,
                current=values,
                version=version,
                reload_url=reload_url,
                extra_rows=extra_rows() if extra_rows else (),
            )
        else:
            _refuse(request, form, exc.message)
        return Outcome(False, error=exc.message)
    except KredsError as exc:
        _refuse(request, form, exc.message)
        return Outcome(False, error=exc.message)
    if success:
        messages.success(request, success)
    return Outcome(True, value)


def _refuse(request: HttpRequest, form: forms.BaseForm | None, message: str) -> None:
    if form is not None:
        form.add_error(None, message)
    else:
        messages.error(request, message)
