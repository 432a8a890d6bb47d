"""End-to-end tests of the ``ledger`` command (DESIGN.md sections 3, 4 and 6).

Every test calls the command in-process (``ledger.cli.main``) on a ledger in a temporary folder,
with the clock pinned by ``LEDGER_NOW``. Every test that makes a ledger runs on both stores (the
``new_db`` fixture: a SQLite file in the folder, or ``--db postgresql://…?schema=t_…``, a fresh
schema on the test server, with its key in the folder). The people in these files are invented;
their names are looked for in every error message, every ``findings`` output and every ``check
post`` answer, where they must never appear.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import sqlite3
import stat
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from ledger import cli, recording
from ledger import store as ledger_store
from ledger.cli import build_parser, main
from ledger.mapper import SEALED_FIELDS
from tests.conftest import (
    NewDb,
    holds_ledger,
    key_path_for,
    raw,
    stored_state,
    untouched,
)

NOW = "2027-06-30T12:00:00+00:00"
EARLIER = "2027-01-10T09:00:00+00:00"
SETTING = "Fake Acorns Pre-School (test)"
SW = "south-woodham-preschool"
NURSERY = "stepping-stones-nursery"

# Invented people. None of these may ever appear in an error, a finding or a check's answer.
CHILD_1 = "Zebedee Quinton-Marsh"
GUARDIAN_1 = "Philomena Quinton-Marsh"
CHILD_2 = "Ottoline Fakesby"
GUARDIAN_2 = "Bartholomew Fakesby"
STAFF_1 = "Augustus Testington-Pike"
VOLUNTEER_1 = "Clementine Fauxbridge"
NEWCOMER = "Peregrine Nonesuch-Vale"
NAME_PARTS = (
    "Zebedee",
    "Quinton",
    "Philomena",
    "Ottoline",
    "Fakesby",
    "Bartholomew",
    "Augustus",
    "Testington",
    "Clementine",
    "Fauxbridge",
    "Peregrine",
    "Nonesuch",
)

Fact = dict[str, Any]

# Facts that are valid under every shipped profile.
BASE_COMMON: list[Fact] = [
    {"type": "PolicyAdopted", "on": "2025-06-01", "version": "2025.1"},
    {
        "type": "PersonJoined",
        "on": "2025-08-01",
        "person": "S-0001",
        "name": STAFF_1,
        "kind": "staff",
    },
    {"type": "RoleAssigned", "on": "2025-08-01", "person": "S-0001", "role": "manager"},
    {
        "type": "PersonJoined",
        "on": "2025-08-15",
        "person": "S-0002",
        "name": VOLUNTEER_1,
        "kind": "volunteer",
    },
    {"type": "DeviceRegistered", "on": "2025-08-01", "device": "T-01"},
    {"type": "ChildEnrolled", "on": "2025-09-01", "child": "C-0001", "name": CHILD_1},
    {
        "type": "GuardianLinked",
        "on": "2025-09-01",
        "guardian": "G-0001",
        "name": GUARDIAN_1,
        "child": "C-0001",
    },
    {"type": "ChildEnrolled", "on": "2025-09-01", "child": "C-0002", "name": CHILD_2},
    {
        "type": "GuardianLinked",
        "on": "2025-09-01",
        "guardian": "G-0002",
        "name": GUARDIAN_2,
        "child": "C-0002",
    },
    {
        "type": "ConcernRaised",
        "on": "2025-10-02",
        "concern": "K-0001",
        "category": "critical-discussion",
        "about": "S-0002",
    },
    {
        "type": "DisciplinaryReferred",
        "on": "2025-10-03",
        "case": "D-0001",
        "person": "S-0002",
        "concern": "K-0001",
    },
]

# South Woodham: consent on the closed group, a member, a post, a friendship exception.
BASE_SW: list[Fact] = [
    *BASE_COMMON,
    {
        "type": "ConsentGranted",
        "on": "2025-09-02",
        "child": "C-0001",
        "guardian": "G-0001",
        "channel": "closed-group",
        "evidence": "F-17",
        "method": "paper",
    },
    {"type": "MemberAdmitted", "on": "2025-09-05", "member": "G-0001"},
    {
        "type": "PostPublished",
        "on": "2025-10-01",
        "post": "P-0001",
        "channel": "closed-group",
        "author": "G-0001",
        "depicts": ["C-0001"],
        "device": "T-01",
    },
    {
        "type": "FriendshipExceptionGranted",
        "on": "2025-09-10",
        "person": "S-0001",
        "guardian": "G-0001",
        "since": "2019-05-01",
        "approved_by": "S-0001",
    },
]


# --- helpers ----------------------------------------------------------------------------------


class Result(NamedTuple):
    status: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_NOW", NOW)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.delenv("LEDGER_KEY", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    result = Result(status, out, err)
    assert "Traceback" not in result.text
    if status != 0:
        assert_private(result.text)
    return result


def assert_private(text: str) -> None:
    """No invented person's name (nor any part of one) in the text."""
    leaked = [part for part in NAME_PARTS if part in text]
    assert not leaked, f"names leaked: {leaked} in:\n{text}"


def jsonl(facts: Sequence[Fact]) -> str:
    return "".join(json.dumps(f) + "\n" for f in facts)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def init(capsys: pytest.CaptureFixture[str], db: str, profile: str = SW) -> None:
    result = run(capsys, "--db", db, "init", "--profile", profile, "--setting", SETTING)
    assert result.status == 0, result.text


def import_facts(
    capsys: pytest.CaptureFixture[str], db: str, facts: Sequence[Fact], name: str = "in.jsonl"
) -> Result:
    path = write(Path.cwd() / name, jsonl(facts))
    return run(capsys, "--db", db, "import", str(path))


def ledger(
    capsys: pytest.CaptureFixture[str],
    new_db: NewDb,
    facts: Sequence[Fact] = BASE_SW,
    profile: str = SW,
    name: str = "setting.db",
) -> str:
    """A new ledger (in the test's store) holding the facts: its ``--db``."""
    db = new_db(name)
    init(capsys, db, profile)
    if facts:
        result = import_facts(capsys, db, facts, name=f"{name}.base.jsonl")
        assert result.status == 0, result.text
    return db


def export(capsys: pytest.CaptureFixture[str], db: str, *extra: str) -> list[dict[str, Any]]:
    result = run(capsys, "--db", db, "export", *extra)
    assert result.status == 0, result.text
    return [json.loads(line) for line in result.out.splitlines() if line.strip()]


def facts_of(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["type"] != "Checkpoint"]


def files(db: str) -> dict[str, Any]:
    """What a refused command must leave as it was: the ledger's files (database, WAL, key,
    public key, key store) byte for byte; on PostgreSQL also every row of its schema."""
    return stored_state(db, Path.cwd())


def findings(capsys: pytest.CaptureFixture[str], db: str, *extra: str) -> list[dict[str, Any]]:
    result = run(capsys, "--db", db, "findings", "--json", *extra)
    assert result.status == 0, result.text
    assert_private(result.text)
    found = json.loads(result.out)
    assert isinstance(found, list)
    return found


def has(found: list[dict[str, Any]], rule: str, subject: str) -> list[dict[str, Any]]:
    return [f for f in found if f["rule"] == rule and f["subject"] == subject]


def word(field: str) -> re.Pattern[str]:
    """The field named as a field: `on`, field on, or --on (not just the word "on")."""
    name = re.escape(field.lstrip("-"))
    return re.compile(rf"(`{name}`|\bfield {name}\b|--{name}(?![\w-]))")


# --- 1. init ----------------------------------------------------------------------------------


def test_init_creates_the_ledger_and_a_private_key(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("acorns.db")
    result = run(capsys, "--db", db, "init", "--profile", SW, "--setting", SETTING)
    assert result.status == 0, result.text
    assert holds_ledger(db)
    # Beside the file (acorns.db.key); for PostgreSQL, ledger-<schema>.key in this folder.
    key = key_path_for(db, workdir)
    assert key.exists()
    assert key.name in result.out
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    lines = export(capsys, db)
    assert lines[0]["type"] == "SettingRegistered"
    assert lines[0]["name"] == SETTING
    assert lines[0]["profile"] == SW
    assert lines[0]["on"] == "2027-06-30"


def test_init_uses_ledger_db_in_the_current_folder_by_default(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "init", "--profile", SW, "--setting", SETTING)
    assert result.status == 0, result.text
    assert (workdir / "ledger.db").exists()
    assert (workdir / "ledger.db.key").exists()
    assert run(capsys, "verify").status == 0


def test_a_second_init_is_refused_and_writes_nothing(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    own = write(workdir / "own.toml", OWN_PROFILE)
    before = files(db)
    exported = export(capsys, db)
    for profile in (SW, NURSERY, str(own)):
        result = run(capsys, "--db", db, "init", "--profile", profile, "--setting", "Another place")
        assert result.status == 2
        assert result.err.strip(), "a refusal says why"
        assert files(db) == before
        assert export(capsys, db) == exported


def test_init_refuses_an_unknown_profile(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("acorns.db")
    result = run(capsys, "--db", db, "init", "--profile", "no-such-profile", "--setting", SETTING)
    assert result.status == 2
    assert "--profile" in result.err
    assert untouched(db)  # no file; no schema
    assert not key_path_for(db, workdir).exists()


OWN_PROFILE = """\
name = "own-test-profile"
title = "Own Test Setting"
policy = "Invented policy for the tests"
source = "own-test-profile.txt"

[channels.website]
posters = ["manager"]
child_images = "consent"
says = "The setting's website."

[rules.consent-missing]
says = "A child appears on the website only with consent."
cite = ["own-test-profile.txt:1"]
"""


def test_init_with_a_settings_own_profile(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "profiles").mkdir()
    own = write(workdir / "profiles" / "own.toml", OWN_PROFILE)
    db = new_db("own.db")
    result = run(capsys, "--db", db, "init", "--profile", "profiles/own.toml", "--setting", SETTING)
    assert result.status == 0, result.text
    assert export(capsys, db)[0]["profile"] == "own-test-profile"
    people = [f for f in BASE_COMMON if f["type"] in ("ChildEnrolled", "GuardianLinked")]
    assert import_facts(capsys, db, people).status == 0
    own.unlink()  # the ledger keeps its own copy of the profile
    website = {
        "type": "ConsentGranted",
        "on": "2025-09-02",
        "child": "C-0001",
        "guardian": "G-0001",
        "channel": "website",
        "evidence": "F-17",
        "method": "paper",
    }
    assert import_facts(capsys, db, [website]).status == 0
    # A channel of a shipped profile is not a channel of this one.
    refused = import_facts(capsys, db, [{**website, "channel": "closed-group"}])
    assert refused.status == 2
    assert "line 1" in refused.err and "channel" in refused.err
    post = {
        "type": "PostPublished",
        "on": "2025-10-01",
        "post": "P-0001",
        "channel": "website",
        "author": "G-0002",
        "depicts": ["C-0002"],
    }
    assert import_facts(capsys, db, [post]).status == 0
    found = findings(capsys, db)
    assert has(found, "consent-missing", "P-0001")
    assert not has(found, "unauthorised-poster", "P-0001"), "that rule is not in this profile"


def test_init_refuses_an_invalid_own_profile(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(workdir / "bad.toml", OWN_PROFILE.replace('child_images = "consent"', ""))
    db = new_db("bad.db")
    result = run(capsys, "--db", db, "init", "--profile", str(bad), "--setting", SETTING)
    assert result.status == 2
    assert "child_images" in result.err
    assert untouched(db)
    assert not key_path_for(db, workdir).exists()


# --- 2. import: JSON Lines ------------------------------------------------------------------


def test_import_records_the_facts_of_a_file(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_db("setting.db")
    init(capsys, db)
    path = write(workdir / "facts.jsonl", jsonl(BASE_SW[:4]) + "\n\n" + jsonl(BASE_SW[4:]))
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    recorded = facts_of(export(capsys, db))
    assert len(recorded) == 1 + len(BASE_SW)
    for fact, line in zip(BASE_SW, recorded[1:], strict=True):
        assert {k: v for k, v in line.items() if k in fact} == fact
        # The record-time fields, and the sealed form of a name (for checking the leaf).
        sealed = fact["type"] in {cls.__name__ for cls in SEALED_FIELDS}
        added = {"position", "recorded_at", "leaf"} | ({"sealed"} if sealed else set())
        assert set(line) - set(fact) == added


def _bad_line_cases() -> Iterator[Any]:
    """(profile, the bad line, the field the message must name) for each refusal of section 4."""
    enrol = {"type": "ChildEnrolled", "on": "2026-01-05", "child": "C-0050", "name": CHILD_1}
    grant = {
        "type": "ConsentGranted",
        "on": "2026-01-05",
        "child": "C-0001",
        "guardian": "G-0001",
        "channel": "public-page",
        "evidence": "F-20",
        "method": "email",
    }
    exception = {
        "type": "FriendshipExceptionGranted",
        "on": "2026-01-05",
        "person": "S-0001",
        "guardian": "G-0002",
        "since": "2018-03-01",
        "approved_by": "S-0001",
    }

    def case(name: str, line: str | Fact, field: str | None, profile: str = SW) -> Any:
        text = line if isinstance(line, str) else json.dumps(line)
        return pytest.param(profile, text, field, id=name)

    yield case("malformed-json", json.dumps(enrol)[:-1], None)
    yield case("unknown-type", {**enrol, "type": "ChildAdopted"}, "type")
    yield case("unknown-field", {**enrol, "colour": CHILD_2}, "colour")
    yield case("missing-field", {k: v for k, v in enrol.items() if k != "child"}, "child")
    yield case("date-not-a-date", {**enrol, "on": "31/02/2026"}, "on")
    yield case("impossible-date", {**enrol, "on": "2026-02-30"}, "on")
    yield case("date-after-today", {**enrol, "on": "2027-07-01"}, "on")
    yield case("name-in-a-reference", {**enrol, "child": CHILD_2}, "child")
    yield case("enrol-twice", {**enrol, "child": "C-0001"}, "child")
    yield case("consent-unknown-child", {**grant, "child": "C-0077"}, "child")
    yield case("guardian-not-linked", {**grant, "guardian": "G-0002"}, "guardian")
    yield case(
        "withdraw-never-granted",
        {
            "type": "ConsentWithdrawn",
            "on": "2026-01-05",
            "child": "C-0001",
            "guardian": "G-0001",
            "channel": "public-page",
        },
        "channel",
    )
    yield case(
        "remove-unknown-post",
        {
            "type": "PostRemoved",
            "on": "2026-01-05",
            "post": "P-0099",
            "by": "S-0001",
            "reason": "inappropriate",
        },
        "post",
    )
    yield case(
        "end-exception-never-granted",
        {
            "type": "FriendshipExceptionEnded",
            "on": "2026-01-05",
            "person": "S-0002",
            "guardian": "G-0001",
        },
        "guardian",
    )
    yield case(
        "child-leaves-before-enrolment",
        {"type": "ChildLeft", "on": "2025-08-01", "child": "C-0001"},
        "on",
    )
    yield case("unknown-channel", {**grant, "channel": "instagram"}, "channel")
    yield case(
        "unknown-role",
        {"type": "RoleAssigned", "on": "2026-01-05", "person": "S-0001", "role": "head-chef"},
        "role",
    )
    yield case("unknown-method", {**grant, "method": "carrier-pigeon"}, "method")
    yield case("friendship-exception-never", {**exception, "guardian": "G-0001"}, "type", NURSERY)
    yield case(
        "friendship-exception-not-pre-existing", {**exception, "since": "2025-09-01"}, "since"
    )
    yield case(
        "setting-registered",
        {"type": "SettingRegistered", "on": "2026-01-05", "name": "Elsewhere", "profile": SW},
        "type",
    )


@pytest.mark.parametrize(("profile", "bad", "field"), list(_bad_line_cases()))
def test_import_refuses_a_bad_line_and_writes_nothing(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    profile: str,
    bad: str,
    field: str | None,
) -> None:
    base = BASE_SW if profile == SW else BASE_COMMON
    db = ledger(capsys, new_db, base, profile)
    before_files = files(db)
    before = export(capsys, db)
    good_before = [
        {"type": "ChildEnrolled", "on": "2026-01-05", "child": "C-0010", "name": NEWCOMER},
        {
            "type": "GuardianLinked",
            "on": "2026-01-05",
            "guardian": "G-0010",
            "name": NEWCOMER,
            "child": "C-0010",
        },
    ]
    good_after = {"type": "DeviceRegistered", "on": "2026-01-06", "device": "T-09"}
    # Line 1, a blank line 2, line 3, then the bad line 4 and a good line 5.
    text = json.dumps(good_before[0]) + "\n\n" + json.dumps(good_before[1]) + "\n"
    text += bad + "\n" + json.dumps(good_after) + "\n"
    path = write(workdir / "bad.jsonl", text)
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 2, result.text
    assert "line 4" in result.err, result.err
    if field is not None:
        assert word(field).search(result.err), f"`{field}` not named in: {result.err}"
    assert "Imported" not in result.out
    assert files(db) == before_files, "the refused import changed the ledger's files"
    assert export(capsys, db) == before


def test_import_is_all_or_nothing_when_the_last_line_is_bad(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, [], SW)
    before_files = files(db)
    before = export(capsys, db)
    last = {"type": "ChildLeft", "on": "2027-07-15", "child": "C-0001"}
    path = write(workdir / "facts.jsonl", jsonl([*BASE_SW, last]))
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 2
    assert f"line {len(BASE_SW) + 1}" in result.err
    assert word("on").search(result.err)
    assert files(db) == before_files
    assert export(capsys, db) == before
    # Put right, the same file records every line.
    write(path, jsonl([*BASE_SW, {**last, "on": "2026-07-15"}]))
    assert run(capsys, "--db", db, "import", str(path)).status == 0
    assert len(facts_of(export(capsys, db))) == 1 + len(BASE_SW) + 1


@pytest.mark.parametrize("bad", ["refused", "not-json"])
def test_import_streamed_in_chunks_names_the_line_and_keeps_nothing(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    bad: str,
) -> None:
    """An import is read and written a chunk at a time in one transaction: a bad line several
    chunks in is still named by its line, and nothing of the chunks before it is kept."""
    from ledger import store as ledger_store

    monkeypatch.setattr(ledger_store, "WRITE_CHUNK", 3)
    db = ledger(capsys, new_db, [], SW)
    before_files = files(db)
    before = export(capsys, db)
    devices = [
        {"type": "DeviceRegistered", "on": "2026-01-06", "device": f"T-{n:02d}"} for n in range(11)
    ]
    wrong = (
        json.dumps({"type": "DeviceRetired", "on": "2026-01-07", "device": "T-99"})
        if bad == "refused"
        else "{not json"
    )
    text = jsonl(devices[:4]) + "\n" + jsonl(devices[4:]) + wrong + "\n" + jsonl(devices[:1])
    path = write(workdir / "long.jsonl", text)
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 2, result.text
    assert re.search(r"line 13\b", result.err), result.err  # 11 facts and a blank line before
    after_files = files(db)
    # PostgreSQL hands out notification ids from a sequence, which a rolled-back insert still
    # advances (a gap in the ids, which the library's readers allow); every row is as it was.
    for state in (before_files, after_files):
        state.get("rows", {}).pop("sequence", None)
    assert after_files == before_files, "the refused import changed the ledger's files"
    assert export(capsys, db) == before
    good = write(workdir / "good.jsonl", jsonl(devices))
    assert run(capsys, "--db", db, "import", str(good)).status == 0
    assert len(facts_of(export(capsys, db))) == 1 + len(devices)


def test_import_decides_each_line_against_the_lines_before_it(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line may refer to what an earlier line of the same file recorded, not a later one."""
    db = ledger(capsys, new_db, [], SW)
    enrol, link = BASE_COMMON[5], BASE_COMMON[6]
    result = import_facts(capsys, db, [link, enrol])
    assert result.status == 2
    assert "line 1" in result.err and word("child").search(result.err)
    assert import_facts(capsys, db, [enrol, link]).status == 0


def test_import_of_a_missing_or_empty_file_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, [], SW)
    before = files(db)
    assert run(capsys, "--db", db, "import", str(workdir / "absent.jsonl")).status == 2
    empty = write(workdir / "empty.jsonl", "\n\n")
    assert run(capsys, "--db", db, "import", str(empty)).status == 2
    assert files(db) == before


def test_import_into_a_missing_ledger_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(workdir / "facts.jsonl", jsonl(BASE_SW))
    db = new_db("none.db")
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 2
    assert "init" in result.err
    assert untouched(db)  # no file made; no schema made


def _not_a_ledger(folder: Path, kind: str) -> Path:
    path = folder / f"{kind}.db"
    if kind == "empty-file":
        path.write_bytes(b"")
    elif kind == "text-file":
        path.write_text(f"Notes about {CHILD_1}\n", encoding="utf-8")
    else:  # another program's SQLite database
        with sqlite3.connect(path) as connection:
            connection.execute("create table photos (child text, file text)")
            connection.execute("insert into photos values (?, ?)", (CHILD_1, "a.jpg"))
        connection.close()
    return path


@pytest.mark.parametrize("kind", ["empty-file", "text-file", "other-sqlite"])
@pytest.mark.parametrize(
    "argv",
    [
        ["findings"],
        ["findings", "--json"],
        ["export"],
        ["check", "post", "--channel", "closed-group", "--author", "S-0001"],
        ["verify"],
        ["import", "facts.jsonl"],
        ["device", "register", "--device", "T-01"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_a_file_that_is_not_a_ledger_is_refused_and_left_alone(
    workdir: Path, capsys: pytest.CaptureFixture[str], kind: str, argv: list[str]
) -> None:
    """Exit 2 with a message, no traceback, and the file is not touched (section 6)."""
    write(workdir / "facts.jsonl", jsonl(BASE_COMMON[:1]))
    path = _not_a_ledger(workdir, kind)
    before = path.read_bytes()
    result = run(capsys, "--db", str(path), *argv)
    assert result.status == 2, result.text
    assert result.err.strip()
    assert path.read_bytes() == before


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """The folder and its files made read-only for real."""
    with read_only_file(*folder.iterdir(), folder):
        yield


@contextlib.contextmanager
def read_only_file(*paths: Path) -> Iterator[None]:
    """Files (or folders) made read-only for real: immutable for root (whom permission bits do
    not stop), permission bits for anyone else."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
    else:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=True)
        else:
            for path in paths:
                path.chmod(0o755 if path.is_dir() else 0o644)


def _a_ledger_in_its_folder(workdir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """A SQLite ledger of the base facts, alone in a folder: the folder, and its --db."""
    folder = workdir / "copy"
    folder.mkdir()
    db = str(folder / "acorns.db")
    init(capsys, db)
    assert import_facts(capsys, db, BASE_SW).status == 0
    return folder, db


@pytest.mark.parametrize("argv", [["verify"], ["findings"], ["export"]], ids=" ".join)
def test_a_ledger_in_a_read_only_folder_is_refused_with_what_to_do(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """A copy on a read-only disk or share (an inspector's, say) cannot keep SQLite's working
    files beside it: the message says so and what to do, not that it is no ledger."""
    folder, db = _a_ledger_in_its_folder(workdir, capsys)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with read_only(folder):
        result = run(capsys, "--db", db, *argv)
    assert result.status == 2, result.text
    assert "cannot be written to" in result.err and "copy it" in result.err
    assert "not a ledger" not in result.err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert run(capsys, "--db", db, *argv).status == 0  # as it was, where it can be written


def test_a_read_only_ledger_file_is_read_without_saving_the_registers(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a folder that can be written to, a read-only ledger file opens, and a command that
    would save the registers (they are a cache) answers without saving them."""
    folder, db = _a_ledger_in_its_folder(workdir, capsys)
    expected = run(capsys, "--db", db, "findings", "--json")
    assert expected.status == 0
    before = (folder / "acorns.db").read_bytes()
    monkeypatch.setattr(ledger_store, "SAVE_EVERY", 0)  # every read would save them
    with read_only_file(folder / "acorns.db"):
        result = run(capsys, "--db", db, "findings", "--json")
    assert result.status == 0, result.text
    assert result.out == expected.out
    assert (folder / "acorns.db").read_bytes() == before


def test_init_in_a_folder_that_does_not_exist_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = workdir / "no-such-folder" / "acorns.db"
    result = run(capsys, "--db", str(db), "init", "--profile", SW, "--setting", SETTING)
    assert result.status == 2, result.text
    assert result.err.strip()
    assert not db.parent.exists()


def test_export_has_every_field_of_the_catalogue(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """`depicts` is a field of PostPublished (it may be empty), not an optional one."""
    db = ledger(capsys, new_db)
    argv = ["post", "publish", "--post", "P-0005", "--channel", "public-page"]
    assert run(capsys, "--db", db, *argv, "--author", "S-0001").status == 0
    text = {"type": "PostPublished", "on": "2026-01-05", "post": "P-0006"}
    text |= {"channel": "public-page", "author": "S-0001", "depicts": []}
    assert import_facts(capsys, db, [text]).status == 0
    posts = [f for f in export(capsys, db) if f["type"] == "PostPublished"]
    assert [p["post"] for p in posts] == ["P-0001", "P-0005", "P-0006"]
    for post in posts:
        assert {"post", "channel", "author", "depicts"} <= set(post), post
    assert posts[1]["depicts"] == posts[2]["depicts"] == []


def test_an_export_imports_into_a_new_ledger(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Import ignores the record-time fields an export adds (section 3)."""
    first = ledger(capsys, new_db, BASE_SW, SW, name="first.db")
    trail = [
        line
        for line in export(capsys, first)
        if line["type"] not in ("Checkpoint", "SettingRegistered")
    ]
    assert all("leaf" in line for line in trail)
    second = ledger(capsys, new_db, [], SW, name="second.db")
    result = import_facts(capsys, second, trail, name="trail.jsonl")
    assert result.status == 0, result.text
    strip = ("recorded_at", "leaf", "sealed")
    a = [{k: v for k, v in f.items() if k not in strip} for f in facts_of(export(capsys, first))]
    b = [{k: v for k, v in f.items() if k not in strip} for f in facts_of(export(capsys, second))]
    assert a == b


# --- 3. import: a CSV consent register --------------------------------------------------------

REGISTER = """\
Child,Parent,Channel,Date signed,Form,Method,Withdrawn
C-0001,G-0001,closed-group,03/09/2025,F-17,Paper,
C-0002,G-0002,public-page,4/9/2025,F-18,email,10/01/2026
"""


def test_a_consent_register_spreadsheet_imports(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    path = write(workdir / "Consent register.csv", REGISTER)
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 0, result.text
    added = facts_of(export(capsys, db))[1 + len(BASE_COMMON) :]
    strip = ("position", "recorded_at", "leaf", "sealed")
    assert [{k: v for k, v in f.items() if k not in strip} for f in added] == [
        {
            "type": "ConsentGranted",
            "on": "2025-09-03",
            "child": "C-0001",
            "guardian": "G-0001",
            "channel": "closed-group",
            "evidence": "F-17",
            "method": "paper",
        },
        {
            "type": "ConsentGranted",
            "on": "2025-09-04",
            "child": "C-0002",
            "guardian": "G-0002",
            "channel": "public-page",
            "evidence": "F-18",
            "method": "email",
        },
        {
            "type": "ConsentWithdrawn",
            "on": "2026-01-10",
            "child": "C-0002",
            "guardian": "G-0002",
            "channel": "public-page",
        },
    ]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        pytest.param("C-0001,G-0001,closed-group,31/02/2025,F-19,paper,", "on", id="bad-date"),
        pytest.param("C-0001,G-0001,closed-group,03/09/2027,F-19,paper,", "on", id="after-today"),
        pytest.param("C-0009,G-0001,closed-group,03/09/2025,F-19,paper,", "child", id="unknown"),
        pytest.param(f"{CHILD_1},G-0001,closed-group,03/09/2025,F-19,paper,", "child", id="name"),
        pytest.param("C-0001,G-0002,closed-group,03/09/2025,F-19,paper,", "guardian", id="link"),
        pytest.param("C-0001,G-0001,instagram,03/09/2025,F-19,paper,", "channel", id="channel"),
        pytest.param("C-0001,G-0001,closed-group,03/09/2025,F-19,fax,", "method", id="method"),
    ],
)
def test_a_bad_row_of_a_consent_register_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], row: str, field: str
) -> None:
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    before_files = files(db)
    before = export(capsys, db)
    path = write(workdir / "register.csv", REGISTER + row + "\n")
    result = run(capsys, "--db", db, "import", str(path))
    assert result.status == 2, result.text
    assert "line 4" in result.err, result.err
    assert word(field).search(result.err), result.err
    assert files(db) == before_files
    assert export(capsys, db) == before


# --- 4. export --------------------------------------------------------------------------------


def test_export_is_the_audit_trail(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    lines = export(capsys, db)
    assert lines[0]["type"] == "SettingRegistered"
    recorded = facts_of(lines)
    assert [f["position"] for f in recorded] == list(range(1, len(BASE_SW) + 2))
    for fact in recorded:
        assert set(fact) >= {"type", "on", "position", "recorded_at", "leaf"}
        assert re.fullmatch(r"[0-9a-f]{64}", fact["leaf"])
        assert fact["recorded_at"].startswith("2027-06-30T12:00")
    checkpoints = [line for line in lines if line["type"] == "Checkpoint"]
    assert [c["size"] for c in checkpoints] == [1, len(BASE_SW) + 1]
    for checkpoint in checkpoints:
        assert checkpoint["note"]
    # Each checkpoint follows the fact that completes it.
    assert lines[1]["type"] == "Checkpoint" and lines[1]["size"] == 1
    assert lines[-1]["type"] == "Checkpoint"


def test_export_as_of_a_date_gives_what_was_recorded_by_then(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEDGER_NOW", EARLIER)
    db = ledger(capsys, new_db, BASE_COMMON, SW)
    monkeypatch.setenv("LEDGER_NOW", NOW)
    assert import_facts(capsys, db, BASE_SW[len(BASE_COMMON) :]).status == 0
    everything = export(capsys, db)
    early = export(capsys, db, "--as-of", "2027-03-01")
    assert early[0]["type"] == "SettingRegistered"
    assert len(facts_of(early)) == 1 + len(BASE_COMMON)
    assert len(facts_of(everything)) == 1 + len(BASE_SW)
    assert early == everything[: len(early)]
    assert [c["size"] for c in early if c["type"] == "Checkpoint"] == [1, len(BASE_COMMON) + 1]
    assert export(capsys, db, "--as-of", "2027-06-30") == everything
    bad = run(capsys, "--db", db, "export", "--as-of", "30/06/2027")
    assert bad.status == 2
    assert "--as-of" in bad.err


# --- 5. findings ------------------------------------------------------------------------------

FINDING_FIELDS = {"rule", "subject", "since", "status", "resolved_on", "detail"}

UNCONSENTED_POST: list[Fact] = [
    {
        "type": "PostPublished",
        "on": "2026-01-15",
        "post": "P-0002",
        "channel": "public-page",
        "author": "S-0001",
        "depicts": ["C-0002"],
        "device": "T-01",
    },
    {
        "type": "PostRemoved",
        "on": "2026-02-01",
        "post": "P-0002",
        "by": "S-0001",
        "reason": "consent-withdrawn",
    },
]


def test_findings_json_is_a_list_of_findings(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, [*BASE_SW, *UNCONSENTED_POST])
    found = findings(capsys, db)
    assert found, "this ledger has findings"
    for finding in found:
        assert FINDING_FIELDS <= set(finding) <= FINDING_FIELDS | {"resolution"}
        assert finding["status"] in ("open", "resolved")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", finding["since"])
        assert (finding["resolved_on"] is None) == (finding["status"] == "open")
    (post,) = has(found, "consent-missing", "P-0002")
    assert post["since"] == "2026-01-15"
    assert post["status"] == "resolved"
    assert post["resolved_on"] == "2026-02-01"
    assert post["resolution"] == "PostRemoved"
    assert "C-0002" in post["detail"]


def test_findings_as_of_a_date(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, [*BASE_SW, *UNCONSENTED_POST])
    assert not has(findings(capsys, db, "--as-of", "2026-01-14"), "consent-missing", "P-0002")
    (during,) = has(findings(capsys, db, "--as-of", "2026-01-20"), "consent-missing", "P-0002")
    assert during["status"] == "open" and during["resolved_on"] is None
    (after,) = has(findings(capsys, db, "--as-of", "2026-02-01"), "consent-missing", "P-0002")
    assert after["status"] == "resolved"
    open_only = run(capsys, "--db", db, "findings", "--json", "--open")
    assert not has(json.loads(open_only.out), "consent-missing", "P-0002")


def test_findings_known_at_shows_what_the_ledger_said_before_a_late_fact(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = {
        "type": "PostPublished",
        "on": "2026-10-01",
        "post": "P-0003",
        "channel": "public-page",
        "author": "S-0001",
        "depicts": ["C-0001"],
        "device": "T-01",
    }
    late_consent = {
        "type": "ConsentGranted",
        "on": "2026-09-15",
        "child": "C-0001",
        "guardian": "G-0001",
        "channel": "public-page",
        "evidence": "F-31",
        "method": "paper",
    }
    monkeypatch.setenv("LEDGER_NOW", EARLIER)
    db = ledger(capsys, new_db, [*BASE_SW, post])
    (before,) = has(findings(capsys, db), "consent-missing", "P-0003")
    assert before["status"] == "open" and before["since"] == "2026-10-01"
    monkeypatch.setenv("LEDGER_NOW", NOW)
    assert import_facts(capsys, db, [late_consent]).status == 0
    assert not has(findings(capsys, db), "consent-missing", "P-0003")
    (then,) = has(
        findings(capsys, db, "--known-at", "2027-03-01T00:00"), "consent-missing", "P-0003"
    )
    assert then == before
    assert not has(
        findings(capsys, db, "--known-at", "2027-06-30T13:00"), "consent-missing", "P-0003"
    )
    text = run(capsys, "--db", db, "findings", "--known-at", "2027-03-01T00:00")
    assert text.status == 0
    assert "consent-missing" in text.out and "P-0003" in text.out
    assert_private(text.text)


def test_findings_text_names_rules_and_references_only(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db, [*BASE_SW, *UNCONSENTED_POST])
    result = run(capsys, "--db", db, "findings", "--as-of", "2026-01-20")
    assert result.status == 0
    assert "consent-missing" in result.out and "P-0002" in result.out
    assert_private(result.text)
    assert run(capsys, "--db", db, "findings", "--as-of", "yesterday").status == 2
    assert run(capsys, "--db", db, "findings", "--known-at", "soon").status == 2


# --- 6. check post ----------------------------------------------------------------------------


def check(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> Result:
    result = run(capsys, "--db", db, "check", "post", *argv)
    assert_private(result.text)
    return result


def test_check_post_yes(workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]) -> None:
    db = ledger(capsys, new_db)
    argv = ("--channel", "closed-group", "--author", "G-0001", "--depicts", "C-0001")
    result = check(capsys, db, *argv, "--device", "T-01")
    assert result.status == 0, result.text
    as_json = check(capsys, db, *argv, "--device", "T-01", "--json")
    assert as_json.status == 0
    assert json.loads(as_json.out) == {"ok": True, "problems": []}
    # Asking writes nothing.
    assert len(facts_of(export(capsys, db))) == 1 + len(BASE_SW)


T01 = ["--device", "T-01"]


@pytest.mark.parametrize(
    ("argv", "rules"),
    [
        pytest.param(
            ["--channel", "closed-group", "--author", "G-0001", "--depicts", "C-0002", *T01],
            {"consent-missing"},
            id="no-consent",
        ),
        pytest.param(
            ["--channel", "public-page", "--author", "S-0002", "--depicts", ""],
            {"unauthorised-poster"},
            id="unauthorised-author",
        ),
        pytest.param(
            ["--channel", "closed-group", "--author", "G-0002", "--depicts", "C-0001", *T01],
            {"unauthorised-poster"},
            id="not-a-member",
        ),
        pytest.param(
            ["--channel", "personal-account", "--author", "S-0001", "--depicts", "C-0001", *T01],
            {"child-image-forbidden", "unauthorised-poster"},
            id="personal-account",
        ),
        # The setting's devices bind its own people (issue 18): the volunteer S-0002, who is no
        # member of the group either; a parent on their own phone is a Yes (test_posting_policies).
        pytest.param(
            ["--channel", "closed-group", "--author", "S-0002", "--depicts", "C-0001"],
            {"non-setting-device", "unauthorised-poster"},
            id="no-device",
        ),
        pytest.param(
            [
                "--channel",
                "closed-group",
                "--author",
                "S-0002",
                "--depicts",
                "C-0001",
                "--device",
                f"{CHILD_1}'s mum's phone",
            ],
            {"non-setting-device", "unauthorised-poster"},
            id="personal-phone",
        ),
        pytest.param(
            [
                "--channel",
                "closed-group",
                "--author",
                "S-0002",
                "--depicts",
                "C-0001",
                "--device",
                "T-02",
            ],
            {"non-setting-device", "unauthorised-poster"},
            id="unregistered-device",
        ),
    ],
)
def test_check_post_no(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    rules: set[str],
) -> None:
    db = ledger(capsys, new_db)
    result = check(capsys, db, *argv)
    assert result.status == 1, result.text
    for rule in rules:
        assert rule in result.out
    as_json = check(capsys, db, *argv, "--json")
    assert as_json.status == 1
    answer = json.loads(as_json.out)
    assert answer["ok"] is False
    assert {p["rule"] for p in answer["problems"]} == rules
    for problem in answer["problems"]:
        assert set(problem) == {"rule", "detail"}
        assert problem["detail"]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        pytest.param(["--channel", "instagram", "--author", "S-0001"], "--channel", id="channel"),
        pytest.param(["--channel", "closed-group", "--author", "S-0099"], "--author", id="author"),
        pytest.param(["--channel", "closed-group", "--author", STAFF_1], "--author", id="name"),
        pytest.param(
            ["--channel", "closed-group", "--author", "G-0001", "--depicts", "C-0001,C-0099"],
            "--depicts",
            id="child",
        ),
        pytest.param(
            ["--channel", "closed-group", "--author", "G-0001", "--depicts", CHILD_1],
            "--depicts",
            id="child-name",
        ),
        pytest.param(
            ["--channel", "closed-group", "--author", "G-0001", "--on", "2027-07-01"],
            "--on",
            id="after-today",
        ),
    ],
)
def test_check_post_refuses_unknown_references(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    db = ledger(capsys, new_db)
    for extra in ([], ["--json"]):
        result = check(capsys, db, *argv, *extra)
        assert result.status == 2, result.text
        assert option in result.err, result.err


def test_check_post_on_a_past_day(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    argv = ["--channel", "closed-group", "--author", "G-0001", "--depicts", "C-0001"]
    argv += ["--device", "T-01"]
    # On 2025-09-03 consent had been given (2025-09-02) but the author was not yet a member
    # of the group (admitted 2025-09-05).
    early = check(capsys, db, *argv, "--on", "2025-09-03", "--json")
    assert early.status == 1
    assert {p["rule"] for p in json.loads(early.out)["problems"]} == {"unauthorised-poster"}
    assert check(capsys, db, *argv, "--on", "2025-09-05").status == 0


# --- 7. the friendly recording commands -------------------------------------------------------

# For every kind of fact a recording command writes: a fact that is valid after BASE_SW.
COMMAND_FACTS: dict[str, Fact] = {
    "PolicyAdopted": {"on": "2026-01-01", "version": "2026.1"},
    "PolicyReviewed": {"on": "2026-02-01", "outcome": "amended"},
    "TermDatesRecorded": {"on": "2026-01-05", "year": 2026, "summer_holiday_starts": "2026-07-20"},
    "ChildEnrolled": {"on": "2026-01-05", "child": "C-0003", "name": NEWCOMER},
    "ChildLeft": {"on": "2026-07-17", "child": "C-0001"},
    "GuardianLinked": {
        "on": "2026-01-05",
        "guardian": "G-0003",
        "name": NEWCOMER,
        "child": "C-0001",
    },
    "PersonJoined": {"on": "2026-01-05", "person": "S-0003", "name": NEWCOMER, "kind": "student"},
    "PersonLeft": {"on": "2026-03-31", "person": "S-0002"},
    "RoleAssigned": {"on": "2026-01-05", "person": "S-0001", "role": "group-admin"},
    "RoleRevoked": {"on": "2026-03-01", "person": "S-0001", "role": "manager"},
    "DeviceRegistered": {"on": "2026-01-05", "device": "T-02"},
    "DeviceRetired": {"on": "2026-03-01", "device": "T-01"},
    "ConsentGranted": {
        "on": "2026-01-05",
        "child": "C-0002",
        "guardian": "G-0002",
        "channel": "public-page",
        "evidence": "F-18",
        "method": "email",
        "expires": "2027-08-31",
    },
    "ConsentWithdrawn": {
        "on": "2026-01-05",
        "child": "C-0001",
        "guardian": "G-0001",
        "channel": "closed-group",
    },
    "PostPublished": {
        "on": "2026-01-05",
        "post": "P-0002",
        "channel": "public-page",
        "author": "S-0001",
        "depicts": ["C-0001", "C-0002"],
        "device": "T-01",
    },
    "PostRemoved": {
        "on": "2026-01-05",
        "post": "P-0001",
        "by": "S-0001",
        "reason": "inappropriate",
    },
    "PosterContacted": {"on": "2026-01-05", "post": "P-0001", "by": "S-0001"},
    "ReferredToManager": {"on": "2026-01-05", "ref": "K-0001"},
    "MemberAdmitted": {"on": "2026-01-05", "member": "S-0001"},
    "MemberRemoved": {"on": "2026-01-05", "member": "G-0001", "reason": "voluntary"},
    "FriendshipExceptionGranted": {
        "on": "2026-01-05",
        "person": "S-0001",
        "guardian": "G-0002",
        "since": "2018-03-01",
        "approved_by": "S-0001",
    },
    "FriendshipExceptionEnded": {"on": "2026-01-05", "person": "S-0001", "guardian": "G-0001"},
    "ConnectionReported": {"on": "2026-01-05", "person": "S-0002", "guardian": "G-0002"},
    "ConcernRaised": {
        "on": "2026-01-05",
        "concern": "K-0002",
        "category": "inappropriate-comment",
        "about": "G-0002",
    },
    "ConcernAddressed": {
        "on": "2026-01-05",
        "concern": "K-0001",
        "action": "Comment removed; parent spoken to",
    },
    "DisciplinaryReferred": {
        "on": "2026-01-05",
        "case": "D-0002",
        "person": "S-0001",
        "concern": "K-0001",
    },
    "DisciplinaryDecided": {"on": "2026-01-05", "case": "D-0001", "outcome": "advice"},
    "CommunicationPermitted": {
        "on": "2026-01-05",
        "child": "C-0001",
        "guardian": "G-0001",
        "method": "email",
    },
    "ChildContacted": {
        "on": "2026-01-05",
        "child": "C-0001",
        "by": "S-0001",
        "method": "email",
        "device": "T-01",
    },
    "ParentContacted": {
        "on": "2026-01-05",
        "guardian": "G-0001",
        "by": "S-0001",
        "method": "social-media",
        "device": "T-01",
    },
    "FindingAcknowledged": {
        "on": "2026-01-05",
        "rule": "too-few-admins",
        "subject": "closed-group",
        "action": "Two admins appointed at the committee meeting",
    },
}


def options_for(fact: Fact) -> list[str]:
    """The command-line options that say what the fact says."""
    argv: list[str] = []
    for name, value in fact.items():
        if name in ("type", "on"):
            continue
        text = ",".join(value) if isinstance(value, list) else str(value)
        argv += ["--" + name.replace("_", "-"), text]
    return [*argv, "--on", fact["on"]]


def comparable(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An export without what differs between two ledgers holding the same facts."""
    out = []
    for line in lines:
        # Record times, hashes, signatures and sealed ciphertext differ between two ledgers.
        drop = (
            ("note", "signed_at", "vkey")
            if line["type"] == "Checkpoint"
            else ("recorded_at", "leaf", "sealed")
        )
        out.append({k: v for k, v in line.items() if k not in drop})
    return out


def test_every_kind_of_fact_has_a_recording_command() -> None:
    assert {c.event.__name__ for c in recording.COMMANDS} == set(COMMAND_FACTS)


@pytest.mark.parametrize(
    "command", recording.COMMANDS, ids=[f"{c.noun}-{c.verb}" for c in recording.COMMANDS]
)
def test_a_recording_command_writes_what_an_import_would(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], command: recording.Command
) -> None:
    kind = command.event.__name__
    fact = {"type": kind, **COMMAND_FACTS[kind]}
    by_import = ledger(capsys, new_db, name="by-import.db")
    result = import_facts(capsys, by_import, [fact], name="one.jsonl")
    assert result.status == 0, result.text
    by_command = ledger(capsys, new_db, name="by-command.db")
    argv = ["--db", by_command, command.noun, command.verb, *options_for(fact)]
    result = run(capsys, *argv)
    assert result.status == 0, result.text
    assert comparable(export(capsys, by_command)) == comparable(export(capsys, by_import))
    (last,) = facts_of(export(capsys, by_command))[-1:]
    assert {k: v for k, v in last.items() if k in fact} == fact
    assert_private(result.text)


def test_a_recording_command_defaults_on_to_today(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    result = run(capsys, "--db", db, "device", "register", "--device", "T-07")
    assert result.status == 0, result.text
    last = facts_of(export(capsys, db))[-1]
    assert last["type"] == "DeviceRegistered" and last["on"] == "2027-06-30"


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        pytest.param(["child", "leave", "--child", "C-0099"], "--child", id="unknown-child"),
        pytest.param(["child", "leave", "--child", CHILD_1], "--child", id="name-as-child"),
        pytest.param(
            [
                "consent",
                "grant",
                "--child",
                "C-0001",
                "--guardian",
                "G-0002",
                "--channel",
                "closed-group",
                "--evidence",
                "F-1",
                "--method",
                "paper",
            ],
            "--guardian",
            id="guardian-not-linked",
        ),
        pytest.param(
            [
                "consent",
                "grant",
                "--child",
                "C-0001",
                "--guardian",
                "G-0001",
                "--channel",
                "instagram",
                "--evidence",
                "F-1",
                "--method",
                "paper",
            ],
            "--channel",
            id="unknown-channel",
        ),
        pytest.param(
            ["post", "remove", "--post", "P-0099", "--by", "S-0001", "--reason", "other"],
            "--post",
            id="unknown-post",
        ),
        pytest.param(
            [
                "post",
                "publish",
                "--post",
                "P-0002",
                "--channel",
                "closed-group",
                "--author",
                "S-0099",
            ],
            "--author",
            id="unknown-author",
        ),
        pytest.param(
            [
                "post",
                "publish",
                "--post",
                "P-0002",
                "--channel",
                "closed-group",
                "--author",
                "G-0001",
                "--depicts",
                "C-0001,C-0098",
            ],
            "--depicts",
            id="unknown-depicted",
        ),
        pytest.param(
            [
                "friendship",
                "grant",
                "--person",
                "S-0001",
                "--guardian",
                "G-0002",
                "--since",
                "2018-01-01",
                "--approved-by",
                "S-0099",
            ],
            "--approved-by",
            id="unknown-approver",
        ),
        pytest.param(
            [
                "friendship",
                "grant",
                "--person",
                "S-0001",
                "--guardian",
                "G-0002",
                "--since",
                "2025-10-01",
                "--approved-by",
                "S-0001",
            ],
            "--since",
            id="not-pre-existing",
        ),
        pytest.param(
            ["terms", "record", "--year", "twenty-six", "--summer-holiday-starts", "2026-07-20"],
            "--year",
            id="year-not-a-number",
        ),
        pytest.param(
            ["terms", "record", "--year", "2026", "--summer-holiday-starts", "20/07/2026"],
            "--summer-holiday-starts",
            id="date-not-a-date",
        ),
        pytest.param(
            ["device", "register", "--device", "T-05", "--on", "2027-07-01"],
            "--on",
            id="after-today",
        ),
        pytest.param(
            ["role", "assign", "--person", "S-0001", "--role", "head-chef"],
            "--role",
            id="unknown-role",
        ),
        pytest.param(
            [
                "committee",
                "acknowledge",
                "--rule",
                "consent-missing",
                "--subject",
                "P-0099",
                "--action",
                "Nothing",
            ],
            "--subject",
            id="unknown-subject",
        ),
    ],
)
def test_a_recording_command_with_a_bad_value_names_the_option(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    db = ledger(capsys, new_db)
    before = files(db)
    result = run(capsys, "--db", db, *argv)
    assert result.status == 2, result.text
    assert word(option).search(result.err), result.err
    assert files(db) == before


@pytest.mark.parametrize(
    ("profile", "facts", "argv"),
    [
        pytest.param(
            NURSERY,
            BASE_COMMON,
            [
                *("friendship", "grant", "--person", "S-0001", "--guardian", "G-0001"),
                *("--since", "2019-01-01", "--approved-by", "S-0001", "--on", "2026-01-05"),
            ],
            id="nursery-allows-no-exception",
        ),
        pytest.param(
            "west-wycombe-preschool",  # (Stepping Stones Nursery's closed page is a group now)
            BASE_COMMON,
            ["member", "admit", "--member", "G-0001", "--on", "2026-01-05"],
            id="no-closed-group",
        ),
        pytest.param(
            SW,
            [],
            ["policy", "review", "--outcome", "unchanged", "--on", "2026-01-05"],
            id="review-before-adoption",
        ),
    ],
)
def test_a_recording_command_refusal_names_only_options_it_has(
    workdir: Path,
    new_db: NewDb,
    capsys: pytest.CaptureFixture[str],
    profile: str,
    facts: list[Fact],
    argv: list[str],
) -> None:
    """A refused command points at one of its own options, never at one it does not have."""
    db = ledger(capsys, new_db, facts, profile)
    before = files(db)
    result = run(capsys, "--db", db, *argv)
    assert result.status == 2, result.text
    assert files(db) == before
    (command,) = [c for c in recording.COMMANDS if [c.noun, c.verb] == argv[:2]]
    options = {recording.option(f) for f in recording.fields(command.event)} | {"--on", "--db"}
    named = set(re.findall(r"--[a-z][a-z-]*", result.err))
    assert named <= options, (
        f"{sorted(named - options)} are not options of {argv[:2]}: {result.err}"
    )


def test_a_recording_command_without_a_required_option_is_refused(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    before = files(db)
    result = run(capsys, "--db", db, "consent", "grant", "--child", "C-0001")
    assert result.status == 2
    assert "--guardian" in result.err
    assert files(db) == before


# --- 8. --help --------------------------------------------------------------------------------


def _commands() -> list[list[str]]:
    """Every command and subcommand of the parser, as the words that name it."""
    found: list[list[str]] = [[]]

    def walk(parser: argparse.ArgumentParser, words: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append([*words, name])
                    walk(sub, [*words, name])

    walk(build_parser(), [])
    return found


def test_the_command_tree_is_complete() -> None:
    named = {" ".join(words) for words in _commands()}
    for expected in ("init", "import", "export", "findings", "check post", "verify"):
        assert expected in named
    for command in recording.COMMANDS:
        assert f"{command.noun} {command.verb}" in named


@pytest.mark.parametrize("words", _commands(), ids=lambda w: " ".join(w) or "ledger")
def test_help_has_an_example(capsys: pytest.CaptureFixture[str], words: list[str]) -> None:
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main([*words, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out.lower(), out
    if words and not _is_group(words):
        # The example shows this very command.
        shown = re.compile(r"ledger (--db \S+ )?" + re.escape(" ".join(words)) + r"\b")
        assert shown.search(out), out


def _is_group(words: list[str]) -> bool:
    return any(w[: len(words)] == words and len(w) > len(words) for w in _commands())


@pytest.mark.parametrize(
    "command", recording.COMMANDS, ids=[f"{c.noun}-{c.verb}" for c in recording.COMMANDS]
)
def test_the_help_example_of_a_recording_command_is_a_valid_command(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: recording.Command,
) -> None:
    """Typed as shown, the example decodes into its fact (the write itself is stubbed out)."""
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main([command.noun, command.verb, "--help"])
    out = capsys.readouterr().out
    (line,) = [x.strip() for x in out.splitlines() if x.strip().startswith("ledger ")]
    written: list[Any] = []

    def record(args: argparse.Namespace, facts: Any, **opened: Any) -> list[int]:
        written.extend(event for _, event in facts)
        return [99]

    monkeypatch.setattr(cli, "_record", record)
    result = run(capsys, *shlex.split(line)[1:])
    assert result.status == 0, result.text
    (event,) = written
    assert type(event) is command.event


# --- 9. verify --------------------------------------------------------------------------------


def test_verify_an_untouched_ledger(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ledger(capsys, new_db)
    assert run(capsys, "--db", db, "device", "register", "--device", "T-03").status == 0
    result = run(capsys, "--db", db, "verify")
    assert result.status == 0, result.text


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_verify_names_the_position_of_a_changed_byte(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    db = ledger(capsys, new_db)
    position = 1 + next(i for i, f in enumerate(BASE_SW, start=1) if f.get("name") == CHILD_1)
    with raw(db) as connection:  # the SQLite file, or the schema's table on PostgreSQL
        ((state,),) = connection.execute(
            "select state from {events} where originator_version = ? and topic like ?",
            (position, "ChildEnrolled:%"),
        )
        changed = bytearray(state)
        index = {"first": 0, "middle": len(changed) // 2, "last": len(changed) - 1}[where]
        changed[index] ^= 0x01
        connection.execute(
            "update {events} set state = ? where originator_version = ? and topic like ?",
            (bytes(changed), position, "ChildEnrolled:%"),
        )
    result = run(capsys, "--db", db, "verify")
    assert result.status == 1, result.text
    assert re.search(rf"position {position}\b", result.text), result.text
    assert_private(result.text)


# --- 10. privacy across a whole session ------------------------------------------------------


def test_no_name_in_any_finding_or_answer(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger with a finding of every kind it can have, read every way."""
    extra: list[Fact] = [
        *UNCONSENTED_POST,
        {
            "type": "PostPublished",
            "on": "2026-01-20",
            "post": "P-0004",
            "channel": "personal-account",
            "author": "S-0002",
            "depicts": ["C-0001", "C-0002"],
            # A first name alone (a whole held name is refused: see below and test_forget.py).
            "device": f"{CHILD_1.split()[0]}'s phone",
        },
        {
            "type": "ConnectionReported",
            "on": "2026-01-21",
            "person": "S-0002",
            "guardian": "G-0002",
        },
        {"type": "MemberAdmitted", "on": "2026-01-22", "member": "G-0002"},
        {"type": "ChildLeft", "on": "2026-02-13", "child": "C-0002"},
        {
            "type": "ChildContacted",
            "on": "2026-02-02",
            "child": "C-0001",
            "by": "S-0002",
            "method": "text-message",
            "device": f"{VOLUNTEER_1.split()[0]}'s phone",
        },
    ]
    db = ledger(capsys, new_db, [*BASE_SW, *extra])
    for as_of in ("2026-01-25", "2026-06-30", "2027-06-30"):
        found = findings(capsys, db, "--as-of", as_of)
        assert found
        text = run(capsys, "--db", db, "findings", "--as-of", as_of)
        assert text.status == 0
        assert_private(text.text)
    contacts = ledger(capsys, new_db, BASE_COMMON, "stepping-stones-preschool", "contacts.db")
    contact = {
        "type": "ChildContacted",
        "on": "2026-02-02",
        "child": "C-0001",
        "by": "S-0002",
        "method": "text-message",
        "device": f"{GUARDIAN_1}'s old phone",
    }
    refused = import_facts(capsys, contacts, [contact])  # a held name in a label is refused
    assert refused.status == 2 and "`device`" in refused.text, refused.text
    assert_private(refused.text)
    contact["device"] = f"{GUARDIAN_1.split()[0]}'s old phone"
    assert import_facts(capsys, contacts, [contact]).status == 0
    found = findings(capsys, contacts)
    assert has(found, "contact-without-permission", "C-0001")
    assert has(found, "non-setting-device", "C-0001")
    text = run(capsys, "--db", contacts, "findings")
    assert "contact-without-permission" in text.out
    assert_private(text.text)
    for channel in ("closed-group", "public-page", "personal-account"):
        for author in ("S-0001", "S-0002", "G-0001", "G-0002"):
            check(
                capsys, db, "--channel", channel, "--author", author, "--depicts", "C-0001,C-0002"
            )
            check(capsys, db, "--channel", channel, "--author", author, "--json")


def test_counts_read_as_words(
    workdir: Path, new_db: NewDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15, item 8: "Imported 1 facts (positions 22–22)", "day(s)", "child(ren)", "REF:"."""
    db = ledger(capsys, new_db)
    one = [{"type": "ConcernRaised", "on": "2025-10-02", "concern": "K-0009", "category": "other"}]
    result = import_facts(capsys, db, one, name="one.jsonl")
    assert result.status == 0, result.text
    assert re.search(r"Imported 1 fact \(position \d+\)\.", result.out), result.out
    two = [
        {"type": "ConcernRaised", "on": "2025-10-02", "concern": f"K-00{n}", "category": "other"}
        for n in (10, 11)
    ]
    result = import_facts(capsys, db, two, name="two.jsonl")
    assert re.search(r"Imported 2 facts \(positions \d+–\d+\)\.", result.out), result.out
    result = run(capsys, "--db", db, "findings", "--json")
    details = " ".join(finding["detail"] for finding in json.loads(result.out))
    assert "within 1 day" in details  # South Woodham: concerns within a day
    assert "(s)" not in details and "(ren)" not in details
    result = run(capsys, "--db", db, "subject", "C-9999")
    assert result.status == 2 and "REF:" not in result.err
    assert "C-9999 is not a person of this ledger" in result.err
