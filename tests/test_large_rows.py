"""Large stored rows read back exactly (``Storage.rows``, ``Storage.saved_rows``).

On PostgreSQL a state longer than ``sql.LARGE_READ`` bytes (the registers of a large ledger, the
checkpoint of a large import) is read in slices of ``base.READ_SLICE`` bytes, so that it is
never held several times over as it arrives (issue 14: verify's and export's memory). These
tests hold the slices to the row: every byte in its place, at and around every slice boundary,
among small rows before and after it, in order. On SQLite the same calls read the row whole.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.storage import base, sql
from ledger.storage.base import SavedRow
from tests.conftest import STORES, NewDb, config_for, new_ledger

SIZES = [
    sql.LARGE_READ,  # the largest read whole
    sql.LARGE_READ + 1,  # the smallest read in slices: one byte in the last slice
    2 * base.READ_SLICE,  # exactly two slices
    2 * base.READ_SLICE + 7,
]


def _payload(size: int, seed: int) -> bytes:
    """Bytes that differ from slice to slice and within each (a slice read twice, or out of
    order, or one byte short, gives other bytes)."""
    return (seed.to_bytes(4, "big") + os.urandom(size))[:size]  # (no period a slice repeats)


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_large_fact_rows_read_back_byte_for_byte(new_db: NewDb, tmp_path: Path) -> None:
    ledger = new_ledger(config_for(new_db("large.db"), tmp_path))
    try:
        stream = uuid.uuid4()
        states = [b"small-before", *(_payload(n, i) for i, n in enumerate(SIZES)), b"after"]
        rows = [StoredEvent(stream, i, f"T:{i}", s) for i, s in enumerate(states, start=1)]
        ledger.storage.insert_facts(iter(rows), chunk=2)
        read = list(ledger.storage.rows(stream, 0, None))
        assert [r[0] for r in read] == list(range(1, len(states) + 1))
        assert [r[1] for r in read] == [f"T:{i}" for i in range(1, len(states) + 1)]
        for (_, _, got), want in zip(read, states, strict=True):
            assert type(got) is bytes
            assert len(got) == len(want) and got == want
        # A range that starts after the large rows, and one that ends among them.
        assert [r[2] for r in ledger.storage.rows(stream, 3, None)] == states[3:]
        assert [r[2] for r in ledger.storage.rows(stream, 1, 3)] == states[1:3]
    finally:
        ledger.close()


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_large_saved_rows_read_back_byte_for_byte(new_db: NewDb, tmp_path: Path) -> None:
    ledger = new_ledger(config_for(new_db("large.db"), tmp_path))
    try:
        ident = uuid.UUID(int=1)  # before any other id: read first
        saved = [SavedRow(ident, i, "Big", _payload(n, i)) for i, n in enumerate([10, *SIZES, 3])]
        ledger.storage.save(saved)
        read = [row for row in ledger.storage.saved_rows() if row[2] == "Big"]
        assert [row[1] for row in read] == [row.position for row in saved]
        for got, want in zip(read, saved, strict=True):
            assert type(got[3]) is bytes
            assert got[3] == want.state
    finally:
        ledger.close()
