"""A witness's own store: every checkpoint it cosigned, one row each, never updated or deleted.

A SQLite file of the witness's (not a ledger): the table ``cosigned`` holds, for each
cosignature made, the ledger's origin, the checkpoint's size and root, the note as the member
signed it, the note with the cosignature, and when; and what the witness bound them to: where
the member's ledger is (``member``) and the member's key that signed the checkpoint
(``vkey``). Triggers refuse any UPDATE or DELETE, so that even a mistaken statement cannot
rewrite what the witness vouched for; the witness only appends. The last row of an origin
is what the next checkpoint of that ledger must extend.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NamedTuple

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cosigned ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " origin TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " root TEXT NOT NULL,"
    " note TEXT NOT NULL,"
    " cosigned TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " member TEXT NOT NULL,"
    " vkey TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS cosigned_by_origin ON cosigned (origin, id)",
    "CREATE INDEX IF NOT EXISTS cosigned_by_member ON cosigned (member, id)",
    "CREATE INDEX IF NOT EXISTS cosigned_by_vkey ON cosigned (vkey, id)",
    "CREATE TRIGGER IF NOT EXISTS cosigned_no_update BEFORE UPDATE ON cosigned"
    " BEGIN SELECT RAISE(ABORT, 'the witness store is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS cosigned_no_delete BEFORE DELETE ON cosigned"
    " BEGIN SELECT RAISE(ABORT, 'the witness store is append-only'); END",
)
_COLUMNS = "origin, size, root, note, cosigned, at, member, vkey"
_LATEST = f"SELECT {_COLUMNS} FROM cosigned WHERE {{}} = ? ORDER BY id DESC LIMIT 1"
_ALL = f"SELECT {_COLUMNS} FROM cosigned ORDER BY id"
_APPEND = f"INSERT INTO cosigned ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


class WitnessStoreError(Exception):
    """The store cannot be opened or read (not a witness store, a folder that cannot be
    written to)."""


class Cosignature(NamedTuple):
    """One row: what the witness cosigned (``root`` as hex), the two notes, when, where the
    member's ledger was, and the member's key that signed the checkpoint."""

    origin: str
    size: int
    root: str
    note: str
    cosigned: str
    at: int
    member: str
    vkey: str


class WitnessStore:
    """The witness's append-only store (a SQLite file, made on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
            for statement in _SCHEMA:
                self._db.execute(statement)
        except sqlite3.Error as exc:
            raise WitnessStoreError(
                f"{path}: cannot be used as the witness's store ({exc})"
            ) from None

    def latest(self, origin: str) -> Cosignature | None:
        """The last checkpoint cosigned for ``origin``."""
        return self._latest("origin", origin)

    def latest_of_member(self, member: str) -> Cosignature | None:
        """The last checkpoint cosigned for the ledger at ``member`` (where it is)."""
        return self._latest("member", member)

    def latest_by_key(self, vkey: str) -> Cosignature | None:
        """The last checkpoint cosigned that the member's key ``vkey`` signed."""
        return self._latest("vkey", vkey)

    def _latest(self, column: str, value: str) -> Cosignature | None:
        row = self._db.execute(_LATEST.format(column), (value,)).fetchone()
        return Cosignature(*row) if row else None

    def all(self) -> list[Cosignature]:
        """Every row, in the order cosigned."""
        return [Cosignature(*row) for row in self._db.execute(_ALL)]

    def append(self, row: Cosignature) -> None:
        """Append one row (its own transaction)."""
        with self._db:
            self._db.execute(_APPEND, tuple(row))

    def close(self) -> None:
        self._db.close()
