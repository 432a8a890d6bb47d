"""A PostgreSQL ledger's schema: whether one holds a ledger, making one, and undoing a failed
``init``. psycopg is imported only when a PostgreSQL ledger is asked about (a SQLite ledger's
commands never load it).
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

from ledger.storage import sql
from ledger.storage.config import Config, LedgerError, schema_of

if TYPE_CHECKING:
    import psycopg


def _connect(config: Config) -> psycopg.Connection[tuple[Any, ...]]:
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
    with contextlib.closing(_connect(config)) as conn:
        row = conn.execute(sql.POSTGRES_HAS_LEDGER, (schema_of(config.db),)).fetchone()
    return bool(row and row[0] == 2)


def create_postgres_schema(config: Config) -> None:
    """Each setting's ledger is its own schema on the server (made by ``init``)."""
    from psycopg import sql as pgsql

    schema = schema_of(config.db)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise LedgerError(
            "the schema name must be lower-case letters, digits and _ (e.g. ?schema=sunflowers)"
        )
    with contextlib.closing(_connect(config)) as conn:
        conn.execute(pgsql.SQL(sql.POSTGRES_CREATE_SCHEMA).format(schema=pgsql.Identifier(schema)))


def drop_postgres_schema_if_empty_ledger(config: Config) -> None:
    """Undo a failed ``init``: drop the schema if it holds no fact (never a real ledger)."""
    from psycopg import sql as pgsql

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
