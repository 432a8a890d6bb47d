"""The ledger's reads and writes beyond the library's own, written once for both stores.

Each store gives a ``Runner`` (``ledger.storage.sqlite``, ``ledger.storage.postgres``): it runs
one of the statements of its ``sql.Dialect`` on a cursor of the library's transaction, puts in
the table and an originator id as that store keeps it, and gives rows as plain tuples.
"""

from __future__ import annotations

import contextlib
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from eventsourcing.persistence import StoredEvent

from ledger.storage import sql
from ledger.storage.sql import Dialect

FactRow = tuple[int, str, bytes]  # a stored row: position (or sequence), topic, stored bytes
READ_CHUNK = 5000  # rows read in one query
READ_SLICE = 1 << 20  # bytes of a large row's state read in one query (``Dialect.state_slice``)
AT_CHUNK = 500  # positions asked for in one query
SAVE_CHUNK = 5000  # cache rows written in one statement
LARGE_STATE = 65536  # a cache row this large is written on its own (tens of megabytes)


class SavedRow(NamedTuple):
    """A cache row: where it is saved (an id and a position), its topic and its bytes (bound
    to a head of the ledger: ``ledger.caches``). Storage never looks inside."""

    ident: uuid.UUID
    position: int
    topic: str
    state: bytes


class Superseded(NamedTuple):
    """Saved rows a save makes dead: every one of these topics not at ``position``."""

    topics: tuple[str, str, str]
    position: int


class Runner(Protocol):
    """One store's way to run a statement of its dialect inside a transaction."""

    def ident(self, ident: uuid.UUID) -> object:
        """An originator id as this store keeps it."""

    def query(self, statement: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """Run a statement (``{table}`` filled in) and give its rows as plain tuples."""

    def run(self, statement: str, params: Sequence[object]) -> None:
        """Run a statement that gives no rows."""

    def run_many(self, statement: str, params: Sequence[Sequence[object]]) -> None:
        """Run a statement once for each set of parameters."""


@dataclass
class People:
    """The person index's rows of one write (``Storage.people``), filled in as its facts are
    made: (reference, position) for each person each fact names; ``start`` the head before
    the write, ``end`` after it."""

    start: int
    rows: list[tuple[str, int]] = field(default_factory=list)
    end: int = 0
    create: bool = False  # the table is not there yet: make it (DDL only then, not every write)


def write_people(run: Runner, dialect: Dialect, people: People) -> None:
    """Write a write's person index rows in its transaction (the table made if it is not
    there), and move the index's mark on to the write's end if it stood at its start (a
    ledger whose index is behind, made before there was one, is caught up by a reader)."""
    if people.create:
        for statement in dialect.create_people:
            run.run(statement, ())
    if people.rows:
        run.run_many(dialect.insert_people, people.rows)
    run.run(dialect.advance_people, (people.end, people.start))


def as_bytes(state: object) -> bytes:
    """A stored state as bytes (text or NULL written by hand: bytes no cache begins with)."""
    if type(state) is bytes:
        return state
    if isinstance(state, bytes | bytearray | memoryview):
        return bytes(state)
    return str(state).encode()


def write_saved(
    runner: Runner,
    dialect: Dialect,
    rows: Sequence[SavedRow],
    superseded: Superseded | None,
    prune: uuid.UUID | None,
) -> None:
    """Save cache rows in place of any at the same place (a cache: from another history, say),
    a chunk per statement and a large row on its own (not one statement of hundreds of
    megabytes, held whole in memory); then delete the rows they supersede, and all but the two
    newest rows of ``prune``. The one way every cache is saved, by a command or a follower (in
    whichever transaction the caller runs: a follower's also moves its tracking position)."""
    small = [row for row in rows if len(row.state) < LARGE_STATE]
    for start in range(0, len(small), SAVE_CHUNK):
        runner.run_many(
            dialect.upsert_saved,
            [
                (runner.ident(r.ident), r.position, r.topic, r.state)
                for r in small[start : start + SAVE_CHUNK]
            ],
        )
    for r in rows:
        if len(r.state) >= LARGE_STATE:
            runner.run(dialect.upsert_saved, (runner.ident(r.ident), r.position, r.topic, r.state))
    if superseded is not None:
        runner.run(dialect.drop_saved_of_topics, (*superseded.topics, superseded.position))
    if prune is not None:
        ident = runner.ident(prune)
        runner.run(dialect.prune_saved, (ident, ident))


class Storage(ABC):
    """A ledger's tables on one store: the facts' and checkpoints' (events) and the caches'
    (saved). Made by ``ledger.storage.open_storage`` from the library's recorders."""

    dialect: Dialect

    @property
    @abstractmethod
    def is_postgres(self) -> bool: ...

    people_table: str  # the person index's table

    @abstractmethod
    def runner(
        self, *, saved: bool, commit: bool, table: str | None = None
    ) -> contextlib.AbstractContextManager[Runner]:
        """A transaction on the events table (or, ``saved``, the caches' table; or, given, the
        table ``table`` beside the events)."""

    @abstractmethod
    def insert_facts(
        self, rows: Iterator[StoredEvent], chunk: int, people: People | None = None
    ) -> None:
        """Insert the rows in one transaction, as they are made (none if making one fails);
        ``chunk`` rows at a time where the store is sent them in parts; and, given, the
        person index's rows of the write, in the same transaction (``write_people``)."""

    @abstractmethod
    def _people_exists_params(self) -> tuple[object, ...]: ...

    # -- the person index: which facts name each person -----------------------------------------

    def has_people(self) -> bool:
        """Whether the person index's table is there (a ledger made before it has none)."""
        with self.runner(saved=False, commit=False) as run:
            found = run.query(self.dialect.people_exists, self._people_exists_params())
        return bool(found and found[0][0])

    def people_marker(self) -> int | None:
        """The position the person index is complete to (0: nothing indexed yet); None if the
        ledger has no index (made before there was one, and not yet caught up)."""
        if not self.has_people():
            return None
        with self.runner(saved=False, commit=False, table=self.people_table) as run:
            rows = run.query(self.dialect.people_marker, ())
        value = rows[0][0] if rows else 0
        return int(value) if isinstance(value, int) else 0

    def positions_of(self, ref: str) -> list[int]:
        """The positions of the facts the index says name ``ref``."""
        with self.runner(saved=False, commit=False, table=self.people_table) as run:
            return [int(row[0]) for row in run.query(self.dialect.positions_of, (ref,))]

    def people_after(self, after: int) -> Iterator[tuple[int, str]]:
        """Every (position, reference) of the index after a position, in order, in chunks."""
        last: tuple[int, str] = (after, "\uffff")
        while True:
            with self.runner(saved=False, commit=False, table=self.people_table) as run:
                chunk = [
                    (int(r[0]), str(r[1]))
                    for r in run.query(self.dialect.people_after, (*last, READ_CHUNK))
                ]
            yield from chunk
            if len(chunk) < READ_CHUNK:
                return
            last = chunk[-1]

    def add_people(self, people: People) -> None:
        """A reader's catch-up of the index (``write_people``, in a transaction of its own)."""
        with self.runner(saved=False, commit=True, table=self.people_table) as run:
            write_people(run, self.dialect, people)

    # -- witnesses' cosignatures, delivered to the ledger ------------------------------------

    cosignatures_table: str  # the table of cosignatures delivered by witnesses

    def _statement(self, statement: str) -> str:
        return statement if not self.is_postgres else statement.replace("?", "%s")

    def _has_table(self, table: str) -> bool:
        params = (*self._people_exists_params()[:-1], table)
        with self.runner(saved=False, commit=False) as run:
            found = run.query(self.dialect.people_exists, params)
        return bool(found and found[0][0])

    def cosignatures(self) -> list[tuple[int | None, str, str, str]]:
        """Every (size, root as hex, witness's key, cosigned note) a witness delivered, by
        size, as stored: a row something else wrote is read as it is (a size that is not a
        whole number as None), for ``verify`` to name and every reader to leave out."""
        if not self._has_table(self.cosignatures_table):
            return []
        with self.runner(saved=False, commit=False, table=self.cosignatures_table) as run:
            return [
                (_whole(r[0]), str(r[1]), str(r[2]), str(r[3]))
                for r in run.query(self._statement(sql.COSIGNATURES), ())
            ]

    def add_cosignature(self, size: int, root: str, witness: str, note: str) -> None:
        """Add a witness's cosigned note of the checkpoint at ``size`` (root ``root``, hex;
        ``witness`` its published key); nothing is ever updated or deleted (a row already
        there is left as it is)."""
        with self.runner(saved=False, commit=True, table=self.cosignatures_table) as run:
            run.run(sql.CREATE_COSIGNATURES, ())
            run.run(self._statement(sql.INSERT_COSIGNATURE), (size, root, witness, note))

    # -- facts and checkpoints ----------------------------------------------------------------

    def _fact_rows(self, rows: list[tuple[Any, ...]]) -> list[FactRow]:
        """Rows as read: SQLite's as they are (its driver gives a BLOB as bytes; a hostile row's
        text or NULL is left for ``verify`` to name); PostgreSQL's with the state as bytes."""
        if self.is_postgres:
            return [(r[0], r[1], _pg_state(r[2])) for r in rows]
        return rows

    def _whole_states(
        self, run: Runner, ident: object, rows: list[tuple[Any, ...]], at: int
    ) -> list[tuple[Any, ...]]:
        """Rows as read by a statement whose last column is ``large`` (``Dialect.rows_between``),
        without it: a large row's state read in slices (in the same transaction, which reads one
        snapshot), the others' as they are. ``at`` is the column of the position; ``ident``
        the id of them all, or None for each row's own (the column before the position)."""
        out: list[tuple[Any, ...]] = []
        for row in rows:
            *fields, state, large = row
            if large is not None and state is None:
                owner = row[at - 1] if ident is None else ident
                state = self._read_slices(run, owner, row[at], int(large))
            out.append((*fields, state))
        return out

    def _read_slices(self, run: Runner, ident: object, position: int, length: int) -> bytes:
        """One row's state of ``length`` bytes, ``READ_SLICE`` at a time: the whole never
        arrives in one message (held as it comes, then as the driver's result, then as
        bytes); each slice is copied into place as it comes."""
        state = bytearray(length)
        for start in range(0, length, READ_SLICE):
            got = run.query(self.dialect.state_slice, (start + 1, READ_SLICE, ident, position))
            piece = got[0][0] if got else b""
            if len(piece) != min(READ_SLICE, length - start):  # (one snapshot: never)
                raise RuntimeError(f"the row at {position} changed while it was read")
            state[start : start + len(piece)] = piece
            del got, piece
        return bytes(state)

    def _snapshot(self, run: Runner) -> None:
        if self.dialect.snapshot is not None:
            run.run(self.dialect.snapshot, ())

    def rows(
        self, stream: uuid.UUID, after: int, upto: int | None, chunk: int = READ_CHUNK
    ) -> Iterator[FactRow]:
        """A stream's rows after a position (up to ``upto``), in order, read ``chunk`` rows at
        a time (a large row's state in slices, ``_whole_states``)."""
        upper = upto if upto is not None else 2**62
        position = after
        while True:
            with self.runner(saved=False, commit=False) as run:
                self._snapshot(run)
                ident = run.ident(stream)
                read = run.query(self.dialect.rows_between, (ident, position, upper, chunk))
                rows = self._fact_rows(self._whole_states(run, ident, read, 0))
                del read
            yield from rows
            if len(rows) < chunk:
                return
            position = rows[-1][0]

    def rows_at(self, stream: uuid.UUID, positions: Sequence[int]) -> list[FactRow]:
        """A stream's rows at these positions (those that exist), in order."""
        out: list[FactRow] = []
        for start in range(0, len(positions), AT_CHUNK):
            chunk = list(positions[start : start + AT_CHUNK])
            with self.runner(saved=False, commit=False) as run:
                if self.is_postgres:
                    statement = self.dialect.rows_at
                    params: tuple[object, ...] = (run.ident(stream), chunk)
                else:
                    marks = ", ".join("?" * len(chunk))
                    statement = self.dialect.rows_at.replace("{marks}", marks)
                    params = (run.ident(stream), *chunk)
                out += self._fact_rows(run.query(statement, params))
        return out

    def rows_of_topics(
        self, stream: uuid.UUID, patterns: Sequence[str], after: int
    ) -> list[FactRow]:
        """A stream's rows after a position whose topic is LIKE one of ``patterns``, in order
        (found by their topic in the database: the other rows are not read)."""
        with self.runner(saved=False, commit=False) as run:
            if self.is_postgres:
                statement = self.dialect.rows_of_topics
                params: tuple[object, ...] = (run.ident(stream), after, list(patterns))
            else:
                likes = " OR ".join("topic LIKE ?" for _ in patterns)
                statement = self.dialect.rows_of_topics.replace("{likes}", likes)
                params = (run.ident(stream), after, *patterns)
            return self._fact_rows(run.query(statement, params))

    def last_version(self, stream: uuid.UUID) -> int | None:
        """A stream's highest position (None if it has none, or it is not a number)."""
        with self.runner(saved=False, commit=False) as run:
            rows = run.query(self.dialect.max_version, (run.ident(stream),))
        value = rows[0][0] if rows else None
        return value if isinstance(value, int) else None

    def state_prefix(self, stream: uuid.UUID, position: int, size: int) -> bytes | None:
        """The first ``size`` bytes of the row at a position of a stream, if there is one."""
        with self.runner(saved=False, commit=False) as run:
            rows = run.query(self.dialect.state_prefix, (size, run.ident(stream), position))
        return bytes(rows[0][0]) if rows else None

    # -- caches -------------------------------------------------------------------------------

    def saved_rows(self) -> Iterator[tuple[object, int, str, bytes]]:
        """Every saved row, as (id as stored, position, topic, bytes), in chunks: an id is
        left as the store keeps it (a UUID, or text: parsing a million is slow)."""
        after: tuple[object, int] = (uuid.UUID(int=0), -1) if self.is_postgres else ("", -1)
        while True:
            with self.runner(saved=True, commit=False) as run:
                self._snapshot(run)
                read = run.query(self.dialect.saved_after, (*after, READ_CHUNK))
                chunk = [
                    (r[0], r[1], r[2], as_bytes(r[3]))
                    for r in self._whole_states(run, None, read, 1)
                ]
                del read
            yield from chunk
            if len(chunk) < READ_CHUNK:
                return
            after = (chunk[-1][0], chunk[-1][1])

    def save(
        self,
        rows: Sequence[SavedRow],
        *,
        superseded: Superseded | None = None,
        prune: uuid.UUID | None = None,
    ) -> None:
        """Save cache rows in one transaction (``write_saved``)."""
        with self.runner(saved=True, commit=True) as run:
            write_saved(run, self.dialect, rows, superseded, prune)

    def replace_saved(self, row: SavedRow) -> None:
        """Save a row in place of every row saved before under its id."""
        with self.runner(saved=True, commit=True) as run:
            ident = run.ident(row.ident)
            run.run(self.dialect.delete_saved_of, (ident,))
            run.run(self.dialect.insert_saved, (ident, row.position, row.topic, row.state))


def _pg_state(value: Any) -> Any:
    """A PostgreSQL state as bytes; a NULL one (the column allows it: a row written by hand)
    left as None, as SQLite's driver gives it, for ``verify`` to name (``bytes(None)`` raised
    a TypeError: an unexpected error, exit 70, where verify says TAMPERED)."""
    return None if value is None else bytes(value)


def _whole(value: object) -> int | None:
    """A stored size as a whole number, or None if it is not one (a row written by hand)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value), 10)
    except ValueError:
        return None
