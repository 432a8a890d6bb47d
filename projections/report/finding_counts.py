"""The findings in figures: counts by rule and age, the trend month by month, and the lists of
open and resolved findings (the overview and the findings page)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import msgspec

from ledger.profile import Profile
from projections import status
from projections.findings import ACKNOWLEDGED, Episode
from projections.registers import Registers
from projections.report.common import (
    AGE_BUCKETS,
    RECENT,
    FindingRow,
    age_bucket,
    finding_row,
    first_day,
    is_open,
    is_resolved,
    month_of,
    months,
)


class RuleCount(msgspec.Struct, frozen=True):
    rule: str
    open: int
    resolved: int
    by_age: list[int]  # open findings in each of AGE_BUCKETS


class MonthTrend(msgspec.Struct, frozen=True):
    month: str
    opened: int  # findings that began in the month
    resolved: int  # findings resolved in the month
    open_at_end: int  # open at the end of the month (or on the day judged)


class Overview(msgspec.Struct, frozen=True):
    day: dt.date
    setting: str
    profile: str  # the profile's title
    policy: str
    open: int
    resolved: int
    by_rule: list[RuleCount]  # every rule the profile turns on, in the profile's order
    trend: list[MonthTrend]
    oldest_open: FindingRow | None
    enrolled: int
    staff: int  # people currently at the setting (staff, volunteers, students, committee)


def _rules_in_order(profile: Profile, episodes: Iterable[Episode]) -> list[str]:
    order: list[str] = list(profile.rules)
    for e in episodes:
        if e.rule not in order:
            order.append(e.rule)
    return order


def overview(r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date) -> Overview:
    open_rows = [finding_row(e, day) for e in episodes if is_open(e, day)]
    by_rule: list[RuleCount] = []
    for rule in _rules_in_order(profile, episodes):
        ages = [0] * len(AGE_BUCKETS)
        opened = 0
        for row in open_rows:
            if row.rule == rule:
                ages[age_bucket(row.age_days)] += 1
                opened += 1
        resolved = sum(1 for e in episodes if e.rule == rule and is_resolved(e, day))
        by_rule.append(RuleCount(rule, opened, resolved, ages))
    oldest = min(open_rows, key=lambda f: (f.since, f.rule, f.subject), default=None)
    return Overview(
        day=day,
        setting=r.setting,
        profile=profile.title,
        policy=profile.policy,
        open=len(open_rows),
        resolved=sum(1 for e in episodes if is_resolved(e, day)),
        by_rule=by_rule,
        trend=trend(episodes, day, first_day(r)),
        oldest_open=oldest,
        enrolled=sum(1 for c in r.children if status.enrolled(r, c, day)),
        staff=sum(1 for p in r.persons if status.current(r, p, day)),
    )


def trend(
    episodes: Sequence[Episode], day: dt.date, since: dt.date | None = None
) -> list[MonthTrend]:
    """Findings opened and resolved in each month, and open at each month's end."""
    window = months(day, since)
    if not window:
        return []
    opened: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    open_before = 0  # open at the end of the month before the window
    start = window[0].first
    for e in episodes:
        if e.since > day:
            continue
        end = e.end if e.end is not None and e.end <= day else None
        if e.since >= start:
            opened[month_of(e.since)] += 1
        elif end is None or end >= start:
            open_before += 1
        if end is not None and end >= start:
            resolved[month_of(end)] += 1
    out: list[MonthTrend] = []
    current = open_before
    for m in window:
        current += opened[m.label] - resolved[m.label]
        out.append(MonthTrend(m.label, opened[m.label], resolved[m.label], current))
    return out


class ResolvedMonth(msgspec.Struct, frozen=True):
    month: str
    count: int
    by_rule: dict[str, int]


class FindingsReport(msgspec.Struct, frozen=True):
    open: list[FindingRow]  # every open finding, oldest first
    resolved_total: int
    acknowledged_total: int
    resolved_by_month: list[ResolvedMonth]  # the window's months, newest first
    resolved_earlier: int  # resolved before the window
    recent_resolved: list[FindingRow]  # the most recently resolved, newest first


def findings_report(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    recent: int = RECENT,
) -> FindingsReport:
    open_rows = sorted(
        (finding_row(e, day) for e in episodes if is_open(e, day)),
        key=lambda f: (f.since, f.rule, f.subject),
    )
    resolved = [e for e in episodes if is_resolved(e, day)]
    window = months(day, first_day(r))
    labels = {m.label for m in window}
    per_month: dict[str, Counter[str]] = {m.label: Counter() for m in window}
    earlier = 0
    for e in resolved:
        assert e.end is not None
        label = month_of(e.end)
        if label in labels:
            per_month[label][e.rule] += 1
        else:
            earlier += 1
    by_month = [
        ResolvedMonth(m.label, sum(per_month[m.label].values()), dict(per_month[m.label]))
        for m in reversed(window)
    ]
    latest = sorted(resolved, key=lambda e: (e.end, e.since, e.rule, e.subject), reverse=True)
    return FindingsReport(
        open=open_rows,
        resolved_total=len(resolved),
        acknowledged_total=sum(1 for e in resolved if e.resolution == ACKNOWLEDGED),
        resolved_by_month=by_month,
        resolved_earlier=earlier,
        recent_resolved=[finding_row(e, day) for e in latest[:recent]],
    )
