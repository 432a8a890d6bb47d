"""The ledger on SQLite: its runner, its application recorder, its cache view, the file check.

An originator id is kept as hex text; the library's SQLite cursor is asked for plain tuples.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from abc import ABC
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from eventsourcing.persistence import AggregateRecorder, StoredEvent, Tracking
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteTrackingRecorder,
)

from ledger.storage import sql
from ledger.storage.base import (
    People,
    Runner,
    SavedRow,
    Storage,
    Superseded,
    write_people,
    write_saved,
)


def _hex(originator_id: uuid.UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, uuid.UUID) else originator_id


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, inserting with one ``executemany`` over the rows as they
    come (its own inserts one row at a time, to return notification ids we do not use)."""

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Iterable[StoredEvent], **_: Any
    ) -> None:
        c.executemany(
            self.insert_events_statement,
            (
                (_hex(s.originator_id), s.originator_version, s.topic, s.state)
                for s in stored_events
            ),
        )

    def insert_rows(self, rows: Iterator[StoredEvent], people: People | None = None) -> None:
        """Insert the rows in one transaction as they are made (the library's ``insert_events``
        wants a sequence; this one reads an iterator once, through ``_insert_events``), and
        the write's person index rows with them."""
        with self.datastore.transaction(commit=True) as c:
            self._insert_events(c, rows)
            if people is not None:
                write_people(SQLiteRunner(c, sql.SQLITE_PEOPLE), sql.SQLITE, people)


class SQLiteRunner:
    """Runs SQLite statements on one cursor of the library's transaction."""

    def __init__(self, cursor: SQLiteCursor, table: str) -> None:
        self._plain = cursor.sqlite_cursor
        self._plain.row_factory = None  # plain tuples, not the library's Row objects
        self._table = table

    def ident(self, ident: uuid.UUID) -> object:
        return ident.hex

    def query(self, statement: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        self._plain.execute(statement.format(table=self._table), params)
        return self._plain.fetchall()

    def run(self, statement: str, params: Sequence[object]) -> None:
        self._plain.execute(statement.format(table=self._table), params)

    def run_many(self, statement: str, params: Sequence[Sequence[object]]) -> None:
        self._plain.executemany(statement.format(table=self._table), params)


class SQLiteStorage(Storage):
    dialect = sql.SQLITE
    people_table = sql.SQLITE_PEOPLE
    cosignatures_table = sql.SQLITE_COSIGNATURES

    def __init__(self, events: SQLiteAggregateRecorder, saved: SQLiteAggregateRecorder) -> None:
        self._events = events
        self._saved = saved

    @property
    def is_postgres(self) -> bool:
        return False

    @contextlib.contextmanager
    def runner(self, *, saved: bool, commit: bool, table: str | None = None) -> Iterator[Runner]:
        recorder = self._saved if saved else self._events
        with recorder.datastore.transaction(commit=commit) as cursor:
            yield SQLiteRunner(cursor, table or recorder.events_table_name)

    def insert_facts(
        self, rows: Iterator[StoredEvent], chunk: int, people: People | None = None
    ) -> None:
        if isinstance(self._events, LedgerSQLiteRecorder):
            self._events.insert_rows(rows, people)
        else:  # the library's own recorder: no index (a reader catches it up)
            self._events.insert_events(list(rows))

    def _people_exists_params(self) -> tuple[object, ...]:
        return (self.people_table,)


def sqlite_storage(events: AggregateRecorder, saved: AggregateRecorder) -> SQLiteStorage | None:
    """The storage over these recorders if they are SQLite ones."""
    if isinstance(events, SQLiteAggregateRecorder) and isinstance(saved, SQLiteAggregateRecorder):
        return SQLiteStorage(events, saved)
    return None


class SQLiteCacheView(SQLiteTrackingRecorder, ABC):
    """A follower's tracking recorder that also saves cache rows, in the same transaction.

    A follower that has never run starts after the ledger's fact at the newest saved row of
    ``marker_topic`` (saved by the commands too): it need not read the facts up to it again.
    """

    marker_topic: ClassVar[str]  # set by the follower (``ledger.follow``)

    def max_tracking_id(self, application_name: str) -> int | None:
        tracked = super().max_tracking_id(application_name)
        return tracked if tracked is not None else self.saved_notification_id()

    def saved_notification_id(self) -> int | None:
        """The notification of the ledger's fact at the newest saved ``marker_topic`` row."""
        statement = sql.SQLITE.saved_notification.format(
            id=sql.SQLITE.notification_column,
            events=sql.SQLITE_TABLES[0],
            snapshots=sql.SQLITE_TABLES[1],
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, (self.marker_topic,))
            row = c.fetchone()
        return int(row[0]) if row else None

    def save(
        self,
        rows: Sequence[SavedRow],
        superseded: Superseded | None,
        prune: uuid.UUID,
        tracking: Tracking,
    ) -> None:
        """Save cache rows (``write_saved``) and the tracking position together."""
        with self.datastore.transaction(commit=True) as c:
            write_saved(SQLiteRunner(c, sql.SQLITE_TABLES[1]), sql.SQLITE, rows, superseded, prune)
            self._insert_tracking(c, tracking)


def is_sqlite_ledger(path: Path, *, immutable: bool = False) -> bool:
    """Whether the file holds a ledger's tables (read only; ``immutable``: without opening its
    write-ahead log, which a read-only folder cannot hold)."""
    mode = "immutable=1" if immutable else "mode=ro"
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        ) as conn:
            rows = conn.execute(sql.SQLITE_HAS_LEDGER).fetchall()
    except sqlite3.Error:
        return False
    return len(rows) == 2
