"""The ledger on PostgreSQL: its runner, its cache view, its facts' insert.

Each setting's ledger is a schema of its own on the server (``ledger.storage.schema``); an
originator id is a UUID; a table is named with its schema (``psycopg.sql.Identifier``), never
pasted in. Imported only for a PostgreSQL ledger (``open_storage``) and by a follower.
"""

from __future__ import annotations

import contextlib
import itertools
import uuid
from abc import ABC
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import psycopg
from eventsourcing.persistence import AggregateRecorder, StoredEvent, Tracking
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresTrackingRecorder,
)
from psycopg import sql as pgsql
from psycopg.rows import DictRow, tuple_row

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


class PostgresRunner:
    """Runs PostgreSQL statements on one cursor of the library's transaction."""

    def __init__(self, cursor: psycopg.Cursor[DictRow], schema: str, table: str) -> None:
        # A cursor giving plain tuples, on the connection (and in the transaction) of the
        # library's, which gives dicts. Its results come in binary: a bytea as its bytes, not
        # as hex text twice its size that the driver then unescapes (a copy more of each).
        self._cursor = cursor.connection.cursor(row_factory=tuple_row, binary=True)
        self._table = pgsql.Identifier(schema, table)

    def close(self) -> None:
        self._cursor.close()

    def _statement(self, statement: str) -> pgsql.Composed:
        return pgsql.SQL(statement).format(table=self._table)

    def ident(self, ident: uuid.UUID) -> object:
        return ident

    def query(self, statement: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        self._cursor.execute(self._statement(statement), params)
        return self._cursor.fetchall()

    def run(self, statement: str, params: Sequence[object]) -> None:
        self._cursor.execute(self._statement(statement), params)

    def run_many(self, statement: str, params: Sequence[Sequence[object]]) -> None:
        self._cursor.executemany(self._statement(statement), params)


class PostgresStorage(Storage):
    dialect = sql.POSTGRES
    people_table = sql.POSTGRES_PEOPLE
    cosignatures_table = sql.POSTGRES_COSIGNATURES

    def __init__(self, events: PostgresAggregateRecorder, saved: PostgresAggregateRecorder) -> None:
        self._events = events
        self._saved = saved

    @property
    def is_postgres(self) -> bool:
        return True

    @contextlib.contextmanager
    def runner(self, *, saved: bool, commit: bool, table: str | None = None) -> Iterator[Runner]:
        recorder = self._saved if saved else self._events
        with recorder.datastore.transaction(commit=commit) as cursor:
            runner = PostgresRunner(
                cursor, recorder.datastore.schema, table or recorder.events_table_name
            )
            try:
                yield runner
            finally:
                runner.close()

    def _people_exists_params(self) -> tuple[object, ...]:
        return (self._events.datastore.schema, self.people_table)

    def insert_facts(
        self, rows: Iterator[StoredEvent], chunk: int, people: People | None = None
    ) -> None:
        """The library's insert function, called a chunk at a time in one transaction (one
        call with a million rows would be held in memory whole); then the write's person
        index rows, in that transaction."""
        recorder = self._events
        if not isinstance(recorder, PostgresApplicationRecorder):
            recorder.insert_events(list(rows))  # the library's own recorder: no index
            return
        with (
            recorder.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            while part := list(itertools.islice(rows, chunk)):
                curs.execute(
                    recorder.sql_invoke_pg_function_insert_events,
                    (
                        [
                            recorder.construct_pg_stored_event(
                                r.originator_id, r.originator_version, r.topic, r.state
                            )
                            for r in part
                        ],
                    ),
                    prepare=True,
                )
            if people is not None:
                runner = PostgresRunner(curs, recorder.datastore.schema, sql.POSTGRES_PEOPLE)
                try:
                    write_people(runner, sql.POSTGRES, people)
                finally:
                    runner.close()


def postgres_storage(events: AggregateRecorder, saved: AggregateRecorder) -> PostgresStorage | None:
    """The storage over these recorders if they are PostgreSQL ones."""
    if isinstance(events, PostgresAggregateRecorder) and isinstance(
        saved, PostgresAggregateRecorder
    ):
        return PostgresStorage(events, saved)
    return None


class PostgresCacheView(PostgresTrackingRecorder, ABC):
    """A follower's tracking recorder that also saves cache rows, in the same transaction
    (as ``SQLiteCacheView``); ``app_name`` names the ledger's tables."""

    marker_topic: ClassVar[str]  # set by the follower (``ledger.follow``)
    app_name: ClassVar[str]

    def max_tracking_id(self, application_name: str) -> int | None:
        tracked = super().max_tracking_id(application_name)
        return tracked if tracked is not None else self.saved_notification_id()

    def saved_notification_id(self) -> int | None:
        """The notification of the ledger's fact at the newest saved ``marker_topic`` row."""
        schema = self.datastore.schema
        statement = pgsql.SQL(sql.POSTGRES.saved_notification).format(
            id=pgsql.Identifier(sql.POSTGRES.notification_column),
            events=pgsql.Identifier(schema, f"{self.app_name}_events"),
            snapshots=pgsql.Identifier(schema, f"{self.app_name}_snapshots"),
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (self.marker_topic,))
            row = curs.fetchone()
        return int(row["notification_id"]) if row else None

    def save(
        self,
        rows: Sequence[SavedRow],
        superseded: Superseded | None,
        prune: uuid.UUID,
        tracking: Tracking,
    ) -> None:
        """Save cache rows (``write_saved``) and the tracking position together."""
        table = f"{self.app_name}_snapshots"
        with self.datastore.transaction(commit=True) as curs:
            runner = PostgresRunner(curs, self.datastore.schema, table)
            try:
                write_saved(runner, sql.POSTGRES, rows, superseded, prune)
            finally:
                runner.close()
            self._insert_tracking(curs, tracking)
