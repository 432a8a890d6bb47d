"""Fault tests: what the ledger does when the world around it misbehaves.

- **Crash safety.** ``ledger import`` of a sizeable file (about 20,000 facts) runs as a real
  process and is killed with SIGKILL at points spread over its whole run: at once, while Python
  starts, while it reads and decides, while it commits the per-person keys, inside the write
  (SQLite: as the write-ahead log fills; PostgreSQL: during the INSERT and between it and the
  COMMIT), and after the commit. Each time the ledger holds all of the import or none of it,
  ``verify`` passes, and the same import then succeeds (or, if it was all recorded, is refused as
  a duplicate and the ledger holds exactly one copy).
- **Concurrent writers.** Four processes record at once (single-fact commands and small imports,
  each with its own references): nothing is lost or duplicated, every write a process was told
  was recorded is at the position it was told, positions and checkpoints count up with no gap or
  fork, ``verify`` passes and the export replays. A write may be refused only with the ledger's
  clear "busy" message.
- **Hostile input.** Hypothesis feeds the importer hostile JSON Lines and CSV files and every
  command and subcommand of ``build_parser()`` hostile arguments: the answer is always an exit
  status with a message (2 for a refusal; 1 only from the commands that can answer "no"), never a
  traceback or the "unexpected error" status 70, and a refused command leaves every file as it
  was; a ledger that ``init`` made works. The number of examples follows the hypothesis profile;
  the deep profile (``HYPOTHESIS_PROFILE=deep``) feeds at least 10,000 lines. The inputs the fuzz
  found mishandled are also kept as small fixed cases (``test_known_hostile_inputs``).

The PostgreSQL variants need ``LEDGER_TEST_POSTGRES`` (a base URL); each ledger gets a fresh
schema ``t_<uuid hex>``, dropped afterwards. Without the variable they are skipped, except when
``CI=true``, where that is a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import functools
import hashlib
import io
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import Phase, given, settings

import ledger.cli as cli
from ledger import events as ev
from ledger import recording
from ledger.cli import build_parser, main
from ledger.demo import generate, scale
from ledger.importer import BadInput, decode_object
from ledger.integrity import Signer, decode_record
from ledger.profile import load as load_profile
from ledger.store import Config, Ledger, create_postgres_schema, open_ledger
from tests.conftest import drop_schema, postgres_base, with_schema

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2027, 6, 30, 12, 0, tzinfo=dt.UTC)
PROFILE = "south-woodham-preschool"
# Examples per hypothesis test: 25 in the default profile, 400 in the deep one.
EXAMPLES: int = settings.default.max_examples  # type: ignore[union-attr]
DEEP = EXAMPLES >= 400

# --- PostgreSQL ---------------------------------------------------------------------------------


class Store:
    """Where a test's ledgers live: files in a folder (SQLite) or fresh schemas (PostgreSQL)."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.folder = folder
        self.schemas: list[str] = []

    @functools.cached_property
    def base(self) -> str:
        """The server's base URL (asked for in the test itself: a skip, or in CI a failure)."""
        return postgres_base()

    def new_db(self, name: str) -> str:
        if self.kind == "sqlite":
            (self.folder / name).mkdir()
            return str(self.folder / name / "ledger.db")
        base, schema = self.base, f"t_{uuid.uuid4().hex}"
        self.schemas.append(schema)
        return with_schema(base, schema)

    def key_path(self, db: str) -> Path:
        """The signing key: beside a SQLite file; for PostgreSQL, in the test's folder."""
        if self.kind == "sqlite":
            return Path(db + ".key")
        schema = db.rsplit("schema=", 1)[1]
        return self.folder / f"{schema}.key"

    def env(self, db: str) -> dict[str, str]:
        """The environment a ``ledger`` process needs for this ledger."""
        out = {
            k: v
            for k, v in os.environ.items()
            if k not in ("LEDGER_KEY", "LEDGER_DB", "LEDGER_DEBUG", "HYPOTHESIS_PROFILE")
        }
        out["PYTHONPATH"] = os.pathsep.join(
            p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p
        )
        out["LEDGER_NOW"] = NOW.isoformat()
        if self.kind == "postgres":
            out["LEDGER_KEY"] = str(self.key_path(db))
        return out

    def drop(self, db: str) -> None:
        if self.kind == "sqlite":
            shutil.rmtree(Path(db).parent, ignore_errors=True)
        else:
            schema = db.rsplit("schema=", 1)[1]
            drop_schema(self.base, schema)
            self.schemas.remove(schema)

    def close(self) -> None:
        for schema in list(self.schemas):
            drop_schema(self.base, schema)
        self.schemas.clear()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = Store(request.param, tmp_path)
    try:
        yield s
    finally:
        s.close()


@contextlib.contextmanager
def environment(**values: str | None) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def store_env(store: Store, db: str) -> Iterator[None]:
    """LEDGER_NOW pinned, LEDGER_KEY where the store keeps the key, no debugging."""
    key = str(store.key_path(db)) if store.kind == "postgres" else None
    with environment(LEDGER_NOW=NOW.isoformat(), LEDGER_KEY=key, LEDGER_DEBUG=None, LEDGER_DB=None):
        yield


# --- running the command in this process ------------------------------------------------------


@contextlib.contextmanager
def closing_opened_ledgers() -> Iterator[None]:
    """Close the ledgers a ``main()`` call opened (a process would end; this one goes on, and a
    PostgreSQL ledger holds a pool of connections)."""
    opened: list[Ledger] = []
    patched: Any = cli
    real_open, real_ledger = patched.open_ledger, patched.Ledger

    def tracking_open(config: Config) -> Ledger:
        ledger: Ledger = real_open(config)
        opened.append(ledger)
        return ledger

    def tracking_ledger(config: Config, **kw: Any) -> Ledger:
        ledger: Ledger = real_ledger(config, **kw)
        opened.append(ledger)
        return ledger

    patched.open_ledger = tracking_open
    patched.Ledger = tracking_ledger
    try:
        yield
    finally:
        patched.open_ledger = real_open
        patched.Ledger = real_ledger
        for ledger in opened:
            with contextlib.suppress(Exception):
                ledger.close()


def run(*argv: str, stdin: bytes = b"") -> tuple[int, str]:
    """Run ``ledger`` in this process as a process would: standard output encodes strictly as
    UTF-8, standard error with backslash escapes; ``--help`` exits through SystemExit."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(
        err_bytes, encoding="utf-8", errors="backslashreplace", write_through=True
    )
    old_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with (
            closing_opened_ledgers(),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                status = main(list(argv))
            except SystemExit as exit_:
                code = exit_.code
                status = code if isinstance(code, int) else (0 if code is None else 2)
            out.flush()
            err.flush()
    finally:
        sys.stdin = old_stdin
    text = out_bytes.getvalue().decode("utf-8", "replace")
    return status, text + err_bytes.getvalue().decode("utf-8", "replace")


def new_ledger(db: str, key_path: Path, facts: Sequence[ev.Event]) -> None:
    """A ledger holding SettingRegistered and then ``facts``, made through the product's API."""
    config = Config(db=db, key_path=key_path)
    if config.is_postgres:
        create_postgres_schema(config)
    ledger = Ledger(config, create=True)
    try:
        signer = Signer.generate("policy-ledger")
        ledger.create("Fault Test Setting", PROFILE, signer, lambda: NOW)
        signer.save(key_path)
        if facts:
            ledger.record(list(facts), signer, lambda: NOW)
    finally:
        ledger.close()


@contextlib.contextmanager
def opened(db: str, key_path: Path) -> Iterator[Ledger]:
    ledger = open_ledger(Config(db=db, key_path=key_path))
    try:
        yield ledger
    finally:
        ledger.close()


def checkpoint_records(ledger: Ledger) -> list[Any]:
    return [decode_record(row.state) for row in ledger.checkpoints()]


def assert_tree_has_no_gap_or_fork(ledger: Ledger) -> tuple[int, int]:
    """Positions 1..N with no gap; checkpoints numbered 1..M, each covering the facts right after
    the one before it, the last covering N. Returns (N, M)."""
    positions = [row.originator_version for row in ledger.stored()]
    assert positions == list(range(1, len(positions) + 1)), "the positions have a gap"
    rows = list(ledger.checkpoints())
    records = [decode_record(row.state) for row in rows]
    assert [r.sequence for r in records] == list(range(1, len(records) + 1))
    assert [row.originator_version for row in rows] == [r.sequence for r in records]
    covered = 0
    for record in records:
        assert record.first == covered + 1, f"checkpoint {record.sequence} leaves a gap or forks"
        assert record.size > covered
        covered = record.size
    assert covered == len(positions), "the last checkpoint does not cover the head"
    return len(positions), len(records)


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (a SQLite shared-memory index is not data), by digest."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.endswith("-shm"):
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).digest()
    return out


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


# =============================================================================================
# Crash safety
# =============================================================================================

KILLS = {"sqlite": 50 if DEEP else 20, "postgres": 12 if DEEP else 5}
PREFIX = 300  # facts the ledger holds before the import
IMPORT_SIZE = 20_000


@functools.cache
def crash_history() -> tuple[tuple[ev.Event, ...], tuple[ev.Event, ...]]:
    """A large setting's history: the facts recorded first, and the facts of the import."""
    facts = list(
        scale(
            load_profile(PROFILE),
            setting="x",
            events=PREFIX + IMPORT_SIZE + 500,
            end=dt.date(2027, 6, 1),
        )
    )
    assert len(facts) >= PREFIX + IMPORT_SIZE
    return tuple(facts[:PREFIX]), tuple(facts[PREFIX : PREFIX + IMPORT_SIZE])


class Trial(msgspec.Struct):
    trigger: str
    at: float | None = None  # seconds after the process started when it was killed
    killed: bool = False
    outcome: str = ""  # "none" or "all"
    again: int | None = None  # the re-run's exit status


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return -1


def _kill_when(proc: subprocess.Popen[bytes], fire: Callable[[float], bool]) -> float | None:
    """Send SIGKILL as soon as ``fire(elapsed)`` says so (polled every half millisecond)."""
    start = time.monotonic()
    while proc.poll() is None:
        elapsed = time.monotonic() - start
        if fire(elapsed):
            proc.send_signal(signal.SIGKILL)
            return elapsed
        time.sleep(0.0005)
    return None


Trigger = Callable[[str], Callable[[float], bool]]  # a ledger -> "kill now?" (elapsed seconds)


def _pg_writing(conn: Any, schema: str) -> set[tuple[str, bool]]:
    """(state, has written) of each session running an insert into the schema's tables, by
    ``INSERT`` or by the library's insert function (whichever the ledger is configured to use)."""
    rows = conn.execute(
        "SELECT state, backend_xid IS NOT NULL FROM pg_stat_activity"
        " WHERE pid <> pg_backend_pid() AND query ILIKE %s AND query ILIKE '%%insert%%'",
        (f'%"{schema}"%',),
    ).fetchall()
    return {(row[0], row[1]) for row in rows}


def _triggers(
    rng: random.Random, kind: str, wanted: int, duration: float, max_wal: int, conn: Any = None
) -> list[tuple[str, Trigger]]:
    """Kill points spread over the whole run: times (stratified, the first at once), and the
    moments of the write itself. SQLite: the key store's commit, the write-ahead log filling
    (the facts' transaction, before its commit frame) and the database file growing (the
    checkpoint after the commit). PostgreSQL: while the facts' INSERT runs, once it has written
    rows (its transaction has an id) but before the COMMIT, and right after the COMMIT."""

    def at(seconds: float) -> Trigger:
        return lambda db: lambda elapsed: elapsed >= seconds

    by_write: list[tuple[str, Trigger]] = []
    if kind == "sqlite":
        by_write.append(
            ("key store commit", lambda db: lambda _: os.path.exists(db + ".keys-journal"))
        )
        wal_kills = max(4, wanted // 4)
        for i in range(wal_kills):
            threshold = max(1, int(max_wal * (i + rng.random()) / wal_kills))

            def wal(db: str, threshold: int = threshold) -> Callable[[float], bool]:
                return lambda _: _size(db + "-wal") >= threshold

            by_write.append((f"write-ahead log at {threshold:,} bytes", wal))

        def grown(db: str) -> Callable[[float], bool]:
            initial = _size(db)
            return lambda _: _size(db) > initial

        by_write.append(("database file grows (after commit)", grown))
    else:

        def inserting(delay: float) -> Trigger:
            def make(db: str) -> Callable[[float], bool]:
                schema = db.rsplit("schema=", 1)[1]
                seen: list[float] = []

                def fire(elapsed: float) -> bool:
                    if not seen and any(s == "active" for s, _ in _pg_writing(conn, schema)):
                        seen.append(elapsed)
                    return bool(seen) and elapsed >= seen[0] + delay

                return fire

            return make

        def rows_written(db: str) -> Callable[[float], bool]:
            schema = db.rsplit("schema=", 1)[1]
            return lambda _: any(wrote for _, wrote in _pg_writing(conn, schema))

        def committed(db: str) -> Callable[[float], bool]:
            from psycopg import sql

            count = sql.SQL("SELECT count(*) FROM {}.ledger_events").format(
                sql.Identifier(db.rsplit("schema=", 1)[1])
            )
            before = conn.execute(count).fetchone()[0]
            return lambda _: conn.execute(count).fetchone()[0] > before

        rounds = max(1, wanted // 5)
        for _ in range(rounds):
            delay = rng.uniform(0.0, 0.25)
            by_write.append((f"facts' INSERT running (+{delay:.3f}s)", inserting(delay)))
        by_write += [
            ("INSERT has written rows, before COMMIT", rows_written),
            ("right after COMMIT", committed),
        ][: max(1, wanted - rounds - 2)]
    timed = max(2, wanted - len(by_write))
    timed_kills = []
    for i in range(timed):
        seconds = 0.0 if i == 0 else duration * (i + rng.random()) / timed
        timed_kills.append((f"{seconds:.3f}s", at(seconds)))
    return timed_kills + by_write


def _crash_outcome(
    store: Store,
    db: str,
    old_head: int,
    old_checkpoints: int,
    file: Path,
    imported: Sequence[ev.Event],
) -> tuple[str, int]:
    """Check the ledger after a kill; re-run the import; return (outcome, the re-run's status)."""
    n = len(imported)
    with opened(db, store.key_path(db)) as ledger:
        head = ledger.head()
        checkpoints = len(list(ledger.checkpoints()))
    assert head in (old_head, old_head + n), f"a partial import: head {head}, was {old_head}"
    outcome = "none" if head == old_head else "all"
    assert checkpoints == old_checkpoints + (outcome == "all"), "checkpoint without its facts"
    status, text = run("--db", db, "verify")
    assert status == 0, f"verify after the kill ({outcome}): {text}"
    status, text = run("--db", db, "import", str(file))
    assert "Traceback" not in text
    if outcome == "none":
        assert status == 0, f"the same import after a kill that recorded nothing: {text}"
    else:
        assert status == 2, f"re-importing what was recorded must be refused: {text}"
        assert "refused" in text and "already" in text, text
    with opened(db, store.key_path(db)) as ledger:
        assert ledger.head() == old_head + n
        assert_tree_has_no_gap_or_fork(ledger)
        held = [ev.to_json(r.event) for r in ledger.read(old_head)]  # names opened
    assert held == [ev.to_json(event) for event in imported], "the ledger holds other facts"
    return outcome, status


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sigkill_during_import_leaves_all_or_nothing(kind: str, tmp_path: Path) -> None:
    store = Store(kind, tmp_path)
    if kind == "postgres":
        _ = store.base  # without a server: a skip, or in CI a failure
    prefix, imported = crash_history()
    file = tmp_path / "import.jsonl"
    file.write_bytes(b"".join(ev.to_json(e) + b"\n" for e in imported))
    old_head = 1 + len(prefix)
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    trials: list[Trial] = []
    probe: Any = None  # PostgreSQL: a connection that watches what the importer's session does
    try:
        if kind == "postgres":
            import psycopg

            probe = psycopg.connect(store.base, autocommit=True, connect_timeout=10)
        # A pristine ledger to copy (SQLite); PostgreSQL makes a fresh schema per run.
        template = store.new_db("template") if kind == "sqlite" else ""
        if template:
            new_ledger(template, store.key_path(template), prefix)

        def fresh(i: int) -> str:
            if kind == "sqlite":
                folder = tmp_path / f"trial-{i}"
                shutil.copytree(Path(template).parent, folder)
                return str(folder / "ledger.db")
            db = store.new_db(f"trial-{i}")
            new_ledger(db, store.key_path(db), prefix)
            return db

        def start(db: str) -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "ledger.cli", "--db", db, "import", str(file)],
                env=store.env(db),
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )

        def done(db: str) -> None:
            if kind == "sqlite":
                shutil.rmtree(Path(db).parent)
            else:
                store.drop(db)

        # An uninterrupted run first: how long it takes, and how large the log grows.
        db = fresh(0)
        proc = start(db)
        began, max_wal = time.monotonic(), 0
        while proc.poll() is None:
            max_wal = max(max_wal, _size(db + "-wal"))
            time.sleep(0.0005)
        duration = time.monotonic() - began
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
        with opened(db, store.key_path(db)) as ledger:
            assert ledger.head() == old_head + len(imported)
        done(db)

        plan = _triggers(rng, kind, KILLS[kind], duration, max_wal, probe)
        number = 0
        while plan or sum(t.killed for t in trials) < KILLS[kind]:
            assert number < 3 * KILLS[kind] + 10, f"could not land {KILLS[kind]} kills"
            if plan:
                name, trigger = plan.pop(0)
            else:  # a kill that came too late: another, anywhere in the run
                seconds = duration * rng.uniform(0.05, 0.95)
                name = f"{seconds:.3f}s"

                def trigger(db: str, s: float = seconds) -> Callable[[float], bool]:
                    return lambda elapsed: elapsed >= s

            number += 1
            db = fresh(number)
            fire = trigger(db)
            proc = start(db)
            at = _kill_when(proc, fire)
            proc.wait()
            stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
            trial = Trial(trigger=name, at=at, killed=proc.returncode == -signal.SIGKILL)
            context = f"seed {seed}, trial {number} (kill at {name})"
            if not trial.killed:
                assert proc.returncode == 0, f"{context}: {stderr}"
                assert "Traceback" not in stderr
            try:
                with store_env(store, db):
                    trial.outcome, trial.again = _crash_outcome(
                        store, db, old_head, 1 + bool(prefix), file, imported
                    )
            except AssertionError as exc:
                raise AssertionError(f"{context}: {exc}") from exc
            trials.append(trial)
            done(db)
    finally:
        if probe is not None:
            probe.close()
        store.close()
    kills = [t for t in trials if t.killed]
    outcomes = Counter(t.outcome for t in kills)
    print(
        f"\n{kind}: {len(imported):,} facts, uninterrupted {duration:.2f}s; {len(trials)} runs,"
        f" {len(kills)} killed (outcomes {dict(outcomes)}), {len(trials) - len(kills)} finished"
        " first:\n  "
        + "\n  ".join(
            f"{t.trigger}: "
            + (f"killed at {t.at:.3f}s, {t.outcome}" if t.killed else "finished first")
            for t in trials
        )
    )
    assert len(kills) >= KILLS[kind]
    assert outcomes["none"] >= 1, "no kill landed before the commit"
    if kind == "sqlite":
        # The log-triggered kills land inside the facts' transaction; the last ones after it.
        assert any(t.killed and "write-ahead" in t.trigger for t in trials)
    else:
        assert any(t.killed and "INSERT" in t.trigger for t in trials)
    assert outcomes["all"] >= 1, "no kill landed after the commit"


# =============================================================================================
# Concurrent writers
# =============================================================================================

WRITERS = 4
WRITES = 150 if DEEP else 50

WORKER = r'''
"""One writer: WRITES writes, one fact per command or a small import, through ledger.cli.main."""
import contextlib, io, json, sys, time
from pathlib import Path

import ledger.cli as cli

db, k, writes, go, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
opened = []
real_open = cli.open_ledger


def tracking(config):
    ledger = real_open(config)
    opened.append(ledger)
    return ledger


cli.open_ledger = tracking  # close each command's ledger, as its process would end

import ledger.store as store  # count the write attempts: a conflict makes another

attempts = []
real_append = store.Ledger._insert


def counting_append(self, *args, **kwargs):
    try:
        return real_append(self, *args, **kwargs)
    finally:
        attempts.append(1)


store.Ledger._insert = counting_append

plan = []
for i in range(writes):
    child, guardian = f"C-{k}{i:03d}", f"G-{k}{i:03d}"
    if i % 5 == 4:
        lines = [
            {"type": "ChildEnrolled", "on": "2026-01-05", "child": child, "name": f"Kid {k} {i}"},
            {"type": "GuardianLinked", "on": "2026-01-05", "guardian": guardian,
             "name": f"Carer {k} {i}", "child": child},
            {"type": "ConsentGranted", "on": "2026-01-06", "child": child, "guardian": guardian,
             "channel": "closed-group", "evidence": f"F-{k}{i}", "method": "paper"},
        ]
        file = Path(out).with_name(f"writer-{k}-{i}.jsonl")
        file.write_text("".join(json.dumps(line) + "\n" for line in lines))
        argv = ["--db", db, "import", str(file)]
        facts = [["ChildEnrolled", child], ["GuardianLinked", guardian], ["ConsentGranted", child]]
    else:
        argv = ["--db", db, "child", "enrol", "--child", child, "--name", f"Kid {k} {i}",
                "--on", "2026-01-05"]
        facts = [["ChildEnrolled", child]]
    plan.append((argv, facts))

Path(out).with_suffix(".ready").touch()  # imported and planned: ready to start together
while not Path(go).exists():
    time.sleep(0.001)
results = []
for argv, facts in plan:
    text = io.StringIO()
    attempts.clear()
    with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):
        status = cli.main(argv)
    while opened:
        opened.pop().close()
    results.append(
        {"status": status, "output": text.getvalue(), "facts": facts, "attempts": len(attempts)}
    )
Path(out).write_text(json.dumps(results))
'''

_POSITION = re.compile(r"at position (\d+)\.")
_POSITIONS = re.compile(r"positions (\d+)\u2013(\d+)\)")


def test_concurrent_writers_lose_and_duplicate_nothing(store: Store, tmp_path: Path) -> None:
    db = store.new_db("concurrent")
    new_ledger(db, store.key_path(db), [])
    worker = tmp_path / "worker.py"
    worker.write_text(WORKER)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(worker),
                db,
                str(k),
                str(WRITES),
                str(go),
                str(tmp_path / f"results-{k}.json"),
            ],
            env=store.env(db),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for k in range(1, WRITERS + 1)
    ]
    ready = [tmp_path / f"results-{k}.ready" for k in range(1, WRITERS + 1)]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready):  # all imported and waiting at the line
        assert time.monotonic() < deadline, "the writers did not start"
        assert all(p.poll() is None for p in procs), "a writer ended before the start"
        time.sleep(0.01)
    go.touch()
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, out.decode(errors="replace")

    recorded: dict[tuple[str, str], int] = {}  # fact -> the position its writer was told
    refused: list[tuple[str, str]] = []
    owners: dict[int, int] = {}  # position -> writer
    writes = refusals = retried = 0
    unclear: list[str] = []  # refusals other than "busy, try again"
    for k in range(1, WRITERS + 1):
        results = json.loads((tmp_path / f"results-{k}.json").read_text())
        assert len(results) == WRITES
        last = 0
        for result in results:
            writes += 1
            retried += max(0, result["attempts"] - 1)
            status, text = result["status"], result["output"]
            facts = [tuple(f) for f in result["facts"]]
            assert "Traceback" not in text
            if status == 2:
                # The only acceptable refusal of these facts: the ledger stayed busy.
                refusals += 1
                if not ("busy" in text and "try again" in text):
                    unclear.append(f"writer {k}: {text.strip()}")
                refused += facts
                continue
            assert status == 0, f"writer {k}: status {status}: {text}"
            single, many = _POSITION.search(text), _POSITIONS.search(text)
            if single:
                first = final = int(single.group(1))
            else:
                assert many, text
                first, final = int(many.group(1)), int(many.group(2))
            assert final - first + 1 == len(facts)
            assert first > last, f"writer {k}: its writes were recorded out of order"
            last = final
            for offset, fact in enumerate(facts):
                recorded[fact] = first + offset
                owners[first + offset] = k

    with opened(db, store.key_path(db)) as ledger:
        size, checkpoints = assert_tree_has_no_gap_or_fork(ledger)
        held: Counter[tuple[str, str]] = Counter()
        where: dict[tuple[str, str], int] = {}
        for stored in ledger.stored():
            type_name, subject = stored.topic.split(":", 1)
            held[(type_name, subject)] += 1
            where[(type_name, subject)] = stored.originator_version
    assert size == 1 + len(recorded), "facts were lost or added"
    assert checkpoints == 1 + (writes - refusals), "not one checkpoint per write"
    for fact, position in recorded.items():
        assert held[fact] == 1, f"{fact} is held {held[fact]} times"
        assert where[fact] == position, f"{fact} is not where its writer was told"
    for fact in refused:
        assert held[fact] == 0, f"{fact} was refused but recorded"
    # The writers really ran at once: their writes interleave.
    sequence = [owners[p] for p in sorted(owners)]
    switches = sum(1 for a, b in itertools.pairwise(sequence) if a != b)
    assert switches >= 2 * WRITERS, f"the writers hardly overlapped ({switches} switches)"

    with store_env(store, db):
        status, text = run("--db", db, "verify")
        assert status == 0, text
        status, exported = run("--db", db, "export")
        assert status == 0
        trail = tmp_path / "trail.jsonl"
        trail.write_text(exported)
        vkey = Signer.load(store.key_path(db)).verifier_key()
        status, text = run("replay", str(trail), "--json", "--key", vkey)
        assert status == 0, text
        assert json.loads(text)["head"]["size"] == size
    print(
        f"\n{store.kind}: {WRITERS} writers x {WRITES} writes: {writes - refusals} recorded"
        f" ({len(recorded)} facts), {refusals} refused ({len(unclear)} not as busy);"
        f" {retried} write attempts retried after a conflict; {switches} switches of writer"
    )
    # A conflict with another writer is retried; if it cannot be, the refusal says the ledger is
    # busy. It must not send the user to `ledger verify` as if the ledger had been tampered with.
    assert not unclear, f"{len(unclear)} of {writes} writes refused unclearly, e.g. {unclear[:3]}"


# =============================================================================================
# Hostile input
# =============================================================================================

LINES_PER_EXAMPLE = 25
# No shrinking: each assertion already names the one command or line that failed, and shrinking
# a batch of 25 lines (26 commands an example) takes minutes.
FUZZ = settings(max_examples=EXAMPLES, phases=(Phase.explicit, Phase.reuse, Phase.generate))
COUNTS: Counter[str] = Counter()

# One valid object for every event type, from the recording commands' own examples.
_OVERRIDES = getattr(recording, "_OVERRIDES", {})


def _sample(event: type[ev.Event]) -> dict[str, object]:
    obj: dict[str, object] = {"type": event.__name__, "on": "2026-03-02"}
    for field in recording.fields(event):
        value = _OVERRIDES.get(
            (event, field.encode_name), recording.EXAMPLES.get(field.encode_name)
        )
        if value is None:
            continue
        value = value.strip('"')
        if recording.is_list(event, field):
            obj[field.encode_name] = value.split(",")
        elif recording.is_int(event, field):
            obj[field.encode_name] = int(value)
        else:
            obj[field.encode_name] = value
    return obj


SAMPLES: list[dict[str, object]] = [_sample(c.event) for c in recording.COMMANDS] + [
    {"type": "SettingRegistered", "on": "2026-03-02", "name": "X", "profile": PROFILE},
    {"type": "SubjectForgotten", "on": "2026-03-02", "subject": "C-0001"},
]
for _obj in SAMPLES:
    with contextlib.suppress(BadInput):
        decode_object(_obj, 1)

_controls = "".join(chr(c) for c in range(32)) + "\x7f\x85\u2028\u2029\ufeff\u200b\u202e"
huge_text = st.integers(1_000, 300_000).map(lambda n: "\u00e9x" * (n // 2))
short_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=_controls, min_size=1, max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "C-0001",
            "C-",
            "C-0001 ",
            "c-0001",
            "C-\u0661\u0662",
            "C-9999999999",
            "G-0001",
            "S-0001",
            "P-0001",
            "K-0001",
            "D-0001",
            "T-01",
            "2026-03-02",
            "2026-02-30",
            "2026-3-2",
            "02/03/2026",
            "31/02/2026",
            "9999-12-31",
            "0001-01-01",
            "+2026-03-02",
            "2026-03-02T10:00",
            "2031-01-01",
            "closed-group",
            "personal-account",
            "paper",
            "manager",
            "\ud800",
            "\udcff",
            "Zo\u00eb \u0645\u0631\u064a\u0645 \U0001f600",
            '=HYPERLINK("http://x")',
            "'; DROP TABLE stored_events; --",
            "NaN",
            "null",
            "[]",
            "{}",
        ]
    ),
)
# Mostly short; now and then a huge one (a name or a free-text field of 1,000 to 300,000).
hostile_text = st.one_of(short_text, short_text, short_text, short_text, short_text, huge_text)
hostile_number = st.one_of(
    st.integers(),
    st.integers(-(2**200), 2**200),
    st.sampled_from([0, -1, 1989, 2201, 2**63, -(2**63) - 1, 2**64]),
    st.floats(allow_nan=True, allow_infinity=True),
)
hostile_scalar = st.one_of(st.none(), st.booleans(), hostile_number, hostile_text)
hostile_value = st.recursive(
    hostile_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short_text, inner, max_size=4),
    max_leaves=8,
)


def _dumps(value: object) -> bytes:
    """JSON, with NaN and Infinity written as the literals some writers produce."""
    return json.dumps(value, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _nested(depth: int, inner: bytes = b"1") -> bytes:
    return b'{"a":' * depth + inner + b"}" * depth


@st.composite
def event_with_hostile_fields(draw: st.DrawFn) -> bytes:
    """A real event type with fields replaced, removed, duplicated or added."""
    obj = dict(draw(st.sampled_from(SAMPLES)))
    fields = sorted(obj)
    for field in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)):
        action = draw(st.integers(0, 5))
        if action == 0:
            del obj[field]
        elif action == 1:
            obj[field] = draw(hostile_text)
        else:
            obj[field] = draw(hostile_value)
    if draw(st.integers(0, 4)) == 0:
        obj[draw(short_text)] = draw(hostile_value)
    raw = _dumps(obj)
    if draw(st.integers(0, 4)) == 0:  # a duplicate key, written by hand
        key = draw(st.sampled_from(fields))
        raw = raw[:-1] + b", " + _dumps(key) + b": " + _dumps(draw(hostile_value)) + b"}"
    return raw


@st.composite
def raw_literals(draw: st.DrawFn) -> bytes:
    """A valid line with one value replaced by a raw token JSON does not have, or a huge one."""
    obj = dict(draw(st.sampled_from(SAMPLES)))
    field = draw(st.sampled_from(sorted(obj)))
    token = draw(
        st.sampled_from(
            [
                b"NaN",
                b"Infinity",
                b"-Infinity",
                b"1e999",
                b"-1e999",
                b"01",
                b"0x10",
                b"+1",
                b".5",
                b"1.",
                b"undefined",
                b"True",
                b"'single'",
                b'"unterminated',
                b'"\\ud800"',
                b'"\\u0000"',
                b'"bad \\x escape"',
                b"9" * 5000,
                b"[" * 2000 + b"]" * 2000,
                _nested(3000),
                b"[" * 100_000,
            ]
        )
    )
    marker = "\u0000MARK\u0000"
    obj[field] = marker
    return _dumps(obj).replace(_dumps(marker), token)


@st.composite
def truncated(draw: st.DrawFn) -> bytes:
    raw = _dumps(draw(st.sampled_from(SAMPLES)))
    return raw[: draw(st.integers(1, len(raw) - 1))]


def _no_newline(raw: bytes) -> bytes:
    return raw.replace(b"\n", b" ").replace(b"\r", b" ")


hostile_line = st.one_of(
    st.binary(min_size=1, max_size=80),
    st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass")),
    hostile_value.map(_dumps),
    st.dictionaries(short_text, hostile_value, max_size=6).map(_dumps),
    event_with_hostile_fields(),
    event_with_hostile_fields(),
    event_with_hostile_fields(),
    raw_literals(),
    truncated(),
    st.sampled_from(
        [
            b"[" * 1000 + b"]" * 1000,
            b"[" * 100_000 + b"]" * 100_000,
            _nested(5000),
            b"\xef\xbb\xbf" + _dumps(SAMPLES[0]),
            "\ufeff".encode("utf-16") + b'{"type": "PolicyReviewed"}',
            b"\x00" * 64,
            b'{"type": "ChildEnrolled", "on": "2026-01-05", "child": "C-1", "name": "'
            + b"x" * 2_000_000
            + b'"}',
        ]
    ),
).map(_no_newline)


def fuzz_template(folder: Path, facts: int = 100) -> Path:
    """A small ledger (a year at a setting, first ``facts`` facts) and the files an inspector or
    a parent would hold: an export, a receipt, a published checkpoint, a consistency proof, and
    the setting's own profile."""
    folder.mkdir(parents=True, exist_ok=True)
    history = generate(
        load_profile(PROFILE),
        setting="T",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 7, 31),
        seed=3,
        children=12,
    )[:facts]
    db = folder / "ledger.db"
    new_ledger(str(db), Path(str(db) + ".key"), history)
    # The published key, as `init` writes it: the verifiers are given it (--trusted ledger.db.pub).
    (folder / "ledger.db.pub").write_text(Signer.load(Path(str(db) + ".key")).verifier_key() + "\n")
    consented = next(e.child for e in history if isinstance(e, ev.ConsentGranted))
    with (
        environment(LEDGER_NOW=NOW.isoformat(), LEDGER_KEY=None, LEDGER_DB=None),
        contextlib.chdir(folder),
    ):
        status, trail = run("--db", "ledger.db", "export")
        assert status == 0
        (folder / "trail.jsonl").write_text(trail)
        status, receipt = run("--db", "ledger.db", "receipt", consented)
        assert status == 0, receipt
        (folder / "receipt.json").write_text(receipt)
        with opened(str(db), Path(str(db) + ".key")) as ledger:
            first = checkpoint_records(ledger)[0]
        (folder / "note.txt").write_text(first.note)
        status, proof = run("--db", "ledger.db", "consistency", "note.txt")
        assert status == 0, proof
        (folder / "proof.json").write_text(proof)
    profile_file = ROOT / "ledger" / "profiles" / f"{PROFILE}.toml"
    shutil.copyfile(profile_file, folder / "own.toml")
    return folder


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fuzz_template(tmp_path_factory.mktemp("fuzz") / "template")


@contextlib.contextmanager
def fuzz_folder(template: Path) -> Iterator[Path]:
    """A fresh copy of the template ledger and its files, as the current folder."""
    with tempfile.TemporaryDirectory(prefix="ledger-fuzz-") as tmp:
        folder = Path(tmp) / "f"
        shutil.copytree(template, folder)
        with (
            contextlib.chdir(folder),
            environment(
                LEDGER_NOW=NOW.isoformat(), LEDGER_KEY=None, LEDGER_DB=None, LEDGER_DEBUG=None
            ),
        ):
            yield folder


def check_answer(
    argv: Sequence[str],
    status: int,
    text: str,
    before: dict[str, bytes],
    after: dict[str, bytes],
    *,
    may_say_no: bool = False,
    writes: bool = True,
) -> None:
    """The contract for anything a user can type or feed in."""
    shown = " ".join(a if len(a) < 80 else a[:60] + f"…({len(a)} chars)" for a in argv)
    assert "Traceback" not in text, f"{shown}: a traceback:\n{text[-3000:]}"
    assert status != 70, f"{shown}: an unexpected error (status 70):\n{text[-2000:]}"
    allowed = {0, 2} | ({1} if may_say_no else set())
    assert status in allowed, f"{shown}: status {status}:\n{text[-2000:]}"
    if status != 0:
        assert text.strip(), f"{shown}: refused without a message"
        assert not changed(before, after), (
            f"{shown}: refused (status {status}) but changed {changed(before, after)}:\n"
            f"{text[-2000:]}"
        )
    elif not writes:
        assert not changed(
            {k: v for k, v in before.items() if k.startswith("ledger.db")},
            {k: v for k, v in after.items() if k.startswith("ledger.db")},
        ), f"{shown}: a read-only command changed the ledger"


def import_and_check(folder: Path, name: str, data: bytes) -> int:
    (folder / name).write_bytes(data)
    before = files_of(folder)
    status, text = run("--db", "ledger.db", "import", name)
    after = files_of(folder)
    check_answer(["import", name, repr(data[:200])], status, text, before, after)
    if status == 2 and name.endswith(".jsonl") and "no facts in the file" not in text:
        assert re.search(r"line \d+", text), f"a refusal that names no line: {text}"
    return status


def test_hostile_json_lines_are_refused_cleanly(template: Path) -> None:
    """Each hostile line alone, then the whole batch after two good lines."""
    counted: Counter[str] = Counter()

    @FUZZ
    @given(
        lines=st.lists(hostile_line, min_size=LINES_PER_EXAMPLE, max_size=LINES_PER_EXAMPLE),
        blank=st.sampled_from([b"\n", b"\r\n", b"\n\n", b"\n   \n"]),
    )
    def feed(lines: list[bytes], blank: bytes) -> None:
        with fuzz_folder(template) as folder:
            for line in lines:
                counted["lines"] += 1
                status = import_and_check(folder, "one.jsonl", line + b"\n")
                counted[f"status {status}"] += 1
            good = [_dumps(SAMPLES[1]), _dumps(_sample(ev.ConcernRaised) | {"concern": "K-777"})]
            status = import_and_check(folder, "batch.jsonl", blank.join(good + lines) + blank)
            counted[f"batch status {status}"] += 1

    feed()
    COUNTS["json lines"] += counted["lines"]
    print(f"\nhostile JSON Lines: {dict(counted)}")
    assert counted["lines"] >= LINES_PER_EXAMPLE * EXAMPLES
    if DEEP:
        assert counted["lines"] >= 10_000


CSV_HEADINGS = [
    "child",
    "Child ref",
    "guardian",
    "Parent",
    "channel",
    "date",
    "Date signed",
    "on",
    "evidence",
    "Form",
    "method",
    "expires",
    "Expiry",
    "withdrawn",
    "Date withdrawn",
]
_plain_cell = st.one_of(
    st.sampled_from(
        [
            "C-0001",
            "C-0002",
            "G-0001",
            "closed-group",
            "public-page",
            "paper",
            "PAPER",
            "email",
            "2026-03-02",
            "02/03/2026",
            "31/02/2026",
            "2/3/26",
            "F-17",
            "",
            " ",
        ]
    ),
    short_text,
    st.text(alphabet='",;\n\r\t\\=+-@ \x00', max_size=12),
)
# Now and then a cell beyond the csv module's default field limit (131,072 characters).
csv_cell = st.one_of(*[_plain_cell] * 9, st.integers(131_000, 300_000).map(lambda n: "z" * n))


@st.composite
def csv_file(draw: st.DrawFn) -> tuple[bytes, int]:
    header = draw(
        st.one_of(
            st.permutations(CSV_HEADINGS[:12]).map(list),
            st.lists(st.one_of(st.sampled_from(CSV_HEADINGS), hostile_text), max_size=10),
        )
    )
    rows = draw(st.lists(st.lists(csv_cell, max_size=len(header) + 2), min_size=1, max_size=8))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8", "surrogatepass")
    encoding = draw(st.integers(0, 9))
    if encoding == 0:
        data = text.getvalue().encode("utf-16", "surrogatepass")
    elif encoding == 1:
        data = b"\xef\xbb\xbf" + data
    elif encoding == 2:
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(min_size=1, max_size=8)) + data[cut:]
    return data, len(rows)


def test_hostile_csv_registers_are_refused_cleanly(template: Path) -> None:
    counted: Counter[str] = Counter()

    @FUZZ
    @given(files=st.lists(csv_file(), min_size=3, max_size=3))
    def feed(files: list[tuple[bytes, int]]) -> None:
        with fuzz_folder(template) as folder:
            for data, rows in files:
                counted["rows"] += rows
                status = import_and_check(folder, "register.csv", data)
                counted[f"status {status}"] += 1

    feed()
    COUNTS["csv rows"] += counted["rows"]
    print(f"\nhostile CSV registers: {dict(counted)}")


# --- every command's arguments -----------------------------------------------------------------


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command path of the parser (``("consent", "grant")``), the groups included."""
    out = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out += _leaves(sub, (*path, name))
    return out


LEAVES = _leaves(build_parser())
COMMANDS = [  # the paths that run something (the others only print usage)
    (path, parser)
    for path, parser in LEAVES
    if not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
]
# The commands that can answer "no" (exit 1) rather than refuse.
MAY_SAY_NO = {("check", "post"), ("verify",), ("receipt",), ("consistency",), ("replay",)}
# The commands that may change the ledger when they succeed.
WRITERS_OF_THE_LEDGER = {("import",), ("forget",), ("init",), ("demo",), ("follow",)} | {
    (c.noun, c.verb) for c in recording.COMMANDS
}
FILES = [
    "ledger.db.pub",
    "trail.jsonl",
    "receipt.json",
    "note.txt",
    "proof.json",
    "own.toml",
    "hostile.bin",
    "hostile.jsonl",
    "hostile.csv",
    "hostile.toml",
    "mutated-trail.jsonl",
    "mutated-receipt.json",
    "mutated-note.txt",
    "mutated-proof.json",
    "missing.jsonl",
    "-",
    ".",
]


def _argv_text(raw: bytes) -> str:
    """What a process receives for these bytes (no NUL can be passed; no path escapes)."""
    return _safe(os.fsdecode(raw))


def _safe(text: str) -> str:
    text = text.replace("\x00", "").replace("/", "_").replace("\\", "_")
    if text.startswith("~") or text in ("", "..", "."):
        return "_" + text
    return text


hostile_token = st.one_of(
    short_text.map(_safe),
    short_text.map(_safe),
    st.integers(1_000, 60_000).map(lambda n: "x" * n),  # a process's argument: at most 128 KiB
    st.binary(max_size=20).map(_argv_text),
    st.sampled_from(
        [
            "--",
            "-",
            "-x",
            "--on=2026-01-01",
            "--json",
            "-h",
            "--db",
            "--=",
            "--on=",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "2026-03-02T10:00+14:00",
            "0001-01-01T00:00+01:00",
            "9999-12-31T23:59:59-12:00",
            "1e999",
            "99999999999999999999999",
            "-1",
            "C-0001,C-0001",
            ",,,",
            "C-0001,\u00e9",
        ]
    ),
)


_COMMAND_OF: dict[tuple[str, ...], type[ev.Event]] = {
    (c.noun, c.verb): c.event for c in recording.COMMANDS
}


def _plausible(path: tuple[str, ...], action: argparse.Action) -> st.SearchStrategy[str]:
    """A value a user might well type for this option of this command."""
    dest = action.dest
    if action.choices and not isinstance(action, argparse._SubParsersAction):
        return st.sampled_from(sorted(str(c) for c in action.choices))
    if action.type is cli._date:
        return st.sampled_from(["2026-03-02", "2027-06-30", "2025-09-01", "2027-07-01"])
    if action.type is cli._moment:
        return st.sampled_from(["2026-03-02", "2026-03-02T17:00", "2027-06-30T12:00+01:00"])
    if dest in ("file", "published"):
        return st.sampled_from(FILES)
    if dest == "ref":
        return st.sampled_from(["C-0001", "C-0002", "G-0001", "S-0001", *FILES])
    if dest == "profile":
        return st.sampled_from([PROFILE, "own.toml", "hostile.toml", "missing.toml", "nursery"])
    if dest == "out":
        return st.sampled_from(["site-out", "trail.jsonl", "ledger.db", "."])
    if dest == "key":
        return st.sampled_from(["policy-ledger+00000000+AAAA", "x", ""])
    if dest == "setting":
        return st.sampled_from(["Sunflowers", "S" * 201, " "])
    if dest == "seed":
        return st.sampled_from(["7", "-1", "x"])
    values = ["C-0001", "G-0001", "S-0001", "P-0001", "K-0001", "D-0001", "T-01", "closed-group"]
    name = action.option_strings[-1].lstrip("-").replace("-", "_") if action.option_strings else ""
    event = _COMMAND_OF.get(path)
    example = _OVERRIDES.get((event, name), recording.EXAMPLES.get(name))
    if example is None:
        return st.sampled_from(values)
    return st.one_of(*[st.just(example.strip('"'))] * 5, st.sampled_from(values))


@st.composite
def arguments(draw: st.DrawFn) -> tuple[tuple[str, ...], list[str], str]:
    """A command path and arguments for it: all plausible, one hostile value, or chaos."""
    path, parser = draw(st.one_of(*[st.sampled_from(COMMANDS)] * 4, st.sampled_from(LEAVES)))
    mode = draw(st.sampled_from(["plausible", "plausible", "one hostile", "one hostile", "chaos"]))
    groups: list[list[str]] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        needed = action.required or not action.option_strings
        if draw(st.integers(0, 9)) >= (9 if needed else 4):
            continue
        if mode == "chaos":
            value = draw(st.one_of(_plausible(path, action), hostile_token))
        else:
            value = draw(_plausible(path, action))
        if action.option_strings:
            option = draw(st.sampled_from(action.option_strings))
            groups.append([option] if action.nargs == 0 else [option, value])
        else:
            groups.append([value])
    order = draw(st.permutations(range(len(groups))))
    groups = [groups[i] for i in order]
    if mode == "one hostile" and groups:
        group = groups[draw(st.integers(0, len(groups) - 1))]
        group[-1] = draw(hostile_token)
    tokens = [t for group in groups for t in group]
    if mode == "chaos":
        for _ in range(draw(st.integers(0, 2))):
            tokens.insert(draw(st.integers(0, len(tokens))), draw(hostile_token))
    fresh = path[:1] == ("init",) or draw(st.integers(0, 19)) == 0
    db = draw(st.sampled_from(["fresh.db", "fresh.db", None] if fresh else ["ledger.db", None]))
    if path and path[0] == "demo":
        db = "ledger.db"  # a demo on a fresh file would generate three years: not a fuzz case
    if path and path[0] == "follow":
        tokens.append("--once")  # without it, following never ends (it is a server's job)
    head = ["--db", db] if db else []
    return path, head + list(path) + tokens, db or "ledger.db"  # ledger.db: the default


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """A file an inspector or parent holds, with a few bytes changed, cut or inserted."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(0, len(out) - 1)))
        how = draw(st.integers(0, 2))
        if how == 0 and out:
            out[at] = draw(st.integers(0, 255))
        elif how == 1:
            del out[at : at + draw(st.integers(1, 200))]
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=20))
    return bytes(out)


def test_hostile_arguments_to_every_command(template: Path) -> None:
    originals = {
        name: (template / name).read_bytes()
        for name in ("trail.jsonl", "receipt.json", "note.txt", "proof.json")
    }
    counted: Counter[str] = Counter()

    @FUZZ
    @given(
        calls=st.lists(arguments(), min_size=4, max_size=4),
        files=st.fixed_dictionaries(
            {
                "hostile.bin": st.binary(max_size=200),
                "hostile.jsonl": st.lists(hostile_line, max_size=3).map(b"\n".join),
                "hostile.csv": csv_file().map(lambda f: f[0]),
                "hostile.toml": st.one_of(
                    st.binary(max_size=100),
                    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
                    mutated((ROOT / "ledger" / "profiles" / f"{PROFILE}.toml").read_bytes()),
                ),
                **{
                    f"mutated-{name}": mutated(data)
                    for name, data in (
                        ("trail.jsonl", originals["trail.jsonl"]),
                        ("receipt.json", originals["receipt.json"]),
                        ("note.txt", originals["note.txt"]),
                        ("proof.json", originals["proof.json"]),
                    )
                },
            }
        ),
        stdin=st.one_of(st.binary(max_size=100), hostile_line),
    )
    def call(
        calls: list[tuple[tuple[str, ...], list[str], str]], files: dict[str, bytes], stdin: bytes
    ) -> None:
        with fuzz_folder(template) as folder:
            for name, data in files.items():
                (folder / name).write_bytes(data)
            for path, argv, db in calls:
                before = files_of(folder)
                status, text = run(*argv, stdin=stdin)
                after = files_of(folder)
                counted[" ".join(path) or "(none)"] += 1
                counted[f"status {status}"] += 1
                check_answer(
                    argv,
                    status,
                    text,
                    before,
                    after,
                    may_say_no=path in MAY_SAY_NO,
                    writes=path in WRITERS_OF_THE_LEDGER or db != "ledger.db",
                )
                # `init ... -h` prints the help and makes nothing: only a ledger made must work.
                asked_help = any(a in ("-h", "--help") for a in argv)
                if path == ("init",) and status == 0 and not asked_help:
                    works_after_init(argv, db)

    call()
    COUNTS["argument lists"] += counted["status 0"] + counted["status 1"] + counted["status 2"]
    statuses = {k: v for k, v in counted.items() if k.startswith("status")}
    print(
        f"\nhostile arguments: {sum(statuses.values())} commands over"
        f" {len([k for k in counted if not k.startswith('status')])} command paths; {statuses}"
    )
    assert len([k for k in counted if not k.startswith("status")]) >= min(len(LEAVES), 20)


def works_after_init(argv: Sequence[str], db: str) -> None:
    """A ledger that ``init`` made must work: it verifies and exports."""
    for command in (["verify"], ["export"], ["findings"]):
        status, text = run("--db", db, *command)
        assert status == 0, (
            f"after `{' '.join(a[:60] for a in argv)}` (exit 0), `{command[0]}` gives status"
            f" {status}:\n{text[-1500:]}"
        )


# Hostile input the fuzz tests found answered with status 70 (an unexpected error), or worse:
# each as one small case, so that a quick run always tries them.
NON_UTF8 = os.fsdecode(b"Zo\xeb")  # "Zoë" typed in a Latin-1 terminal: not UTF-8
DEEP_JSON = b"[" * 2000 + b"]" * 2000 + b"\n"
LATIN1_JSON = (
    b'{"type": "ChildEnrolled", "on": "2026-01-05", "child": "C-9001", "name": "Zo\xeb"}\n'
)
LATIN1_TOML = b'name = "zo\xeb"\n'
# case -> (arguments, files to write first, words the answer must not contain)
KNOWN_CASES: dict[str, tuple[list[str], dict[str, bytes], str | None]] = {
    "import: a deeply nested JSON line": (["import", "x.jsonl"], {"x.jsonl": DEEP_JSON}, None),
    "replay: a deeply nested JSON line": (["replay", "x.jsonl"], {"x.jsonl": DEEP_JSON}, None),
    "receipt --check: deeply nested JSON": (
        ["receipt", "--check", "x.json"],
        {"x.json": DEEP_JSON},
        None,
    ),
    "consistency --check: deeply nested JSON": (
        ["consistency", "--check", "x.json"],
        {"x.json": DEEP_JSON},
        None,
    ),
    "import: a JSON string that is not UTF-8": (
        ["import", "x.jsonl"],
        {"x.jsonl": LATIN1_JSON},
        None,
    ),
    "replay: a JSON string that is not UTF-8 (the published key given)": (
        ["replay", "x.jsonl", "--trusted", "ledger.db.pub"],
        {"x.jsonl": LATIN1_JSON},
        "--key",
    ),
    "import: a CSV cell over 131,072 characters": (
        ["import", "big.csv"],
        {
            "big.csv": b"child,guardian,channel,date,evidence,method\n"
            b"C-0001,G-0001,closed-group,2026-01-05," + b"F" * 140_000 + b",paper\n"
        },
        None,
    ),
    "child enrol: a name that is not UTF-8": (
        ["child", "enrol", "--child", "C-9001", "--name", NON_UTF8, "--on", "2026-01-05"],
        {},
        None,
    ),
    "role assign: a role that is not UTF-8": (
        ["role", "assign", "--person", "S-0001", "--role", NON_UTF8, "--on", "2026-01-05"],
        {},
        None,
    ),
    "init: a setting's name that is not UTF-8": (
        ["--db", "fresh.db", "init", "--profile", PROFILE, "--setting", NON_UTF8],
        {},
        None,
    ),
    "init: a setting's name of 201 characters": (
        ["--db", "fresh.db", "init", "--profile", PROFILE, "--setting", "S" * 201],
        {},
        None,
    ),
    "init: the setting's own profile is not UTF-8": (
        ["--db", "fresh.db", "init", "--profile", "x.toml", "--setting", "Sunflowers"],
        {"x.toml": LATIN1_TOML},
        None,
    ),
    "verify --published: a file name that cannot be a file's (a lone surrogate)": (
        ["verify", "--published", "\ud800"],
        {},
        None,
    ),
    "import: a file name that cannot be a file's": (["import", "\ud800"], {}, None),
    "replay: a file name that cannot be a file's": (["replay", "\ud800"], {}, None),
    "receipt --check: a file name that cannot be a file's": (
        ["receipt", "--check", "\ud800"],
        {},
        None,
    ),
    "replay: the setting's own profile is not UTF-8": (
        ["replay", "trail.jsonl", "--profile", "x.toml"],
        {"x.toml": LATIN1_TOML},
        None,
    ),
}


@pytest.mark.parametrize("case", list(KNOWN_CASES))
def test_known_hostile_inputs(case: str, template: Path) -> None:
    argv, files, never = KNOWN_CASES[case]
    if argv[0] != "--db":
        argv = ["--db", "ledger.db", *argv]
    with fuzz_folder(template) as folder:
        for name, data in files.items():
            (folder / name).write_bytes(data)
        before = files_of(folder)
        status, text = run(*argv)
        check_answer(argv, status, text, before, files_of(folder), may_say_no=True)
        if never is not None:
            assert never not in text, f"the answer blames {never}: {text}"
        if status == 0 and argv[2] == "init":
            works_after_init(argv, argv[1])


def test_fuzz_line_count() -> None:
    """How many hostile lines the fuzz tests above fed (at least 10,000 in the deep profile)."""
    print(f"\nfuzz counts this run: {dict(COUNTS)} (profile max_examples={EXAMPLES})")
    if COUNTS["json lines"] and DEEP:
        assert COUNTS["json lines"] + COUNTS["csv rows"] >= 10_000
