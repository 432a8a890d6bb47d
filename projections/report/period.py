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
) -> PeriodReport:
    """The key figures of the last ``months_back`` months (ending on ``day``)."""
    start = period_start(day, months_back)

    def within(d: dt.date | None) -> bool:
        return d is not None and start <= d <= day

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
    flagged = {e.subject for e in episodes if e.subject in post_refs and e.since <= day}
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
        Figure("Posts with a finding", len(flagged)),
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
