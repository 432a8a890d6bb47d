"""Judging only what one fact can change (issue 14, item 1): recording a fact tells what it
opened or resolved from the rules whose sections of the registers it writes, with the posts
it can bear on, not from every rule over the whole ledger. These tests hold the two tables that
decide it (what each fact writes, what each rule reads) to the code, and the answer to the
answer judging everything gives, fact by fact, over each profile's generated history.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ledger import events as ev
from ledger import warnings as alerts
from ledger.demo import generate
from ledger.profile import load, shipped
from projections import registers as reg
from projections import status
from projections.findings import Episode, all_episodes
from projections.rules import JUDGES

SECTIONS = {f.name for f in msgspec.structs.fields(reg.Registers)}


def _history(profile_name: str) -> list[ev.Event]:
    profile = load(profile_name)
    first = ev.SettingRegistered(on=dt.date(2023, 9, 1), name="Demo", profile=profile_name)
    return [
        first,
        *generate(
            profile, setting="Demo", start=dt.date(2023, 9, 1), end=dt.date(2026, 7, 31), seed=3
        ),
    ]


def _named(path: Path) -> set[str]:
    """Every section of the registers a module's source names (``r.posts``, ``registers.acks``)."""
    text = path.read_text()
    return {m for m in re.findall(r"\b(?:r|registers)\.([a-z_]+)\b", text) if m in SECTIONS}


def test_each_judge_reads_no_section_its_table_leaves_out() -> None:
    """Every section a rule's module names (and ``projections.status``'s, for the modules that
    ask it) is in the table of what its judges read: a rule changed to read another section
    fails here until the table says so."""
    status_reads = _named(Path(status.__file__))
    assert status_reads  # the scan finds what it looks for
    for judge in JUDGES:
        module = __import__(judge.__module__, fromlist=["_"])
        source = Path(module.__file__ or "")
        named = _named(source)
        if re.search(r"^from projections import .*\bstatus\b", source.read_text(), re.M):
            named |= status_reads
        assert named <= alerts.READS[judge], (judge.__name__, named - alerts.READS[judge])


class _Tracing:
    """Registers that note each section read or written through them."""

    def __init__(self, registers: reg.Registers) -> None:
        object.__setattr__(self, "_registers", registers)
        object.__setattr__(self, "touched", set())

    def __getattr__(self, name: str) -> Any:
        if name in SECTIONS:
            self.touched.add(name)
        return getattr(self._registers, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self.touched.add(name)
        setattr(self._registers, name, value)


@pytest.mark.parametrize("profile_name", shipped())
def test_each_fact_writes_no_section_its_table_leaves_out(profile_name: str) -> None:
    """Folding a generated history through the handlers, every section a fact's handler reads
    or writes is one ``registers.writes`` names for it (and every kind of fact is seen)."""
    registers = reg.Registers()
    seen: set[type[ev.Event]] = set()
    for position, event in enumerate(_history(profile_name), start=1):
        tracing = _Tracing(registers)
        reg._HANDLERS[type(event)](tracing, event, position)  # type: ignore[arg-type]
        registers.position = position
        assert tracing.touched - {"position"} <= reg.writes(event), (event, tracing.touched)
        seen.add(type(event))
    assert len(seen) >= 20, seen  # the history holds most kinds of fact


def _key(e: Episode) -> tuple[str, str, dt.date, str, dt.date | None, str | None]:
    return (e.rule, e.subject, e.since, e.detail, e.end, e.resolution)


@pytest.mark.parametrize("profile_name", shipped())
def test_what_a_fact_opened_or_resolved_is_what_judging_everything_says(
    profile_name: str,
) -> None:
    """At every fact of a generated history (a planted breach of every rule the profile turns
    on, and its remedy): the findings the fact opened or resolved, from the rules it can change
    over the posts it can bear on, are exactly those found by judging every rule over all the
    registers before and after it."""
    profile = load(profile_name)
    registers = reg.Registers()
    before = all_episodes(registers, profile)
    told = 0
    for position, event in enumerate(_history(profile_name), start=1):
        narrow_before = alerts.episodes(registers, profile, event)
        reg.apply(registers, event, position)
        narrow_after = alerts.episodes(registers, profile, event)
        after = all_episodes(registers, profile)
        for check in (alerts.opened, alerts.resolved):
            full = check(before, after, event.on)
            narrow = check(narrow_before, narrow_after, event.on)
            assert sorted(map(repr, full)) == sorted(map(repr, narrow)), (position, event)
            told += len(full)
        # and the episodes the narrow judging leaves out are the same before and after
        changed = {_key(e) for e in before} ^ {_key(e) for e in after}
        judged = {_key(e) for e in narrow_before} | {_key(e) for e in narrow_after}
        assert changed <= judged, (position, event, changed - judged)
        before = after
    assert told >= 5  # the history opens and resolves findings
