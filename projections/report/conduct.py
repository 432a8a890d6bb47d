"""Friendship exceptions, concerns and disciplinary cases in figures. The limits a concern and a
case are judged by are the concern rules' (``projections.rules.concerns``); outcomes are counts
only, never which case."""

from __future__ import annotations

import datetime as dt
import typing
from collections import Counter
from collections.abc import Sequence
from typing import Final

import msgspec

from ledger.events import CaseOutcome, ConcernCategory
from ledger.profile import Profile
from projections import status
from projections.findings import Episode
from projections.registers import Registers
from projections.report.common import LIST_LIMIT, first_day, is_open, month_of, months
from projections.rules import concerns as concern_rules

CASE_OUTCOMES: Final[tuple[str, ...]] = typing.get_args(CaseOutcome)
CONCERN_CATEGORIES: Final[tuple[str, ...]] = typing.get_args(ConcernCategory)


# --- friendships ------------------------------------------------------------------------------


class ExceptionRow(msgspec.Struct, frozen=True):
    pair: str  # PERSON/GUARDIAN
    granted: dt.date
    since: dt.date | None  # when the relationship began, as declared


class FriendshipsReport(msgspec.Struct, frozen=True):
    mode: str  # "pre-existing", "declared" or "never"
    rule_on: bool
    active: list[ExceptionRow]  # at most LIST_LIMIT, newest first
    active_total: int
    granted_total: int
    ended_total: int
    connections: int  # connections reported on or before the day
    connections_flagged: int  # findings about connections
    open: int


def friendships_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> FriendshipsReport:
    active: list[ExceptionRow] = []
    granted = ended = 0
    for pair, history in r.exceptions.items():
        for mark in history:
            if mark.on <= day:
                if mark.granted:
                    granted += 1
                else:
                    ended += 1
        grant = status.exception_in_force(history, day)
        if grant is not None:
            active.append(ExceptionRow(pair, grant.on, grant.since))
    active.sort(key=lambda row: (row.granted, row.pair), reverse=True)
    mine = [e for e in episodes if e.rule == "connection-without-exception" and e.since <= day]
    return FriendshipsReport(
        mode=profile.friendship_exception,
        rule_on=profile.is_on("connection-without-exception"),
        active=active[:LIST_LIMIT],
        active_total=len(active),
        granted_total=granted,
        ended_total=ended,
        connections=sum(1 for c in r.connections if c.on <= day),
        connections_flagged=len(mine),
        open=sum(1 for e in mine if is_open(e, day)),
    )


# --- concerns and disciplinary cases ------------------------------------------------------------


class ConcernsReport(msgspec.Struct, frozen=True):
    concerns: int
    by_category: dict[str, int]
    addressed_in_time: int
    addressed_late: int
    not_addressed: int  # past the limit and not yet addressed
    awaiting: int  # not yet addressed, still within the limit
    referred_to_manager: int
    response_days: int
    cases: int
    decided_in_time: int
    decided_late: int
    undecided_overdue: int
    awaiting_decision: int
    decision_days: int
    outcomes: dict[str, int]  # counts only, never which case
    months: list[tuple[str, int, int]]  # month, concerns raised, cases referred


def concerns_report(
    r: Registers, profile: Profile, episodes: Sequence[Episode], day: dt.date
) -> ConcernsReport:
    response = profile.concern_response_days
    decision = profile.decision_days
    concerns = [c for c in r.concerns.values() if c.raised <= day]
    states: Counter[str] = Counter()
    for concern in concerns:
        deadline = concern_rules.response_due(profile, concern.raised)
        first = next((d for d in concern.addressed if d <= day), None)
        if first is not None:
            states["in time" if first <= deadline else "late"] += 1
        else:
            states["overdue" if day > deadline else "awaiting"] += 1
    cases = [c for c in r.cases.values() if c.referred <= day]
    case_states: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for case in cases:
        deadline = concern_rules.decision_due(profile, case.referred)
        if case.decided is not None and case.decided <= day:
            case_states["in time" if case.decided <= deadline else "late"] += 1
            if case.outcome is not None:
                outcomes[case.outcome] += 1
        else:
            case_states["overdue" if day > deadline else "awaiting"] += 1
    window = months(day, first_day(r))
    raised = Counter(month_of(c.raised) for c in concerns)
    referred = Counter(month_of(c.referred) for c in cases)
    categories = Counter(c.category for c in concerns)
    return ConcernsReport(
        concerns=len(concerns),
        by_category={c: categories[c] for c in CONCERN_CATEGORIES},
        addressed_in_time=states["in time"],
        addressed_late=states["late"],
        not_addressed=states["overdue"],
        awaiting=states["awaiting"],
        referred_to_manager=sum(1 for c in concerns if any(d <= day for d in c.referred)),
        response_days=response,
        cases=len(cases),
        decided_in_time=case_states["in time"],
        decided_late=case_states["late"],
        undecided_overdue=case_states["overdue"],
        awaiting_decision=case_states["awaiting"],
        decision_days=decision,
        outcomes={o: outcomes[o] for o in CASE_OUTCOMES},
        months=[(m.label, raised[m.label], referred[m.label]) for m in window],
    )
