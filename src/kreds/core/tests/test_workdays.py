"""Danish working days: holidays checked against known years, deadlines around Easter and weekends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kreds.core.workdays import (
    add_working_days,
    danish_holidays,
    easter_sunday,
    is_working_day,
    working_days_late,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2023, date(2023, 4, 9)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),  # the latest possible date
        (2285, date(2285, 3, 22)),  # the earliest possible date
    ],
)
def test_easter_sunday_in_known_years(year, easter):
    assert easter_sunday(year) == easter
    assert easter in danish_holidays(year)


def test_every_easter_is_a_sunday_between_22_march_and_25_april():
    for year in range(1900, 2201):
        easter = easter_sunday(year)
        assert easter.weekday() == 6
        assert date(year, 3, 22) <= easter <= date(year, 4, 25)


def test_holidays_2026_in_full():
    assert danish_holidays(2026) == {
        date(2026, 1, 1),  # Nytårsdag
        date(2026, 4, 2),  # Skærtorsdag
        date(2026, 4, 3),  # Langfredag
        date(2026, 4, 5),  # Påskedag
        date(2026, 4, 6),  # 2. påskedag
        date(2026, 5, 14),  # Kristi Himmelfartsdag
        date(2026, 5, 24),  # Pinsedag
        date(2026, 5, 25),  # 2. pinsedag
        date(2026, 6, 5),  # Grundlovsdag
        date(2026, 12, 24),  # Juleaftensdag
        date(2026, 12, 25),  # Juledag
        date(2026, 12, 26),  # 2. juledag
        date(2026, 12, 31),  # Nytårsaftensdag
    }


def test_store_bededag_until_2023_only():
    assert date(2023, 5, 5) in danish_holidays(2023)
    assert not is_working_day(date(2023, 5, 5))
    # 2024: the fourth Friday after Easter (31 March) would have been 26 April.
    assert date(2024, 4, 26) not in danish_holidays(2024)
    assert is_working_day(date(2024, 4, 26))
    assert len(danish_holidays(2023)) == 14
    assert len(danish_holidays(2024)) == 13


def test_kristi_himmelfart_and_pinse_2026():
    assert date(2026, 5, 14) in danish_holidays(2026)
    assert date(2026, 5, 24) in danish_holidays(2026)
    assert date(2026, 5, 25) in danish_holidays(2026)
    assert not is_working_day(date(2026, 5, 25))


def test_holidays_are_cached():
    danish_holidays.cache_clear()
    assert danish_holidays(2026) is danish_holidays(2026)
    assert danish_holidays.cache_info().hits >= 1


def test_working_day():
    assert is_working_day(date(2026, 3, 6))  # Friday
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 8))  # Sunday
    assert not is_working_day(date(2026, 6, 5))  # Grundlovsdag, a Friday
    assert not is_working_day(date(2025, 12, 24))  # Juleaftensdag, a Wednesday
    assert not is_working_day(date(2025, 12, 31))  # Nytårsaftensdag, a Wednesday


def test_zero_working_days_is_the_same_day_even_on_a_holiday():
    assert add_working_days(date(2026, 4, 2), 0) == date(2026, 4, 2)
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)


def test_meeting_on_skaertorsdag_has_its_deadline_after_easter():
    # Thursday 2 April 2026 is Skærtorsdag; Fri 3 (Langfredag), the weekend and Mon 6 (2. påskedag)
    # are skipped, so the two working days are Tuesday 7 and Wednesday 8 April.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 8)


def test_friday_meeting_is_due_the_following_tuesday():
    assert add_working_days(date(2026, 3, 6), 2) == date(2026, 3, 10)


def test_deadline_across_christmas_and_new_year():
    # Monday 22 December 2025 → Tue 23, then 24–26 closed, weekend, Mon 29, Tue 30, 31 closed, 1 Jan closed.
    assert add_working_days(date(2025, 12, 22), 2) == date(2025, 12, 29)
    assert add_working_days(date(2025, 12, 22), 4) == date(2026, 1, 2)


def test_not_late_on_or_before_the_deadline():
    held = date(2026, 3, 6)  # Friday; deadline Tuesday 10 March
    assert working_days_late(held, held) == 0
    assert working_days_late(date(2026, 3, 9), held) == 0
    assert working_days_late(date(2026, 3, 10), held) == 0
    assert working_days_late(held - timedelta(days=1), held) == 0


def test_late_counts_working_days_after_the_deadline():
    held = date(2026, 3, 6)  # Friday; deadline Tuesday 10 March
    assert working_days_late(date(2026, 3, 11), held) == 1  # Wednesday
    assert working_days_late(date(2026, 3, 13), held) == 3  # Friday
    # Sent on Saturday or Sunday: no later than on the Friday before.
    assert working_days_late(date(2026, 3, 14), held) == 3
    assert working_days_late(date(2026, 3, 15), held) == 3
    assert working_days_late(date(2026, 3, 16), held) == 4  # Monday


def test_late_around_easter():
    held = date(2026, 4, 2)  # Skærtorsdag; deadline Wednesday 8 April
    assert working_days_late(date(2026, 4, 8), held) == 0
    assert working_days_late(date(2026, 4, 9), held) == 1


def test_other_allowance():
    held = date(2026, 3, 6)
    assert working_days_late(date(2026, 3, 11), held, allowed=3) == 0
    assert working_days_late(date(2026, 3, 11), held, allowed=0) == 3  # Mon 9, Tue 10, Wed 11
