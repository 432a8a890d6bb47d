"""The school calendar of an invented history: terms, holidays and the days a setting is open.

English state-school terms, roughly: autumn from early September, a week off at the end of
October, Christmas, a week in February, Easter, a week at the end of May, and the summer from
the Monday after the last Friday by 22 July.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Final

ONE: Final = dt.timedelta(days=1)


def monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


@functools.cache
def summer_start(year: int) -> dt.date:
    """The first day of the summer holiday: the Monday after the last Friday by 22 July."""
    july = dt.date(year, 7, 22)
    friday = july - dt.timedelta(days=(july.weekday() - 4) % 7)
    return friday + dt.timedelta(days=3)


def last_day(year: int) -> dt.date:
    """The last day of the summer term, when the leavers have their last day."""
    return summer_start(year) - dt.timedelta(days=3)


@functools.cache
def autumn_start(year: int) -> dt.date:
    day = dt.date(year, 9, 3)
    while day.weekday() >= 5:
        day += ONE
    return day


def school_year(day: dt.date) -> int:
    """The school year a day belongs to, named by the year of its September."""
    return day.year if day.month >= 9 else day.year - 1


@functools.cache
def holidays(year: int) -> tuple[tuple[dt.date, dt.date], ...]:
    october = monday_on_or_before(dt.date(year, 10, 31))
    february = monday_on_or_after(dt.date(year + 1, 2, 12))
    easter = monday_on_or_after(dt.date(year + 1, 3, 31))
    may = monday_on_or_before(dt.date(year + 1, 5, 31))
    four = dt.timedelta(days=4)
    return (
        (october, october + four),
        (dt.date(year, 12, 20), dt.date(year + 1, 1, 4)),
        (february, february + four),
        (easter, easter + dt.timedelta(days=11)),
        (may, may + four),
    )


@functools.cache
def is_school_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    year = school_year(day)
    if day < autumn_start(year) or day >= summer_start(year + 1):
        return False
    return not any(first <= day <= last for first, last in holidays(year))


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; a day past the end of a shorter month rolls back to its end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
