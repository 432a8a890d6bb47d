"""Where a ledger lives: a SQLite file, or a PostgreSQL database and one schema in it.

``Config.env`` is the environment the ``eventsourcing`` library builds the ledger's recorders
from. ``LedgerError`` is what the user must fix (exit status 2): storage raises it too (a server
that cannot be reached, a schema name that cannot be one).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import msgspec


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
            key_path = Path("ledger-" + schema_of(db) + ".key")
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
                "APPLICATION_RECORDER_TOPIC": "ledger.storage.sqlite:LedgerSQLiteRecorder",
            }

        url = urlparse(self.db)
        host, port, dbname = server_of(self.db)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": host,
            "POSTGRES_PORT": port,
            "POSTGRES_USER": url.username or "",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_SCHEMA": schema_of(self.db),
            # Insert through the library's database function: one large import as one
            # statement parameter otherwise stalls psycopg's pipeline mode (found by the bench).
            "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
            # One connection opened at the start, more only when asked for at once (the
            # library's overflow, 10): its default opened 5, each a server process, for a
            # command that uses one (a federation's site build opens every member's ledger).
            "POSTGRES_POOL_SIZE": "1",
        }


def schema_of(db: str) -> str:
    return parse_qs(urlparse(db).query).get("schema", ["public"])[0]


def server_of(db: str) -> tuple[str, str, str]:
    """A PostgreSQL URL's server and database, as the ledger connects to them: (host, port,
    database). A host, port or database given as a parameter (``?host=/run/postgresql``, as
    libpq reads them) is taken over the address's; the host is ``localhost`` and the port 5432
    unless given. A port that is not a number is the user's to fix: ``LedgerError``."""
    url = urlparse(db)
    given = parse_qs(url.query)
    try:
        port = given.get("port", [str(url.port or 5432)])[0]
    except ValueError:  # the address's port (``url.port``) is not a number
        port = url.netloc.rsplit(":", 1)[-1]
    if not port.isdigit():
        raise LedgerError(f"the PostgreSQL port {port!r} is not a number; check the URL")
    host = given.get("host", [url.hostname or "localhost"])[0]
    dbname = given.get("dbname", [url.path.lstrip("/")])[0]
    return host, port, dbname
