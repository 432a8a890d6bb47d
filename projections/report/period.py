"""The period's key figures: what the printable report sums up for the last three months."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

import msgspec

from ledger.profile import Profile
from projections.findings import Episode
from projections.registers import Registers
from projections.report.common import PERIOD_MONTHS, enrolled_on, is_open, period_start
from projections.report.posts import PostTally
from projections.rules import concerns as concern_rules


class Figure(msgspec.Struct, frozen=True):
    label: str
    value: int | str


class PeriodReport(msgspec.Struct, frozen=True):
    start: dt.date
    end: dt.date
    figures: list[Figure]


def period_report(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    months_back: int = PERIOD_MONTHS,
    tally: PostTally | None = None,
) -> PeriodReport:
    """The key figures of the last ``months_back`` months (ending on ``day``); those about
    posts from the ``tally`` of every post if the caller keeps one (that of these registers,
    episodes and day: ``period_with_posts``), else every post counted."""
    start = period_start(day, months_back)

    def within(d: dt.date | None) -> bool:
        return d is not None and start <= d <= day

    if tally is not None and months_back == PERIOD_MONTHS:
        posts, depicting = tally.in_period, tally.period_depicting
        flagged, removed = tally.period_noted, tally.period_removed
    else:
        posts = depicting = removed = 0
        post_refs: set[str] = set()
        for ref, p in r.posts.items():
            if start <= p.on <= day:
                posts += 1
                post_refs.add(ref)
                if p.depicts:
                    depicting += 1
            if p.removed is not None and start <= p.removed <= day:
                removed += 1
        flagged = len({e.subject for e in episodes if e.subject in post_refs and e.since <= day})
    consent_changes: Counter[bool] = Counter(
        mark.granted for h in r.consents.values() for mark in h if start <= mark.on <= day
    )
    concerns = [c for c in r.concerns.values() if within(c.raised)]
    in_time = sum(
        1
        for c in concerns
        if any(d <= concern_rules.response_due(profile, c.raised) and d <= day for d in c.addressed)
    )
    cases = [c for c in r.cases.values() if within(c.referred)]
    figures = [
        Figure("Findings that began", sum(1 for e in episodes if within(e.since))),
        Figure(
            "Findings resolved",
            sum(1 for e in episodes if e.since <= day and within(e.end)),
        ),
        Figure("Open findings at the end", sum(1 for e in episodes if is_open(e, day))),
        Figure("Children enrolled at the end", len(enrolled_on(r, day))),
        Figure("Children who started", sum(1 for c in r.children.values() if within(c.start))),
        Figure("Children who left", sum(1 for c in r.children.values() if within(c.left))),
        Figure("Posts", posts),
        Figure("Posts depicting children", depicting),
        Figure("Posts with a finding", flagged),
        Figure("Posts removed", removed),
        Figure("Consent forms received", consent_changes[True]),
        Figure("Consents withdrawn", consent_changes[False]),
        Figure("Concerns raised", len(concerns)),
        Figure("Concerns taken up in time", in_time),
        Figure("Disciplinary cases referred", len(cases)),
        Figure(
            "Disciplinary decisions made",
            sum(1 for c in r.cases.values() if within(c.decided)),
        ),
    ]
    return PeriodReport(start, day, figures)


def period_with_posts(period: PeriodReport, tally: PostTally) -> PeriodReport:
    """The report's figures about posts from the tally (of the same day, with the period's
    default length), the others as they are: what a follower does when only posts changed."""
    posts = {
        "Posts": tally.in_period,
        "Posts depicting children": tally.period_depicting,
        "Posts with a finding": tally.period_noted,
        "Posts removed": tally.period_removed,
    }
    figures = [Figure(f.label, posts.get(f.label, f.value)) for f in period.figures]
    return msgspec.structs.replace(period, figures=figures)
