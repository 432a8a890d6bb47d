"""Reading a register's cells: dates written as people write them, Yes/No answers, channels and
consent methods; a clear message naming the line and column otherwise.

A cell's value is repeated in a message only when it is short and cannot be a person's name
(``shown``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence

from ledger.importer.errors import BadCell
from ledger.importer.headings import (
    DATE_FORMS,
    METHOD_WORDS,
    METHODS,
    NO,
    YES,
    YES_NO_FORMS,
    heading_words,
)


def shown(value: str) -> str:
    """A structured cell's value, to repeat in a message; or "the cell" if it could be a name
    (any capitalised word: a first name alone is one), is long, or holds characters that are
    not plain. Dates, numbers and lower-case words are repeated."""
    if (
        len(value) <= 24
        and re.fullmatch(r"[\w./:✓✔ -]+", value)
        and not re.search(r"[A-Z][a-z]", value)
    ):
        return f"`{value}`"
    return "the cell"


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d+)$")
_TIME = re.compile(r"[ T]+\d{1,2}:\d{2}(?::\d{2})?$")  # Excel's "03/09/2025 00:00"


def parse_date(value: str, line: int, column: str, field: str) -> dt.date:
    """A date in one of the forms people write (day first); a clear error otherwise."""
    text = _TIME.sub("", value.strip())
    iso = _ISO_DATE.match(text)
    dmy = _DMY_DATE.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif dmy:
        day, month = int(dmy.group(1)), int(dmy.group(3))
        digits = dmy.group(4)
        if len(digits) == 2:
            raise BadCell(
                line,
                column,
                f"{shown(value)} has a two-digit year: write the year in full"
                f" ({day:02}/{month:02}/20{digits}, or {DATE_FORMS})",
                field,
            )
        if len(digits) != 4:
            raise BadCell(
                line, column, f"{shown(value)} is not a date (expected {DATE_FORMS})", field
            )
        year = int(digits)
    else:
        raise BadCell(line, column, f"{shown(value)} is not a date (expected {DATE_FORMS})", field)
    try:
        return dt.date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            why = f"there is no month {month}; the day comes first ({DATE_FORMS})"
        elif year < dt.MINYEAR:
            why = f"there is no year {year} ({DATE_FORMS})"
        else:
            days = calendar.monthrange(year, month)[1]
            why = f"{calendar.month_name[month]} {year} has {days} days"
        raise BadCell(
            line, column, f"{shown(value)} is not a day of the calendar: {why}", field
        ) from None


def parse_answer(value: str, line: int, column: str) -> bool:
    """A Yes/No cell: True for a Yes form, False for a No form or an empty cell."""
    text = value.strip().lower()
    if text in YES:
        return True
    if not text or text in NO:
        return False
    raise BadCell(line, column, f"{shown(value)} is not a Yes/No answer (expected {YES_NO_FORMS})")


def is_answer(value: str) -> bool:
    text = value.strip().lower()
    return text in YES or text in NO


def parse_channel(value: str, line: int, column: str, channels: Sequence[str]) -> str:
    name = "-".join(heading_words(value).split())
    if name in channels:
        return name
    what = "empty" if not value.strip() else f"{shown(value)} is not a channel of this ledger"
    raise BadCell(line, column, f"{what} (expected one of: {', '.join(channels)})", "channel")


def parse_method(value: str, line: int, column: str) -> str:
    method = METHOD_WORDS.get(heading_words(value))
    if method is None:
        what = "empty" if not value.strip() else f"{shown(value)} is not a method"
        raise BadCell(line, column, f"{what} (expected one of: {', '.join(METHODS)})", "method")
    return method
