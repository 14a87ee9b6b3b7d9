"""The one door for protected details (issue 18): every output Kreds renders passes the reader's guard.

Some people on a child's case must not learn where another person lives or how to reach them (a mother and child at
a crisis centre, a secret placement address, CPR name and address protection). Kreds renders far more than a case
system does: staff pages, personal-link pages, e-mails with calendar files and PDFs, letters, exports. Instead of
every template remembering who may see what, the *reader* of an output is declared once, where the output is
produced, and the few doors every output goes through ask the reader's guard:

- every HTTP response (``kreds.protection.middleware``: staff, or the holder of a personal link);
- every e-mail (:func:`kreds.core.mail.email`'s message guards subject, body and text attachments when sent);
- every PDF (:func:`kreds.core.pdf.compile_typst` guards its data);
- every outbox message (the worker declares the recipient as reader before the sender runs);
- every edit form (:class:`kreds.core.forms.KredsFormMixin` locks a field whose saved text the reader may not see);
- lists that name meeting participants ask :func:`shows_person` (hidden participation).

The guard itself lives in :mod:`kreds.protection.disclosure` (it knows the protections); core knows only this
interface, so no layer below the domain imports the domain. A guard replaces a protected value by "Beskyttet" for
a reader who may not see it, or refuses the whole output (:class:`Withheld`) when it is being sent to someone who
must not learn it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


class Withheld(Exception):
    """The output would tell a person something they must not learn: it is not sent at all."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Reader:
    """Who will read what is being rendered.

    ``staff``: a signed-in user (``user_id``, or ``user`` itself). ``person``: the holder of a personal link or the
    recipient of a message or letter, a person on the child's network map (``person_id``) or someone on the case
    without a place on the map (``person_id`` None). ``child``: the child of the case. ``sending``: the output
    leaves Kreds (an e-mail, a letter, a document from a link page): a must-not-learn recipient is refused instead
    of getting a redacted copy.
    """

    kind: Literal["staff", "person", "child"]
    case_id: int | None = None
    person_id: int | None = None
    user_id: int | None = None
    sending: bool = False
    # What the caller has loaded already (saves the guard a query): the staff member, and the municipality whose
    # ``protections_in_force`` says whether there is anything to guard at all.
    user: Any = field(default=None, compare=False, repr=False)
    municipality: Any = field(default=None, compare=False, repr=False)


class Guard(Protocol):
    def text(self, value: str) -> str:
        """``value`` with what the reader may not see replaced, or :class:`Withheld`."""

    def shows_person(self, person_id: int | None) -> bool:
        """Whether a network person appears at all to this reader (hidden participation)."""


GuardFactory = Callable[[Reader | Callable[[], Reader | None]], Guard]
_factory: GuardFactory | None = None
_current: ContextVar[Guard | None] = ContextVar("kreds_disclosure", default=None)


def install(factory: GuardFactory) -> None:
    """Called once by the protection app: how a guard is made for a reader."""
    global _factory
    _factory = factory


@contextmanager
def reading_as(reader: Reader | Callable[[], Reader | None]) -> Iterator[Guard | None]:
    """Everything rendered inside is for ``reader`` (the innermost declaration wins: a letter printed by staff is
    rendered for its recipient, not for the member of staff). A callable is asked only when something is guarded."""
    guard = _factory(reader) if _factory is not None else None
    token = _current.set(guard)
    try:
        yield guard
    finally:
        _current.reset(token)


def current() -> Guard | None:
    return _current.get()


def text(value: str) -> str:
    guard = _current.get()
    return guard.text(value) if guard is not None and value else value


def data(value: Any) -> Any:
    """Every string in a JSON-like structure (dicts, lists, tuples) guarded; the structure is copied."""
    guard = _current.get()
    if guard is None:
        return value
    return _walk(value, guard)


def _walk(value: Any, guard: Guard) -> Any:
    if isinstance(value, str):
        return guard.text(value) if value else value
    if isinstance(value, dict):
        return {key: _walk(item, guard) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(item, guard) for item in value]
    return value


def shows_person(person_id: int | None) -> bool:
    guard = _current.get()
    return guard is None or guard.shows_person(person_id)
