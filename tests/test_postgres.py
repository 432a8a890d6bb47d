"""What only a PostgreSQL ledger has, and the two-store test set-up itself.

The rest of the suite runs every ledger-making test on both stores (``tests/conftest.py``); here:

- ``LEDGER_DB`` may name a PostgreSQL ledger, whose key is ``ledger-<schema>.key`` in the
  current folder;
- a schema that holds no ledger (absent, empty, or another program's tables) is refused and left
  as it was, as a file that is not a ledger is;
- a second ``init`` from another folder (where the key is not) is refused and writes nothing;
- a schema name the ledger cannot use, and a server that does not answer, are refused with a
  message (exit 2, no traceback, no password);
- the test set-up: each PostgreSQL ledger gets a fresh schema, dropped afterwards; the "nothing
  changed" comparison sees a write; and without ``LEDGER_TEST_POSTGRES`` the PostgreSQL half is
  skipped with a message saying how to enable it, but fails in CI.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from ledger.cli import main
from tests.conftest import (
    POSTGRES_SKIP,
    NewDb,
    fresh_db,
    holds_ledger,
    postgres_base,
    raw,
    schema_of,
    stored_state,
    untouched,
    with_schema,
)

ROOT = Path(__file__).resolve().parents[1]
NOW = "2027-06-30T12:00:00+00:00"
SW = "south-woodham-preschool"
FACT = '{"type": "DeviceRegistered", "on": "2026-01-05", "device": "T-01"}\n'


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


@pytest.fixture
def schema_url(workdir: Path) -> Any:
    """A URL naming a fresh schema on the test server (nothing made yet), in a work folder."""
    with fresh_db("postgres") as url:
        yield url


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text
    return status, text


def init(db: str) -> None:
    status, text = run("--db", db, "init", "--profile", SW, "--setting", "Test Setting")
    assert status == 0, text


def schema_contents(db: str) -> dict[str, Any]:
    """The schema's tables and every row of each (``None`` when there is no such schema)."""
    if untouched(db):
        return {"schema": None}
    with raw(db) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
                " ORDER BY table_name",
                (schema_of(db),),
            )
        ]
        return {
            name: conn.execute(f'SELECT * FROM "{schema_of(db)}"."{name}" ORDER BY 1')
            for name in names
        }


# --- PostgreSQL ledgers through the command ----------------------------------------------------


@pytest.mark.postgres
def test_ledger_db_may_name_a_postgres_ledger(
    workdir: Path, schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_DB", schema_url)
    status, text = run("init", "--profile", SW, "--setting", "Test Setting")
    assert status == 0, text
    key = workdir / f"ledger-{schema_of(schema_url)}.key"
    assert key.exists() and key.with_suffix(".pub").exists()
    assert not (workdir / "ledger.db").exists()
    assert holds_ledger(schema_url)
    (workdir / "facts.jsonl").write_text(FACT)
    assert run("import", "facts.jsonl")[0] == 0
    status, text = run("verify")
    assert status == 0 and "Intact: 2 facts" in text, text


@pytest.mark.postgres
@pytest.mark.parametrize("kind", ["no-schema", "empty-schema", "other-tables"])
@pytest.mark.parametrize(
    "argv",
    [
        ["findings"],
        ["export"],
        ["check", "post", "--channel", "closed-group", "--author", "S-0001"],
        ["verify"],
        ["import", "facts.jsonl"],
        ["device", "register", "--device", "T-01"],
        ["forget", "C-0001"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_a_schema_that_is_not_a_ledger_is_refused_and_left_alone(
    workdir: Path, schema_url: str, kind: str, argv: list[str]
) -> None:
    """Exit 2 with a message, and the schema (if any) keeps exactly what it had."""
    (workdir / "facts.jsonl").write_text(FACT)
    if kind != "no-schema":
        with raw(postgres_base()) as conn:
            conn.execute(f'CREATE SCHEMA "{schema_of(schema_url)}"')
            if kind == "other-tables":
                table = f'"{schema_of(schema_url)}".photos'
                conn.execute(f"CREATE TABLE {table} (child text, file text)")
                conn.execute(f"INSERT INTO {table} VALUES ('Zebedee Quinton', 'a.jpg')")
    before = schema_contents(schema_url)
    status, text = run("--db", schema_url, *argv)
    assert status == 2, text
    assert "no ledger" in text and "ledger init" in text, text
    assert schema_contents(schema_url) == before
    assert not list(workdir.glob("ledger-*")), "a refused command made key files"


@pytest.mark.postgres
def test_a_second_init_from_another_folder_is_refused_and_writes_nothing(
    workdir: Path, schema_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    init(schema_url)
    before = schema_contents(schema_url)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    with contextlib.chdir(elsewhere):  # where there is no key for that schema
        status, text = run("--db", schema_url, "init", "--profile", SW, "--setting", "Another")
    assert status == 2, text
    assert "already exists" in text
    assert schema_contents(schema_url) == before
    assert not list(elsewhere.iterdir())


@pytest.mark.postgres
@pytest.mark.parametrize("schema", ["Sunflowers", "sun-flowers", "1sunflowers", "x" * 64])
def test_init_refuses_a_schema_name_it_cannot_use(workdir: Path, schema: str) -> None:
    db = with_schema(postgres_base(), schema)
    status, text = run("--db", db, "init", "--profile", SW, "--setting", "Test Setting")
    assert status == 2, text
    assert "schema name" in text
    assert untouched(db)
    assert not list(workdir.glob("ledger-*.key"))


@pytest.mark.postgres
@pytest.mark.parametrize(
    "argv",
    [["init", "--profile", SW, "--setting", "Test Setting"], ["findings"], ["verify"]],
    ids=lambda argv: argv[0],
)
@pytest.mark.parametrize("problem", ["no-server", "wrong-password", "no-database"])
def test_a_server_that_cannot_be_used_is_refused_with_a_message(
    workdir: Path, argv: list[str], problem: str
) -> None:
    base = urlparse(postgres_base())
    server = f"{base.hostname}:{base.port or 5432}"
    url = {
        "no-server": "postgresql://ledger:Secret-pw-9@127.0.0.1:1/ledger",
        "wrong-password": f"postgresql://{base.username}:Secret-pw-9@{server}{base.path}",
        "no-database": base._replace(path="/no_such_database_here").geturl(),
    }[problem]
    status, text = run("--db", with_schema(url, "t_nowhere"), *argv)
    assert status == 2, text
    assert "cannot connect" in text, text
    assert "Secret-pw-9" not in text
    assert not list(workdir.glob("ledger-*"))


# --- the test set-up ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_each_postgres_ledger_gets_a_fresh_schema_dropped_afterwards() -> None:
    with fresh_db("postgres") as first, fresh_db("postgres") as second:
        assert first != second
        for db in (first, second):
            assert schema_of(db).startswith("t_")
            assert untouched(db)  # nothing is made until init
            with raw(postgres_base()) as conn:
                conn.execute(f'CREATE SCHEMA "{schema_of(db)}"')
            assert not untouched(db)
    assert untouched(first) and untouched(second)


def test_the_nothing_changed_comparison_sees_every_write(workdir: Path, new_db: NewDb) -> None:
    """Reads leave ``stored_state`` as it was; a write (even of one fact) changes it."""
    db = new_db("ledger.db")
    init(db)
    before = stored_state(db, workdir)
    assert before["files"]
    for argv in (["export"], ["verify"], ["findings", "--json"]):
        assert run("--db", db, *argv)[0] == 0
    assert stored_state(db, workdir) == before
    (workdir / "facts.jsonl").write_text(FACT)
    assert run("--db", db, "import", "facts.jsonl")[0] == 0
    assert stored_state(db, workdir) != before


def _pytest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *args],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


CHEAP = [
    "tests/test_postgres.py::test_each_postgres_ledger_gets_a_fresh_schema_dropped_afterwards",
    "tests/test_incremental.py::test_a_write_reads_only_the_facts_since_the_tracked_position",
]


def test_without_a_server_the_postgres_half_is_skipped_saying_how_to_enable_it() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LEDGER_TEST_POSTGRES", "CI")}
    done = _pytest(env, *CHEAP)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 skipped" in done.stdout and "1 passed" in done.stdout, done.stdout
    assert POSTGRES_SKIP in " ".join(done.stdout.split()), done.stdout


def test_in_ci_a_missing_server_is_a_failure_not_a_skip() -> None:
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_TEST_POSTGRES"}
    done = _pytest({**env, "CI": "true"}, *CHEAP)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "skipped" not in done.stdout and "1 passed" in done.stdout, done.stdout
    assert "CI=true but LEDGER_TEST_POSTGRES is not set" in done.stdout, done.stdout
