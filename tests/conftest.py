"""Shared test set-up: hypothesis profiles, the two stores, and small ledger helpers.

Profiles: ``default`` is quick (every ``make test``); ``deep`` (``make test-deep``) runs many
more examples and longer command sequences. Choose with HYPOTHESIS_PROFILE.

Stores: every test that records a ledger runs on SQLite and on PostgreSQL. The PostgreSQL half
needs a server, named by ``LEDGER_TEST_POSTGRES`` (a base URL such as
``postgresql://ledger:ledger@127.0.0.1:5432/ledger``); each ledger gets a fresh schema there,
dropped afterwards. Without the variable those tests are skipped with a message saying how to
enable them, except in CI (``CI=true``), where that is a failure: CI never silently skips them.
``pytest -m "not postgres"`` leaves them out on purpose.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import pytest
from hypothesis import HealthCheck, settings

from ledger import store as ledger_store

settings.register_profile(
    "default",
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=400,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# A fixed "now" for tests: every test date lies before it.
NOW = dt.datetime(2027, 6, 30, 12, 0, tzinfo=dt.UTC)


def fixed_clock() -> dt.datetime:
    return NOW


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


# --- the two stores -----------------------------------------------------------------------------

POSTGRES_VARIABLE = "LEDGER_TEST_POSTGRES"
POSTGRES_SKIP = (
    "PostgreSQL tests need LEDGER_TEST_POSTGRES=postgresql://user:password@host:port/db"
    " (CI sets it; locally: pg_ctlcluster 15 main start)"
)
POSTGRES_BASE = os.environ.get(POSTGRES_VARIABLE, "").strip()
IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}

# Parametrise over these (``@pytest.mark.parametrize("store", STORES)``) where a fixture cannot
# be used (hypothesis tests, which need a fresh ledger per example: see ``fresh_db``).
_POSTGRES_MARKS: list[Any] = [pytest.mark.postgres]
if not POSTGRES_BASE and not IN_CI:
    _POSTGRES_MARKS.append(pytest.mark.skip(reason=POSTGRES_SKIP))
STORES: list[Any] = ["sqlite", pytest.param("postgres", marks=_POSTGRES_MARKS)]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: runs on the PostgreSQL store (needs LEDGER_TEST_POSTGRES)"
    )


def pytest_report_header(config: pytest.Config) -> str:
    if POSTGRES_BASE:
        where = urlparse(POSTGRES_BASE)
        server = f"{where.hostname}:{where.port or 5432}{where.path}"
        return f"ledger stores: sqlite, postgres ({server})"
    if IN_CI:
        return f"ledger stores: sqlite; postgres FAILS: CI=true but {POSTGRES_VARIABLE} is unset"
    return f"ledger stores: sqlite (postgres skipped: {POSTGRES_SKIP})"


def postgres_base() -> str:
    """The server's base URL; without one, skip (or, in CI, fail) the test that asked."""
    if not POSTGRES_BASE:
        if IN_CI:
            pytest.fail(
                f"CI=true but {POSTGRES_VARIABLE} is not set: CI must run the PostgreSQL half"
                f" (.ci/run sets it). {POSTGRES_SKIP}",
                pytrace=False,
            )
        pytest.skip(POSTGRES_SKIP)
    _check_server(POSTGRES_BASE)
    return POSTGRES_BASE


@functools.cache
def _check_server(base: str) -> None:
    import psycopg

    try:
        with psycopg.connect(base, connect_timeout=10):
            pass
    except psycopg.Error as exc:
        where = urlparse(base)
        pytest.fail(
            f"{POSTGRES_VARIABLE} names {where.hostname}:{where.port or 5432}{where.path}, but it"
            f" does not answer ({type(exc).__name__}: {str(exc).strip()})",
            pytrace=False,
        )


def _pg_connect(base: str) -> Any:
    import psycopg

    return psycopg.connect(base, autocommit=True, connect_timeout=10)


def with_schema(base: str, schema: str) -> str:
    url = urlparse(base)
    query = [(k, v) for k, v in parse_qsl(url.query) if k != "schema"] + [("schema", schema)]
    return urlunparse(url._replace(query=urlencode(query)))


def schema_of(db: str) -> str:
    return dict(parse_qsl(urlparse(db).query))["schema"]


def server_of(db: str) -> str:
    """A ledger's URL without its schema: what a plain PostgreSQL client connects to."""
    url = urlparse(db)
    query = [(k, v) for k, v in parse_qsl(url.query) if k != "schema"]
    return urlunparse(url._replace(query=urlencode(query)))


def is_postgres(db: str) -> bool:
    return db.startswith(("postgres://", "postgresql://"))


def drop_schema(base: str, schema: str) -> None:
    from psycopg import sql

    with contextlib.closing(_pg_connect(base)) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextlib.contextmanager
def fresh_db(store: str, folder: Path | None = None, name: str = "ledger.db") -> Iterator[str]:
    """A new, empty place for one ledger: a file path (in ``folder``, or a new temporary folder)
    for SQLite; for PostgreSQL a URL naming a fresh schema, dropped afterwards (nothing is
    created: ``ledger init``, or ``new_ledger``, makes the schema).
    """
    if store == "sqlite":
        if folder is not None:
            yield str(folder / name)
            return
        with tempfile.TemporaryDirectory(prefix="ledger-test-") as tmp:
            yield str(Path(tmp) / name)
        return
    assert store == "postgres", store
    base = postgres_base()
    schema = f"t_{uuid.uuid4().hex}"
    try:
        yield with_schema(base, schema)
    finally:
        drop_schema(base, schema)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    """The store the test runs on: ``sqlite`` or ``postgres``."""
    if request.param == "postgres":
        postgres_base()
    name: str = request.param
    return name


NewDb = Callable[[str], str]


@pytest.fixture
def new_db(store: str, tmp_path: Path) -> Iterator[NewDb]:
    """Make fresh ledger locations in the test's store: ``new_db("first.db")``."""
    with contextlib.ExitStack() as stack:

        def make(name: str = "ledger.db") -> str:
            return stack.enter_context(fresh_db(store, tmp_path, name))

        yield make


@pytest.fixture
def ledger_db(new_db: NewDb) -> str:
    """A fresh location for one ledger: a path in tmp_path, or a URL with a fresh schema."""
    return new_db("ledger.db")


# --- ledgers in either store ----------------------------------------------------------------


def key_path_for(db: str, folder: Path) -> Path:
    """Where the command keeps the signing key when run in ``folder`` (PATH.key beside a SQLite
    file; ``ledger-<schema>.key`` in the current folder for PostgreSQL)."""
    if is_postgres(db):
        return folder / f"ledger-{schema_of(db)}.key"
    return Path(db + ".key")


def config_for(db: str, folder: Path) -> ledger_store.Config:
    return ledger_store.Config(db=db, key_path=key_path_for(db, folder))


def new_ledger(config: ledger_store.Config) -> ledger_store.Ledger:
    """An empty ledger with its tables made (and, on PostgreSQL, its schema), as init does."""
    if config.is_postgres:
        ledger_store.create_postgres_schema(config)
    return ledger_store.Ledger(config, create=True)


def holds_ledger(db: str) -> bool:
    """Whether there is a ledger at ``db`` (a file; or the schema with the ledger's tables)."""
    if not is_postgres(db):
        return Path(db).is_file()
    return ledger_store.postgres_schema_has_ledger(ledger_store.Config.from_db(db))


def untouched(db: str) -> bool:
    """Nothing at ``db``: no file; or on PostgreSQL, no such schema at all."""
    if not is_postgres(db):
        return not Path(db).exists()
    with contextlib.closing(_pg_connect(server_of(db))) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema_of(db),)
        ).fetchone()
    return not found[0]


def ledger_files(db: str, folder: Path) -> dict[str, bytes]:
    """The ledger's own files, byte for byte: the SQLite database and its WAL (not the shared
    memory index), the signing key, public key, key store and own profile."""
    prefix = f"ledger-{schema_of(db)}" if is_postgres(db) else Path(db).name
    where = folder if is_postgres(db) else Path(db).parent
    return {
        p.name: p.read_bytes()
        for p in sorted(where.iterdir())
        if p.is_file()
        and p.name.startswith(prefix)
        and not p.name.endswith(("-shm", ".jsonl", ".csv"))
    }


class Raw:
    """Direct SQL on a ledger's stored events, below the ledger: for tampering in tests.

    Queries say ``{events}`` for the table of stored facts and checkpoints and ``?`` for
    parameters, and run on either store. (On PostgreSQL, the server's base URL gives a plain
    connection to it.)
    """

    def __init__(self, db: str) -> None:
        self.db = db
        self.postgres = is_postgres(db)
        if self.postgres:
            self.conn = _pg_connect(server_of(db))
            schema = dict(parse_qsl(urlparse(db).query)).get("schema", "public")
            self.tables = {
                "events": f'"{schema}".ledger_events',
                "snapshots": f'"{schema}".ledger_snapshots',
                "people": f'"{schema}".ledger_people',
            }
        else:
            import sqlite3

            self.conn = sqlite3.connect(db)
            self.tables = {
                "events": "stored_events",
                "snapshots": "stored_snapshots",
                "people": "stored_people",
            }

    def execute(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        query = query.format(**self.tables)
        if self.postgres and params:
            query = query.replace("%", "%%").replace("?", "%s")
        cursor = self.conn.execute(query, params) if params else self.conn.execute(query)
        return list(cursor.fetchall()) if cursor.description else []

    def close(self) -> None:
        if not self.postgres:
            self.conn.commit()
        self.conn.close()


@contextlib.contextmanager
def raw(db: str) -> Iterator[Raw]:
    connection = Raw(db)
    try:
        yield connection
    finally:
        connection.close()


def stored_rows(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ledger's tables, in storage order (PostgreSQL: with notification ids,
    and where the notification sequence stands)."""
    with raw(db) as conn:
        if conn.postgres:
            sequence = f'"{schema_of(db)}".ledger_events_notification_id_seq'
            return {
                "events": conn.execute(
                    "SELECT notification_id, originator_id, originator_version, topic, state"
                    " FROM {events} ORDER BY notification_id"
                ),
                "snapshots": conn.execute(
                    "SELECT originator_id, originator_version, topic, state FROM {snapshots}"
                    " ORDER BY originator_id, originator_version"
                ),
                "sequence": conn.execute(f"SELECT last_value, is_called FROM {sequence}"),
            }
        return {
            "events": conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM {events}"
                " ORDER BY rowid"
            ),
            "snapshots": conn.execute(
                "SELECT originator_id, originator_version, topic, state FROM {snapshots}"
                " ORDER BY originator_id, originator_version"
            ),
        }


def stored_state(db: str, folder: Path) -> dict[str, Any]:
    """Everything a refused command must leave as it was: on SQLite the ledger's files byte for
    byte; on PostgreSQL every row of the schema's tables, and the files kept beside it."""
    if is_postgres(db):
        return {"rows": stored_rows(db), "files": ledger_files(db, folder)}
    return {"files": ledger_files(db, folder)}


def stored_bytes(db: str) -> list[bytes]:
    """Every value held in the ledger's tables, as bytes (for looking for a name in them)."""
    out: list[bytes] = []
    for rows in stored_rows(db).values():
        for row in rows:
            for value in row:
                if isinstance(value, bytes | bytearray | memoryview):
                    out.append(bytes(value))
                else:
                    out.append(str(value).encode())
    return out
