"""What changed since the last build: a small summary of what each build showed, kept beside
it, and the differences between the previous one and this one."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

import msgspec

from ledger.profile import Profile
from projections import status
from projections.findings import Episode
from projections.registers import Registers
from projections.report.common import enrolled_on, is_open
from projections.report.posts import PostTally


class BuildSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What a build showed, kept beside it so the next build can say what changed."""

    format: int = 1
    audience: str
    day: dt.date
    size: int  # facts covered by the head checkpoint
    root: str
    open_by_rule: dict[str, int]
    open: list[str] = msgspec.field(default_factory=list)  # "rule subject" (committee only)
    figures: dict[str, int] = msgspec.field(default_factory=dict)


class FigureChange(msgspec.Struct, frozen=True):
    label: str
    before: int
    now: int


class Changes(msgspec.Struct, frozen=True):
    previous_day: dt.date
    previous_audience: str
    new_facts: int  # facts recorded since the previous build (tree size difference)
    by_rule: list[FigureChange]  # open findings per rule, where the count changed
    opened: list[str]  # "rule subject" open now and not then (when both builds kept keys)
    closed: list[str]  # open then, not now
    figures: list[FigureChange]  # key figures that changed
    compared_findings: bool  # whether ``opened``/``closed`` could be worked out


def summary(
    r: Registers,
    profile: Profile,
    episodes: Sequence[Episode],
    day: dt.date,
    *,
    audience: str,
    size: int,
    root: str,
    tally: PostTally | None = None,
) -> BuildSummary:
    """What a build keeps to say what changed next time; the figures about posts from the
    ``tally`` of every post if the caller keeps one (``summary_with_posts``), else every post
    counted."""
    open_now = [e for e in episodes if is_open(e, day)]
    by_rule = Counter(e.rule for e in open_now)
    group = profile.group_channel
    figures = {
        "Open findings": len(open_now),
        "Children enrolled": len(enrolled_on(r, day)),
        "People at the setting": sum(1 for p in r.persons if status.current(r, p, day)),
        "Posts": tally.total
        if tally is not None
        else sum(1 for p in r.posts.values() if p.on <= day),
        "Posts removed": tally.removed
        if tally is not None
        else sum(1 for p in r.posts.values() if p.removed is not None and p.removed <= day),
        "Concerns raised": sum(1 for c in r.concerns.values() if c.raised <= day),
        "Disciplinary cases": sum(1 for c in r.cases.values() if c.referred <= day),
        "Active friendship exceptions": sum(
            1 for h in r.exceptions.values() if status.exception_in_force(h, day) is not None
        ),
    }
    if group is not None:
        figures["Group members"] = sum(1 for m in r.members if status.member(r, m, day))
    return BuildSummary(
        audience=audience,
        day=day,
        size=size,
        root=root,
        open_by_rule={rule: by_rule[rule] for rule in sorted(by_rule)},
        open=sorted(f"{e.rule} {e.subject}" for e in open_now) if audience == "committee" else [],
        figures=figures,
    )


def summary_with_posts(summary: BuildSummary, tally: PostTally) -> BuildSummary:
    """The summary's figures about posts from the tally (of the same day), the others as they
    are: what a follower does when only posts changed."""
    figures = {**summary.figures, "Posts": tally.total, "Posts removed": tally.removed}
    return msgspec.structs.replace(summary, figures=figures)


def changes(previous: BuildSummary | None, current: BuildSummary) -> Changes | None:
    """What changed between the previous build's summary and this one (None: no previous)."""
    if previous is None:
        return None
    rules = sorted(set(previous.open_by_rule) | set(current.open_by_rule))
    by_rule = [
        FigureChange(rule, previous.open_by_rule.get(rule, 0), current.open_by_rule.get(rule, 0))
        for rule in rules
        if previous.open_by_rule.get(rule, 0) != current.open_by_rule.get(rule, 0)
    ]
    compared = previous.audience == "committee" and current.audience == "committee"
    before, now = set(previous.open), set(current.open)
    figures = [
        FigureChange(label, previous.figures[label], value)
        for label, value in current.figures.items()
        if label in previous.figures and previous.figures[label] != value
    ]
    return Changes(
        previous_day=previous.day,
        previous_audience=previous.audience,
        new_facts=current.size - previous.size,
        by_rule=by_rule,
        opened=sorted(now - before) if compared else [],
        closed=sorted(before - now) if compared else [],
        figures=figures,
        compared_findings=compared,
    )


def decode_summary(data: bytes) -> BuildSummary | None:
    """A previous build's summary, or None when it is missing or unreadable."""
    try:
        return msgspec.json.decode(data, type=BuildSummary)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def encode_summary(s: BuildSummary) -> bytes:
    return msgspec.json.format(msgspec.json.encode(s), indent=2) + b"\n"
