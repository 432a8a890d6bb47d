"""Adversarial review of the large-row reads (``Storage.rows``, ``Storage.saved_rows``): an
empty state beside large ones; a second reader's transaction open at once; a writer replacing
a large cache row between two of its slices (PostgreSQL reads the slices in one REPEATABLE
READ snapshot: the row read must be the old one whole or the new one whole, never spliced)."""

from __future__ import annotations

import dataclasses
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.storage import base, postgres, sql
from ledger.storage.base import SavedRow
from tests.conftest import STORES, NewDb, config_for, new_ledger, raw

BIG = 2 * base.READ_SLICE + 5  # three slices on PostgreSQL


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_empty_and_one_byte_states_among_large_ones(new_db: NewDb, tmp_path: Path) -> None:
    ledger = new_ledger(config_for(new_db("large.db"), tmp_path))
    try:
        stream = uuid.uuid4()
        states = [b"", os.urandom(BIG), b"", b"x", os.urandom(sql.LARGE_READ + 1), b""]
        rows = [StoredEvent(stream, i, f"T:{i}", s) for i, s in enumerate(states, start=1)]
        ledger.storage.insert_facts(iter(rows), chunk=1)
        assert [r[2] for r in ledger.storage.rows(stream, 0, None)] == states
        ident = uuid.UUID(int=2)
        ledger.storage.save([SavedRow(ident, i, "Big", s) for i, s in enumerate(states)])
        read = [r[3] for r in ledger.storage.saved_rows() if r[2] == "Big"]
        assert read == states
    finally:
        ledger.close()


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_a_large_cache_row_replaced_between_its_slices_is_read_whole_never_spliced(
    store: str, new_db: NewDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(new_db("large.db"), tmp_path)
    ledger = new_ledger(config)
    writer = new_ledger(config) if store == "postgres" else None
    ident = uuid.UUID(int=3)
    old, new = b"\x01" * BIG, b"\x02" * BIG  # the same length: a splice is not a short row
    fired: list[int] = []
    try:
        ledger.storage.save([SavedRow(ident, 1, "Big", old)])
        if writer is not None:
            query = postgres.PostgresRunner.query

            def between(self: Any, statement: str, params: Any) -> list[tuple[Any, ...]]:
                got = query(self, statement, params)
                if statement == sql.POSTGRES.state_slice and not fired:
                    fired.append(1)  # after the first slice: another connection replaces it
                    assert writer is not None
                    writer.storage.save([SavedRow(ident, 1, "Big", new)])
                return got

            monkeypatch.setattr(postgres.PostgresRunner, "query", between)
        read = [r[3] for r in ledger.storage.saved_rows() if r[2] == "Big"]
        assert read in ([old], [new])
        if writer is not None:
            assert fired, "the row was not read in slices"
            assert read == [old]  # the snapshot of the read's start
            monkeypatch.undo()
            again = [r[3] for r in ledger.storage.saved_rows() if r[2] == "Big"]
            assert again == [new]  # (the writer's row was there to splice)
    finally:
        ledger.close()
        if writer is not None:
            writer.close()


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
def test_without_the_snapshot_the_row_would_be_spliced(
    new_db: NewDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test above can fail: with READ COMMITTED (no ``snapshot`` statement) the same
    replacement gives a row of old and new bytes, which the reader refuses."""
    config = config_for(new_db("large.db"), tmp_path)
    ledger, writer = new_ledger(config), new_ledger(config)
    ident = uuid.UUID(int=3)
    try:
        ledger.storage.save([SavedRow(ident, 1, "Big", b"\x01" * BIG)])
        query = postgres.PostgresRunner.query
        fired: list[int] = []

        def between(self: Any, statement: str, params: Any) -> list[tuple[Any, ...]]:
            got = query(self, statement, params)
            if statement == sql.POSTGRES.state_slice and not fired:
                fired.append(1)
                writer.storage.save([SavedRow(ident, 1, "Big", b"\x02" * BIG)])
            return got

        monkeypatch.setattr(postgres.PostgresRunner, "query", between)
        monkeypatch.setattr(
            ledger.storage, "dialect", dataclasses.replace(sql.POSTGRES, snapshot=None)
        )
        read = [r[3] for r in ledger.storage.saved_rows() if r[2] == "Big"]
        assert fired and len(read) == 1
        assert read[0] not in (b"\x01" * BIG, b"\x02" * BIG)  # spliced
    finally:
        ledger.close()
        writer.close()


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_a_fact_row_whose_state_is_null_is_named_by_verify_not_a_traceback(store: str) -> None:
    """A hostile row (the state column allows NULL on either store): ``ledger verify`` names
    the position, as for any changed fact; it must not stop on an unexpected error."""
    from tests.test_audit_trail import ledger_folder, verify_status

    with ledger_folder(3, writes=3, store=store) as place:
        with raw(place.db) as conn:
            ((stream,),) = conn.execute(
                "SELECT originator_id FROM {events} WHERE topic LIKE 'SettingRegistered:%'"
            )
            conn.execute(
                "UPDATE {events} SET state = NULL WHERE originator_id = ?"
                " AND originator_version = 4",
                (stream,),
            )
        status, out = verify_status(place)
    assert status == 1, out
    assert "TAMPERED at position 4" in out, out
