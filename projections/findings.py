"""Findings: the setting's facts judged against its own policy (DESIGN.md section 5).

Every rule is causal: whether something is a finding on day d depends only on facts dated on or
before d. So the rules compute each finding's whole *episode* once, over all the facts the
registers hold (``since`` and, where it has ended, ``resolved_on``), and the findings as of any
day are those episodes cut at that day: begun on or before it, and open unless resolved on or
before it. How each rule is judged, in plain words, is in ``site/rules.md``; each rule's code
sits in ``projections/rules/`` beside the policy lines it comes from. The episode's type and
the helpers the rules share are in ``projections.episodes``, below both: findings imports the
rules, the rules never import findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Literal

import msgspec

from ledger.profile import Profile
from projections.episodes import (
    ACKNOWLEDGED,
    Episode,
    Judge,
    acknowledge,
    first_open_ack,
    runs,
)
from projections.registers import Registers, paused_gc
from projections.rules import JUDGES

# An open finding is counted as overdue, in a federation's view of its members (``findings
# --federation`` and the federation's site), once it has been open longer than this: past the
# second of the sites' age bands (``report.AGE_BUCKETS``: "8–30 days"), so in "31–90" or over.
OVERDUE_AFTER_DAYS: Final = 30

# The episode's type and helpers live in ``projections.episodes`` (the rules import them from
# there); they are named here too for the callers that read them as findings' own.
__all__ = [
    "ACKNOWLEDGED",
    "Episode",
    "Finding",
    "Judge",
    "Judged",
    "acknowledge",
    "all_episodes",
    "as_of",
    "evaluate",
    "first_open_ack",
    "judged",
    "judged_from_bytes",
    "judged_to_bytes",
    "order",
    "runs",
    "updated",
]


class Finding(msgspec.Struct, frozen=True, omit_defaults=False):
    """A finding as of a day (the contract of ``findings --json``)."""

    rule: str
    subject: str
    since: dt.date
    status: Literal["open", "resolved"]
    resolved_on: dt.date | None
    detail: str
    resolution: str | None = None


def all_episodes(
    registers: Registers, profile: Profile, judges: Iterable[Judge] = JUDGES
) -> list[Episode]:
    """Every episode of every rule the profile turns on, acknowledgements applied (of the
    rules ``judges`` return: all of them unless told).

    The rules make many short-lived, acyclic lists (a history's turns, a subject's days) while
    they read the registers' millions of objects; the cycle collector is paused meanwhile, as
    for the fold, so that it does not rescan those objects again and again to find nothing.
    """
    with paused_gc():
        episodes = [
            episode
            for judge in judges
            for episode in judge(registers, profile)
            if profile.is_on(episode.rule)
        ]
        acknowledge(episodes, registers.acks)
        episodes.sort(key=order)
    return episodes


def order(e: Episode) -> tuple[dt.date, str, str, str, dt.date, str]:
    """The order episodes are listed in: by day begun, rule and subject (then the rest of the
    episode, so that episodes worked out in any order are listed alike)."""
    return (e.since, e.rule, e.subject, e.detail, e.end or dt.date.max, e.resolution or "")


def updated(
    episodes: Iterable[Episode], changes: Iterable[tuple[list[Episode], list[Episode]]]
) -> list[Episode]:
    """Every episode after some facts, from every episode before them and, for each fact in
    turn, the episodes it could change as they were before it and after it (those of the
    rules it can change, over what it can bear on: ``ledger.warnings.episodes``); the others
    are the same before and after. Raises ``ValueError`` if an episode said to be there before
    a fact is not (the episodes were not those of the registers the changes were judged on)."""
    held: dict[tuple[object, ...], list[Episode]] = {}
    for e in episodes:
        held.setdefault(order(e), []).append(e)
    for before, after in changes:
        for e in before:
            same = held.get(order(e))
            if not same:
                raise ValueError(f"no episode {e.rule} for {e.subject} to take out")
            same.pop()
        for e in after:
            held.setdefault(order(e), []).append(e)
    return sorted((e for same in held.values() for e in same), key=order)


def as_of(episodes: Iterable[Episode], day: dt.date) -> list[Finding]:
    """The findings on ``day``: episodes begun by then, open unless resolved by then."""
    out: list[Finding] = []
    for e in episodes:
        if e.since > day:
            continue
        resolved = e.end is not None and e.end <= day
        out.append(
            Finding(
                rule=e.rule,
                subject=e.subject,
                since=e.since,
                status="resolved" if resolved else "open",
                resolved_on=e.end if resolved else None,
                detail=e.detail,
                resolution=e.resolution if resolved else None,
            )
        )
    return out


class Judged(msgspec.Struct, frozen=True, kw_only=True):
    """Every episode of a ledger's facts up to ``position``, judged by one profile (its
    ``fingerprint``) with one version of the rules (``rules``, a digest of their code): what a
    follower saves, so that ``findings`` as of any day is the episodes cut at that day
    (``as_of``), without the registers read or the history judged again."""

    format: int = 1
    position: int
    setting: str
    profile: str
    rules: str
    episodes: list[Episode]


def judged(registers: Registers, profile: Profile, fingerprint: str, rules: str) -> Judged:
    """The registers' episodes (``all_episodes``), with what they were judged by."""
    return Judged(
        position=registers.position,
        setting=registers.setting,
        profile=fingerprint,
        rules=rules,
        episodes=all_episodes(registers, profile),
    )


_judged_decoder = msgspec.msgpack.Decoder(Judged)


def judged_to_bytes(judged_: Judged) -> bytes:
    return msgspec.msgpack.encode(judged_)


def judged_from_bytes(data: bytes) -> Judged | None:
    """Saved episodes, or None if the bytes are not such (another format, damaged)."""
    try:
        return _judged_decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def evaluate(registers: Registers, profile: Profile, day: dt.date) -> list[Finding]:
    """The findings on ``day``, every rule's episodes worked out afresh."""
    return as_of(all_episodes(registers, profile), day)
