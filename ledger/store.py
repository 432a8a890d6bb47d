"""The ledger application: commands in, events recorded, on the ``eventsourcing`` library.

One setting is one stream (the consistency boundary): every fact's position is its version in
that stream, so every cross-subject refusal (a consent for a child enrolled a line earlier, a
guardian linked to that child) is checked against everything recorded before it, and a second
writer at the same position is refused by the library's unique key and retried against the new
state. Each write is one transaction of the library's application recorder holding the new facts
and a signed checkpoint of the Merkle tree over all facts so far (``ledger.integrity``).

The registers (``projections.registers``) are the tracked projection: persisted in the library's
snapshot store at a position, and advanced by reading only the facts after it. Every saved row
is bound to the ledger's head at its position (``ledger.caches``); one that is not is ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import msgspec
from eventsourcing.application import Application
from eventsourcing.persistence import (
    AggregateRecorder,
    IntegrityError,
    Mapper,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger import caches, integrity, merkle
from ledger import events as ev
from ledger.decisions import Refused, decide
from ledger.keys import KeyStore
from ledger.mapper import EventMapper, MapperError, Recorded, sealing_subjects
from ledger.privacy import NameGuard
from ledger.profile import Profile
from ledger.profile import load as load_profile
from projections import registers as reg

if TYPE_CHECKING:
    from projections.sitedata import SiteData

Clock = Callable[[], dt.datetime]
FactRow = tuple[int, str, bytes]  # a stored row: position (or sequence), topic, stored bytes
WRITE_CHUNK = 5000  # facts decided, then sealed and inserted, at a time
SAVE_EVERY = 1000  # facts between saved registers (the tracked position)
REGISTERS_TOPIC = f"Registers/{reg.SCHEMA}"
_ENTRY_TOPIC = f"Entry/{reg.SCHEMA}"
_SAVED_TOPIC = f"Saved/{reg.SCHEMA}"
PRUNE_REGISTERS = (  # all but the two newest saved registers of a stream (a cache)
    "DELETE FROM {table} WHERE originator_id = ? AND originator_version <"
    " (SELECT originator_version FROM {table} WHERE originator_id = ?"
    " ORDER BY originator_version DESC LIMIT 1 OFFSET 1)"
)
# After registers folded from the first fact are saved at a position: every other saved
# registers, entry and position mark is dead (each entry was saved anew), whatever wrote it.
DROP_OTHER_SAVED = "DELETE FROM {table} WHERE topic IN (?, ?, ?) AND originator_version <> ?"
# Saving replaces a row at the same place (one from another history, say): a cache.
UPSERT_SQLITE = "INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)"
UPSERT_POSTGRES = (
    "INSERT INTO {table} (originator_id, originator_version, topic, state)"
    " VALUES (%s, %s, %s, %b) ON CONFLICT (originator_id, originator_version)"
    " DO UPDATE SET topic = EXCLUDED.topic, state = EXCLUDED.state"
)
READ_CHUNK = 5000
AT_CHUNK = 500  # positions asked for in one query
# Facts from which verify hashes part of them in a second process: below, starting it costs more
# than it saves (measured at 100,000: 0.27 s on two cores, 0.23 s on one; at 1,000,000: 1.3 s, 2.4).
PARALLEL_VERIFY_FROM = 250_000
VERIFY_AGAIN = 3  # checks made again when writes land during one (``Ledger.verify``)
RETRIES = 50
# Facts after which the key store's applied position is moved on even with no forget among
# them: a command reads at most these many facts' topics to find a forget to complete.
FORGETS_APPLIED_EVERY = 1000


def system_clock() -> dt.datetime:
    """Now, in UTC; ``LEDGER_NOW`` (an ISO date-time) pins it for demos and tests."""
    pinned = os.environ.get("LEDGER_NOW")
    if pinned:
        moment = dt.datetime.fromisoformat(pinned)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def today(clock: Clock) -> dt.date:
    return clock().date()


class LedgerError(Exception):
    """Something the user must fix before the command can work (exit status 2)."""


class Config(msgspec.Struct, frozen=True):
    """Where a ledger lives: a SQLite file, or a PostgreSQL database and schema."""

    db: str  # a path, or postgresql://user:password@host:port/dbname?schema=NAME
    key_path: Path

    @classmethod
    def from_db(cls, db: str | None = None) -> Config:
        db = db or os.environ.get("LEDGER_DB") or "ledger.db"
        key = os.environ.get("LEDGER_KEY")
        if key:
            key_path = Path(key)
        elif db.startswith("postgres"):
            key_path = Path("ledger-" + _schema_of(db) + ".key")
        else:
            key_path = Path(db + ".key")
        return cls(db=db, key_path=key_path)

    @property
    def shown(self) -> str:
        """Where the ledger is, fit to print: a PostgreSQL URL without its password."""
        if not self.is_postgres:
            return self.db
        url = urlparse(self.db)
        if url.password is None:
            return self.db
        netloc = url.netloc.replace(f":{url.password}@", ":…@", 1)
        return url._replace(netloc=netloc).geturl()

    @property
    def keys_path(self) -> Path:
        """The per-person key store (``forget`` destroys keys here)."""
        return Path(str(self.key_path).removesuffix(".key") + ".keys")

    @property
    def profile_path(self) -> Path:
        """Where a setting's own profile (``init --profile PATH.toml``) is kept."""
        return Path(str(self.key_path).removesuffix(".key") + ".profile.toml")

    @property
    def is_postgres(self) -> bool:
        return self.db.startswith(("postgres://", "postgresql://"))

    def env(self) -> dict[str, str]:
        if not self.is_postgres:
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self.db,
                "SQLITE_LOCK_TIMEOUT": "30",  # seconds a writer waits for another to finish
                "APPLICATION_RECORDER_TOPIC": "ledger.store:LedgerSQLiteRecorder",
            }

        url = urlparse(self.db)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "localhost",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_SCHEMA": _schema_of(self.db),
            # Insert through the library's database function: one large import as one
            # statement parameter otherwise stalls psycopg's pipeline mode (found by the bench).
            "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        }


def _schema_of(db: str) -> str:
    return parse_qs(urlparse(db).query).get("schema", ["public"])[0]


def registers_id(stream: uuid.UUID) -> uuid.UUID:
    """Where registers of this schema are saved (those of an older one are left unread)."""
    return uuid.uuid5(stream, REGISTERS_TOPIC)


def saved_id(stream: uuid.UUID) -> uuid.UUID:
    """Where the position alone is saved: asking it must not read 50 MB of registers."""
    return uuid.uuid5(stream, _SAVED_TOPIC)


def view_id(stream: uuid.UUID, name: str) -> uuid.UUID:
    """Where the saved view ``name`` (``Ledger.save_view``) is kept."""
    return uuid.uuid5(stream, f"view/{name}")


def entry_id(stream: uuid.UUID, entry: reg.EntryKey) -> uuid.UUID:
    section, name = entry
    return uuid.uuid5(stream, f"{reg.SCHEMA}/{section}/{name}")


def registers_rows(
    stream: uuid.UUID, registers: reg.Registers, head: caches.Head
) -> list[StoredEvent]:
    """The rows that save the registers at their position, written in one transaction: the
    registers; each entry changed since they were loaded, on its own (``registers_for``); and
    the position. Saved registers at a position mean every entry is saved as of it too.

    Each row is bound to ``head``, the ledger's head at the registers' position (``caches``).
    """
    at = registers.position
    if head.size != at:
        raise ValueError(f"registers at {at} cannot be bound to the head at {head.size}")
    entries = [
        StoredEvent(
            entry_id(stream, e), at, _ENTRY_TOPIC, caches.bind(head, reg.entry_bytes(registers, e))
        )
        for e in sorted(reg.changed(registers))
    ]
    return [
        *entries,
        StoredEvent(
            registers_id(stream), at, REGISTERS_TOPIC, caches.bind(head, reg.to_bytes(registers))
        ),
        StoredEvent(saved_id(stream), at, _SAVED_TOPIC, caches.bind(head, b"")),
    ]


def is_folded_from_start(registers: reg.Registers) -> bool:
    """Whether the registers were folded from the first fact (no saved registers used): all
    their entries are then marked changed, and saving them makes every other saved row dead."""
    return bool(registers.__dict__.get("from_start", False))


def drop_other_saved_params(at: int) -> tuple[str, str, str, int]:
    return (REGISTERS_TOPIC, _ENTRY_TOPIC, _SAVED_TOPIC, at)


class NothingToRecord(LedgerError):
    """A write with no facts in it (an empty file, say): nothing is written."""


@dataclasses.dataclass
class _Write:
    """One write in the making: the registers and the tree as its facts are added."""

    registers: reg.Registers
    profile: Profile | None  # None: the first fact, written by `init` without a decision
    day: dt.date
    now: dt.datetime
    tree: integrity.Frontier
    forgetting: bool = False
    progress: Callable[[int], None] | None = None


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


def _uuid_or_none(ident: object) -> uuid.UUID | None:
    """A stored originator id as a UUID; None for one that is not (written by hand)."""
    if isinstance(ident, uuid.UUID):
        return ident
    try:
        return uuid.UUID(str(ident))
    except ValueError:
        return None


def _as_bytes(state: object) -> bytes:
    """A stored state as bytes (text or NULL written by hand: bytes no cache begins with)."""
    if type(state) is bytes:
        return state
    if isinstance(state, bytes | bytearray | memoryview):
        return bytes(state)
    return str(state).encode()


def _hex(originator_id: uuid.UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, uuid.UUID) else originator_id


class Ledger(Application[uuid.UUID]):
    """A setting's ledger. Persistence comes from the environment the config builds."""

    name = "ledger"

    def __init__(self, config: Config, *, create: bool = False) -> None:
        self.config = config
        # Tables are made only by `init`: opening never writes to a file that is not a ledger.
        super().__init__(env={**config.env(), "CREATE_TABLE": "true" if create else "false"})
        self._snapshots: AggregateRecorder = self.factory.aggregate_recorder(purpose="snapshots")
        self.keys = KeyStore(config.keys_path)
        assert isinstance(self.mapper, EventMapper)
        self.mapper.keys = self.keys
        self._stream: uuid.UUID | None = None
        self._profile: Profile | None = None
        self._heads: dict[int, caches.Head] = {}  # checkpoints read for binding caches

    def construct_mapper(self) -> Mapper[uuid.UUID]:
        return EventMapper(cipher=self.factory.cipher(), compressor=self.factory.compressor())

    # -- the stream ---------------------------------------------------------------------------

    @property
    def is_initialised(self) -> bool:
        return bool(self.recorder.select_notifications(start=None, limit=1))

    @property
    def stream(self) -> uuid.UUID:
        if self._stream is None:
            first = self.recorder.select_notifications(start=None, limit=1)
            if not first:
                raise LedgerError(
                    f"{self.config.shown}: no ledger here (create one with `ledger init`)"
                )
            origin = first[0].originator_id
            self._stream = origin if isinstance(origin, uuid.UUID) else uuid.UUID(str(origin))
        return self._stream

    @property
    def checkpoint_stream(self) -> uuid.UUID:
        return uuid.uuid5(self.stream, "checkpoints")

    def head(self) -> int:
        last = self.recorder.select_events(self.stream, desc=True, limit=1)
        return last[0].originator_version if last else 0

    def stored(self, after: int = 0, upto: int | None = None) -> Iterator[StoredEvent]:
        """The stored facts after a position, in order, read in chunks."""
        position = after
        while True:
            chunk = self.recorder.select_events(
                self.stream, gt=position, lte=upto, limit=READ_CHUNK
            )
            yield from chunk
            if len(chunk) < READ_CHUNK:
                return
            position = chunk[-1].originator_version

    def fact_rows(self, after: int = 0, upto: int | None = None) -> Iterator[FactRow]:
        """The stored facts after a position as plain (position, topic, state) rows, in order.

        The same rows as ``stored``, read in chunks straight from the library's table without
        building a ``StoredEvent`` each: what ``verify`` and a rebuild read a million of.
        """
        yield from self._raw_rows(self.stream, after, upto)

    def checkpoint_rows(self) -> Iterator[FactRow]:
        """The checkpoint rows as plain (sequence, topic, state) rows, in order."""
        yield from self._raw_rows(self.checkpoint_stream, 0, None)

    def _raw_rows(self, stream: uuid.UUID, after: int, upto: int | None) -> Iterator[FactRow]:
        datastore: Any = self.recorder.datastore  # type: ignore[attr-defined]
        table = self.recorder.events_table_name  # type: ignore[attr-defined]
        upper = upto if upto is not None else 2**62
        if self.config.is_postgres:
            from psycopg import sql

            statement: Any = sql.SQL(
                "SELECT originator_version, topic, state FROM {} WHERE originator_id = %s"
                " AND originator_version > %s AND originator_version <= %s"
                " ORDER BY originator_version LIMIT %s"
            ).format(sql.Identifier(datastore.schema, table))
            ident: Any = stream
        else:
            statement = (
                f"SELECT originator_version, topic, state FROM {table} WHERE originator_id = ?"
                " AND originator_version > ? AND originator_version <= ?"
                " ORDER BY originator_version LIMIT ?"
            )
            ident = stream.hex
        position = after
        while True:
            with datastore.transaction(commit=False) as cursor:
                if self.config.is_postgres:
                    cursor.execute(statement, (ident, position, upper, READ_CHUNK))
                    chunk = [
                        (r["originator_version"], r["topic"], bytes(r["state"]))
                        for r in cursor.fetchall()
                    ]
                else:
                    plain = cursor.sqlite_cursor  # plain tuples, not the library's Row objects
                    plain.row_factory = None
                    plain.execute(statement, (ident, position, upper, READ_CHUNK))
                    chunk = plain.fetchall()
            yield from chunk
            if len(chunk) < READ_CHUNK:
                return
            position = chunk[-1][0]

    def fact_rows_at(self, positions: Sequence[int]) -> list[FactRow]:
        """The stored facts at these positions (those that exist), as plain rows, in order."""
        datastore: Any = self.recorder.datastore  # type: ignore[attr-defined]
        table = self.recorder.events_table_name  # type: ignore[attr-defined]
        out: list[FactRow] = []
        for start in range(0, len(positions), AT_CHUNK):
            chunk = list(positions[start : start + AT_CHUNK])
            with datastore.transaction(commit=False) as cursor:
                if self.config.is_postgres:
                    from psycopg import sql

                    cursor.execute(
                        sql.SQL(
                            "SELECT originator_version, topic, state FROM {}"
                            " WHERE originator_id = %s AND originator_version = ANY(%s)"
                            " ORDER BY originator_version"
                        ).format(sql.Identifier(datastore.schema, table)),
                        (self.stream, chunk),
                    )
                    out += [
                        (r["originator_version"], r["topic"], bytes(r["state"]))
                        for r in cursor.fetchall()
                    ]
                else:
                    plain = cursor.sqlite_cursor
                    plain.row_factory = None
                    plain.execute(
                        f"SELECT originator_version, topic, state FROM {table}"
                        " WHERE originator_id = ? AND originator_version IN"
                        f" ({', '.join('?' * len(chunk))}) ORDER BY originator_version",
                        (self.stream.hex, *chunk),
                    )
                    out += plain.fetchall()
        return out

    # -- verify -----------------------------------------------------------------------------

    def verify(
        self,
        verifier: integrity.Verifier,
        recorded_at: Callable[[FactRow], dt.datetime | None] | None = None,
        *,
        after: int | None = None,
    ) -> integrity.Verdict:
        """Check every stored fact and checkpoint (``integrity.verify_rows``).

        From ``PARALLEL_VERIFY_FROM`` facts on (or given ``after``), the facts after a point
        (five eighths of them: this process also checks the checkpoints and rebuilds their tree)
        are read and hashed meanwhile by a second process, on the other core. The verdict is the
        same: if they do not all match, they are read here and checked as usual.

        The checkpoints are read before the facts. A write that lands in between (its facts
        and its checkpoint are committed together) would show its facts as covered by no
        checkpoint; so a check that fails while the ledger gains checkpoints is made again,
        reading them afresh (a fault that is really there is found again).
        """
        signed = self._checkpoint_sequence()
        verdict = self._verify_once(verifier, recorded_at, after)
        for _ in range(VERIFY_AGAIN):
            if verdict.ok:
                break
            now_signed = self._checkpoint_sequence()
            if now_signed == signed:
                break  # nothing was signed meanwhile: the fault is in what was read
            signed = now_signed
            verdict = self._verify_once(verifier, recorded_at, after)
        return verdict

    def _checkpoint_sequence(self) -> int | None:
        """The sequence of the last checkpoint row (None if it cannot be read as a number)."""
        datastore: Any = self.recorder.datastore  # type: ignore[attr-defined]
        table = self.recorder.events_table_name  # type: ignore[attr-defined]
        with datastore.transaction(commit=False) as cursor:
            if self.config.is_postgres:
                from psycopg import sql

                cursor.execute(
                    sql.SQL(
                        "SELECT MAX(originator_version) AS n FROM {} WHERE originator_id = %s"
                    ).format(sql.Identifier(datastore.schema, table)),
                    (self.checkpoint_stream,),
                )
                value = cursor.fetchone()["n"]
            else:
                plain = cursor.sqlite_cursor
                plain.row_factory = None
                plain.execute(
                    f"SELECT MAX(originator_version) FROM {table} WHERE originator_id = ?",
                    (self.checkpoint_stream.hex,),
                )
                value = plain.fetchone()[0]
        return value if isinstance(value, int) else None

    def _verify_once(
        self,
        verifier: integrity.Verifier,
        recorded_at: Callable[[FactRow], dt.datetime | None] | None,
        after: int | None,
    ) -> integrity.Verdict:
        origin = integrity.origin_for(self.stream)
        if after is None:
            head = self.head()
            if head < PARALLEL_VERIFY_FROM or (os.cpu_count() or 1) < 2:
                return integrity.verify_rows(
                    self.fact_rows(), self.checkpoint_rows(), verifier, origin, recorded_at
                )
            after = head * 3 // 8
        start = after
        with _hashing_after(self.config, start) as leaves:
            rest = integrity.Hashed(start, leaves, self.fact_rows_at, lambda: self.fact_rows(start))
            return integrity.verify_rows(
                self.fact_rows(0, start),
                self.checkpoint_rows(),
                verifier,
                origin,
                recorded_at,
                rest,
            )

    def decode(self, stored: StoredEvent) -> Recorded:
        recorded = self.mapper.to_domain_event(stored)
        assert isinstance(recorded, Recorded)
        return recorded

    def read(self, after: int = 0, upto: int | None = None) -> Iterator[Recorded]:
        for stored in self.stored(after, upto):
            yield self.decode(stored)

    def pairs(self, after: int = 0, upto: int | None = None) -> Iterator[tuple[int, ev.Event]]:
        for recorded in self.read(after, upto):
            yield recorded.position, recorded.event

    def facts(self, after: int = 0, upto: int | None = None) -> Iterator[tuple[int, ev.Event]]:
        """The facts after a position as the projections need them: their personal fields
        still sealed (the registers keep no name), read as plain rows. The fast way to fold
        a million facts; ``pairs`` opens the sealed fields."""
        assert isinstance(self.mapper, EventMapper)
        open_row = self.mapper.open_row
        for position, topic, state in self.fact_rows(after, upto):
            yield position, open_row(position, topic, state).event

    # -- the profile ----------------------------------------------------------------------------

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            first = next(self.read(0, 1), None)
            if first is None or not isinstance(first.event, ev.SettingRegistered):
                raise LedgerError(
                    f"{self.config.shown}: the ledger does not start with its setting"
                )
            self._profile = load_profile(self._profile_source(first.event.profile))
        return self._profile

    def _profile_source(self, name: str) -> str:
        """A setting's own profile is kept beside the ledger; a shipped one is named."""
        own = self.config.profile_path
        return str(own) if own.exists() else name

    # -- the tracked projection ----------------------------------------------------------------

    def registers(self, upto: int | None = None) -> reg.Registers:
        """The registers at the head (or at ``upto``), from the latest snapshot onwards."""
        registers = self._saved_registers(upto)
        if registers is None:
            registers = reg.Registers()
            registers.__dict__["from_start"] = True
        return reg.advance(registers, self.facts(registers.position, upto))

    def _saved_registers(self, upto: int | None) -> reg.Registers | None:
        """The newest saved registers at or before ``upto``, if they are bound to this history
        (``caches``). If they are not, None: the registers are folded from the first fact, and
        the next save replaces every saved row (``save_if_behind``)."""
        rows = self._snapshots.select_events(
            registers_id(self.stream), lte=upto, desc=True, limit=1
        )
        if not rows:
            return None
        content = self._cache(rows[0])
        registers = reg.from_bytes(content) if content is not None else None
        if registers is None or registers.position != rows[0].originator_version:
            return None
        return registers

    def save_registers(self, registers: reg.Registers) -> None:
        """Persist the registers at their position (a cache: losing it costs only time),
        bound to the ledger's head there; at a position no checkpoint ends at (nothing to bind
        them to) they are not saved."""
        head = self.head_for(registers.position)
        if head is None:
            return
        full = is_folded_from_start(registers)
        with contextlib.suppress(IntegrityError):  # another process saved it first
            self._insert_saved(registers_rows(self.stream, registers, head), full)
        reg.changed(registers).clear()
        registers.__dict__.pop("from_start", None)
        self._prune_registers()

    def _prune_registers(self) -> None:
        """Keep the two newest saved registers and delete older ones: each is a whole copy
        (50 MB at a million facts), and only a cache (reading the registers as they were
        earlier than the oldest kept then folds the facts from the start)."""
        recorder: Any = self._snapshots
        ident: Any = registers_id(self.stream)
        if self.config.is_postgres:
            from psycopg import sql

            table: Any = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
            statement: Any = sql.SQL(PRUNE_REGISTERS.replace("?", "%s")).format(table=table)
        else:
            statement = PRUNE_REGISTERS.format(table=recorder.events_table_name)
            ident = ident.hex
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(statement, (ident, ident))

    def _insert_saved(self, rows: list[StoredEvent], full: bool) -> None:
        """Insert saved registers in one transaction, in place of any row at the same place
        (from another history, say); on PostgreSQL a chunk of rows per statement (not one
        statement of hundreds of megabytes, held whole in memory). ``full``: the registers
        were folded from the first fact, so every other saved row is deleted (it is dead)."""
        recorder: Any = self._snapshots
        at = rows[-1].originator_version
        if not self.config.is_postgres:
            table_name = recorder.events_table_name
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.executemany(
                    UPSERT_SQLITE.format(table=table_name),
                    [(_hex(r.originator_id), r.originator_version, r.topic, r.state) for r in rows],
                )
                if full:
                    cursor.execute(
                        DROP_OTHER_SAVED.format(table=table_name), drop_other_saved_params(at)
                    )
            return
        from psycopg import sql

        table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
        upsert = sql.SQL(UPSERT_POSTGRES).format(table=table)  # %b: the bytes as they are
        small = [row for row in rows if len(row.state) < 65536]
        with recorder.datastore.transaction(commit=True) as curs:
            for start in range(0, len(small), WRITE_CHUNK):
                curs.executemany(
                    upsert,
                    [
                        (r.originator_id, r.originator_version, r.topic, r.state)
                        for r in small[start : start + WRITE_CHUNK]
                    ],
                )
            for row in rows:
                if len(row.state) >= 65536:  # the registers themselves: tens of megabytes
                    curs.execute(
                        upsert, (row.originator_id, row.originator_version, row.topic, row.state)
                    )
            if full:
                drop = sql.SQL(DROP_OTHER_SAVED.replace("?", "%s")).format(table=table)
                curs.execute(drop, drop_other_saved_params(at))

    def save_if_behind(self, registers: reg.Registers) -> None:
        """Save the registers once they are ``SAVE_EVERY`` facts past the saved ones.

        Saved registers only spare later commands the fold: where the ledger cannot be written
        to (a read-only copy, a read-only replica) they are not saved, and nothing else changes.
        """
        # Registers folded from the first fact though some were saved (they were not bound to
        # this history, or lacked a binding): saved anew now, in place of every saved row.
        replace = is_folded_from_start(registers) and self._has_saved_rows()
        if registers.position - self.saved_position() >= SAVE_EVERY or replace:
            try:
                self.save_registers(registers)
            except PersistenceError as exc:
                text = str(exc).lower()
                if "readonly" not in text and "read-only" not in text:
                    raise

    def saved_position(self) -> int:
        """The position the registers (of this schema) were last saved at: 0 if they never
        were, or the newest position mark is not bound to this history (``caches``: then the
        saved entries are not used, and the next write saves them anew)."""
        markers = self._snapshots.select_events(saved_id(self.stream), desc=True, limit=1)
        if not markers or self._cache(markers[0]) is None:
            return 0
        return markers[0].originator_version

    def _has_saved_rows(self) -> bool:
        return any(
            self._snapshots.select_events(ident, desc=True, limit=1)
            for ident in (saved_id(self.stream), registers_id(self.stream))
        )

    # -- caches bound to the history (``ledger.caches``) ----------------------------------------

    def head_at(self, sequence: int) -> caches.Head | None:
        """The head at the ledger's checkpoint ``sequence`` (its size and root): one row read,
        kept for the next time (a checkpoint never changes). None if there is none such."""
        known = self._heads.get(sequence)
        if known is not None or sequence < 1:
            return known
        datastore: Any = self.recorder.datastore  # type: ignore[attr-defined]
        table = self.recorder.events_table_name  # type: ignore[attr-defined]
        # Only the row's first bytes: its leaf hashes (32 MB for a million-fact import) are
        # not needed to know the head it signs.
        with datastore.transaction(commit=False) as cursor:
            if self.config.is_postgres:
                from psycopg import sql

                cursor.execute(
                    sql.SQL(
                        "SELECT substring(state FROM 1 FOR %s) AS prefix FROM {}"
                        " WHERE originator_id = %s AND originator_version = %s"
                    ).format(sql.Identifier(datastore.schema, table)),
                    (caches.CHECKPOINT_PREFIX, self.checkpoint_stream, sequence),
                )
                row = cursor.fetchone()
                prefix = bytes(row["prefix"]) if row else None
            else:
                plain = cursor.sqlite_cursor
                plain.row_factory = None
                plain.execute(
                    f"SELECT substr(state, 1, ?) FROM {table}"
                    " WHERE originator_id = ? AND originator_version = ?",
                    (caches.CHECKPOINT_PREFIX, self.checkpoint_stream.hex, sequence),
                )
                found = plain.fetchone()
                prefix = bytes(found[0]) if found else None
        head = caches.head_of_checkpoint(prefix, sequence) if prefix is not None else None
        if head is not None:
            self._heads[sequence] = head
        return head

    def head_for(self, position: int) -> caches.Head | None:
        """The head at the checkpoint that ends at ``position``, if one does (the checkpoints'
        sizes grow with their sequence: a few rows read, the last one first)."""
        latest = self._latest_checkpoint()
        if latest is None or position < 1:
            return None
        low, high = 1, latest.sequence
        probe = high  # the common case: the head
        while low <= high:
            head = self.head_at(probe)
            if head is None:
                return None
            if head.size == position:
                return head
            if head.size < position:
                low = probe + 1
            else:
                high = probe - 1
            probe = (low + high) // 2
        return None

    def _cache(self, stored: StoredEvent) -> bytes | None:
        """A saved row's content if it is bound to this history where it is stored, else None
        (it is ignored: whoever asked works the answer out from the facts)."""
        opened = caches.unbind(stored.state, stored.originator_version, self.head_at)
        return None if isinstance(opened, str) else opened

    def cache_faults(self) -> list[tuple[str, int, caches.Fault]]:
        """Every saved row (registers, entries, position marks, views) not bound to this
        history where it is stored: (what it is, its position, what is wrong), for ``verify``.
        Reads every saved row once, in chunks, and one checkpoint row per binding seen."""
        recorder: Any = self._snapshots
        datastore: Any = recorder.datastore
        names: dict[uuid.UUID | None, str] = {
            registers_id(self.stream): "registers",
            saved_id(self.stream): "mark",
        }
        from projections import sitedata

        names[view_id(self.stream, sitedata.NAME)] = "site"
        postgres = self.config.is_postgres
        by_stored: dict[object, str] = {
            (ident if postgres or ident is None else ident.hex): what
            for ident, what in names.items()
        }
        faults: list[tuple[str, int, caches.Fault]] = []
        checker = caches.Checker(self.head_at)
        if self.config.is_postgres:
            from psycopg import sql

            statement: Any = sql.SQL(
                "SELECT originator_id, originator_version, topic, state FROM {}"
                " WHERE (originator_id, originator_version) > (%s, %s)"
                " ORDER BY originator_id, originator_version LIMIT %s"
            ).format(sql.Identifier(datastore.schema, recorder.events_table_name))
            after: tuple[Any, int] = (uuid.UUID(int=0), -1)
        else:
            statement = (
                "SELECT originator_id, originator_version, topic, state FROM"
                f" {recorder.events_table_name} WHERE (originator_id, originator_version) >"
                " (?, ?) ORDER BY originator_id, originator_version LIMIT ?"
            )
            after = ("", -1)
        while True:
            with datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, (*after, READ_CHUNK))
                chunk = [
                    (r[0], r[1], r[2], _as_bytes(r[3]))
                    if not isinstance(r, dict)
                    else (
                        r["originator_id"],
                        r["originator_version"],
                        r["topic"],
                        _as_bytes(r["state"]),
                    )
                    for r in cursor.fetchall()
                ]
            for ident, version, topic, state in chunk:
                what = by_stored.get(ident) or (  # (an id as stored: parsing each is slow)
                    names.get(_uuid_or_none(ident)) if topic != _ENTRY_TOPIC else "entry"
                )
                what = what or "other"
                fault = checker.fault(state, version)
                if fault is not None and not (fault == "unbound" and what == "other"):
                    faults.append((what, version, fault))  # (old rows of no use: never read)
            if len(chunk) < READ_CHUNK:
                return faults
            after = (chunk[-1][0], chunk[-1][1])

    # -- other saved views: each one projection's state at one position (a cache) -------------

    def saved_view(self, name: str) -> tuple[int, bytes] | None:
        """The position and state of the view ``name`` as last saved, if it was, and is bound
        to this history there (``caches``)."""
        rows = self._snapshots.select_events(view_id(self.stream, name), desc=True, limit=1)
        content = self._cache(rows[0]) if rows else None
        return (rows[0].originator_version, content) if rows and content is not None else None

    def save_view(self, name: str, position: int, state: bytes) -> None:
        """Save the view ``name`` at ``position`` in place of the one saved before, bound to
        the ledger's head there; at a position no checkpoint ends at, nothing is saved."""
        head = self.head_for(position)
        if head is None:
            return
        state = caches.bind(head, state)
        recorder: Any = self._snapshots
        ident: Any = view_id(self.stream, name)
        if self.config.is_postgres:
            from psycopg import sql

            table: Any = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
            delete: Any = sql.SQL("DELETE FROM {} WHERE originator_id = %s").format(table)
            insert: Any = sql.SQL(
                "INSERT INTO {} (originator_id, originator_version, topic, state)"
                " VALUES (%s, %s, %s, %b) ON CONFLICT DO NOTHING"
            ).format(table)
        else:
            table = recorder.events_table_name
            delete = f"DELETE FROM {table} WHERE originator_id = ?"
            insert = f"INSERT INTO {table} VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
            ident = ident.hex
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(delete, (ident,))
            cursor.execute(insert, (ident, position, name, state))

    def site_data(self, day: dt.date) -> SiteData:
        """The site's numbers at the head as of ``day``: the saved ones when they answer (the
        same position, day and profile), else worked out from the registers. Reading only:
        ``ledger follow`` saves them (``save_site_data``)."""
        from projections import sitedata

        saved = self.saved_site_data(day)
        if saved is not None:
            return saved
        registers = self.registers()
        with reg.settled():  # the registers live until the numbers are worked out
            return sitedata.compute(registers, self.profile, day)

    def saved_site_data(self, day: dt.date) -> SiteData | None:
        """The saved site's numbers, if they are for the head, ``day`` and the profile."""
        from projections import sitedata

        saved = self.saved_view(sitedata.NAME)
        if saved is None or saved[0] != self.head():
            return None
        data = sitedata.from_bytes(saved[1])
        return (
            data
            if data is not None and sitedata.is_for(data, saved[0], day, self.profile)
            else None
        )

    def save_site_data(self, data: SiteData) -> None:
        """Save the site's numbers (in place of those saved before): what a follower does."""
        from projections import sitedata

        self.save_view(sitedata.NAME, data.position, sitedata.to_bytes(data))

    def registers_for(self, wanted: Iterable[reg.EntryKey]) -> reg.Registers:
        """Partial registers at the head: only the wanted entries (and any a later fact links
        to them), read from the saved entries and the facts since. What ``check post`` needs,
        in time that does not grow with the ledger."""
        position = self.saved_position()
        if not position:
            return self.registers()
        tail = [(at, event, reg.touches(event)) for at, event in self.facts(position)]
        # A fact since then about a wanted entry may change another (a guardian linked to a
        # child): that one is wanted too, from its first fact on.
        needed = set(wanted)
        grew = True
        while grew:
            grew = False
            for _, _, entries in tail:
                if entries and not needed.issuperset(entries) and not needed.isdisjoint(entries):
                    needed.update(entries)
                    grew = True
        registers = reg.Registers(position=position)
        bad: list[reg.EntryKey] = []
        for entry in needed:
            rows = self._snapshots.select_events(
                entry_id(self.stream, entry), lte=position, desc=True, limit=1
            )
            if not rows:
                continue
            content = self._cache(rows[0])
            try:
                if content is None:
                    raise ValueError("not bound to this history")
                reg.put_entry(registers, entry, content)
            except ValueError:
                bad.append(entry)  # damaged, or not of this history: a cache, ignored
        if bad:
            return self._entries_saved_anew(position, sorted(bad))
        with reg.paused_gc():
            for at, event, entries in tail:
                if needed.isdisjoint(entries):
                    registers.position = at  # about nothing asked for
                else:
                    reg.apply(registers, event, at)
        return registers

    def _entries_saved_anew(self, position: int, bad: list[reg.EntryKey]) -> reg.Registers:
        """The registers at the head when saved entries were ignored: the saved registers at
        ``position`` and the facts since. The ignored entries are saved anew from them, so
        that the next question reads them again (where the ledger can be written to)."""
        saved = self._saved_registers(position)
        head = self.head_for(position)
        if saved is None or saved.position != position or head is None:
            return self.registers()
        rows = [
            StoredEvent(
                entry_id(self.stream, e),
                position,
                _ENTRY_TOPIC,
                caches.bind(head, reg.entry_bytes(saved, e)),
            )
            for e in bad
        ]
        try:
            self._insert_saved(rows, full=False)
        except PersistenceError as exc:
            text = str(exc).lower()
            if "readonly" not in text and "read-only" not in text:
                raise
        return reg.advance(saved, self.facts(position))

    # -- writing --------------------------------------------------------------------------------

    def create(
        self, setting: str, profile_name: str, signer: integrity.Signer, clock: Clock
    ) -> None:
        """Write the first fact, ``SettingRegistered``, and the first checkpoint."""
        if self.is_initialised:
            raise LedgerError(f"{self.config.shown}: a ledger already exists here")
        self._stream = uuid.uuid4()
        first = ev.SettingRegistered(on=today(clock), name=setting, profile=profile_name)
        write = _Write(reg.Registers(), None, today(clock), clock(), integrity.Frontier())
        self._insert(self._rows(write, [first], signer, None))  # the first fact: not decided

    def record(
        self,
        events: Sequence[ev.Event] | Callable[[], Iterable[ev.Event]],
        signer: integrity.Signer,
        clock: Clock,
        *,
        progress: Callable[[int], None] | None = None,
        forgetting: bool = False,
        registers: reg.Registers | None = None,
    ) -> range:
        """Decide each fact against everything before it, then record them all or none.

        ``registers``: the registers at the head, if the caller has just read them (so they are
        not read twice); they are used only if no other writer has written since, and then end
        holding the new facts. Otherwise they are left as they were and read afresh.

        ``events`` is a sequence, or a function giving the facts afresh (a file read as it is
        written: a million facts need not be held at once). Returns the positions recorded.
        Raises ``Refused`` (with ``index``, the fact's place in ``events``) for the first fact
        that cannot be recorded; nothing is written then, nor when reading the facts fails. A
        concurrent writer's facts are picked up and the decisions taken again.
        """
        source = events if callable(events) else lambda: events
        with reg.paused_gc():
            return self._decide_and_append(source, signer, clock, progress, forgetting, registers)

    def _decide_and_append(
        self,
        source: Callable[[], Iterable[ev.Event]],
        signer: integrity.Signer,
        clock: Clock,
        progress: Callable[[int], None] | None,
        forgetting: bool,
        given: reg.Registers | None,
    ) -> range:
        for _attempt in range(RETRIES):
            registers = given if given is not None and _attempt == 0 else self.registers()
            start = registers.position
            previous = self._latest_checkpoint()
            frontier = previous.frontier() if previous is not None else integrity.Frontier()
            if frontier.size > start:
                continue  # another writer's facts arrived between the two reads: read again
            if frontier.size != start:
                raise LedgerError(
                    f"the last checkpoint covers {frontier.size} facts but the ledger holds"
                    f" {start}; run `ledger verify`"
                )
            now = clock()
            if previous is not None and previous.record.signed_at > now:
                now = previous.record.signed_at  # record time never runs backwards
            write = _Write(
                registers, self.profile, today(clock), now, frontier, forgetting, progress
            )
            try:
                self._insert(self._rows(write, source(), signer, previous))
            except IntegrityError:
                continue  # someone else wrote at these positions: decide again
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(random.uniform(0.01, 0.1) * (1 + _attempt))  # another writer's turn
                continue
            self.save_if_behind(registers)
            return range(start + 1, write.tree.size + 1)
        raise LedgerError("the ledger is busy: other writers kept getting in first; try again")

    def _rows(
        self,
        write: _Write,
        events: Iterable[ev.Event],
        signer: integrity.Signer,
        previous: integrity.Latest | None,
    ) -> Iterator[StoredEvent]:
        """The rows of one write, made as they are inserted: each fact decided, folded in,
        sealed and hashed in turn, then the signed checkpoint over them all."""
        registers, tree, forgetting = write.registers, write.tree, write.forgetting
        start = tree.size
        leaves = bytearray()
        hasher = integrity.LeafHasher()
        chunk: list[ev.Event] = []
        taken = 0  # facts decided so far
        iterator = iter(events)
        guard = NameGuard(self.held_names)  # no name in free text that cannot be forgotten
        while True:
            chunk.clear()
            for event in iterator:
                try:
                    if write.profile is not None:
                        decide(registers, write.profile, event, write.day, forgetting=forgetting)
                        named = guard.check(event)
                        if named is not None:
                            raise named
                except Refused as refusal:
                    refusal.index = taken  # type: ignore[attr-defined]
                    raise
                guard.learn(event)
                taken += 1
                reg.apply(registers, event, start + taken)
                chunk.append(event)
                if len(chunk) == WRITE_CHUNK:
                    break
            if not chunk:
                break
            needed: set[str] = set()
            for event in chunk:
                needed |= sealing_subjects(event)
            # Keys first: a fact must never be stored unreadable. A forgotten person is never
            # given a key again (text about them is sealed under one that is not kept).
            self.keys.ensure(needed, forgotten=registers.forgotten)
            assert isinstance(self.mapper, EventMapper)
            self.mapper.forgotten = registers.forgotten
            first = tree.size + 1
            rows = [
                self.mapper.to_stored_event(Recorded(self.stream, first + i, write.now, event))
                for i, event in enumerate(chunk)
            ]
            hashes = hasher.leaves((r.originator_version, r.topic, r.state) for r in rows)
            tree.extend(hashes)
            leaves += hashes
            yield from rows
            if write.progress is not None:
                write.progress(tree.size - start)
        if tree.size == start:
            raise NothingToRecord("no facts to record")
        record = integrity.sign_checkpoint(
            tree,
            bytes(leaves),
            signer,
            write.now,
            origin=integrity.origin_for(self.stream),
            sequence=previous.sequence + 1 if previous else 1,
        )
        yield integrity.to_stored(self.checkpoint_stream, record)

    def _insert(self, rows: Iterator[StoredEvent]) -> None:
        """Insert the rows in one transaction, as they are made (none if making one fails)."""
        recorder: Any = self.recorder
        if not self.config.is_postgres:
            recorder.insert_events(rows)  # LedgerSQLiteRecorder: executemany over the rows
            return
        # PostgreSQL: the library's insert function, called a chunk at a time in one
        # transaction (one call with a million rows would be held in memory whole).
        with (
            recorder.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            while chunk := list(itertools.islice(rows, WRITE_CHUNK)):
                curs.execute(
                    recorder.sql_invoke_pg_function_insert_events,
                    (
                        [
                            recorder.construct_pg_stored_event(
                                r.originator_id, r.originator_version, r.topic, r.state
                            )
                            for r in chunk
                        ],
                    ),
                    prepare=True,
                )

    # -- personal data: names, forgets and the key store ---------------------------------------

    def rows_of_types(self, types: Sequence[type[ev.Event]], after: int = 0) -> Iterator[FactRow]:
        """The stored facts of these types after a position, as plain rows, in order (found by
        their topic in the database: the other facts are not read)."""
        datastore: Any = self.recorder.datastore  # type: ignore[attr-defined]
        table = self.recorder.events_table_name  # type: ignore[attr-defined]
        patterns = [f"{cls.__name__}:%" for cls in types]
        if self.config.is_postgres:
            from psycopg import sql

            statement: Any = sql.SQL(
                "SELECT originator_version, topic, state FROM {} WHERE originator_id = %s"
                " AND originator_version > %s AND topic LIKE ANY(%s)"
                " ORDER BY originator_version"
            ).format(sql.Identifier(datastore.schema, table))
            with datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, (self.stream, after, patterns))
                rows = [
                    (r["originator_version"], r["topic"], bytes(r["state"]))
                    for r in cursor.fetchall()
                ]
        else:
            likes = " OR ".join("topic LIKE ?" for _ in patterns)
            statement = (
                f"SELECT originator_version, topic, state FROM {table} WHERE originator_id = ?"
                f" AND originator_version > ? AND ({likes}) ORDER BY originator_version"
            )
            with datastore.transaction(commit=False) as cursor:
                plain = cursor.sqlite_cursor
                plain.row_factory = None
                plain.execute(statement, (self.stream.hex, after, *patterns))
                rows = plain.fetchall()
        yield from rows

    def held_names(self) -> Iterator[str]:
        """Every name the ledger holds and can still read (a forgotten one reads as
        ``[forgotten]``; one whose key does not open it is left out: ``verify`` names it)."""
        for position, topic, state in self.rows_of_types(list(ev.NAME_FIELDS)):
            try:
                recorded = self.decode(StoredEvent(self.stream, position, topic, state))
            except MapperError:
                continue
            field = ev.NAME_FIELDS.get(type(recorded.event))
            if field is not None:
                yield getattr(recorded.event, field)

    def complete_forgets(self) -> list[tuple[str, int]]:
        """Destroy the key of everyone forgotten whose key is still in the key store (a forget
        interrupted between its fact and the key's destruction, or a key store restored from a
        backup taken before it): (person, the forget's position) for each one completed.

        Cheap at any size: the key store remembers the position up to which it has applied the
        forgets, and only the forget facts after it are read (a restored store has an older
        position, so it reads from there)."""
        applied = self.keys.applied()
        head = self.head()
        if applied >= head:
            return []
        done: list[tuple[str, int]] = []
        assert isinstance(self.mapper, EventMapper)
        for position, topic, state in self.rows_of_types([ev.SubjectForgotten], applied):
            event = self.mapper.open_row(position, topic, state).event
            assert isinstance(event, ev.SubjectForgotten)
            if self.keys.has_key(event.subject_ref):
                self.keys.forget(event.subject_ref)
                done.append((event.subject_ref, position))
        if done or head - applied >= FORGETS_APPLIED_EVERY:
            self.keys.set_applied(head)
        return done

    def _latest_checkpoint(self) -> integrity.Latest | None:
        rows = self.recorder.select_events(self.checkpoint_stream, desc=True, limit=1)
        return integrity.Latest.from_stored(rows[0]) if rows else None

    def checkpoints(self) -> Iterator[StoredEvent]:
        position = 0
        while True:
            chunk = self.recorder.select_events(
                self.checkpoint_stream, gt=position, limit=READ_CHUNK
            )
            yield from chunk
            if len(chunk) < READ_CHUNK:
                return
            position = chunk[-1].originator_version

    def close(self) -> None:
        self.keys.close()
        super().close()


@contextlib.contextmanager
def _hashing_after(config: Config, after: int) -> Iterator[Callable[[], bytes | None]]:
    """A second process (``ledger.leafhashing``, a fresh interpreter: it shares nothing with
    this one) reads and hashes the facts after ``after``; the function yielded waits for their
    leaf hashes, or gives None if they would not help or the process failed. The process is
    stopped on the way out if still running (when the check ended early)."""
    request = msgspec.json.encode(
        {"db": config.db, "key_path": str(config.key_path), "after": after}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger.leafhashing"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # it can only fail to help: then the facts are read here
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(request)  # the URL (and its password) never on a command line
        process.stdin.close()
    except BrokenPipeError:
        pass  # it is gone already: leaves() says so
    output = process.stdout

    def leaves() -> bytes | None:
        data = output.read()
        return data if process.wait() == 0 and len(data) % merkle.HASH_SIZE == 0 else None

    try:
        yield leaves
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        output.close()


def _pg_connect(config: Config) -> Any:
    import psycopg

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
    with contextlib.closing(_pg_connect(config)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name IN ('ledger_events', 'ledger_snapshots')",
            (_schema_of(config.db),),
        ).fetchone()
    return bool(row and row[0] == 2)


def create_postgres_schema(config: Config) -> None:
    """Each setting's ledger is its own schema on the server (made by ``init``)."""
    from psycopg import sql

    schema = _schema_of(config.db)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise LedgerError(
            "the schema name must be lower-case letters, digits and _ (e.g. ?schema=sunflowers)"
        )
    with contextlib.closing(_pg_connect(config)) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def drop_postgres_schema_if_empty_ledger(config: Config) -> None:
    """Undo a failed ``init``: drop the schema if it holds no fact (never a real ledger)."""
    from psycopg import sql

    schema = _schema_of(config.db)
    with contextlib.closing(_pg_connect(config)) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
        if {t[0] for t in tables} <= {"ledger_events", "ledger_snapshots"}:
            if any(t[0] == "ledger_events" for t in tables):
                row = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(
                        sql.Identifier(schema, "ledger_events")
                    )
                ).fetchone()
                if row and row[0]:
                    return
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def open_ledger(config: Config) -> Ledger:
    """An existing ledger; anything else is refused without being touched."""
    if config.is_postgres and not postgres_schema_has_ledger(config):
        raise LedgerError(
            f"no ledger in schema {_schema_of(config.db)!r} (create one with `ledger init`)"
        )
    if not config.is_postgres:
        path = Path(config.db)
        if not path.is_file():
            raise LedgerError(f"{config.shown}: no ledger here (create one with `ledger init`)")
        if not _is_sqlite_ledger(path):
            if _is_sqlite_ledger(path, immutable=True):
                raise LedgerError(
                    f"{config.shown}: this ledger is on a disk or in a folder that cannot be"
                    " written to, and a ledger can only be opened where it can keep its working"
                    " files; copy it to a folder you can write to, and run the command on the copy"
                )
            raise LedgerError(f"{config.shown}: this file is not a ledger (it was left as it was)")
    ledger = Ledger(config)
    if not ledger.is_initialised:
        raise LedgerError(f"{config.shown}: no ledger here (create one with `ledger init`)")
    return ledger


def _is_sqlite_ledger(path: Path, *, immutable: bool = False) -> bool:
    """Whether the file holds a ledger's tables (read only; ``immutable``: without opening its
    write-ahead log, which a read-only folder cannot hold)."""
    mode = "immutable=1" if immutable else "mode=ro"
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        ) as conn:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name IN"
                " ('stored_events', 'stored_snapshots')"
            ).fetchall()
    except sqlite3.Error:
        return False
    return len(rows) == 2
