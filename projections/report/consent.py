"""Consent coverage: how many enrolled children have consent in force for each channel, on the
day judged and at the end of each month. Whether a consent is in force is ``status``'s answer
(``consent_active``, and its turns for the months), never worked out again here."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence

import msgspec

from ledger.profile import Profile
from projections import status
from projections.calendar import add_days
from projections.findings import Episode
from projections.registers import Registers
from projections.report.common import (
    bounded,
    enrolled_on,
    first_day,
    months,
    period_start,
)

EXPIRING_DAYS = 30  # a consent ending within this many days is listed as ending soon


class CoveragePoint(msgspec.Struct, frozen=True):
    month: str
    enrolled: int
    active: int


class ChannelCoverage(msgspec.Struct, frozen=True):
    channel: str
    says: str
    child_images: str  # "consent" or "never"
    enrolled: int  # children enrolled on the day
    active: int  # of them, with active consent for this channel
    without: list[str]  # enrolled children without it (at most LIST_LIMIT)
    without_more: int
    expiring: list[str]  # children whose consent expires within 30 days (at most LIST_LIMIT)
    expiring_more: int
    withdrawn_in_period: int  # withdrawals in the last PERIOD_MONTHS months
    granted_in_period: int
    series: list[CoveragePoint]


def coverage(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> list[ChannelCoverage]:
    """For each channel, how many enrolled children have active consent, now and month by month.

    Channels that never allow images of children are listed with no numbers (consent does not
    apply to them).
    """
    window = months(day, first_day(r))
    lasts = [m.last for m in window]
    # Each child's months in the window (enrolled at the month's end): a run of month indexes.
    spans: list[tuple[str, int, int]] = []
    enrolled_at = [0] * len(window)
    for c, child in r.children.items():
        low = bisect_left(lasts, child.start)
        high = len(lasts) if child.left is None else bisect_right(lasts, child.left)
        if low < high:
            spans.append((c, low, high))
            for i in range(low, high):
                enrolled_at[i] += 1
    now = enrolled_on(r, day)
    since = period_start(day)
    soon = add_days(day, EXPIRING_DAYS)
    changes_in_period: dict[str, Counter[bool]] = {name: Counter() for name in profile.channels}
    for k, history in r.consents.items():
        counter = changes_in_period.get(k.rpartition("|")[2])
        if counter is None:
            continue
        for change in history:
            if since <= change.on <= day:
                counter[change.granted] += 1
    out: list[ChannelCoverage] = []
    for name, channel in profile.channels.items():
        if channel.child_images != "consent":
            out.append(ChannelCoverage(name, channel.says, "never", 0, 0, [], 0, [], 0, 0, 0, []))
            continue
        without = [c for c in now if not status.consent_active(r, c, name, day)]
        expiring: list[str] = []
        for c in now:
            expires = status.consent_expiry(r, c, name, day)
            if expires is not None and expires <= soon:
                expiring.append(c)
        granted = changes_in_period[name][True]
        withdrawn = changes_in_period[name][False]
        active_at = [0] * len(window)
        for c, low, high in spans:
            marks = r.consents.get(f"{c}|{name}")
            if not marks:
                continue
            turns = status.consent_turns(marks)  # consent_active's answer for every day
            for i in range(low, high):
                if status.active_in(turns, lasts[i]):
                    active_at[i] += 1
        series = [
            CoveragePoint(m.label, enrolled_at[i], active_at[i]) for i, m in enumerate(window)
        ]
        shown, more = bounded(without)
        soon_shown, soon_more = bounded(expiring)
        out.append(
            ChannelCoverage(
                channel=name,
                says=channel.says,
                child_images="consent",
                enrolled=len(now),
                active=len(now) - len(without),
                without=shown,
                without_more=more,
                expiring=soon_shown,
                expiring_more=soon_more,
                withdrawn_in_period=withdrawn,
                granted_in_period=granted,
                series=series,
            )
        )
    return out
