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

from ledger import caches, follow, store
from ledger import events as ev
from ledger import warnings as alerts
from ledger.demo import generate
from ledger.follow import follow_postgres, follow_sqlite
from ledger.integrity import Signer
from ledger.profile import load, shipped
from ledger.storage.base import SavedRow
from ledger.tracked import EPISODES_VIEW, view_id
from projections import findings, sitedata, status
from projections import registers as reg
from projections.findings import Episode, all_episodes
from projections.rules import JUDGES
from tests.conftest import fixed_clock

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


# --- the follower: the episodes judged at one head, updated by each new fact -------------------

PROFILE = "south-woodham-preschool"


def _follow_once(config: store.Config, ledger: store.Ledger, day: dt.date) -> None:
    if config.is_postgres:
        follow_postgres(config, once=True, poll=0.2, today=lambda: day)
    else:
        follow_sqlite(ledger, once=True, today=lambda: day)


def _ledger(db: str, folder: Path) -> tuple[store.Config, store.Ledger, Signer, list[ev.Event]]:
    config = store.Config(db=db, key_path=folder / "ledger.key")
    if config.is_postgres:
        store.create_postgres_schema(config)
    ledger = store.Ledger(config, create=True)
    signer = Signer.generate("policy-ledger")
    ledger.create("Test", PROFILE, signer, fixed_clock)
    facts = generate(
        load(PROFILE), setting="x", start=dt.date(2024, 9, 1), end=dt.date(2026, 7, 31),
        seed=5, children=14,
    )  # fmt: skip
    return config, ledger, signer, facts


def _as_rebuilt(ledger: store.Ledger, day: dt.date) -> None:
    """The saved episodes and site numbers are those of every rule judged over a rebuild."""
    rebuilt = reg.rebuild(ledger.facts())
    profile = ledger.profile
    saved = ledger.saved_judged()
    assert saved is not None and saved.position == rebuilt.position
    assert saved.episodes == all_episodes(rebuilt, profile)
    assert ledger.saved_site_data(day) == sitedata.compute(rebuilt, profile, day)


def test_a_follower_updates_the_episodes_with_each_new_fact(
    ledger_db: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a follower judged every rule once, each fact recorded after it (the last thirty of
    a history: posts, removals, consents, members, concerns, ...) is followed by updating the
    saved episodes with what that fact changed, without judging every rule again; the episodes
    and the site's numbers it saves are those a rebuild judges."""
    config, ledger, signer, facts = _ledger(ledger_db, workdir)
    day = dt.date(2026, 7, 31)
    tail = facts[-30:]
    ledger.record(facts[:-30], signer, fixed_clock)
    _follow_once(config, ledger, day)
    _as_rebuilt(ledger, day)
    monkeypatch.setattr(follow, "NARROW_BUDGET", 600.0)  # (however slow the machine)
    monkeypatch.setattr(store.Ledger, "judge", lambda *_: pytest.fail("every rule judged"))
    for fact in tail:
        ledger.record([fact], signer, fixed_clock)
        _follow_once(config, ledger, day)
        _as_rebuilt(ledger, day)
    assert len({type(f) for f in tail}) >= 5, {type(f).__name__ for f in tail}
    ledger.close()


@pytest.mark.parametrize("wrong", ["rules", "position", "altered", "missing"])
def test_episodes_saved_for_other_rules_a_position_or_altered_are_judged_afresh(
    ledger_db: str, workdir: Path, wrong: str
) -> None:
    """The follower updates only episodes saved at the position its registers started from, by
    these rules and this profile, and bound to the history there; episodes from which what a
    fact changed cannot be taken out are not used either. Otherwise it judges every rule: what
    it saves is what a rebuild judges."""
    config, ledger, signer, facts = _ledger(ledger_db, workdir)
    day = dt.date(2026, 7, 31)
    ledger.record(facts[:-2], signer, fixed_clock)
    _follow_once(config, ledger, day)
    saved = ledger.saved_judged()
    assert saved is not None
    # The episodes the next fact can change, as they are before it.
    changes = alerts.episodes(ledger.registers(), ledger.profile, facts[-2])
    ledger.record(facts[-2:-1], signer, fixed_clock)  # not followed yet
    if wrong == "rules":
        ledger.save_judged(msgspec.structs.replace(saved, rules="other rules"))
    elif wrong == "position":  # registers saved since, by a command: not where they were judged
        ledger.save_registers(ledger.registers())
    elif wrong == "missing":  # none of the episodes the next fact can change
        assert changes  # (the next fact is about something with findings)
        gone = {findings.order(e) for e in changes}
        kept = [e for e in saved.episodes if findings.order(e) not in gone]
        ledger.save_judged(msgspec.structs.replace(saved, episodes=kept))
    else:  # the bytes changed after they were bound
        altered = findings.judged_to_bytes(msgspec.structs.replace(saved, episodes=[]))
        head = ledger.head_for(saved.position)
        assert head is not None
        bound = bytearray(caches.bind(head, findings.judged_to_bytes(saved)))
        bound[caches.HEADER_SIZE :] = altered
        ledger.storage.replace_saved(
            SavedRow(view_id(ledger.stream, EPISODES_VIEW), saved.position, EPISODES_VIEW,
                     bytes(bound))
        )  # fmt: skip
    judged: list[int] = []
    real = store.Ledger.judge

    def counted(self: store.Ledger, registers: reg.Registers) -> findings.Judged:
        judged.append(registers.position)
        return real(self, registers)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store.Ledger, "judge", counted)
        ledger.record(facts[-1:], signer, fixed_clock)
        _follow_once(config, ledger, day)
    _as_rebuilt(ledger, day)
    assert judged, "every rule judged afresh"
    ledger.close()
