"""Incremental everything: after k new facts, bringing the registers (and so the findings and
the site's data, which are computed from them) up to date reads only those k facts; and the
site's numbers, once saved for a position and a day, are read back without the registers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from ledger import caches, store
from ledger import events as ev
from ledger.demo import generate
from ledger.integrity import Signer
from ledger.profile import Profile
from ledger.profile import load as load_profile
from projections import findings as fnd
from projections import registers as reg
from projections import sitedata
from tests.conftest import config_for, fixed_clock, new_ledger, stored_rows


class Counting:
    """Counts the stored facts of the setting's stream read, however they are read."""

    def __init__(self, ledger: store.Ledger) -> None:
        self.ledger = ledger
        self.read = 0
        self._select = ledger.recorder.select_events

        def select_events(originator_id: Any, **kwargs: Any) -> Sequence[Any]:
            rows = self._select(originator_id, **kwargs)
            if originator_id == ledger.stream:
                self.read += len(rows)
            return rows

        ledger.recorder.select_events = select_events  # type: ignore[method-assign]
        rows = ledger.rows

        def counted_rows(after: int = 0, upto: int | None = None) -> Iterator[Any]:
            for row in rows(after, upto):
                self.read += 1
                yield row

        ledger.rows = counted_rows  # type: ignore[method-assign]


def _school_year(
    ledger_db: str, tmp_path: Path, *, seed: int
) -> tuple[store.Ledger, Signer, Profile, list[ev.Event]]:
    """A new ledger, and a school year of generated facts for it (not yet recorded)."""
    profile = load_profile("south-woodham-preschool")
    facts = generate(
        profile, setting="x", start=dt.date(2025, 9, 1), end=dt.date(2026, 7, 31), seed=seed
    )
    ledger = new_ledger(config_for(ledger_db, tmp_path))
    signer = Signer.generate("policy-ledger")
    ledger.create("Test", profile.name, signer, fixed_clock)
    return ledger, signer, profile, facts


@pytest.mark.parametrize("k", [1, 17, 400])
def test_after_k_new_facts_only_k_are_read(ledger_db: str, tmp_path: Path, k: int) -> None:
    ledger, signer, profile, facts = _school_year(ledger_db, tmp_path, seed=2)
    head, tail = facts[:-k], facts[-k:]
    ledger.record(head, signer, fixed_clock)
    ledger.save_registers(ledger.registers())  # the tracked position: everything so far

    ledger.record(tail, signer, fixed_clock)
    counting = Counting(ledger)
    registers = ledger.registers()
    assert counting.read == k  # the new facts only (the write itself read one row: the head)
    assert registers.position == len(facts) + 1

    # And what they give equals a rebuild from scratch.
    rebuilt = reg.rebuild(ledger.facts())
    assert reg.to_bytes(registers) == reg.to_bytes(rebuilt)
    day = dt.date(2026, 7, 31)
    assert fnd.evaluate(registers, profile, day) == fnd.evaluate(rebuilt, profile, day)
    ledger.close()


def test_a_write_reads_only_the_facts_since_the_tracked_position(
    ledger_db: str, tmp_path: Path
) -> None:
    ledger, signer, _, facts = _school_year(ledger_db, tmp_path, seed=4)
    ledger.record(facts, signer, fixed_clock)
    ledger.save_registers(ledger.registers())
    counting = Counting(ledger)
    ledger.record(
        [ev.ConcernRaised(on=dt.date(2026, 7, 31), concern="K-9999", category="other")],
        signer,
        fixed_clock,
    )
    # Deciding the new fact read no old facts: the tracked registers were enough (the one row
    # read is the head, to know the next position).
    assert counting.read <= 1
    ledger.close()


@pytest.mark.parametrize("k", [0, 25])
def test_check_post_reads_only_its_entries_and_the_new_facts(
    ledger_db: str, tmp_path: Path, k: int
) -> None:
    """``check post`` must not load a whole ledger's registers: it reads the saved entries of
    the children, author and device it is asked about, and the k facts since the save."""
    ledger, signer, _, facts = _school_year(ledger_db, tmp_path, seed=5)
    head, tail = (facts[:-k], facts[-k:]) if k else (facts, [])
    ledger.record(head, signer, fixed_clock)
    ledger.save_registers(ledger.registers())
    if tail:
        ledger.record(tail, signer, fixed_clock)
    whole = ledger.registers()
    post = next(e for e in reversed(facts) if isinstance(e, ev.PostPublished) and e.depicts)
    wanted = reg.post_entries(post.channel, post.author, post.depicts, post.device)

    counting = Counting(ledger)
    snapshot_rows: list[int] = []
    select_snapshots = ledger._snapshots.select_events

    def counted(originator_id: Any, **kwargs: Any) -> Sequence[Any]:
        rows = select_snapshots(originator_id, **kwargs)
        snapshot_rows.extend(len(row.state) for row in rows)
        return rows

    ledger._snapshots.select_events = counted  # type: ignore[method-assign]
    partial = ledger.registers_for(wanted)
    assert counting.read == k
    # One row per wanted entry at most (plus the saved position), and none of them large.
    assert len(snapshot_rows) <= len(wanted) + 1
    assert max(snapshot_rows) < 2000
    for entry in wanted:
        section, name = entry
        assert getattr(partial, section).get(name) == getattr(whole, section).get(name), entry
    ledger.close()


def test_only_the_two_newest_saved_registers_are_kept(ledger_db: str, tmp_path: Path) -> None:
    """Each save is a whole copy of the registers: older ones are deleted (they are a cache),
    and the registers as they were earlier are still right (folded from the start)."""
    ledger, signer, _, facts = _school_year(ledger_db, tmp_path, seed=6)
    step = len(facts) // 4
    middle = 0
    for start in range(0, len(facts), step):
        ledger.record(facts[start : start + step], signer, fixed_clock)
        ledger.save_registers(ledger.registers())
        middle = middle or ledger.head()
    saved = [row for row in stored_rows(ledger_db)["snapshots"] if row[2].startswith("Registers/")]
    versions = sorted(row[1] for row in saved)
    assert len(versions) == 2 and versions[-1] == ledger.head()
    assert reg.to_bytes(ledger.registers(upto=middle)) == reg.to_bytes(
        reg.rebuild(ledger.facts(0, middle))
    )
    ledger.close()


class CountingSaved:
    """Counts the bytes of saved state read (registers, entries, views), however read."""

    def __init__(self, ledger: store.Ledger) -> None:
        self.bytes = 0
        select = ledger._snapshots.select_events

        def counted(originator_id: Any, **kwargs: Any) -> Sequence[Any]:
            rows = select(originator_id, **kwargs)
            self.bytes += sum(len(row.state) for row in rows)
            return rows

        ledger._snapshots.select_events = counted  # type: ignore[method-assign]


def test_the_site_data_are_read_back_only_while_they_answer(ledger_db: str, tmp_path: Path) -> None:
    """The site's numbers, once saved (as a follower does) with their position, day and
    profile: asked again for the same, they are read back (no fact, no registers); for another
    day, after a new fact, or from damaged bytes, they are worked out again; always equal to a
    rebuild from scratch. Asking never saves anything."""
    ledger, signer, profile, facts = _school_year(ledger_db, tmp_path, seed=7)
    ledger.record(facts, signer, fixed_clock)
    day = dt.date(2026, 7, 31)

    def from_scratch(on: dt.date) -> sitedata.SiteData:
        return sitedata.compute(reg.rebuild(ledger.facts()), profile, on)

    first = ledger.site_data(day)
    assert first == from_scratch(day) and first.position == len(facts) + 1
    assert ledger.saved_view(sitedata.NAME) is None  # a site build only reads the ledger
    ledger.save_site_data(first)

    counting, saved = Counting(ledger), CountingSaved(ledger)
    again = ledger.site_data(day)
    assert again == first
    assert counting.read <= 1  # the head, to know the position
    head = ledger.head_for(first.position)
    assert head is not None  # the numbers only (bound to the head), no registers
    assert saved.bytes == len(caches.bind(head, sitedata.to_bytes(first)))

    later = dt.date(2026, 9, 1)  # the day turned: consents expire, findings age
    assert ledger.site_data(later) == from_scratch(later) != first

    ledger.record(
        [ev.ConcernRaised(on=later, concern="K-9999", category="other")], signer, fixed_clock
    )
    moved = ledger.site_data(later)
    assert moved.position == len(facts) + 2 and moved == from_scratch(later)

    ledger.save_view(sitedata.NAME, moved.position, b"\x00 not the numbers")
    assert ledger.site_data(later) == moved  # a damaged cache is worked out again

    other = load_profile("west-wycombe-preschool")
    assert not sitedata.is_for(moved, moved.position, later, other)
    assert sitedata.is_for(moved, moved.position, later, profile)
    ledger.close()
