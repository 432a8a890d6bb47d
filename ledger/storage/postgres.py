"""The ledger on PostgreSQL: its runner, its cache view, its facts' insert, its schema.

Each setting's ledger is a schema of its own on the server (made by ``init``); an originator id
is a UUID; a table is named with its schema (``psycopg.sql.Identifier``), never pasted in.
"""

from __future__ import annotations

import contextlib
import itertools
import re
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
from psycopg.rows import DictRow

from ledger.storage import sql
from ledger.storage.base import Runner, SavedRow, Storage, Superseded, write_saved
from ledger.storage.config import Config, LedgerError, schema_of


class PostgresRunner:
    """Runs PostgreSQL statements on one cursor of the library's transaction."""

    def __init__(self, cursor: psycopg.Cursor[DictRow], schema: str, table: str) -> None:
        self._cursor = cursor
        self._table = pgsql.Identifier(schema, table)

    def _statement(self, statement: str) -> pgsql.Composed:
        return pgsql.SQL(statement).format(table=self._table)

    def ident(self, ident: uuid.UUID) -> object:
        return ident

    def query(self, statement: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        self._cursor.execute(self._statement(statement), params)
        return [tuple(row.values()) for row in self._cursor.fetchall()]

    def run(self, statement: str, params: Sequence[object]) -> None:
        self._cursor.execute(self._statement(statement), params)

    def run_many(self, statement: str, params: Sequence[Sequence[object]]) -> None:
        self._cursor.executemany(self._statement(statement), params)


class PostgresStorage(Storage):
    dialect = sql.POSTGRES

    def __init__(self, events: PostgresAggregateRecorder, saved: PostgresAggregateRecorder) -> None:
        self._events = events
        self._saved = saved

    @property
    def is_postgres(self) -> bool:
        return True

    @contextlib.contextmanager
    def runner(self, *, saved: bool, commit: bool) -> Iterator[Runner]:
        recorder = self._saved if saved else self._events
        with recorder.datastore.transaction(commit=commit) as cursor:
            yield PostgresRunner(cursor, recorder.datastore.schema, recorder.events_table_name)

    def insert_facts(self, rows: Iterator[StoredEvent], chunk: int) -> None:
        """The library's insert function, called a chunk at a time in one transaction (one
        call with a million rows would be held in memory whole)."""
        recorder = self._events
        if not isinstance(recorder, PostgresApplicationRecorder):
            recorder.insert_events(list(rows))
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
        runner = PostgresRunner
        with self.datastore.transaction(commit=True) as curs:
            table = f"{self.app_name}_snapshots"
            write_saved(
                runner(curs, self.datastore.schema, table), sql.POSTGRES, rows, superseded, prune
            )
            self._insert_tracking(curs, tracking)


def _connect(config: Config) -> psycopg.Connection[tuple[Any, ...]]:
    env = config.env()
    try:
        return psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            connect_timeout=10,
            autocommit=True,
        )
    except psycopg.Error as exc:
        raise LedgerError(
            f"cannot connect to the PostgreSQL server ({type(exc).__name__}); check the URL"
        ) from None


def postgres_schema_has_ledger(config: Config) -> bool:
    with contextlib.closing(_connect(config)) as conn:
        row = conn.execute(sql.POSTGRES_HAS_LEDGER, (schema_of(config.db),)).fetchone()
    return bool(row and row[0] == 2)


def create_postgres_schema(config: Config) -> None:
    """Each setting's ledger is its own schema on the server (made by ``init``)."""
    schema = schema_of(config.db)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise LedgerError(
            "the schema name must be lower-case letters, digits and _ (e.g. ?schema=sunflowers)"
        )
    with contextlib.closing(_connect(config)) as conn:
        conn.execute(pgsql.SQL(sql.POSTGRES_CREATE_SCHEMA).format(schema=pgsql.Identifier(schema)))


def drop_postgres_schema_if_empty_ledger(config: Config) -> None:
    """Undo a failed ``init``: drop the schema if it holds no fact (never a real ledger)."""
    schema = schema_of(config.db)
    events, saved = sql.POSTGRES_TABLES
    with contextlib.closing(_connect(config)) as conn:
        tables = conn.execute(sql.POSTGRES_TABLES_OF, (schema,)).fetchall()
        if {t[0] for t in tables} <= {events, saved}:
            if any(t[0] == events for t in tables):
                row = conn.execute(
                    pgsql.SQL(sql.POSTGRES_COUNT).format(table=pgsql.Identifier(schema, events))
                ).fetchone()
                if row and row[0]:
                    return
            conn.execute(
                pgsql.SQL(sql.POSTGRES_DROP_SCHEMA).format(schema=pgsql.Identifier(schema))
            )
