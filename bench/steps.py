"""One measurement, run in a fresh process of its own (``python -m bench.steps STEP ...``).

The orchestrator (``bench.run``) starts one process per step so that each step's peak memory
(RSS, read with ``wait4``) is its own. A step loads what it needs first, untimed, then times only
the work, and writes a small JSON result (seconds, how many events, anything else) to a file.

Ours: the real paths (``ledger.cli.main`` for import and verify, the service layer's
``check post`` in its parts, ``Ledger.facts`` and ``projections`` for the rebuild). Baselines:
raw ``sqlite3``/``psycopg`` on rows of the same shape, and the ``eventsourcing`` library's default
path (an ``Application`` with ``Aggregate`` events: dataclass events, the JSON transcoder).
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import msgspec

Result = dict[str, Any]
STEPS: dict[str, Callable[[dict[str, Any]], Result]] = {}


def step(fn: Callable[[dict[str, Any]], Result]) -> Callable[[dict[str, Any]], Result]:
    STEPS[fn.__name__] = fn
    return fn


def is_postgres(db: str) -> bool:
    return db.startswith(("postgres://", "postgresql://"))


def schema_of(url: str) -> str:
    return parse_qs(urlparse(url).query).get("schema", ["public"])[0]


def pg_connect(url: str) -> Any:
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        dbname=parts.path.lstrip("/"),
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        user=parts.username or "",
        password=parts.password or "",
        autocommit=True,
    )


# --- the facts --------------------------------------------------------------------------------


@step
def facts(a: dict[str, Any]) -> Result:
    """Write the demo generator's history of ``size`` facts as JSON Lines."""
    from ledger.demo import scale
    from ledger.profile import load

    profile = load(a["profile"])
    out = Path(a["out"])
    encoder = msgspec.json.Encoder()
    started = time.perf_counter()
    count = 0
    tmp = out.with_suffix(".tmp")
    with tmp.open("wb") as f:
        for event in scale(
            profile,
            setting=a["setting"],
            events=a["size"],
            seed=a["seed"],
            end=dt.date.fromisoformat(a["end"]),
        ):
            f.write(encoder.encode(event) + b"\n")
            count += 1
    tmp.replace(out)
    return {"seconds": time.perf_counter() - started, "events": count}


# --- ours -------------------------------------------------------------------------------------


@step
def cli(a: dict[str, Any]) -> Result:
    """``ledger ARGV`` in this process, timed around ``ledger.cli.main`` (startup excluded)."""
    from ledger.cli import main

    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        status = main(a["argv"])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "status": status, "stdout": out.getvalue()[-2000:]}


def _open(db: str) -> Any:
    from ledger.store import Config, open_ledger

    return open_ledger(Config.from_db(db))


@step
def rebuild(a: dict[str, Any]) -> Result:
    """Every register from the first fact, then every finding's episode."""
    from projections import registers as reg
    from projections.findings import all_episodes

    ledger = _open(a["db"])
    profile = ledger.profile
    started = time.perf_counter()
    registers = reg.rebuild(ledger.facts())  # as every projection reads them
    folded = time.perf_counter()
    episodes = all_episodes(registers, profile)
    done = time.perf_counter()
    ledger.close()
    return {
        "seconds": done - started,
        "fold_seconds": folded - started,
        "findings_seconds": done - folded,
        "events": registers.position,
        "episodes": len(episodes),
    }


@step
def post_args(a: dict[str, Any]) -> Result:
    """A realistic question for ``check post`` (as the demo suggests one): untimed set-up."""
    from ledger.service.reading import a_post_to_check
    from ledger.store import system_clock

    ledger = _open(a["db"])
    suggestion = a_post_to_check(ledger, system_clock().date())
    ledger.close()
    argv = (suggestion or "--channel closed-group --author S-0001 --depicts C-0001").split()
    return {"seconds": 0.0, "argv": argv}


@step
def check_post_inproc(a: dict[str, Any]) -> Result:
    """``check post`` in one process, in parts, each the service layer's own step (as
    ``reading.check_post`` runs them): opening, the registers, the decision itself."""
    from ledger.service.reading import PostQuestion, judge_post, post_registers
    from ledger.store import Config, open_ledger, system_clock

    argv: list[str] = a["argv"]
    opts = dict(zip(argv[::2], argv[1::2], strict=False))
    question = PostQuestion.of(
        opts["--channel"], opts["--author"], opts.get("--depicts", ""), opts.get("--device"), None
    )
    rounds = []
    for _ in range(a.get("repeat", 3)):
        t0 = time.perf_counter()
        ledger = open_ledger(Config.from_db(a["db"]))
        t1 = time.perf_counter()
        registers = post_registers(ledger, question)  # as the command reads them
        profile = ledger.profile
        t2 = time.perf_counter()
        answer = judge_post(registers, profile, question, system_clock)
        t3 = time.perf_counter()
        ledger.close()
        rounds.append({"open": t1 - t0, "registers": t2 - t1, "decision": t3 - t2})
    best = {k: min(r[k] for r in rounds) for k in rounds[0]}
    return {
        "seconds": sum(best.values()),
        **{f"{k}_seconds": v for k, v in best.items()},
        "answer": "yes" if answer.ok else "no",
        "events": registers.position,
    }


# --- raw baselines ----------------------------------------------------------------------------


def _stream_sqlite(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT originator_id FROM stored_events ORDER BY rowid LIMIT 1").fetchone()
    return str(row[0])


def _stream_pg(conn: Any, schema: str) -> Any:
    row = conn.execute(
        f'SELECT originator_id FROM "{schema}".ledger_events ORDER BY notification_id LIMIT 1'
    ).fetchone()
    return row[0]


def _select_states(db: str) -> Iterator[bytes]:
    """``SELECT state`` of the setting's facts, in order: raw, nothing else."""
    if is_postgres(db):
        schema = schema_of(db)
        with contextlib.closing(pg_connect(db)) as conn:
            stream = _stream_pg(conn, schema)
            cur = conn.cursor(binary=True)
            cur.execute(
                f'SELECT state FROM "{schema}".ledger_events WHERE originator_id = %s'
                " ORDER BY originator_version",
                (stream,),
            )
            for (state,) in cur:
                yield state
        return
    with contextlib.closing(sqlite3.connect(db)) as conn:
        stream = _stream_sqlite(conn)
        for (state,) in conn.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? ORDER BY originator_version",
            (stream,),
        ):
            yield state


@step
def raw_decode(a: dict[str, Any]) -> Result:
    """Raw ``SELECT state`` plus one msgspec decode per row (into the ledger's own envelope)."""
    from ledger.mapper import Envelope

    decode = msgspec.msgpack.Decoder(Envelope).decode
    started = time.perf_counter()
    rows = 0
    for state in _select_states(a["db"]):
        decode(state)
        rows += 1
    typed = time.perf_counter() - started
    # The same with an untyped decode (dicts and lists), for the record.
    started = time.perf_counter()
    for state in _select_states(a["db"]):
        msgspec.msgpack.decode(state)
    untyped = time.perf_counter() - started
    return {"seconds": typed, "events": rows, "untyped_seconds": untyped}


@step
def raw_hash(a: dict[str, Any]) -> Result:
    """Raw ``SELECT state`` plus one SHA-256 per row."""
    sha256 = hashlib.sha256
    started = time.perf_counter()
    rows = 0
    for state in _select_states(a["db"]):
        sha256(state).digest()
        rows += 1
    return {"seconds": time.perf_counter() - started, "events": rows}


@step
def raw_export(a: dict[str, Any]) -> Result:
    """The export's raw baseline: ``SELECT state`` of the facts, written to a file as one JSON
    line each (the row's bytes in base64), nothing else."""
    import base64

    encode = msgspec.json.Encoder().encode
    started = time.perf_counter()
    rows = 0
    with open(a["out"], "wb") as out:
        for state in _select_states(a["db"]):
            out.write(encode({"state": base64.b64encode(state).decode()}))
            out.write(b"\n")
            rows += 1
    return {"seconds": time.perf_counter() - started, "events": rows}


@step
def raw_replay(a: dict[str, Any]) -> Result:
    """Replay's raw baseline: the export file read a line at a time, each line decoded from
    JSON (untyped) and hashed with SHA-256, nothing else."""
    decode = msgspec.json.decode
    sha256 = hashlib.sha256
    started = time.perf_counter()
    lines = 0
    with open(a["file"], "rb") as trail:
        for line in trail:
            decode(line)
            sha256(line).digest()
            lines += 1
    return {"seconds": time.perf_counter() - started, "lines": lines}


@step
def raw_sqlite_insert(a: dict[str, Any]) -> Result:
    """The rows our import stored, ``executemany``'d into a table of the same shape, in one
    transaction (the library's pragmas: WAL journal)."""
    with contextlib.closing(sqlite3.connect(a["source"])) as src:
        stream = _stream_sqlite(src)
        rows = src.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events"
            " WHERE originator_id = ? AND originator_version > 1 ORDER BY originator_version",
            (stream,),
        ).fetchall()
    target = Path(a["target"])
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER,"
        " topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    return {"seconds": time.perf_counter() - started, "events": len(rows)}


@step
def raw_pg_insert(a: dict[str, Any]) -> Result:
    """The rows our import stored on PostgreSQL, ``executemany``'d into a table of the library's
    shape (its DDL, less the autovacuum settings) in a schema of their own, in one transaction;
    and the same by ``COPY``."""
    source = a["source"]
    schema = schema_of(source)
    target = a["target_schema"]
    with contextlib.closing(pg_connect(source)) as conn:
        stream = _stream_pg(conn, schema)
        rows = (
            conn.cursor(binary=True)
            .execute(
                f'SELECT originator_id, originator_version, topic, state FROM "{schema}".'
                "ledger_events WHERE originator_id = %s AND originator_version > 1"
                " ORDER BY originator_version",
                (stream,),
            )
            .fetchall()
        )
        conn.execute(f'DROP SCHEMA IF EXISTS "{target}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{target}"')
    ddl = (
        " (originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text,"
        " state bytea, notification_id bigserial,"
        " PRIMARY KEY (originator_id, originator_version))"
    )
    columns = "(originator_id, originator_version, topic, state)"
    started = time.perf_counter()
    with contextlib.closing(pg_connect(source)) as conn:
        conn.execute(f'CREATE TABLE "{target}".stored_events' + ddl)
        conn.execute(f'CREATE UNIQUE INDEX ON "{target}".stored_events (notification_id ASC)')
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(
                f'INSERT INTO "{target}".stored_events {columns} VALUES (%s, %s, %s, %s)', rows
            )
    executemany = time.perf_counter() - started
    # The same rows by COPY (PostgreSQL's bulk path), into a second table of the same shape.
    started = time.perf_counter()
    with contextlib.closing(pg_connect(source)) as conn:
        conn.execute(f'CREATE TABLE "{target}".copied' + ddl)
        conn.execute(f'CREATE UNIQUE INDEX ON "{target}".copied (notification_id ASC)')
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy(f'COPY "{target}".copied {columns} FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
    copied = time.perf_counter() - started
    return {"seconds": executemany, "copy_seconds": copied, "events": len(rows)}


# --- the library's default path ---------------------------------------------------------------


@step
def library_default(a: dict[str, Any]) -> Result:
    """The ``eventsourcing`` library's default path: an ``Application`` saving one ``Aggregate``
    whose ``@event`` method records each fact (a dataclass event, the JSON transcoder, the
    library's default recorder). The facts are parsed from the same JSON Lines files (msgspec,
    into dicts); each file is saved in one transaction, as ``ledger import`` does."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Setting(Aggregate):
        def __init__(self, name: str) -> None:
            self.name = name
            self.facts = 0

        @event("FactRecorded")
        def record(self, fact: dict[str, Any]) -> None:
            self.facts += 1

    class Facts(Application[Any]):
        pass

    db: str = a["db"]
    if is_postgres(db):
        parts = urlparse(db)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/"),
            "POSTGRES_HOST": parts.hostname or "localhost",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": parts.username or "",
            "POSTGRES_PASSWORD": parts.password or "",
            "POSTGRES_SCHEMA": schema_of(db),
        }
        with contextlib.closing(pg_connect(db)) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema_of(db)}" CASCADE')
            conn.execute(f'CREATE SCHEMA "{schema_of(db)}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db}
    decoder = msgspec.json.Decoder()
    started = time.perf_counter()
    app = Facts(env=env)
    setting: Setting | None = None
    count = 0
    for name in a["files"]:
        if setting is None:
            setting = Setting(name="Bench")
        for line in Path(name).read_bytes().splitlines():
            if line.strip():
                setting.record(decoder.decode(line))
                count += 1
        app.save(setting)
    seconds = time.perf_counter() - started
    app.close()
    return {"seconds": seconds, "events": count}


# --- the child's entry point ------------------------------------------------------------------


def main(argv: list[str]) -> int:
    name, result_file, args_json = argv[:3]
    profile_to = argv[3] if len(argv) > 3 else ""
    args = json.loads(args_json)
    if profile_to:
        profiler = cProfile.Profile()
        profiler.enable()
    result = STEPS[name](args)
    if profile_to:
        profiler.disable()
        profiler.dump_stats(profile_to)
    Path(result_file).write_text(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # no teardown: nothing of ours runs after the result is written


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
