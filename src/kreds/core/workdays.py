"""Danish working days for a municipal administration.

The minutes of a network meeting are due "within 2 working days" (DOMAIN.md, KPI "minutes sent within 2
working days"), so the deadline has to skip weekends and the days a Danish municipality is closed. The
holidays are computed here (Easter plus fixed dates) rather than taken from a dependency: the rules are
few, stable and easy to test against known years (docs/design/network-meeting.md, "Working days").

Closing days counted as holidays:

- the public holidays (helligdage): Nytårsdag (1 January), Skærtorsdag, Langfredag, Påskedag,
  2. påskedag, Kristi Himmelfartsdag, Pinsedag, 2. pinsedag, Juledag (25 December), 2. juledag
  (26 December), and Store Bededag (the fourth Friday after Easter) up to and including 2023 — the
  Folketing abolished it as a holiday from 2024;
- Grundlovsdag (5 June), Juleaftensdag (24 December) and Nytårsaftensdag (31 December). These are not
  public holidays by law, but municipal administrations are closed on them as common practice (by
  agreement), so a deadline must not fall on them either.

Easter Sunday is found with the anonymous Gregorian algorithm (Meeus/Jones/Butcher), valid for every
Gregorian year (1583 onwards).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

_ONE_DAY = datetime.timedelta(days=1)

# Store Bededag is a closing day up to and including this year; it stopped being a public holiday in 2024.
_LAST_STORE_BEDEDAG_YEAR = 2023


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@lru_cache(maxsize=64)
def danish_holidays(year: int) -> frozenset[datetime.date]:
    """Every day in ``year`` on which a Danish municipal administration is closed, weekends aside.

    Cached because deadline and KPI calculations ask for the same few years over and over.
    """
    easter = easter_sunday(year)
    # Offsets from Easter Sunday: Skærtorsdag, Langfredag, Påskedag, 2. påskedag, Kristi Himmelfartsdag,
    # Pinsedag, 2. pinsedag.
    offsets = [-3, -2, 0, 1, 39, 49, 50]
    if year <= _LAST_STORE_BEDEDAG_YEAR:
        offsets.append(26)  # Store Bededag: the fourth Friday after Easter Sunday.
    moving = {easter + datetime.timedelta(days=offset) for offset in offsets}
    fixed = {
        datetime.date(year, 1, 1),  # Nytårsdag
        datetime.date(year, 6, 5),  # Grundlovsdag (closing day by practice)
        datetime.date(year, 12, 24),  # Juleaftensdag (closing day by practice)
        datetime.date(year, 12, 25),  # Juledag
        datetime.date(year, 12, 26),  # 2. juledag
        datetime.date(year, 12, 31),  # Nytårsaftensdag (closing day by practice)
    }
    return frozenset(moving | fixed)


# The closing days by name, for a planner's warning ("the meeting is on Ascension Day"). Offsets from Easter Sunday.
_MOVING_NAMES = {
    -3: _("Maundy Thursday"),
    -2: _("Good Friday"),
    0: _("Easter Sunday"),
    1: _("Easter Monday"),
    26: _("General Prayer Day"),
    39: _("Ascension Day"),
    49: _("Whit Sunday"),
    50: _("Whit Monday"),
}
_FIXED_NAMES = {
    (1, 1): _("New Year's Day"),
    (6, 5): _("Constitution Day"),
    (12, 24): _("Christmas Eve"),
    (12, 25): _("Christmas Day"),
    (12, 26): _("Boxing Day"),
    (12, 31): _("New Year's Eve"),
}


def holiday_name(d: datetime.date) -> str:
    """The name of the closing day ``d`` is (in the active language), or '' when the municipality is open."""
    if d not in danish_holidays(d.year):
        return ""
    fixed = _FIXED_NAMES.get((d.month, d.day))
    if fixed is not None:
        return str(fixed)
    return str(_MOVING_NAMES[(d - easter_sunday(d.year)).days])


def next_working_day(d: datetime.date) -> datetime.date:
    """``d`` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(d):
        d += _ONE_DAY
    return d


def is_working_day(d: datetime.date) -> bool:
    """Monday to Friday and not a closing day (see the module docstring)."""
    return d.weekday() < 5 and d not in danish_holidays(d.year)


def add_working_days(d: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``d`` (``d`` itself when ``n`` is 0).

    ``d`` need not be a working day: a meeting held on Skærtorsdag still has its deadline counted from
    that day, so "2 working days after Thursday 2 April 2026" is Wednesday 8 April.
    """
    if n < 0:
        raise ValueError("n must be 0 or more")
    day = d
    remaining = n
    while remaining:
        day += _ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_late(sent_on: datetime.date, held_on: datetime.date, allowed: int = 2) -> int:
    """How many working days after the deadline (``allowed`` working days after ``held_on``) ``sent_on`` is.

    0 when sent on or before the deadline. Otherwise the working days after the deadline up to and
    including ``sent_on``, which is what the meeting overview shows as "N days late"; a weekend or
    holiday between the deadline and the sending does not make it later.
    """
    deadline = add_working_days(held_on, allowed)
    if sent_on <= deadline:
        return 0
    late = 0
    day = deadline
    while day < sent_on:
        day += _ONE_DAY
        if is_working_day(day):
            late += 1
    return late
