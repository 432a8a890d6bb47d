"""What every part of the site's numbers shares: the window of months, bounded lists, and a
finding as a row of a table (an episode cut at the day judged)."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Sequence
from typing import Final

import msgspec

from projections import status
from projections.calendar import ONE_DAY, add_months
from projections.findings import Episode
from projections.registers import Registers

WINDOW_MONTHS: Final = 24  # monthly series and tables cover at most this many months
LIST_LIMIT: Final = 50  # long lists of references keep this many, and count the rest
RECENT: Final = 20  # "the most recent N" lists
PERIOD_MONTHS: Final = 3  # the printable report's period: the last three months
FIRST_DAY_GIVEN: Final = "first_day_given"  # (``first_day``: an attribute naming it, if any)
_NOT_GIVEN: Final = object()

# Ages of open findings, in days since they began: (label, lowest, highest or None).
AGE_BUCKETS: Final[tuple[tuple[str, int, int | None], ...]] = (
    ("up to 7 days", 0, 7),
    ("8–30 days", 8, 30),
    ("31–90 days", 31, 90),
    ("over 90 days", 91, None),
)


# --- months -------------------------------------------------------------------------------------


class Month(msgspec.Struct, frozen=True):
    """A calendar month, cut at the day judged: ``last`` is its last day, or the day itself."""

    label: str  # "2026-03"
    first: dt.date
    last: dt.date


def months(day: dt.date, first_day: dt.date | None, count: int = WINDOW_MONTHS) -> list[Month]:
    """The months up to ``day``'s month, at most ``count``, none before ``first_day``'s (and
    none at all for a history with no first day)."""
    if first_day is None:
        return []
    start = dt.date(day.year, day.month, 1)
    out: list[Month] = []
    for back in range(count):
        first = add_months(start, -back)
        if first < dt.date(first_day.year, first_day.month, 1):
            break
        last = min(add_months(first, 1) - ONE_DAY, day)
        out.append(Month(first.strftime("%Y-%m"), first, last))
    out.reverse()
    return out


def first_day(r: Registers) -> dt.date | None:
    """The first day of the setting's recorded history (its policy, people and posts); the
    one given by registers that carry it already (``projections.sitedata`` works it out once
    and gives it to every part of the site's numbers: ``FIRST_DAY_GIVEN``)."""
    given = getattr(r, FIRST_DAY_GIVEN, _NOT_GIVEN)
    if given is not _NOT_GIVEN:
        return typing.cast(dt.date | None, given)
    days: list[dt.date] = [m.on for m in r.policy]
    days.extend(c.start for c in r.children.values())
    days.extend(p.joined for p in r.persons.values())
    if r.posts:
        days.append(min(p.on for p in r.posts.values()))
    return min(days) if days else None


def month_of(day: dt.date) -> str:
    """The month's label of a day ("2026-03")."""
    return f"{day.year:04d}-{day.month:02d}"


def period_start(day: dt.date, months_back: int = PERIOD_MONTHS) -> dt.date:
    """The first day of the period of ``months_back`` months that ends on ``day``."""
    return add_months(day, -months_back) + ONE_DAY


def bounded(refs: Sequence[str], limit: int = LIST_LIMIT) -> tuple[list[str], int]:
    """The first ``limit`` references, and how many more there are."""
    return list(refs[:limit]), max(0, len(refs) - limit)


def enrolled_on(r: Registers, day: dt.date) -> list[str]:
    """The children enrolled on ``day`` (``status.enrolled``), in reference order."""
    return sorted(c for c in r.children if status.enrolled(r, c, day))


# --- findings as rows ---------------------------------------------------------------------------


class FindingRow(msgspec.Struct, frozen=True):
    rule: str
    subject: str
    since: dt.date
    age_days: int  # days from ``since`` to the day judged (or to its resolution)
    status: str  # "open" or "resolved"
    resolved_on: dt.date | None
    resolution: str | None  # the kind of event that resolved it; "FindingAcknowledged"
    detail: str


def finding_row(e: Episode, day: dt.date) -> FindingRow:
    """A finding's episode as of ``day``: open, or resolved on or before it."""
    resolved = e.end is not None and e.end <= day
    until = e.end if resolved and e.end is not None else day
    return FindingRow(
        rule=e.rule,
        subject=e.subject,
        since=e.since,
        age_days=(until - e.since).days,
        status="resolved" if resolved else "open",
        resolved_on=e.end if resolved else None,
        resolution=e.resolution if resolved else None,
        detail=e.detail,
    )


def is_open(e: Episode, day: dt.date) -> bool:
    """Whether the episode is an open finding as of ``day``."""
    return e.since <= day and (e.end is None or e.end > day)


def is_resolved(e: Episode, day: dt.date) -> bool:
    """Whether the episode is a resolved finding as of ``day``."""
    return e.end is not None and e.since <= day and e.end <= day


def age_bucket(age_days: int) -> int:
    """The index in ``AGE_BUCKETS`` of a finding open for ``age_days`` days."""
    for index, (_label, low, high) in enumerate(AGE_BUCKETS):
        if age_days >= low and (high is None or age_days <= high):
            return index
    return len(AGE_BUCKETS) - 1
