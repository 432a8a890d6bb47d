"""Episodes: a finding's whole life, the type every rule returns and findings cuts by day.

A rule (``projections/rules/``) judges the registers once and returns each finding's episode:
begun ``since``, resolved on ``end`` if it has ended, and by what. ``projections.findings``
gathers every rule's episodes and cuts them at a day. The type and the helpers the rules share
(runs of days on which something holds, the acknowledgement that resolves an episode) live
here, below both, so that the rules and findings do not import each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import msgspec

from ledger.profile import Profile
from projections.registers import Mark, Registers, key

ACKNOWLEDGED = "FindingAcknowledged"


class Episode(msgspec.Struct):
    """One finding's whole life: from ``since`` to ``end`` (the day it was resolved), if ended."""

    rule: str
    subject: str
    since: dt.date
    detail: str
    end: dt.date | None = None
    resolution: str | None = None  # the kind of event that resolved it


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
