"""Properties of the command as a whole, through ``ledger.cli.main``:

- any refused input (a bad line anywhere in an import, hostile bytes, a fact that cannot be
  recorded) exits 2 with a message, never a traceback, and leaves the ledger as it was: its
  SQLite files byte for byte, or every row of its PostgreSQL schema (and the files beside it);
- no name from the input ever appears in findings, ``check post`` output or error messages.

Both run on both stores.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import given, settings

from ledger import events as ev
from ledger.cli import main
from ledger.demo import generate
from ledger.integrity import Signer
from ledger.profile import load as load_profile
from ledger.store import Config
from tests.conftest import (
    NOW,
    STORES,
    config_for,
    fixed_clock,
    fresh_db,
    new_ledger,
    stored_state,
)

PROFILES = [
    "south-woodham-preschool",
    "stepping-stones-preschool",
    "west-wycombe-preschool",
    "stepping-stones-nursery",
    "sandbank-valley-federation",
]

# Names shaped like real ones; the q and z keep them apart from any word the ledger prints.
names = st.from_regex(
    r"\A[A-Z][a-z]{1,6}q[a-z]{1,5} [A-Z][a-z]{1,6}z[a-z]{1,6}(-[A-Z][a-z]{2,6})?\Z"
)


def run(*argv: str) -> tuple[int, str]:
    """Run the command in-process; return its status and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue() + err.getvalue()


@contextlib.contextmanager
def pinned_now() -> Iterator[None]:
    old = os.environ.get("LEDGER_NOW")
    os.environ["LEDGER_NOW"] = NOW.isoformat()
    try:
        yield
    finally:
        if old is None:
            del os.environ["LEDGER_NOW"]
        else:
            os.environ["LEDGER_NOW"] = old


def named_history(profile_name: str, seed: int, chosen: list[str]) -> list[ev.Event]:
    """A realistic year at a setting with the given names put into every name field."""
    profile = load_profile(profile_name)
    facts = generate(
        profile,
        setting="Test",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 7, 31),
        seed=seed,
        children=12,
    )
    out: list[ev.Event] = []
    for i, fact in enumerate(facts):
        if type(fact) in ev.NAME_FIELDS:
            fact = msgspec.structs.replace(fact, name=chosen[i % len(chosen)])  # type: ignore[call-arg]
        out.append(fact)
    return out


def record_ledger(config: Config, profile: str, facts: list[ev.Event]) -> None:
    """A ledger of these facts, with its signing key saved where the command looks for it."""
    ledger = new_ledger(config)
    signer = Signer.generate("policy-ledger")
    ledger.create("Test Setting", profile, signer, fixed_clock)
    signer.save(config.key_path)
    ledger.record(facts, signer, fixed_clock)
    ledger.close()


def make_ledger(folder: Path, profile: str, facts: list[ev.Event]) -> Path:
    """A SQLite ledger of these facts in ``folder``."""
    db = folder / "ledger.db"
    record_ledger(config_for(str(db), folder), profile, facts)
    return db


@pytest.mark.parametrize("store", STORES)
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(
    profile=st.sampled_from(PROFILES),
    seed=st.integers(0, 10_000),
    chosen=st.lists(names, min_size=3, max_size=8, unique=True),
)
def test_no_name_reaches_findings_check_or_errors(
    store: str, profile: str, seed: int, chosen: list[str]
) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        pinned_now(),
        fresh_db(store, Path(tmp)) as db,
        contextlib.chdir(tmp),  # where the command looks for a PostgreSQL ledger's key
    ):
        facts = named_history(profile, seed, chosen)
        record_ledger(config_for(db, Path(tmp)), profile, facts)
        outputs = [
            run("--db", db, "findings"),
            run("--db", db, "findings", "--json", "--as-of", "2026-03-01"),
            run(
                "--db",
                db,
                "check",
                "post",
                "--channel",
                "personal-account",
                "--author",
                "S-0001",
                "--depicts",
                "C-0001,C-0002",
                "--on",
                "2026-05-05",
            ),
        ]
        # Bad input carrying the names in every kind of field: refused without repeating them.
        bad = Path(tmp) / "bad.jsonl"
        for name in chosen:
            for line in (
                {"type": "ChildEnrolled", "on": "2026-01-05", "child": "C-0001", "name": name},
                {"type": "ChildEnrolled", "on": "not a date", "child": "C-9999", "name": name},
                {
                    "type": "GuardianLinked",
                    "on": "2026-01-05",
                    "guardian": name,
                    "name": name,
                    "child": "C-0001",
                },
                {
                    "type": "ConsentGranted",
                    "on": "2026-01-05",
                    "child": "C-0001",
                    "guardian": "G-0001",
                    "channel": name.lower(),
                    "evidence": name,
                    "method": name,
                },
                {"type": name, "on": "2026-01-05"},
                {
                    "type": "PersonJoined",
                    "on": "2026-01-05",
                    "person": "S-0001",
                    "name": name,
                    "kind": "staff",
                    name.replace(" ", "_").lower(): 1,
                },
            ):
                bad.write_text(json.dumps(line) + "\n")
                outputs.append(run("--db", db, "import", str(bad)))
        for status, text in outputs:
            assert "Traceback" not in text
            for name in chosen:
                for part in name.split(" "):
                    assert part not in text, f"a name ({part!r}) was printed: {text!r}"
            assert status in (0, 1, 2)


good_line = st.sampled_from(
    [
        {"type": "ChildEnrolled", "on": "2026-06-01", "child": "C-9001", "name": "Test Child"},
        {"type": "PolicyReviewed", "on": "2026-06-01", "outcome": "unchanged"},
        {"type": "ConcernRaised", "on": "2026-06-01", "concern": "K-9001", "category": "other"},
    ]
)

bad_line = st.one_of(
    st.binary(min_size=1, max_size=60).filter(lambda b: b"\n" not in b and b.strip() != b""),
    st.text(min_size=1, max_size=60)
    .filter(lambda t: "\n" not in t and "\r" not in t and t.strip() != "")
    .map(lambda t: t.encode()),
    st.sampled_from(
        [
            {"type": "ChildEnrolled", "on": "2026-06-01", "child": "C-0001", "name": "Dup Child"},
            {
                "type": "ConsentGranted",
                "on": "2026-06-01",
                "child": "C-8888",
                "guardian": "G-0001",
                "channel": "closed-group",
                "evidence": "F-1",
                "method": "paper",
            },
            {"type": "ChildLeft", "on": "2026-06-01", "child": "C-8888"},
            {
                "type": "PostRemoved",
                "on": "2026-06-01",
                "post": "P-8888",
                "by": "S-0001",
                "reason": "other",
            },
            {
                "type": "ChildEnrolled",
                "on": "2031-01-01",
                "child": "C-9002",
                "name": "Future Child",
            },
            {"type": "ChildEnrolled", "on": "2026-02-30", "child": "C-9003", "name": "Bad Date"},
            {
                "type": "FriendshipExceptionEnded",
                "on": "2026-06-01",
                "person": "S-0001",
                "guardian": "G-0009",
            },
            {"type": "SettingRegistered", "on": "2026-06-01", "name": "X", "profile": "y"},
            {"type": "SubjectForgotten", "on": "2026-06-01", "subject": "C-0001"},
            {"type": "Unknown", "on": "2026-06-01"},
            {"on": "2026-06-01"},
            [1, 2, 3],
            {
                "type": "ChildEnrolled",
                "on": "2026-06-01",
                "child": "C-9004",
                "name": "X",
                "extra": 1,
            },
        ]
    ).map(lambda obj: json.dumps(obj).encode()),
)


@pytest.mark.parametrize("store", STORES)
@settings(max_examples=max(10, settings.default.max_examples))
@given(
    before=st.lists(good_line, max_size=3, unique_by=lambda d: json.dumps(d)),
    bad=bad_line,
    after=st.lists(good_line, max_size=2, unique_by=lambda d: json.dumps(d)),
    seed=st.integers(0, 1000),
)
def test_refused_import_leaves_the_ledger_byte_for_byte(
    store: str,
    before: list[dict[str, object]],
    bad: bytes,
    after: list[dict[str, object]],
    seed: int,
) -> None:
    """SQLite: the files, byte for byte. PostgreSQL: every row of the schema's tables (with
    its notification ids and sequence), and the key files beside it."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        pinned_now(),
        fresh_db(store, Path(tmp)) as db,
        contextlib.chdir(tmp),
    ):
        profile = "south-woodham-preschool"
        facts = named_history(profile, seed, ["Test Name"])[:60]
        record_ledger(config_for(db, Path(tmp)), profile, facts)
        was = stored_state(db, Path(tmp))
        assert was["files"], "the ledger's files were not found"
        lines = (
            [json.dumps(o).encode() for o in before]
            + [bad]
            + [json.dumps(o).encode() for o in after]
        )
        path = Path(tmp) / "import.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        status, text = run("--db", db, "import", str(path))
        assert status == 2, text
        assert "Traceback" not in text
        assert "refused" in text or "ledger:" in text
        assert stored_state(db, Path(tmp)) == was, "a refused import changed the ledger"
