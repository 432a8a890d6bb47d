"""Findings: the setting's facts judged against its own policy (DESIGN.md section 5).

Every rule is causal: whether something is a finding on day d depends only on facts dated on or
before d. So the rules compute each finding's whole *episode* once, over all the facts the
registers hold (``since`` and, where it has ended, ``resolved_on``), and the findings as of any
day are those episodes cut at that day: begun on or before it, and open unless resolved on or
before it. How each rule is judged, in plain words, is in ``site/rules.md``; each rule's code
sits in ``projections/rules/`` beside the policy lines it comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Literal

import msgspec

from ledger.profile import Profile
from projections.registers import Mark, Registers, key, paused_gc

ACKNOWLEDGED = "FindingAcknowledged"


class Episode(msgspec.Struct):
    """One finding's whole life: from ``since`` to ``end`` (the day it was resolved), if ended."""

    rule: str
    subject: str
    since: dt.date
    detail: str
    end: dt.date | None = None
    resolution: str | None = None  # the kind of event that resolved it


class Finding(msgspec.Struct, frozen=True, omit_defaults=False):
    """A finding as of a day (the contract of ``findings --json``)."""

    rule: str
    subject: str
    since: dt.date
    status: Literal["open", "resolved"]
    resolved_on: dt.date | None
    detail: str
    resolution: str | None = None


Judge = Callable[[Registers, Profile], list[Episode]]


def runs(
    candidates: Iterable[dt.date], holds: Callable[[dt.date], bool]
) -> list[tuple[dt.date, dt.date | None]]:
    """Maximal runs of days on which ``holds`` is true at the end of the day.

    ``candidates`` must include every day on which the answer can change.
    """
    out: list[tuple[dt.date, dt.date | None]] = []
    start: dt.date | None = None
    for day in sorted(set(candidates)):
        if holds(day):
            if start is None:
                start = day
        elif start is not None:
            out.append((start, day))
            start = None
    if start is not None:
        out.append((start, None))
    return out


def acknowledge(episodes: list[Episode], acks: dict[str, list[Mark]]) -> None:
    """Let ``FindingAcknowledged`` resolve the episode open on its day (a same-day remedy wins)."""
    for episode in episodes:
        for mark in acks.get(key(episode.rule, episode.subject), ()):
            if mark.on < episode.since:
                continue
            if episode.end is None or mark.on < episode.end:
                episode.end, episode.resolution = mark.on, ACKNOWLEDGED
            break


def first_open_ack(
    acks: dict[str, list[Mark]], rule: str, subject: str, since: dt.date
) -> dt.date | None:
    """The first acknowledgement of (rule, subject) on or after ``since``."""
    for mark in acks.get(key(rule, subject), ()):
        if mark.on >= since:
            return mark.on
    return None


def all_episodes(registers: Registers, profile: Profile) -> list[Episode]:
    """Every episode of every rule the profile turns on, acknowledgements applied.

    The rules make many short-lived, acyclic lists (a history's turns, a subject's days) while
    they read the registers' millions of objects; the cycle collector is paused meanwhile, as
    for the fold, so that it does not rescan those objects again and again to find nothing.
    """
    from projections.rules import JUDGES  # the rule modules import this one

    with paused_gc():
        episodes = [
            episode
            for judge in JUDGES
            for episode in judge(registers, profile)
            if profile.is_on(episode.rule)
        ]
        acknowledge(episodes, registers.acks)
        episodes.sort(key=lambda e: (e.since, e.rule, e.subject))
    return episodes


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


def evaluate(registers: Registers, profile: Profile, day: dt.date) -> list[Finding]:
    return as_of(all_episodes(registers, profile), day)
