"""Every SQL statement the ledger runs on its own tables, for both stores, side by side.

The ``eventsourcing`` library makes and writes the tables (facts and checkpoints in its events
table, caches in its snapshots table, a follower's position in its tracking table); these are
the statements the ledger adds: reading plain rows in chunks, a checkpoint's first bytes, saving
and pruning cache rows. ``{table}`` is the table; a SQLite statement takes ``?`` parameters and
its originator ids as hex text, a PostgreSQL one ``%s`` (``%b``: bytes as they are) and UUIDs.
Where the two differ in more than that, each ``Dialect`` field says how.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Dialect:
    """The statements of one store. Read-only; the two instances are ``SQLITE``, ``POSTGRES``."""

    # Plain (position, topic, state, large) rows of a stream in a range of positions, a chunk at
    # a time: ``large`` is NULL, or on PostgreSQL the length of a state longer than
    # ``LARGE_READ`` bytes, whose state is then NULL, to be read in slices (``state_slice``).
    rows_between: str
    # The rows of a stream at given positions: SQLite's has ``{marks}`` for one ``?`` a
    # position; PostgreSQL's takes the positions as one array.
    rows_at: str
    # The rows of a stream whose topic matches any of some patterns, after a position: SQLite's
    # has ``{likes}`` for ``topic LIKE ?`` joined by OR; PostgreSQL's takes one array.
    rows_of_topics: str
    # The highest position (sequence) of a stream: NULL if it has none.
    max_version: str
    # The first bytes of one row's state (a checkpoint's: its leaf hashes are not needed).
    state_prefix: str
    # Every row of the snapshots table after an (id, position), in that order, a chunk at a
    # time, as (id, position, topic, state, large), ``large`` as in ``rows_between``.
    saved_after: str
    # A slice of one row's state: the first byte (from 1), how many, the id and the position.
    state_slice: str
    # The first statement of a transaction that reads a row in slices: all of them from one
    # snapshot (None: SQLite's read transaction is one already).
    snapshot: str | None
    # Save a cache row in place of any row at the same (id, position).
    upsert_saved: str
    # Delete every saved row of these topics not at one position (three topics).
    drop_saved_of_topics: str
    # Keep the two newest saved rows of an id (the id twice).
    prune_saved: str
    # Replace a saved view: delete all its rows, then insert the one.
    delete_saved_of: str
    insert_saved: str
    # The notification (the library's running number of every row written) of the ledger's
    # fact at the newest saved position of a topic: ``{id}``, ``{events}``, ``{snapshots}``.
    saved_notification: str
    notification_column: str
    # The person index (``Storage.people``): whether its table exists (the table's name, as
    # text); making it; a fact's people; the position it is complete to (its one row of ref
    # ''), moved on only from where it was (the new position, then the old one); a person's
    # positions; every row after a position, a chunk at a time, by position.
    people_exists: str
    create_people: tuple[str, ...]
    insert_people: str
    people_marker: str
    advance_people: str
    positions_of: str
    people_after: str


_ROWS = "SELECT originator_version, topic, state FROM {table} WHERE originator_id = ?"
# A state longer than this is read in slices on PostgreSQL: one row of tens of megabytes (the
# registers, a checkpoint of a large import) is otherwise held three times over as it arrives
# (the driver's buffer, its result and the bytes made of it); SQLite gives it as it is.
LARGE_READ = 1 << 20
_LARGE_ROWS = (
    "SELECT originator_version, topic,"
    f" CASE WHEN octet_length(state) <= {LARGE_READ} THEN state END,"
    f" CASE WHEN octet_length(state) > {LARGE_READ} THEN octet_length(state) END"
    " FROM {table} WHERE originator_id = %s"
)
_SAVED_NOTIFICATION = (
    "SELECT {id} FROM {events} WHERE originator_id ="
    " (SELECT originator_id FROM {events} ORDER BY {id} LIMIT 1)"
    " AND originator_version ="
    " (SELECT max(originator_version) FROM {snapshots} WHERE topic = ?)"
)
_PRUNE = (
    "DELETE FROM {table} WHERE originator_id = ? AND originator_version <"
    " (SELECT originator_version FROM {table} WHERE originator_id = ?"
    " ORDER BY originator_version DESC LIMIT 1 OFFSET 1)"
)
_AFTER = (
    " FROM {table} WHERE (originator_id, originator_version) > (?, ?)"
    " ORDER BY originator_id, originator_version LIMIT ?"
)
_SAVED_AFTER = "SELECT originator_id, originator_version, topic, state, NULL" + _AFTER
_LARGE_SAVED_AFTER = (
    "SELECT originator_id, originator_version, topic,"
    f" CASE WHEN octet_length(state) <= {LARGE_READ} THEN state END,"
    f" CASE WHEN octet_length(state) > {LARGE_READ} THEN octet_length(state) END" + _AFTER
)


_PEOPLE_MARKER = "SELECT COALESCE(MAX(position), 0) FROM {table} WHERE ref = ''"
_ADVANCE_PEOPLE = (
    "INSERT INTO {table} (ref, position) SELECT '', ?"
    " WHERE (SELECT COALESCE(MAX(position), 0) FROM {table} WHERE ref = '') = ?"
)
_POSITIONS_OF = "SELECT position FROM {table} WHERE ref = ? ORDER BY position"
_PEOPLE_AFTER = (
    "SELECT position, ref FROM {table} WHERE ref <> '' AND (position, ref) > (?, ?)"
    " ORDER BY position, ref LIMIT ?"
)


def _pg(statement: str) -> str:
    return statement.replace("?", "%s")


_BETWEEN = (
    " AND originator_version > ? AND originator_version <= ? ORDER BY originator_version LIMIT ?"
)

SQLITE = Dialect(
    rows_between=_ROWS.replace(" FROM", ", NULL FROM") + _BETWEEN,
    rows_at=_ROWS + " AND originator_version IN ({marks}) ORDER BY originator_version",
    rows_of_topics=_ROWS + " AND originator_version > ? AND ({likes}) ORDER BY originator_version",
    max_version="SELECT MAX(originator_version) FROM {table} WHERE originator_id = ?",
    state_prefix="SELECT substr(state, 1, ?) FROM {table}"
    " WHERE originator_id = ? AND originator_version = ?",
    saved_after=_SAVED_AFTER,
    state_slice="SELECT substr(state, ?, ?) FROM {table}"
    " WHERE originator_id = ? AND originator_version = ?",
    snapshot=None,
    upsert_saved="INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)",
    drop_saved_of_topics="DELETE FROM {table} WHERE topic IN (?, ?, ?) AND originator_version <> ?",
    prune_saved=_PRUNE,
    delete_saved_of="DELETE FROM {table} WHERE originator_id = ?",
    insert_saved="INSERT INTO {table} VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    saved_notification=_SAVED_NOTIFICATION,
    notification_column="rowid",
    people_exists="SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
    create_people=(
        "CREATE TABLE IF NOT EXISTS {table} (ref TEXT NOT NULL, position INTEGER NOT NULL,"
        " PRIMARY KEY (ref, position)) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS {table}_by_position ON {table} (position)",
    ),
    insert_people="INSERT OR IGNORE INTO {table} (ref, position) VALUES (?, ?)",
    people_marker=_PEOPLE_MARKER,
    advance_people=_ADVANCE_PEOPLE,
    positions_of=_POSITIONS_OF,
    people_after=_PEOPLE_AFTER,
)

POSTGRES = Dialect(
    rows_between=_LARGE_ROWS + _pg(_BETWEEN),
    rows_at=_pg(_ROWS) + " AND originator_version = ANY(%s) ORDER BY originator_version",
    rows_of_topics=_pg(_ROWS)
    + " AND originator_version > %s AND topic LIKE ANY(%s) ORDER BY originator_version",
    max_version=_pg(SQLITE.max_version),
    state_prefix="SELECT substring(state FROM 1 FOR %s) FROM {table}"
    " WHERE originator_id = %s AND originator_version = %s",
    saved_after=_pg(_LARGE_SAVED_AFTER),
    state_slice="SELECT substring(state FROM %s FOR %s) FROM {table}"
    " WHERE originator_id = %s AND originator_version = %s",
    snapshot="SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
    upsert_saved="INSERT INTO {table} (originator_id, originator_version, topic, state)"
    " VALUES (%s, %s, %s, %b) ON CONFLICT (originator_id, originator_version)"
    " DO UPDATE SET topic = EXCLUDED.topic, state = EXCLUDED.state",
    drop_saved_of_topics=_pg(SQLITE.drop_saved_of_topics),
    prune_saved=_pg(_PRUNE),
    delete_saved_of=_pg(SQLITE.delete_saved_of),
    insert_saved="INSERT INTO {table} (originator_id, originator_version, topic, state)"
    " VALUES (%s, %s, %s, %b) ON CONFLICT DO NOTHING",
    saved_notification=_pg(_SAVED_NOTIFICATION),
    notification_column="notification_id",
    people_exists="SELECT count(*) FROM information_schema.tables WHERE table_schema = %s"
    " AND table_name = %s",
    create_people=(
        "CREATE TABLE IF NOT EXISTS {table} (ref TEXT NOT NULL, position BIGINT NOT NULL,"
        " PRIMARY KEY (ref, position))",
        "CREATE INDEX IF NOT EXISTS ledger_people_by_position ON {table} (position)",
    ),
    insert_people="INSERT INTO {table} (ref, position) VALUES (%s, %s) ON CONFLICT DO NOTHING",
    people_marker=_PEOPLE_MARKER,
    advance_people=_pg(_ADVANCE_PEOPLE) + " ON CONFLICT DO NOTHING",
    positions_of=_pg(_POSITIONS_OF),
    people_after=_pg(_PEOPLE_AFTER),
)

SQLITE_PEOPLE = "stored_people"
POSTGRES_PEOPLE = "ledger_people"

# Witnesses' cosignatures delivered to a ledger (``Storage.cosignatures``): one row per
# checkpoint and witness's cosigned note (the size, the root as hex, the witness's published key
# and the note with its line), only ever added to; the table made on the first one.
SQLITE_COSIGNATURES = "stored_cosignatures"
POSTGRES_COSIGNATURES = "ledger_cosignatures"
CREATE_COSIGNATURES = (
    "CREATE TABLE IF NOT EXISTS {table} (size BIGINT NOT NULL, root TEXT NOT NULL,"
    " witness TEXT NOT NULL, note TEXT NOT NULL, PRIMARY KEY (size, witness, note))"
)
INSERT_COSIGNATURE = (
    "INSERT INTO {table} (size, root, witness, note) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
COSIGNATURES = "SELECT size, root, witness, note FROM {table} ORDER BY size, witness, note"

# The ledger's tables on each store (made by the library; their names never change).
SQLITE_TABLES = ("stored_events", "stored_snapshots")
POSTGRES_TABLES = ("ledger_events", "ledger_snapshots")

# Whether a SQLite file holds a ledger's tables.
SQLITE_HAS_LEDGER = (
    "SELECT name FROM sqlite_master WHERE type='table' AND name IN"
    " ('stored_events', 'stored_snapshots')"
)
# Whether a PostgreSQL schema holds a ledger's tables; which tables it holds; how many rows one
# has; making and dropping a schema (``{schema}``, ``{table}``: identifiers).
POSTGRES_HAS_LEDGER = (
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s"
    " AND table_name IN ('ledger_events', 'ledger_snapshots')"
)
POSTGRES_TABLES_OF = "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
POSTGRES_COUNT = "SELECT count(*) FROM {table}"
POSTGRES_CREATE_SCHEMA = "CREATE SCHEMA IF NOT EXISTS {schema}"
POSTGRES_DROP_SCHEMA = "DROP SCHEMA IF EXISTS {schema} CASCADE"
